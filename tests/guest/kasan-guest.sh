#!/bin/sh
# The guest side of the KASAN + kmemleak run (kernel-patch/kasan-run.sh boots the debug kernel
# with `tsdbg vm run --share DIR -- sh tests/guest/kasan-guest.sh SECONDS`):
#   1. kmemleak: its automatic scans off (under TCG one scan of the debug kernel takes minutes and
#      would compete with the workload), one scan, then `clear`: only objects allocated from here
#      on are judged
#   2. the series' kselftest (tests/kernel/bin/ptrace_snapshot_selftest-5.10) -> kselftest.tap
#   3. the random-argument stress (tests/kernel/bin/kasan_stress SECONDS)   -> stress.log
#   4. the kernel ABI suite (tests/kernel/bin/snapshot_abi)               -> kernel.tap
#      (its two SIGKILL stress cases run STRESS_ITERATIONS rounds, the 3rd argument, default 20:
#      100 rounds of 16 MiB calls take over 20 minutes on the debug kernel under TCG)
#   5. two kmemleak scans with a pause (kmemleak's documentation)         -> kmemleak.txt
#   6. the kernel log                                                       -> dmesg.txt
# `done` is written last; the host judges the files (kasan-run.sh).
set -u
out=${TSDBG_VM_SHARE:?not running under tsdbg vm run}
secs=${1:-120}
only_stress=${2:-}	# "stress": the stress alone; "no-abi": the kselftest and the stress
iters=${3:-20}
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
leak=/sys/kernel/debug/kmemleak
[ -e "$leak" ] || mount -t debugfs debugfs /sys/kernel/debug
echo "guest: kernel $(uname -r), $(nproc) CPUs, up $(now) s"
if [ -w "$leak" ]; then
	t0=$(now)
	echo scan=off >"$leak"
	echo scan >"$leak"
	echo clear >"$leak"
	echo "guest: kmemleak boot scan + clear in $(since "$t0" "$(now)") s"
fi
work0=$(now)	# objects allocated before this are the boot's (step 5)
if [ -w "$leak" ]; then :
else
	echo "guest: no $leak: this kernel has no kmemleak" | tee "$out/kmemleak.missing"
fi

[ "$only_stress" = stress ] || {
t0=$(now)
tests/kernel/bin/ptrace_snapshot_selftest-5.10 >"$out/kselftest.tap" 2>"$out/kselftest.stderr"
echo "guest: kselftest done in $(since "$t0" "$(now)") s: $(grep -c '^ok' "$out/kselftest.tap") ok, $(grep -c '^not ok' "$out/kselftest.tap") not ok"
}

t0=$(now)
tests/kernel/bin/kasan_stress "$secs" >"$out/stress.log" 2>&1
echo $? >"$out/stress.rc"
echo "guest: stress done in $(since "$t0" "$(now)") s (exit $(cat "$out/stress.rc"))"
cat "$out/stress.log"

[ "$only_stress" = stress ] || [ "$only_stress" = no-abi ] || {
t0=$(now)
TSDBG_STRESS_ITERATIONS=$iters tests/kernel/bin/snapshot_abi >"$out/kernel.tap" 2>"$out/kernel.stderr"
echo "guest: kernel ABI suite done in $(since "$t0" "$(now)") s: $(grep -c '^ok' "$out/kernel.tap") ok, $(grep -c '^not ok' "$out/kernel.tap") not ok"
}

# The log before the scans too: a run killed at its time limit while scanning still has it.
dmesg >"$out/dmesg.txt"
if [ -w "$leak" ]; then
	t0=$(now)
	echo "guest: kmemleak scans start: $(grep -E '^kmemleak_object ' /proc/slabinfo 2>/dev/null | awk '{ print $2 }') kmemleak objects"
	echo scan >"$leak"
	echo "guest: first scan done in $(since "$t0" "$(now)") s"
	sleep 10
	echo scan >"$leak"
	# `clear` only greys the objects the boot scan reported; a boot object that a stale word kept
	# referenced then can show up now. Reports whose "age" reaches back before the workload are
	# the boot's: kept apart (kmemleak-boot.txt), not judged.
	cat "$leak" >"$out/kmemleak-all.txt"
	awk -v lim="$(since "$work0" "$(now)")" -v boot="$out/kmemleak-boot.txt" '
		/^unreferenced object/ { to = "-" }
		to == "-" && /age [0-9.]+s/ { a = $0; sub(/.*age /, "", a); sub(/s\).*/, "", a)
			to = (a + 0 < lim + 0) ? "work" : "boot"; for (i = 0; i < n; i++) emit(held[i]); n = 0 }
		to == "-" { held[n++] = $0; next }
		{ emit($0) }
		function emit(l) { if (to == "boot") print l >boot; else print l }
	' "$out/kmemleak-all.txt" >"$out/kmemleak.txt"
	[ ! -s "$out/kmemleak-boot.txt" ] || echo "guest: $(grep -c '^unreferenced object' "$out/kmemleak-boot.txt") unreferenced objects from the boot (not judged; kmemleak-boot.txt)"
	echo "guest: kmemleak scans done in $(since "$t0" "$(now)") s: $(grep -c '^unreferenced object' "$out/kmemleak.txt") unreferenced objects"
fi
dmesg >"$out/dmesg.txt"
echo ok >"$out/done"
