#!/bin/sh
# The whole guest-side test run, in one boot (tests/guest/kernel.test.ts runs
# `tsdbg vm run --share DIR -- sh tests/guest/in-guest.sh` from the project root):
#   1. the kernel ABI suite (tests/kernel/bin/snapshot_abi, built on the host) -> kernel.tap
#   2. the series' kselftest (tests/kernel/bin/ptrace_snapshot_selftest)       -> kselftest.tap
#   3. the in-guest TypeScript suites (vitest project in-guest)                 -> in-guest.json
#   4. the kernel log after all of them                                        -> dmesg.txt
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
tests/kernel/bin/ptrace_snapshot_selftest >"$out/kselftest.tap" 2>"$out/kselftest.stderr"
echo $? >"$out/kselftest.rc"
k1=$(now)
echo "guest: kselftest done in $(since "$k0" "$k1") s: $(grep -c '^ok' "$out/kselftest.tap") ok, $(grep -c '^not ok' "$out/kselftest.tap") not ok"

# The project is read-only here: --configLoader runner keeps vite from writing
# its bundled config next to it.
node node_modules/vitest/vitest.mjs run --project in-guest --configLoader runner --passWithNoTests \
	--reporter=json --outputFile="$out/in-guest.json" >"$out/in-guest.log" 2>&1
echo $? >"$out/in-guest.rc"
t2=$(now)
echo "guest: in-guest vitest done in $(since "$k1" "$t2") s (exit $(cat "$out/in-guest.rc"))"

dmesg >"$out/dmesg.txt"
printf 'kernel_suite_s=%s\nkselftest_s=%s\nin_guest_s=%s\n' "$(since "$t0" "$t1")" "$(since "$k0" "$k1")" \
	"$(since "$k1" "$t2")" >"$out/done"
