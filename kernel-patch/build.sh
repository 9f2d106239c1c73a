#!/usr/bin/env bash
# Builds the tsdbg guest kernel: vanilla 5.10 + the patch series in patches/ (applied in
# order, as one concatenated patch), configured as tinyconfig + tsdbg.config; or, with
# --kernel 6.1, vanilla 6.1 + the series in patches-6.1/ (see README.md for why 6.1 has its own).
#
#   build.sh [--kernel 5.10|6.1] [--path|--src|--obj|--check]
#   build.sh           build when needed; the LAST line of stdout is the absolute bzImage path
#   build.sh --path    print the bzImage path when it is already built, else exit 1 (never builds)
#   build.sh --src     print the source tree the series is applied to, else exit 1 (never builds):
#                      tests/kernel builds the series' kselftest from it
#   build.sh --obj     print the object directory of the built kernel, else exit 1 (never
#                      builds): out-of-tree modules (tracer/) are built against it
#   build.sh --check   each patch of the series applies in order to a pristine tree (no fuzz) and
#                      checkpatch --strict reports 0 errors, 0 warnings, 0 checks on each
#
# Environment:
#   KERNEL_SRC   an existing, unpatched kernel tree to use instead of fetch-source.sh's tarball
#                (copied once; it is never modified)
#   TSDBG_CACHE  cache root (default ~/.cache/tsdbg); results live in $TSDBG_CACHE/kernel/<key>
#   JOBS         make -j (default: nproc)
#
# <key> hashes the patch, the fragment, this script and the source's name, so any change to one
# of them selects a new bzImage, while the source tree and the object directory are kept and
# re-patched in place: a rebuild after a patch change only recompiles what the patch touches.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TSDBG_CACHE:-$HOME/.cache/tsdbg}
KDIR=$CACHE/kernel
VERSION=5.10
ACTION=
while [ $# -gt 0 ]; do
	case "$1" in
		--kernel) VERSION=${2:-}; shift 2 || shift ;;
		--kernel=*) VERSION=${1#--kernel=}; shift ;;
		--path|--src|--obj|--check) ACTION=$1; shift ;;
		*) echo "usage: build.sh [--kernel 5.10|6.1] [--path|--src|--obj|--check]" >&2; exit 2 ;;
	esac
done
case "$VERSION" in
	5.10) SERIES_DIR=$HERE/patches ;;
	6.1) SERIES_DIR=$HERE/patches-6.1 ;;
	*) echo "build.sh: error: unknown kernel version '$VERSION' (5.10 or 6.1)" >&2; exit 2 ;;
esac
SERIES=("$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch)
# The series as one patch (patch(1) reads a concatenation of git format-patch files).
PATCH=$(mktemp "${TMPDIR:-/tmp}/tsdbg-series.XXXXXX")
CHECK_TREE=
cleanup() { rm -rf "$PATCH" ${CHECK_TREE:+"$CHECK_TREE"}; }
trap cleanup EXIT
[ -f "${SERIES[0]}" ] || { echo "build.sh: error: no patches in $SERIES_DIR" >&2; exit 1; }
cat "${SERIES[@]}" >"$PATCH"
FRAG=$HERE/tsdbg.config
JOBS=${JOBS:-$(nproc)}
# LOCALVERSION= (set, empty) keeps setlocalversion from appending "+" when the
# tree sits inside some git work tree: the guest's uname -r is plain 5.10.x.
MAKE=(nice -n 10 make ARCH=x86_64 LOCALVERSION=)

log() { echo "build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The source, as a name for the cache key and a way to get a tree.
# Sets SRC_NAME, and SRC_TARBALL or SRC_TREE. With $1 = --cached, never downloads.
find_source() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -f "$KERNEL_SRC/Makefile" ] || die "KERNEL_SRC=$KERNEL_SRC is not a kernel tree"
		SRC_TREE=$(cd "$KERNEL_SRC" && pwd)
		SRC_NAME=tree-$(echo "$SRC_TREE" | sha256sum | cut -c1-12)
		return 0
	fi
	SRC_TARBALL=$(bash "$HERE/fetch-source.sh" --kernel "$VERSION" "$@") || return 1
	SRC_NAME=$(basename "$SRC_TARBALL")
	SRC_NAME=${SRC_NAME%%.tar*}
}

obj_dir() {
	echo "$KDIR/obj/$SRC_NAME-$(sha256sum <"$FRAG" | cut -c1-12)"
}

cache_key() {
	{
		cat "$PATCH" "$FRAG" "${BASH_SOURCE[0]}"
		echo "$SRC_NAME"
	} | sha256sum | cut -c1-16
}

