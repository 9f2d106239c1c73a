// SPDX-License-Identifier: MIT
/*
 * test_limits.c - the sysctls (kernel.ptrace_snapshot_max_len, _max_count,
 * _max_total, _max_tracer, _bytes), ENOSPC and ENOMEM. The harness puts the
 * sysctls back after every case. The byte limits count what the kernel
 * allocated (ptrace_snapshot_bytes), not the lengths of the copies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"
#include "tsdbg_ptrace.h"

#define MIB (1UL << 20)

void t_sysctl_defaults(void)
{
	int fd;

	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_LEN), TSDBG_SNAPSHOT_DEFAULT_MAX_LEN, "default ptrace_snapshot_max_len");
	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_TOTAL), TSDBG_SNAPSHOT_DEFAULT_MAX_TOTAL, "default ptrace_snapshot_max_total");
	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_COUNT), TSDBG_SNAPSHOT_DEFAULT_MAX_COUNT, "default ptrace_snapshot_max_count");
	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_TRACER), TSDBG_SNAPSHOT_DEFAULT_MAX_TRACER, "default ptrace_snapshot_max_tracer");
	/* ptrace_snapshot_bytes tells whether anything is being debugged: root only. */
	struct stat sb;
	CHECK(!stat(TSDBG_SYSCTL_HELD, &sb), "stat ptrace_snapshot_bytes: %s", strerror(errno));
	EXPECT_EQ(sb.st_mode & 0777, 0400, "mode of ptrace_snapshot_bytes");
	/* ptrace_snapshot_bytes is read-only, even for root. */
	fd = open(TSDBG_SYSCTL_HELD, O_WRONLY);
	if (fd >= 0) {
		ssize_t n = write(fd, "0\n", 2);

		close(fd);
		fail("writing ptrace_snapshot_bytes: expected EACCES or EPERM, got %s", n == 2 ? "success" : errstr(-errno));
	}
	CHECK(errno == EACCES || errno == EPERM,
	      "opening ptrace_snapshot_bytes for writing: expected EACCES or EPERM, got %s", errstr(-errno));
}

/* ptrace_snapshot_bytes counts exactly the bytes held, across calls. */
void t_bytes_accounting(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, 3 * PAGE));
	EXPECT_HELD(base, 3 * PAGE, "ptrace_snapshot_bytes after a 3-page SNAPSHOT");
	EXPECT_OK(snap(t.pid, t.lay.region + 10 * PAGE, 17));
	EXPECT_HELD(base, 3 * PAGE + 17, "ptrace_snapshot_bytes after a 17-byte SNAPSHOT");
	EXPECT_OK(restore(t.pid, t.lay.region));
	EXPECT_HELD(base, 17, "ptrace_snapshot_bytes after the first RESTORE");
	EXPECT_OK(restore(t.pid, t.lay.region + 10 * PAGE));
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after the second RESTORE");
	tracee_kill(&t);
}

void t_max_len(void)
{
	struct tracee t;
	uintptr_t big;

	tracee_start(&t);
	/* The default: exactly 16 MiB is allowed, one byte more is not. */
	big = tracee_call(&t, OP_MMAP, TSDBG_SNAPSHOT_DEFAULT_MAX_LEN + PAGE, PROT_READ | PROT_WRITE, 9);
	EXPECT_OK(snap(t.pid, big, TSDBG_SNAPSHOT_DEFAULT_MAX_LEN));
	EXPECT_ERR(snap(t.pid, big, TSDBG_SNAPSHOT_DEFAULT_MAX_LEN + 1), EINVAL);
	EXPECT_EQ(snap_len(t.pid, big), TSDBG_SNAPSHOT_DEFAULT_MAX_LEN, "the 16 MiB snapshot after the refused one");
	EXPECT_OK(restore(t.pid, big));
	/* Lowered: the new bound applies to the next call. */
	sysctl_set(TSDBG_SYSCTL_MAX_LEN, 2 * PAGE);
	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_LEN), 2 * PAGE, "ptrace_snapshot_max_len read back");
	EXPECT_OK(snap(t.pid, t.lay.region, 2 * PAGE));
	EXPECT_ERR(snap(t.pid, t.lay.region + 4 * PAGE, 2 * PAGE + 1), EINVAL);
	tracee_kill(&t);
}

