/* SPDX-License-Identifier: MIT */
/*
 * tsdbg_ptrace.h - the user-space view of the selective-snapshot ptrace ABI
 * added by the kernel-patch/patches/ series (see its
 * Documentation/userspace-api/ptrace-snapshot.rst and kernel-patch/README.md).
 *
 * The same numbers and struct live in the patched kernel's
 * include/uapi/linux/ptrace.h; this header lets tracers build against stock
 * kernel headers. Every request takes the size of the argument struct in
 * addr and a pointer to it in data:
 *
 *   struct ptrace_snapshot_args a = { .addr = start, .len = len };
 *   ptrace(PTRACE_SNAPSHOT,    pid, sizeof(a), &a)   -> 0
 *       copy [start, start+len) of the stopped tracee into kernel memory,
 *       replacing the snapshots of its address space that overlap the range.
 *   ptrace(PTRACE_RESTORE,     pid, sizeof(a), &a)   -> 0   (len = buf = 0)
 *       write the snapshot that starts at addr back; delete it on success.
 *   ptrace(PTRACE_GETSNAPSHOT, pid, sizeof(a), &a)   -> its length
 *       copy min(len, its length) bytes to buf (len == 0: a size query).
 *
 * Errors: ESRCH, EINVAL, E2BIG, EFAULT, ESTALE, ENOENT, ENOSPC, ENOMEM, EPERM.
 */
#ifndef TSDBG_PTRACE_H
#define TSDBG_PTRACE_H

#include <stdint.h>

#ifndef PTRACE_SNAPSHOT
#define PTRACE_SNAPSHOT		0x4240
#define PTRACE_RESTORE		0x4241
#define PTRACE_GETSNAPSHOT	0x4242

struct ptrace_snapshot_args {
	uint64_t addr;	/* start of the range in the tracee */
	uint64_t len;	/* SNAPSHOT: its length; GETSNAPSHOT: size of buf */
	uint64_t buf;	/* GETSNAPSHOT: where to copy in the tracer */
	uint64_t flags;	/* none defined yet: must be 0 */
};

#define PTRACE_SNAPSHOT_ARGS_SIZE_VER0	32
#endif

/* Defaults of the sysctls kernel.ptrace_snapshot_*. */
#define TSDBG_SNAPSHOT_DEFAULT_MAX_LEN		(16UL << 20)
#define TSDBG_SNAPSHOT_DEFAULT_MAX_COUNT	65536UL
#define TSDBG_SNAPSHOT_DEFAULT_MAX_TOTAL	(64UL << 20)
#define TSDBG_SNAPSHOT_DEFAULT_MAX_TRACER	(256UL << 20)

/* Sysctl files (procfs). */
#define TSDBG_SYSCTL_MAX_LEN	"/proc/sys/kernel/ptrace_snapshot_max_len"
#define TSDBG_SYSCTL_MAX_COUNT	"/proc/sys/kernel/ptrace_snapshot_max_count"
#define TSDBG_SYSCTL_MAX_TOTAL	"/proc/sys/kernel/ptrace_snapshot_max_total"
#define TSDBG_SYSCTL_MAX_TRACER	"/proc/sys/kernel/ptrace_snapshot_max_tracer"
#define TSDBG_SYSCTL_HELD	"/proc/sys/kernel/ptrace_snapshot_bytes"

#endif /* TSDBG_PTRACE_H */
