/* SPDX-License-Identifier: MIT */
/*
 * Dirty-page tracking for incremental checkpoints (src/snapshot/dirty*.ts):
 *
 *  - tsdbg_inject_syscall: run one system call inside a stopped tracee
 *    (userfaultfd() must be called by the process whose memory it watches);
 *  - tsdbg_pidfd_getfd: take a copy of one of the tracee's fds;
 *  - userfaultfd write-protect and PAGEMAP_SCAN wrappers (Linux 6.7+),
 *    with the constants older headers lack.
 *
 * Every function returns >= 0 on success and -errno on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#ifndef PTRACE_GETSIGMASK
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

/* <linux/fs.h> of 6.7: PAGEMAP_SCAN */
struct tsdbg_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define TSDBG_PAGEMAP_SCAN _IOWR('f', 16, struct tsdbg_pm_scan_arg)

/*
 * One step of thread `tid` from the `syscall` instruction at `insn`, with
 * base's registers but rax = nr and the arguments; the result in *ret. An
 * unblockable signal met on the way is suppressed and left in *requeue; a
 * stale PTRACE_INTERRUPT trap is stepped past. -ESRCH: the thread died.
 */
static long step_syscall(int tid, const struct user_regs_struct *base, uint64_t insn, long nr, const uint64_t *args,
			 int64_t *ret, int *requeue)
{
	struct user_regs_struct r = *base;
	r.rip = insn;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;	/* no system-call restart on the way */
	r.rdi = args[0]; r.rsi = args[1]; r.rdx = args[2];
	r.r10 = args[3]; r.r8 = args[4]; r.r9 = args[5];
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0) return -errno;
	for (int tries = 0; tries < 16; tries++) {
		int st;
		if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0) < 0) return -errno;
		while (waitpid(tid, &st, __WALL) < 0) {
			if (errno != EINTR) return -ESRCH;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) return -ESRCH;
		if (!WIFSTOPPED(st)) continue;
		int sig = WSTOPSIG(st), event = st >> 16;
		if (event != 0) continue;			/* stale interrupt, group stop: step again */
		if (sig != SIGTRAP) { *requeue = sig; continue; }	/* unblockable: suppress now, send later */
		if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return -errno;
		if (r.rip == insn) continue;			/* a trap before the instruction ran */
		*ret = (int64_t)r.rax;
		return r.rip == insn + 2 ? 0 : -EFAULT;
	}
	return -EAGAIN;
}

/*
 * Execute the `syscall` instruction at `insn` in stopped thread `tid` with
 * number `nr` and args[0..5]; the kernel's return value goes to *ret. Every
 * register and the signal mask are put back. Signals are blocked meanwhile;
 * one that cannot be blocked (SIGSTOP) is sent again afterwards.
 *
 * A thread stopped inside a system call (the exec stop: PTRACE_EVENT_EXEC
 * comes before execve stores its result) would have rax overwritten on its
 * way out, and run another call than ours. So a harmless getpid() goes
 * first: if its result is not a pid, the thread was in execve, whose 0 became
 * rax (read(-1): EBADF), and 0 is what the program must find there.
 */
long tsdbg_inject_syscall(int tid, uint64_t insn, long nr, const uint64_t *args, int64_t *ret)
{
	struct user_regs_struct saved;
	uint64_t mask, all = ~(uint64_t)0;
	const uint64_t settle[6] = { (uint64_t)-1, 0, 0, 0, 0, 0 };
	int64_t pid = 0;
	int requeue = 0;
	long rc;

	if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0) return -errno;
	if (ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof mask, &mask) < 0) return -errno;
	if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof all, &all) < 0) return -errno;
	rc = step_syscall(tid, &saved, insn, SYS_getpid, settle, &pid, &requeue);
	if (rc == -ESRCH) return rc;
	if (rc == 0 && pid <= 0) saved.rax = 0;
	if (rc == 0) rc = step_syscall(tid, &saved, insn, nr, args, ret, &requeue);
	if (rc == -ESRCH) return rc;
	ptrace(PTRACE_SETREGS, tid, 0, &saved);
	ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof mask, &mask);
	if (requeue) syscall(SYS_tkill, tid, requeue);
	return rc;
}

/* A copy of fd `fd` of process `pid` (close-on-exec), through a pidfd. */
long tsdbg_pidfd_getfd(int pid, int fd)
{
	long pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) return -errno;
	long r = syscall(SYS_pidfd_getfd, (int)pidfd, fd, 0);
	long err = errno;
	close((int)pidfd);
	return r < 0 ? -err : r;
}

int tsdbg_close_fd(int fd) { return close(fd) < 0 ? -errno : 0; }

/* UFFDIO_API asking for async write-protect on unpopulated memory too; the features the kernel granted in *got. */
long tsdbg_uffd_api_wp_async(int uffd, uint64_t *got)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED };
	if (ioctl(uffd, UFFDIO_API, &api) < 0) return -errno;
	*got = api.features;
	return 0;
}

/* UFFDIO_REGISTER in write-protect mode; the range is then write-protected as a whole. */
long tsdbg_uffd_register_wp(int uffd, uint64_t start, uint64_t len)
{
	struct uffdio_register reg = { .range = { .start = start, .len = len }, .mode = UFFDIO_REGISTER_MODE_WP };
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) return -errno;
	if (!(reg.ioctls & ((uint64_t)1 << _UFFDIO_WRITEPROTECT))) return -EOPNOTSUPP;
	struct uffdio_writeprotect wp = { .range = { .start = start, .len = len }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) < 0 ? -errno : 0;
}