/*
 * The default total counts what is allocated: three 16 MiB snapshots fit in 64 MiB, a
 * fourth does not (its pages alone would fill the limit, and the headers are counted too).
 */
void t_max_total_default(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	const unsigned long chunk = TSDBG_SNAPSHOT_DEFAULT_MAX_LEN;
	uintptr_t big;

	tracee_start(&t);
	big = tracee_call(&t, OP_MMAP, 4 * chunk + PAGE, PROT_READ | PROT_WRITE, 11);
	for (int i = 0; i < 3; i++)
		EXPECT_OK(snap(t.pid, big + i * chunk, chunk));
	EXPECT_HELD(base, 3 * chunk, "ptrace_snapshot_bytes with 48 MiB of copies");
	EXPECT_ERR(snap(t.pid, big + 3 * chunk, chunk), ENOSPC);
	EXPECT_HELD(base, 3 * chunk, "ptrace_snapshot_bytes after ENOSPC");
	EXPECT_OK(snap(t.pid, big + 3 * chunk, chunk - 64 * PAGE));
	CHECK(held_bytes() - base <= TSDBG_SNAPSHOT_DEFAULT_MAX_TOTAL + 2 * PAGE,
	      "ptrace_snapshot_bytes at the limit: expected at most 64 MiB and the context, got %lu", held_bytes() - base);
	tracee_kill(&t);
}

/* What one snapshot of a page costs here (measured, so that limits can be set exactly). */
static unsigned long page_snapshot_cost(struct tracee *t, uintptr_t at)
{
	unsigned long before;
	unsigned long cost;

	EXPECT_OK(snap(t->pid, at, PAGE));			/* allocates the context */
	before = held_bytes();
	EXPECT_OK(snap(t->pid, at + 2 * PAGE, PAGE));
	cost = held_bytes() - before;
	EXPECT_OK(restore(t->pid, at));
	EXPECT_OK(restore(t->pid, at + 2 * PAGE));
	CHECK(cost >= PAGE && cost < 2 * PAGE, "cost of a one-page snapshot: expected a page and a header, got %lu", cost);
	return cost;
}

/* A lowered total: ENOSPC per tracee, old snapshots intact, replacing counts the net change. */
void t_enospc(void)
{
	struct tracee a, b;
	unsigned long base = held_bytes(), c;
	uintptr_t r;

	tracee_start(&a);
	tracee_start(&b);
	r = a.lay.region;
	c = page_snapshot_cost(&a, r + 40 * PAGE);
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after measuring");
	sysctl_set(TSDBG_SYSCTL_MAX_TOTAL, 4 * c);		/* four one-page snapshots */
	for (int i = 0; i < 3; i++)
		EXPECT_OK(snap(a.pid, r + 2 * i * PAGE, PAGE));
	EXPECT_ERR(snap(a.pid, r + 8 * PAGE, 2 * PAGE), ENOSPC);
	EXPECT_EQ(snap_len(a.pid, r), PAGE, "the old snapshot after ENOSPC");
	EXPECT_OK(snap(a.pid, r + 8 * PAGE, PAGE));		/* exactly at the limit */
	EXPECT_ERR(snap(a.pid, r + 20 * PAGE, 1), ENOSPC);
	/* The limit is per tracee: b has its own four. */
	for (int i = 0; i < 4; i++)
		EXPECT_OK(snap(b.pid, b.lay.region + 2 * i * PAGE, PAGE));
	EXPECT_ERR(snap(b.pid, b.lay.region + 20 * PAGE, 1), ENOSPC);
	/* A RESTORE frees room. */
	EXPECT_OK(restore(a.pid, r + 8 * PAGE));
	EXPECT_OK(snap(a.pid, r + 20 * PAGE, PAGE));
	/* Replacing a snapshot by one of the same size needs no extra room. */
	EXPECT_OK(snap(a.pid, r, PAGE));
	EXPECT_OK(snap(a.pid, r + 2 * PAGE + 8, PAGE - 16));	/* replaces the one at r + 2 pages */
	/* Lowering the limit below what is held keeps what is held and refuses more. */
	sysctl_set(TSDBG_SYSCTL_MAX_TOTAL, c);
	EXPECT_ERR(snap(a.pid, r + 30 * PAGE, 1), ENOSPC);
	tracee_call(&a, OP_FILL, r, PAGE, 9);
	EXPECT_OK(restore(a.pid, r));
	EXPECT_EQ(tracee_call(&a, OP_CSUM, r, PAGE, 0), pattern_csum(PAGE, 1),
		  "memory after RESTORE under a lowered limit");
	tracee_kill(&a);
	tracee_kill(&b);
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after both tracees died");
}