# Extracts (or copies) the pristine source into directory $1.
unpack_into() {
	mkdir -p "$1"
	if [ -n "${SRC_TREE:-}" ]; then
		tar -C "$SRC_TREE" --exclude=.git -cf - . | tar -C "$1" -xf -
	else
		tar -C "$1" --strip-components=1 -xf "$SRC_TARBALL"
	fi
}

# Applies the series to tree $1 with no fuzz, patch by patch (a dry run of a series cannot
# work: a later patch changes files an earlier one creates). A failure leaves the tree half
# patched; the caller then starts again from a pristine tree. The patches applied are kept
# in $1/.tsdbg-applied.d so that unapply_patch can take them out in reverse order.
apply_patch() {
	local p
	rm -rf "$1/.tsdbg-applied.d"
	mkdir -p "$1/.tsdbg-applied.d"
	for p in "${SERIES[@]}"; do
		patch -d "$1" -p1 --fuzz=0 --forward --no-backup-if-mismatch -s <"$p" >&2 || return 1
		cp "$p" "$1/.tsdbg-applied.d/"
	done
}

# Takes the applied patches out of tree $1, last first.
unapply_patch() {
	local src=$1 p list
	if [ -d "$src/.tsdbg-applied.d" ]; then
		list=$(find "$src/.tsdbg-applied.d" -name '*.patch' | sort -r)
	else
		list=$src/.tsdbg-applied.patch # one patch (build.sh before the series)
	fi
	for p in $list; do
		patch -d "$src" -p1 -R --fuzz=0 --no-backup-if-mismatch -s <"$p" >&2 || return 1
	done
	rm -rf "$src/.tsdbg-applied.d"
}

# Unpacks a pristine tree into $1. The objects in $2 may come from files whose fresh copies
# are older than them, and make would keep them: they go too.
fresh_tree() {
	log "unpacking $SRC_NAME into $1"
	rm -rf "$1" "$1.tmp" "$2"
	mkdir -p "$2"
	unpack_into "$1.tmp"
	mv "$1.tmp" "$1"
}

# The files a patch touches, relative to the tree.
patch_files() {
	sed -n 's|^--- a/||p; s|^+++ b/||p' "$@" | sort -u
}

# Saves the files both patches touch into $2, with their timestamps.
save_touched() {
	local src=$1 keep=$2 f
	rm -rf "$keep"
	for f in $(patch_files "$src/.tsdbg-applied.patch" "$PATCH"); do
		[ -f "$src/$f" ] || continue
		mkdir -p "$keep/$(dirname "$f")"
		cp -p "$src/$f" "$keep/$f"
	done
}

# Gives back their old timestamps to the files whose content the switch did not change, so
# that a header both patches modify the same way (include/linux/sched.h) does not make make
# rebuild the whole kernel.
restore_untouched() {
	local src=$1 keep=$2 f
	[ -d "$keep" ] || return 0
	(cd "$keep" && find . -type f) | while read -r f; do
		if cmp -s "$keep/$f" "$src/$f"; then touch -r "$keep/$f" "$src/$f"; fi
	done
	rm -rf "$keep"
}

# Brings the persistent tree $1 (objects in $2) to pristine + current patch. The patch applied
# last is kept in the tree, so switching patches only changes the files they differ in.
prepare_tree() {
	local src=$1 obj=$2 applied=$1/.tsdbg-applied.patch keep=$KDIR/keep-$SRC_NAME
	if [ -f "$applied" ] && cmp -s "$applied" "$PATCH"; then
		return 0
	fi
	rm -rf "$keep"
	if [ -f "$applied" ]; then
		save_touched "$src" "$keep"
		if ! unapply_patch "$src"; then
			log "cannot unapply the previous patch"
			rm -rf "$src" "$keep"
		fi
	fi
	rm -f "$applied"
	[ -f "$src/Makefile" ] || fresh_tree "$src" "$obj"
	if ! apply_patch "$src"; then
		# A build interrupted while patching leaves a tree neither pristine nor patched.
		log "the cached tree does not take the patch; trying a pristine one"
		rm -rf "$keep"
		fresh_tree "$src" "$obj"
		apply_patch "$src" || die "$(basename "$PATCH") does not apply cleanly to $SRC_NAME"
	fi
	cp "$PATCH" "$applied"
	restore_untouched "$src" "$keep"
}

# The fragment's requirements: "CONFIG_X=v" and "# CONFIG_X is not set" lines.
wanted_options() {
	grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$FRAG"
}