/* Write-protect (again) a page-aligned range. */
long tsdbg_uffd_protect(int uffd, uint64_t start, uint64_t len)
{
	struct uffdio_writeprotect wp = { .range = { .start = start, .len = len }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) < 0 ? -errno : 0;
}

long tsdbg_uffd_unregister(int uffd, uint64_t start, uint64_t len)
{
	struct uffdio_range range = { .start = start, .len = len };
	return ioctl(uffd, UFFDIO_UNREGISTER, &range) < 0 ? -errno : 0;
}

/*
 * PAGEMAP_SCAN on an open /proc/PID/pagemap: the regions of [start, end)
 * whose categories match go to vec (struct page_region: start, end,
 * categories; vec_len of them); returns how many, *walk_end where the walk
 * stopped (before end when vec filled up).
 */
long tsdbg_pagemap_scan(int fd, uint64_t start, uint64_t end, uint64_t flags, uint64_t category_mask,
			uint64_t category_anyof_mask, uint64_t return_mask, void *vec, uint64_t vec_len, uint64_t *walk_end)
{
	struct tsdbg_pm_scan_arg a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.flags = flags;
	a.start = start;
	a.end = end;
	a.vec = (uint64_t)(uintptr_t)vec;
	a.vec_len = vec_len;
	a.category_mask = category_mask;
	a.category_anyof_mask = category_anyof_mask;
	a.return_mask = return_mask;
	long r = ioctl(fd, TSDBG_PAGEMAP_SCAN, &a);
	if (r < 0) return -errno;
	*walk_end = a.walk_end;
	return r;
}

/*
 * Batched copies of page runs for incremental checkpoints: `runs` holds n
 * (start, end) pairs in the tracee, `buf` their bytes one after another.
 * One process_vm_readv/writev per IOV_MAX runs instead of one per run.
 * Returns the bytes moved: less than the total when a run could not be
 * (fully) copied, the caller then goes on from there run by run; -errno when
 * nothing could be.
 */
#include <limits.h>
#include <sys/uio.h>

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

static long vm_runs(int pid, const uint64_t *runs, uint64_t n, uint8_t *buf, int write)
{
	struct iovec local[IOV_MAX], remote[IOV_MAX];
	uint64_t i = 0, done = 0;

	while (i < n) {
		uint64_t k = 0, want = 0;
		for (; k < IOV_MAX && i + k < n; k++) {
			uint64_t len = runs[2 * (i + k) + 1] - runs[2 * (i + k)];
			remote[k].iov_base = (void *)(uintptr_t)runs[2 * (i + k)];
			remote[k].iov_len = len;
			want += len;
		}
		/* the local side is one buffer: one iovec */
		local[0].iov_base = buf + done;
		local[0].iov_len = want;
		ssize_t r = write ? process_vm_writev(pid, local, 1, remote, k, 0)
				  : process_vm_readv(pid, local, 1, remote, k, 0);
		if (r < 0) return done ? (long)done : -errno;
		done += (uint64_t)r;
		if ((uint64_t)r < want) return (long)done;
		i += k;
	}
	return (long)done;
}

long tsdbg_vm_read_runs(int pid, const uint64_t *runs, uint64_t n, void *buf)
{
	return vm_runs(pid, runs, n, buf, 0);
}

long tsdbg_vm_write_runs(int pid, const uint64_t *runs, uint64_t n, const void *buf)
{
	return vm_runs(pid, runs, n, (uint8_t *)buf, 1);
}

/* Write-protect (again) n page-aligned (start, end) runs; the first failure's -errno, else 0. */
long tsdbg_uffd_protect_runs(int uffd, const uint64_t *runs, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		long r = tsdbg_uffd_protect(uffd, runs[2 * i], runs[2 * i + 1] - runs[2 * i]);
		if (r < 0) return r;
	}
	return 0;
}

/*
 * Which of `pages` 4 KiB pages differ between a and b: flags[i] = 1 when page
 * i differs, else 0. Returns how many differ.
 */
long tsdbg_pages_differ(const void *a, const void *b, uint64_t pages, uint8_t *flags)
{
	const uint8_t *x = a, *y = b;
	long n = 0;
	for (uint64_t i = 0; i < pages; i++) {
		flags[i] = memcmp(x + i * 4096, y + i * 4096, 4096) != 0;
		n += flags[i];
	}
	return n;
}

/*
 * Back the page-aligned inside of [buf, buf+len) with memory now, in one
 * call (MADV_POPULATE_WRITE, 5.14+) instead of a fault per 4 KiB page while
 * process_vm_readv fills it. Its contents are unchanged. No MADV_HUGEPAGE:
 * with THP defrag "madvise" it makes the kernel compact memory on the spot,
 * which took up to a second for 64 MiB on a busy machine here.
 */
#include <sys/mman.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

long tsdbg_prefault(void *buf, uint64_t len)
{
	uintptr_t a = ((uintptr_t)buf + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)buf + len) & ~(uintptr_t)4095;
	if (e <= a) return 0;
	return madvise((void *)a, e - a, MADV_POPULATE_WRITE) < 0 ? -errno : 0;
}