/* kernel.ptrace_snapshot_max_count: snapshots per tracee, counted after replacement. */
void t_max_count(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	uintptr_t r;

	tracee_start(&t);
	r = t.lay.region;
	sysctl_set(TSDBG_SYSCTL_MAX_COUNT, 100);
	for (int i = 0; i < 100; i++)
		EXPECT_OK(snap(t.pid, r + 2 * i, 1));
	EXPECT_ERR(snap(t.pid, r + 200, 1), ENOSPC);
	EXPECT_OK(snap(t.pid, r + 2, 1));			/* the same one again */
	EXPECT_OK(snap(t.pid, r, 4));				/* replaces two by one */
	EXPECT_OK(snap(t.pid, r + 200, 1));			/* 99 + 1 */
	EXPECT_ERR(snap(t.pid, r + 202, 1), ENOSPC);
	EXPECT_HELD(base, 100, "ptrace_snapshot_bytes with 100 tiny snapshots");
	tracee_kill(&t);
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after the tracee died");
}

/* kernel.ptrace_snapshot_max_tracer: one tracer's tracees together. */
void t_max_tracer(void)
{
	struct tracee a, b;
	unsigned long base = held_bytes(), c;

	tracee_start(&a);
	tracee_start(&b);
	c = page_snapshot_cost(&a, a.lay.region + 40 * PAGE);
	/* Two one-page snapshots (the tracer's context and sets are not counted). */
	sysctl_set(TSDBG_SYSCTL_MAX_TRACER, 2 * c);
	EXPECT_OK(snap(a.pid, a.lay.region, PAGE));
	EXPECT_OK(snap(b.pid, b.lay.region, PAGE));
	EXPECT_ERR(snap(b.pid, b.lay.region + 2 * PAGE, PAGE), ENOSPC);
	EXPECT_ERR(snap(a.pid, a.lay.region + 2 * PAGE, PAGE), ENOSPC);
	EXPECT_OK(restore(a.pid, a.lay.region));
	EXPECT_OK(snap(b.pid, b.lay.region + 2 * PAGE, PAGE));
	tracee_kill(&a);
	tracee_kill(&b);
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after both tracees died");
}

/* max_len is capped at INT_MAX (kvmalloc's limit): larger values are refused. */
void t_max_len_cap(void)
{
	int fd = open(TSDBG_SYSCTL_MAX_LEN, O_WRONLY);
	const char *big = "2147483648\n";
	ssize_t n;

	CHECK(fd >= 0, "open ptrace_snapshot_max_len: expected success, got %s", errstr(-errno));
	n = write(fd, big, strlen(big));
	close(fd);
	CHECK(n < 0 && errno == EINVAL, "writing INT_MAX + 1 to ptrace_snapshot_max_len: expected EINVAL, got %s",
	      n < 0 ? errstr(-errno) : "success");
	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_LEN), TSDBG_SNAPSHOT_DEFAULT_MAX_LEN, "ptrace_snapshot_max_len after the refused write");
	sysctl_set(TSDBG_SYSCTL_MAX_LEN, 2147483647UL);
	EXPECT_EQ(sysctl_get(TSDBG_SYSCTL_MAX_LEN), 2147483647UL, "ptrace_snapshot_max_len set to INT_MAX");
}

