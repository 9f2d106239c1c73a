#!/usr/bin/env bash
# `npm run test:kasan`: builds the KASAN + kmemleak + lockdep 5.10 kernel (build-kasan.sh, its
# own cache), boots it once under QEMU and runs, in the guest (tests/guest/kasan-guest.sh), the
# kernel ABI suite, the series' kselftest and a random-argument stress of the three requests
# (tests/kernel/kasan_stress.c), then two kmemleak scans. It FAILS (exit 1) on any KASAN,
# lockdep, might_sleep, BUG, WARNING or Oops line in the guest's kernel log, on any kmemleak
# report, on a stress that broke or left snapshot bytes held, and on a failed test.
#
#   kasan-run.sh [STRESS_SECONDS [ABI_STRESS_ITERATIONS]]     (defaults 180 and 20)
#
# The guest run is bounded by TSDBG_VM_TIMEOUT (default 2400 s): past it the guest is killed and
# the run FAILS. ABI_STRESS_ITERATIONS bounds the ABI suite's two SIGKILL stress cases (100 by
# default there; 100 rounds of 16 MiB calls alone take over 20 minutes on this kernel under TCG).
# KASAN_PARTS=no-abi leaves the ABI suite out (the kselftest and the stress only: a shorter run).
# Separate from CI: the cold debug build takes 20-50 minutes, the guest run about 25.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SECS=${1:-180}
ITERS=${2:-20}
T0=$(date +%s)
log() { echo "kasan-run: $*" >&2; }

IMAGE=$(bash "$HERE/build-kasan.sh" | tail -1)
log "debug kernel: $IMAGE"
# The kselftest is built from the patched tree of the normal 5.10 build (same series).
bash "$HERE/build.sh" >/dev/null
make -s -C "$ROOT/tests/kernel" all selftest KVER=5.10
[ -f "$ROOT/dist/cli/main.js" ] || (cd "$ROOT" && npm run build)

SHARE=$(mktemp -d "${TMPDIR:-/tmp}/tsdbg-kasan-run.XXXXXX")
# The guest's files (dmesg.txt, kmemleak.txt, the TAP files) are kept when the run fails.
trap '[ "${bad:-1}" = 0 ] && rm -rf "$SHARE" || echo "kasan-run: the guest files are in $SHARE" >&2' EXIT
# acpi=noirq: the debug kernel's ACPI interpreter is so slow under TCG that ACPI PCI interrupt
# routing times out, so PCI interrupts are routed by the BIOS's $PIR table; the CPUs still come
# from ACPI's MADT. acpi=off, used before, left the guest with one CPU: without ACPI the kernel
# takes them from the BIOS's MP table, and SeaBIOS's lists only the boot CPU here ("MPTABLE:
# ... Processors: 1" with -smp 2). The stress needs two CPUs for real races.
# kasan_multi_shot: report every bad access, not only the first.
# TSDBG_VM_TCG_THREAD=multi: a host thread per vCPU, so the two CPUs really run at once (the
# races the stress looks for). tsdbg vm runs them one at a time by default because Node crashed
# under MTTCG (cli/vm/boot.ts); no Node runs in this guest.
set +e
(cd "$ROOT" && TSDBG_VM_TCG_THREAD=${TSDBG_VM_TCG_THREAD:-multi} TSDBG_KERNEL=$IMAGE TSDBG_VM_APPEND="acpi=noirq kasan_multi_shot" TSDBG_VM_CPUS=2 \
	TSDBG_VM_TIMEOUT=${TSDBG_VM_TIMEOUT:-2400} node bin/tsdbg.js vm run --share "$SHARE" -- \
	sh tests/guest/kasan-guest.sh "$SECS" "${KASAN_PARTS:-all}" "$ITERS") 2>&1 | tee "$SHARE/console.txt"
rc=${PIPESTATUS[0]}
set -e
bad=0
[ -f "$SHARE/done" ] || { log "FAIL: the guest run did not complete (tsdbg vm run exited $rc)"; bad=1; }
[ -f "$SHARE/dmesg.txt" ] || exit 1
# Reports of KASAN ("BUG: KASAN: ..."), lockdep ("WARNING: possible circular locking ..."),
# DEBUG_ATOMIC_SLEEP ("BUG: sleeping function called from invalid context"), kmemleak,
# WARN_ON, Oops and friends.
# (Not the bare word "lockdep": the boot prints "RCU lockdep checking is enabled". Not kmemleak's
# "suspected memory leaks" line either: kmemleak.txt is judged below, without the boot's objects.)
pattern='\b(BUG|WARNING|Oops|INFO: task|INFO: possible|INFO: trying)\b|KASAN:|general protection fault|Call Trace|kernel BUG|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator|lockdep: |possible (circular|recursive) locking'
if grep -E "$pattern" "$SHARE/dmesg.txt" >"$SHARE/bad.txt"; then
	log "FAIL: the kernel log has reports:"
	grep -E -A40 "$pattern" "$SHARE/dmesg.txt" | head -200 >&2
	bad=1
fi
if [ ! -f "$SHARE/kmemleak.txt" ]; then
	log "FAIL: no kmemleak output (is /sys/kernel/debug/kmemleak there?)"
	bad=1
elif [ -s "$SHARE/kmemleak.txt" ]; then
	log "FAIL: kmemleak reports unreferenced objects:"
	head -100 "$SHARE/kmemleak.txt" >&2
	bad=1
fi
if [ "$(cat "$SHARE/stress.rc" 2>/dev/null)" != 0 ]; then
	log "FAIL: the stress exited $(cat "$SHARE/stress.rc")"
	bad=1
fi
for t in $([ "${KASAN_PARTS:-all}" = no-abi ] || echo kernel) kselftest; do
	ok=$(grep -c '^ok' "$SHARE/$t.tap" || true)
	nok=$(grep -E '^not ok|# SKIP' "$SHARE/$t.tap" || true)
	plan=$(grep -oE '^1\.\.[0-9]+' "$SHARE/$t.tap" | cut -d. -f3 || true)
	if [ -n "$nok" ] || [ -z "$plan" ] || [ "$ok" != "$plan" ]; then
		log "FAIL: $t.tap: $ok ok of ${plan:-no plan}"
		[ -z "$nok" ] || echo "$nok" >&2
		bad=1
	fi
done
log "summary: $(grep -E '^guest: ' "$SHARE/console.txt" 2>/dev/null | tr '\n' ' ')"
log "summary: $(grep -E 'tracers .*SIGKILLed' "$SHARE/stress.log" || echo 'no stress summary')"
log "summary: kselftest $(grep -c '^ok' "$SHARE/kselftest.tap") ok, ABI suite $(grep -c '^ok' "$SHARE/kernel.tap" 2>/dev/null || echo 0) ok, $(grep -cE "$pattern" "$SHARE/dmesg.txt") report lines, kmemleak $(grep -c '^unreferenced object' "$SHARE/kmemleak.txt" 2>/dev/null) objects, $(($(date +%s) - T0)) s end to end"
if [ "$bad" = 0 ]; then
	log "PASS: no KASAN, lockdep, might_sleep, BUG, WARNING or kmemleak report; every test passed"
fi
exit "$bad"