configure() {
	local src=$1 obj=$2 missing
	"${MAKE[@]}" -C "$src" O="$obj" tinyconfig >"$obj/config.log" 2>&1 ||
		{ tail -20 "$obj/config.log" >&2; die "make tinyconfig failed"; }
	(cd "$obj" && ARCH=x86_64 "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$FRAG") \
		>>"$obj/config.log" 2>&1 || { tail -20 "$obj/config.log" >&2; die "merge_config.sh failed"; }
	"${MAKE[@]}" -C "$src" O="$obj" olddefconfig >>"$obj/config.log" 2>&1 ||
		{ tail -20 "$obj/config.log" >&2; die "make olddefconfig failed"; }
	missing=$(wanted_options | grep -vxF -f "$obj/.config" || true)
	[ -z "$missing" ] || die "options of tsdbg.config missing from the final .config:
$missing"
}

build() {
	local key out src obj start
	[ -f "$PATCH" ] || die "$PATCH is missing"
	find_source
	key=$(cache_key)
	out=$KDIR/$key
	mkdir -p "$KDIR"
	# One build per source tree at a time (5.10 and 6.1 may build side by side).
	exec 9>"$KDIR/.lock-$SRC_NAME"
	flock 9
	if [ -f "$out/bzImage" ]; then
		log "cached ($key)"
		echo "$out/bzImage"
		return 0
	fi
	start=$SECONDS
	src=$KDIR/src/$SRC_NAME
	obj=$(obj_dir)
	mkdir -p "$KDIR/src" "$obj"
	prepare_tree "$src" "$obj"
	configure "$src" "$obj"
	log "building bzImage with make -j$JOBS (log: $obj/build.log)"
	if ! "${MAKE[@]}" -C "$src" O="$obj" -j"$JOBS" bzImage >"$obj/build.log" 2>&1; then
		tail -40 "$obj/build.log" >&2
		die "kernel build failed (log: $obj/build.log)"
	fi
	# Out-of-tree modules (tracer/) need scripts/module.lds and Module.symvers.
	if ! "${MAKE[@]}" -C "$src" O="$obj" -j"$JOBS" modules_prepare modules >>"$obj/build.log" 2>&1; then
		tail -40 "$obj/build.log" >&2
		die "make modules_prepare modules failed (log: $obj/build.log)"
	fi
	mkdir -p "$out.tmp"
	# System.map: symbol addresses for debugging the kernel itself (QEMU's gdbstub)
	cp "$obj/arch/x86/boot/bzImage" "$obj/System.map" "$obj/.config" "$out.tmp/"
	cp "$PATCH" "$out.tmp/series.patch"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	log "built $SRC_NAME in $((SECONDS - start)) s ($key)"
	echo "$out/bzImage"
}

print_path() {
	find_source --cached 2>/dev/null || exit 1
	local image
	image=$KDIR/$(cache_key)/bzImage
	[ -f "$image" ] || exit 1
	echo "$image"
}

# Each patch of the series, in order, against a pristine copy of the source: it applies with
# no fuzz on top of the ones before it, and checkpatch --strict has nothing to say about it.
check() {
	local out p bad=0
	find_source
	mkdir -p "$KDIR"
	CHECK_TREE=$(mktemp -d "$KDIR/check.XXXXXX")
	local tmp=$CHECK_TREE
	log "unpacking a pristine $SRC_NAME"
	unpack_into "$tmp"
	for p in "${SERIES[@]}"; do
		patch -d "$tmp" -p1 --fuzz=0 --forward --no-backup-if-mismatch -s <"$p" >&2 ||
			die "$(basename "$p") does not apply to $SRC_NAME (with the patches before it)"
		out=$(cd "$tmp" && perl scripts/checkpatch.pl --strict "$p" 2>&1 | grep -v -e '^Traceback' -e '^  ' -e 'ModuleNotFoundError') || true
		echo "$(basename "$p"): $out" >&2
		echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks,' || bad=1
	done
	[ "$bad" = 0 ] || die "checkpatch --strict is not clean"
	log "check passed: ${#SERIES[@]} patches apply in order to $SRC_NAME; checkpatch --strict clean"
}

# The cached tree, when it carries exactly the current series.
print_src() {
	find_source --cached 2>/dev/null || exit 1
	local src=$KDIR/src/$SRC_NAME
	cmp -s "$src/.tsdbg-applied.patch" "$PATCH" || exit 1
	echo "$src"
}

# The object directory, when it holds the kernel of the current series (the one --path names).
print_obj() {
	print_path >/dev/null || exit 1
	local src=$KDIR/src/$SRC_NAME obj
	obj=$(obj_dir)
	cmp -s "$src/.tsdbg-applied.patch" "$PATCH" && [ -f "$obj/Module.symvers" ] || exit 1
	echo "$obj"
}

case "$ACTION" in
	"") build ;;
	--path) print_path ;;
	--src) print_src ;;
	--obj) print_obj ;;
	--check) check ;;
esac
