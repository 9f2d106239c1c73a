/* SPDX-License-Identifier: MIT */
/*
 * tsdbg_ptrace.h - the user-space view of the selective-snapshot ptrace ABI
 * added by kernel-patch/0001-ptrace-add-selective-memory-snapshots.patch.
 *
 * The same numbers live in the patched kernel's include/uapi/linux/ptrace.h;
 * this header lets tracers build against stock kernel headers.
 *
 *   ptrace(PTRACE_SNAPSHOT,    pid, start, len)
 *       copy [start, start+len) of the stopped tracee into kernel memory,
 *       replacing every snapshot of this tracee that overlaps the range.
 *   ptrace(PTRACE_RESTORE,     pid, start, 0)
 *       write the snapshot that starts at start back; delete it on success.
 *   ptrace(PTRACE_GETSNAPSHOT, pid, start, struct iovec *iov)
 *       copy min(iov_len, snapshot length) bytes to iov_base and set iov_len
 *       to the full length (iov_len == 0 is a size query).
 *
 * Errors: ESRCH, EINVAL, EFAULT, ENOENT, ENOSPC, ENOMEM (see kernel-patch/README.md).
 */
#ifndef TSDBG_PTRACE_H
#define TSDBG_PTRACE_H

#ifndef PTRACE_SNAPSHOT
#define PTRACE_SNAPSHOT		0x4300
#define PTRACE_RESTORE		0x4301
#define PTRACE_GETSNAPSHOT	0x4302
#endif

/* Defaults of the sysctls kernel.ptrace_snapshot_max_len / _max_total. */
#define TSDBG_SNAPSHOT_DEFAULT_MAX_LEN		(16UL << 20)
#define TSDBG_SNAPSHOT_DEFAULT_MAX_TOTAL	(64UL << 20)

/* Sysctl files (procfs). */
#define TSDBG_SYSCTL_MAX_LEN	"/proc/sys/kernel/ptrace_snapshot_max_len"
#define TSDBG_SYSCTL_MAX_TOTAL	"/proc/sys/kernel/ptrace_snapshot_max_total"
#define TSDBG_SYSCTL_HELD	"/proc/sys/kernel/ptrace_snapshot_bytes"

#endif /* TSDBG_PTRACE_H */
