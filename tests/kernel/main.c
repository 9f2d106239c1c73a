// SPDX-License-Identifier: MIT
/*
 * snapshot_abi - the kernel ABI suite for PTRACE_SNAPSHOT / PTRACE_RESTORE /
 * PTRACE_GETSNAPSHOT, run inside the guest (tests/guest/in-guest.sh).
 *
 *   snapshot_abi            run every case, TAP on stdout
 *   snapshot_abi NAME...    run the named cases
 *   snapshot_abi --list     print the case names
 */
#include <string.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"

static const struct tcase cases[] = {
	{ "sysctl defaults and read-only ptrace_snapshot_bytes", t_sysctl_defaults },
	{ "lab (a): restore gives the tracee its original struct", t_lab_restore },
	{ "lab (b): GETSNAPSHOT reads the newest copy", t_lab_newest },
	{ "restore deletes the snapshot (second restore is ENOENT)", t_restore_deletes },
	{ "GETSNAPSHOT size query, short and long buffers", t_getsnapshot_sizes },
	{ "unaligned range across pages", t_unaligned_range },
	{ "every storage shape: small, one page, unaligned pages; read and restored", t_storage_shapes },
	{ "multiple regions restored in another order", t_multiple_regions },
	{ "several tracees at once", t_several_tracees },
	{ "ptrace_snapshot_bytes accounting", t_bytes_accounting },
	{ "ESRCH: not traced, reaped", t_esrch_not_traced },
	{ "ESRCH: running tracee", t_esrch_running },
	{ "ESRCH: another tracer process or thread", t_esrch_other_tracer },
	{ "EINVAL: zero, too long, wrapping, past TASK_SIZE, reserved data", t_einval_args },
	{ "the argument struct: size, flags, E2BIG, a larger struct, GETSNAPSHOT's result", t_args_versions },
	{ "EFAULT: unmapped bytes", t_efault_unmapped },
	{ "EFAULT: mappings without VM_WRITE", t_efault_readonly },
	{ "EFAULT: restore after munmap keeps the snapshot", t_efault_restore_munmap },
	{ "EFAULT: restore after mprotect keeps the snapshot", t_efault_restore_mprotect },
	{ "EFAULT: a failed snapshot does not replace", t_efault_keeps_old },
	{ "EFAULT midway (truncated file): the refreshed copy and the tracee are untouched", t_efault_all_or_nothing },
	{ "EFAULT: bad tracer pointers in GETSNAPSHOT", t_efault_tracer_pointers },
	{ "compat: a 32-bit tracer (compat_iovec in GETSNAPSHOT)", t_compat_tracer },
	{ "ENOENT: no snapshot starts at addr", t_enoent },
	{ "max_len: default 16 MiB and lowered", t_max_len },
	{ "max_total: default 64 MiB per tracee, allocation counted", t_max_total_default },
	{ "ENOSPC: lowered max_total, per tracee", t_enospc },
	{ "ENOSPC: max_count, counted after replacement", t_max_count },
	{ "ENOSPC: max_tracer, across a tracer's tracees", t_max_tracer },
	{ "max_len is capped at INT_MAX", t_max_len_cap },
	{ "ENOMEM: a snapshot larger than memory", t_enomem_too_big },
	{ "ENOMEM: over the tracer's memory cgroup limit", t_enomem_memcg },
	{ "overlap at the end replaces", t_overlap_end },
	{ "overlap at the start replaces", t_overlap_start },
	{ "one snapshot replaces several, or an outer one", t_overlap_several },
	{ "adjacent snapshots are kept", t_adjacent_kept },
	{ "exec drops snapshots", t_exec_drops },
	{ "fork: the child has no snapshots", t_fork_child_has_none },
	{ "detach drops snapshots", t_detach_drops },
	{ "tracer exit drops snapshots", t_tracer_exit_drops },
	{ "tracee exit drops snapshots", t_tracee_exit_drops },
	{ "stress: SIGKILL of tracees in the middle of calls", t_stress_kill_tracee, 900 },
	{ "stress: SIGKILL of tracers in the middle of calls", t_stress_kill_tracer, 900 },
};

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exec-tracee"))
		exec_tracee_main();
	return run_cases(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
