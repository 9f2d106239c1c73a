#!/bin/sh
# The whole guest-side test run, in one boot (tests/guest/guest-suite.ts runs
# `tsdbg vm run [--kernel 6.1] --share DIR -- sh tests/guest/in-guest.sh [--no-vitest]`
# from the project root):
#   1. the kernel ABI suite (tests/kernel/bin/snapshot_abi, built on the host) -> kernel.tap
#   2. the series' kselftest (tests/kernel/bin/ptrace_snapshot_selftest-<5.10|6.1>) -> kselftest.tap
#   3. tracer.ko's tests (tests/kernel/bin/tracer_test; the host writes the modules'
#      directory into the share's tracer.dir)                                   -> tracer.tap
#   4. the in-guest TypeScript suites (vitest project in-guest; not with --no-vitest) -> in-guest.json
#   5. the kernel log after all of them                                        -> dmesg.txt
# Results go to the writable share ($TSDBG_VM_SHARE); `done` is written last, so
# the host can tell a complete run from a guest that died half-way.
set -u
out=${TSDBG_VM_SHARE:?not running under tsdbg vm run}
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "guest: kernel $(uname -r), $(nproc) CPUs, up $(now) s"
t0=$(now)
tests/kernel/bin/snapshot_abi >"$out/kernel.tap" 2>"$out/kernel.stderr"
echo $? >"$out/kernel.rc"
t1=$(now)
echo "guest: kernel ABI suite done in $(since "$t0" "$t1") s: $(grep -c '^ok' "$out/kernel.tap") ok, $(grep -c '^not ok' "$out/kernel.tap") not ok"

k0=$(now)
case "$(uname -r)" in
	6.1.*) kver=6.1 ;;
	*) kver=5.10 ;;
esac
tests/kernel/bin/ptrace_snapshot_selftest-$kver >"$out/kselftest.tap" 2>"$out/kselftest.stderr"
echo $? >"$out/kselftest.rc"
k1=$(now)
echo "guest: kselftest done in $(since "$k0" "$k1") s: $(grep -c '^ok' "$out/kselftest.tap") ok, $(grep -c '^not ok' "$out/kselftest.tap") not ok"

r0=$(now)
tests/kernel/bin/tracer_test "$(cat "$out/tracer.dir")" >"$out/tracer.tap" 2>"$out/tracer.stderr"
echo $? >"$out/tracer.rc"
r1=$(now)
echo "guest: tracer.ko tests done in $(since "$r0" "$r1") s: $(grep -c '^ok' "$out/tracer.tap") ok, $(grep -c '^not ok' "$out/tracer.tap") not ok"

# The project is read-only here: --configLoader runner keeps vite from writing
# its bundled config next to it.
if [ "${1:-}" != --no-vitest ]; then
	node node_modules/vitest/vitest.mjs run --project in-guest --configLoader runner --passWithNoTests \
		--reporter=json --outputFile="$out/in-guest.json" >"$out/in-guest.log" 2>&1
	echo $? >"$out/in-guest.rc"
	echo "guest: in-guest vitest done in $(since "$r1" "$(now)") s (exit $(cat "$out/in-guest.rc"))"
fi
t2=$(now)

dmesg >"$out/dmesg.txt"
printf 'kernel_suite_s=%s\nkselftest_s=%s\ntracer_s=%s\nin_guest_s=%s\n' "$(since "$t0" "$t1")" \
	"$(since "$k0" "$k1")" "$(since "$r0" "$r1")" "$(since "$r1" "$t2")" >"$out/done"
