#!/usr/bin/env bash
# Builds tracer.ko and tracer_drive.ko against the guest kernel ../build.sh built.
#
#   tracer/build.sh [--kernel 5.10|6.1]          the LAST line of stdout is the directory holding
#                                                both .ko files (cached: rebuilt only when a source
#                                                here or the kernel changes)
#   tracer/build.sh [--kernel 5.10|6.1] --check  checkpatch --strict (on the sources), sparse
#                                                (make C=2) and cppcheck: each must be silent
#
# The kernel must be built already (../build.sh [--kernel V]); this never builds it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSION=5.10
CHECK=
while [ $# -gt 0 ]; do
	case "$1" in
		--kernel) VERSION=${2:-}; shift 2 || shift ;;
		--kernel=*) VERSION=${1#--kernel=}; shift ;;
		--check) CHECK=1; shift ;;
		*) echo "usage: tracer/build.sh [--kernel 5.10|6.1] [--check]" >&2; exit 2 ;;
	esac
done
log() { echo "tracer/build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

SOURCES=(tracer.c tracer_drive.c tracer.h Makefile)
image=$(bash "$HERE/../build.sh" --kernel "$VERSION" --path) ||
	die "the $VERSION kernel is not built: run kernel-patch/build.sh --kernel $VERSION first"
src=$(bash "$HERE/../build.sh" --kernel "$VERSION" --src) || die "no patched $VERSION tree"
obj=$(bash "$HERE/../build.sh" --kernel "$VERSION" --obj) || die "no $VERSION object directory"
key=$( (cd "$HERE" && cat "${SOURCES[@]}"; echo "$image") | sha256sum | cut -c1-16)
out=$(dirname "$image")/tracer-$key
MAKE=(nice -n 10 make -s ARCH=x86_64 LOCALVERSION= -C "$src" O="$obj")

# A private copy: kbuild writes its objects next to the sources.
work=$(mktemp -d "${TMPDIR:-/tmp}/tsdbg-tracer.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$HERE" && cp "${SOURCES[@]}" "$work/")

if [ -n "$CHECK" ]; then
	bad=0
	for f in tracer.c tracer_drive.c tracer.h; do
		r=$(perl "$src/scripts/checkpatch.pl" --strict --no-tree -q --terse -f "$HERE/$f" 2>&1 |
			grep -v -e '^Traceback' -e '^  ' -e 'ModuleNotFoundError' \
			-e '^total: 0 errors, 0 warnings, 0 checks,' || true)
		[ -z "$r" ] || { echo "$r" >&2; bad=1; }
	done
	command -v sparse >/dev/null || die "sparse is not installed (scripts/setup-system.sh)"
	r=$("${MAKE[@]}" M="$work" C=2 modules 2>&1 | grep -v -e 'exported twice' -e '^make' || true)
	[ -z "$r" ] || { echo "$r" >&2; bad=1; }
	command -v cppcheck >/dev/null || die "cppcheck is not installed (scripts/setup-system.sh)"
	# Without the kernel's headers (cppcheck cannot parse them); cppcheck.cfg says what the
	# hashtable iterators are.
	r=$(cd "$HERE" && cppcheck -q --enable=warning,portability,performance --error-exitcode=1 \
		--library=cppcheck.cfg -D__KERNEL__ -DMODULE tracer.c tracer_drive.c 2>&1) || bad=1
	[ -z "$r" ] || { echo "$r" >&2; bad=1; }
	[ "$bad" = 0 ] || die "checks failed"
	log "checkpatch --strict, sparse (C=2) and cppcheck clean against $VERSION"
	exit 0
fi

if [ ! -f "$out/tracer.ko" ] || [ ! -f "$out/tracer_drive.ko" ]; then
	"${MAKE[@]}" M="$work" modules >"$work/build.log" 2>&1 ||
		{ grep -v 'exported twice' "$work/build.log" | tail -30 >&2; die "module build failed"; }
	mkdir -p "$out.tmp"
	cp "$work/tracer.ko" "$work/tracer_drive.ko" "$out.tmp/"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	log "built tracer.ko and tracer_drive.ko for $VERSION"
fi
echo "$out"
