/* SPDX-License-Identifier: MIT */
/* cases.h - every case of the suite; main.c lists them in running order. */
#ifndef SNAPSHOT_CASES_H
#define SNAPSHOT_CASES_H

/* test_basic.c */
void t_lab_restore(void);
void t_lab_newest(void);
void t_restore_deletes(void);
void t_getsnapshot_sizes(void);
void t_unaligned_range(void);
void t_storage_shapes(void);
void t_multiple_regions(void);
void t_several_tracees(void);
/* test_errors.c */
void t_esrch_not_traced(void);
void t_esrch_running(void);
void t_esrch_other_tracer(void);
void t_einval_args(void);
void t_args_versions(void);
void t_efault_unmapped(void);
void t_efault_readonly(void);
void t_efault_restore_munmap(void);
void t_efault_restore_mprotect(void);
void t_efault_keeps_old(void);
void t_efault_all_or_nothing(void);
void t_efault_tracer_pointers(void);
void t_enoent(void);
/* test_compat.c */
void t_compat_tracer(void);
/* test_limits.c */
void t_sysctl_defaults(void);
void t_bytes_accounting(void);
void t_max_len(void);
void t_max_total_default(void);
void t_enospc(void);
void t_max_count(void);
void t_max_tracer(void);
void t_max_len_cap(void);
void t_enomem_too_big(void);
void t_enomem_memcg(void);
/* test_overlap.c */
void t_overlap_end(void);
void t_overlap_start(void);
void t_overlap_several(void);
void t_adjacent_kept(void);
/* test_lifecycle.c */
void t_exec_drops(void);
void t_fork_child_has_none(void);
void t_detach_drops(void);
void t_tracer_exit_drops(void);
void t_tracee_exit_drops(void);
/* test_stress.c */
void t_stress_kill_tracee(void);
void t_stress_kill_tracer(void);

#endif