/* A snapshot larger than the guest's memory: ENOMEM at once, nothing held, old snapshots kept. */
void t_enomem_too_big(void)
{
	const unsigned long huge = 1536 * MIB;	/* the guest has 1 GiB */
	unsigned long base = held_bytes();
	struct tracee t;
	uintptr_t p;

	tracee_start(&t);
	sysctl_set(TSDBG_SYSCTL_MAX_LEN, huge);
	sysctl_set(TSDBG_SYSCTL_MAX_TOTAL, 2 * huge);
	sysctl_set(TSDBG_SYSCTL_MAX_TRACER, 2 * huge);
	p = tracee_call(&t, OP_MMAP_LAZY, huge, PROT_READ | PROT_WRITE, 0);
	EXPECT_OK(snap(t.pid, p, PAGE));
	EXPECT_ERR(snap(t.pid, p, huge), ENOMEM);
	EXPECT_HELD(base, PAGE, "ptrace_snapshot_bytes after ENOMEM");
	EXPECT_EQ(snap_len(t.pid, p), PAGE, "the overlapped snapshot after ENOMEM (kept)");
	tracee_kill(&t);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -errno;
}

#define CG_ROOT "/sys/fs/cgroup"
#define CG_DIR CG_ROOT "/tsdbg-snapshot-enomem"

/* Snapshots are charged to the tracer's memory cgroup: over its limit, ENOMEM (no OOM kill). */
void t_enomem_memcg(void)
{
	unsigned long base = held_bytes();
	struct tracee t;
	char pid[32];
	uintptr_t big;
	long r;

	if (access(CG_ROOT "/cgroup.controllers", F_OK) && mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
		fail("mounting cgroup2 on " CG_ROOT ": expected success, got %s", errstr(-errno));
	if ((r = write_file(CG_ROOT "/cgroup.subtree_control", "+memory")))
		fail("enabling the memory controller: expected success, got %s", errstr(r));
	if (mkdir(CG_DIR, 0755) && errno != EEXIST)
		fail("mkdir " CG_DIR ": %s", errstr(-errno));
	if ((r = write_file(CG_DIR "/memory.max", "8388608")))
		fail("setting memory.max: expected success, got %s", errstr(r));
	/* The tracee stays in the root cgroup: only the tracer is limited. */
	tracee_start(&t);
	big = tracee_call(&t, OP_MMAP, TSDBG_SNAPSHOT_DEFAULT_MAX_LEN, PROT_READ | PROT_WRITE, 12);
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if ((r = write_file(CG_DIR "/cgroup.procs", pid)))
		fail("moving the tracer into " CG_DIR ": expected success, got %s", errstr(r));
	EXPECT_OK(snap(t.pid, big, PAGE));
	r = snap(t.pid, big, TSDBG_SNAPSHOT_DEFAULT_MAX_LEN);
	write_file(CG_ROOT "/cgroup.procs", pid);
	rmdir(CG_DIR);
	if (r != -ENOMEM)
		fail("a 16 MiB SNAPSHOT with memory.max = 8 MiB: expected ENOMEM, got %s", errstr(r));
	EXPECT_HELD(base, PAGE, "ptrace_snapshot_bytes after ENOMEM");
	EXPECT_EQ(snap_len(t.pid, big), PAGE, "the overlapped snapshot after ENOMEM (kept)");
	tracee_kill(&t);
}
