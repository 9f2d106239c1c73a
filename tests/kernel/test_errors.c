// SPDX-License-Identifier: MIT
/*
 * test_errors.c - every error of the three requests: ESRCH, EINVAL, EFAULT,
 * ENOENT (ENOSPC and the limits are in test_limits.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"
#include "tsdbg_ptrace.h"

/* All three requests on pid/addr must fail with err. */
static void expect_all(pid_t pid, uintptr_t addr, int err, const char *why)
{
	size_t len = 0;
	long r;

	if ((r = snap(pid, addr, PAGE)) != -err)
		fail("SNAPSHOT on %s: expected %s, got %s", why, errstr(-err), errstr(r));
	if ((r = restore(pid, addr)) != -err)
		fail("RESTORE on %s: expected %s, got %s", why, errstr(-err), errstr(r));
	if ((r = getsnap(pid, addr, NULL, &len)) != -err)
		fail("GETSNAPSHOT on %s: expected %s, got %s", why, errstr(-err), errstr(r));
}

/* A process that is not traced at all. */
void t_esrch_not_traced(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		for (;;)
			pause();
	}
	expect_all(pid, 0x10000, ESRCH, "a child that is not traced");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	expect_all(pid, 0x10000, ESRCH, "a reaped pid");
}

/* Our tracee, but running (blocked in read(), not in a ptrace stop). */
void t_esrch_running(void)
{
	struct tracee t;

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, PAGE));
	if (ptrace(PTRACE_CONT, t.pid, 0, 0))
		fail("PTRACE_CONT: expected success, got %s", errstr(-errno));
	usleep(200 * 1000);
	expect_all(t.pid, t.lay.region, ESRCH, "a running tracee");
	tracee_kill(&t);
}

static void *other_thread(void *arg)
{
	struct tracee *t = arg;
	size_t len = 0;
	long r[3];

	r[0] = snap(t->pid, t->lay.region, PAGE);
	r[1] = restore(t->pid, t->lay.region);
	r[2] = getsnap(t->pid, t->lay.region, NULL, &len);
	for (int i = 0; i < 3; i++)
		if (r[i] != -ESRCH)
			fail("request %d from another thread of the tracer: expected ESRCH, got %s", i, errstr(r[i]));
	return NULL;
}

/* Stopped, but traced by someone else: another process, or another thread of the tracer. */
void t_esrch_other_tracer(void)
{
	struct tracee t;
	pthread_t th;
	pid_t helper;
	int st;

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, PAGE));
	fflush(stdout);
	helper = fork();
	if (helper == 0) {
		size_t len = 0;

		if (snap(t.pid, t.lay.region, PAGE) != -ESRCH || restore(t.pid, t.lay.region) != -ESRCH ||
		    getsnap(t.pid, t.lay.region, NULL, &len) != -ESRCH)
			_exit(1);
		_exit(0);
	}
	waitpid(helper, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "requests from a process that is not the tracer: expected ESRCH for all three, got another result");
	if (pthread_create(&th, NULL, other_thread, &t))
		fail("pthread_create failed");
	pthread_join(th, NULL);
	/* Nothing above touched the snapshot. */
	EXPECT_EQ(snap_len(t.pid, t.lay.region), PAGE, "snapshot length after the foreign requests");
	tracee_kill(&t);
}

void t_einval_args(void)
{
	struct tracee t;
	unsigned long max = sysctl_get(TSDBG_SYSCTL_MAX_LEN);
	unsigned long base = held_bytes();
	const uintptr_t task_size = 0x7ffffffff000UL;

	tracee_start(&t);
	EXPECT_ERR(snap(t.pid, t.lay.region, 0), EINVAL);
	EXPECT_ERR(snap(t.pid, t.lay.region, max + 1), EINVAL);
	EXPECT_ERR(snap(t.pid, (uintptr_t)-PAGE, 2 * PAGE), EINVAL);		/* wraps */
	EXPECT_ERR(snap(t.pid, 1, (size_t)-1), EINVAL);				/* wraps */
	EXPECT_ERR(snap(t.pid, task_size - PAGE, 2 * PAGE), EINVAL);		/* ends past TASK_SIZE */
	EXPECT_ERR(snap(t.pid, task_size, PAGE), EINVAL);			/* starts at TASK_SIZE */
	EXPECT_ERR(snap(t.pid, 0xffffffff81000000UL, PAGE), EINVAL);		/* kernel text */
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after rejected SNAPSHOTs");

	/* RESTORE's data is reserved: non-zero is EINVAL and keeps the snapshot. */
	EXPECT_OK(snap(t.pid, t.lay.region, PAGE));
	tracee_call(&t, OP_FILL, t.lay.region, PAGE, 7);
	EXPECT_ERR(restore_data(t.pid, t.lay.region, 1), EINVAL);
	EXPECT_ERR(restore_data(t.pid, t.lay.region, (unsigned long)-1), EINVAL);
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, PAGE, 0), pattern_csum(PAGE, 7),
		  "memory after a RESTORE rejected with EINVAL (must be untouched)");
	EXPECT_OK(restore(t.pid, t.lay.region));
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, PAGE, 0), pattern_csum(PAGE, 1),
		  "memory after the valid RESTORE");
	tracee_kill(&t);
}

/* The argument struct grows like PTRACE_GET_SYSCALL_INFO's (copy_struct_from_user()). */
void t_args_versions(void)
{
	struct {
		struct ptrace_snapshot_args a;
		uint64_t extra[2];
	} big = { { 0 } };
	struct ptrace_snapshot_args a = { 0 };
	unsigned char buf[16];
	struct tracee t;

	tracee_start(&t);
	a.addr = t.lay.region;
	a.len = PAGE;
	EXPECT_ERR(snap_req(PTRACE_SNAPSHOT, t.pid, &a, 0), EINVAL);
	EXPECT_ERR(snap_req(PTRACE_SNAPSHOT, t.pid, &a, PTRACE_SNAPSHOT_ARGS_SIZE_VER0 - 8), EINVAL);
	a.flags = 1;
	EXPECT_ERR(snap_req(PTRACE_SNAPSHOT, t.pid, &a, sizeof(a)), EINVAL);		/* unknown flag */
	a.flags = 1UL << 63;
	EXPECT_ERR(snap_req(PTRACE_SNAPSHOT, t.pid, &a, sizeof(a)), EINVAL);
	a.flags = 0;
	a.buf = 8;
	EXPECT_ERR(snap_req(PTRACE_SNAPSHOT, t.pid, &a, sizeof(a)), EINVAL);		/* buf is GETSNAPSHOT's */
	a.buf = 0;
	/* A struct from a newer header: its extra bytes must be zero. */
	big.a = a;
	big.extra[1] = 1;
	EXPECT_ERR(snap_req(PTRACE_SNAPSHOT, t.pid, &big, sizeof(big)), E2BIG);
	big.extra[1] = 0;
	EXPECT_OK(snap_req(PTRACE_SNAPSHOT, t.pid, &big, sizeof(big)));
	EXPECT_EQ(snap_len(t.pid, t.lay.region), PAGE, "length of the snapshot taken with a larger struct");
	/* GETSNAPSHOT returns the length and copies at most len bytes. */
	a.len = sizeof(buf);
	a.buf = (uintptr_t)buf;
	EXPECT_EQ(snap_req(PTRACE_GETSNAPSHOT, t.pid, &a, sizeof(a)), PAGE, "GETSNAPSHOT's result with a short buffer");
	tracee_kill(&t);
}

/* Ranges touching unmapped memory: SNAPSHOT is EFAULT and takes nothing. */
void t_efault_unmapped(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_ERR(snap(t.pid, t.lay.hole, 3 * PAGE), EFAULT);		/* spans the unmapped page */
	EXPECT_ERR(snap(t.pid, t.lay.hole + PAGE, PAGE), EFAULT);	/* only the unmapped page */
	EXPECT_ERR(snap(t.pid, t.lay.hole + PAGE - 8, 16), EFAULT);	/* the last 8 bytes are unmapped */
	EXPECT_ERR(snap(t.pid, t.lay.hole + 2 * PAGE - 8, 16), EFAULT);/* the first 8 bytes are unmapped */
	EXPECT_ERR(snap(t.pid, 0x10000, PAGE), EFAULT);			/* nothing is mapped that low */
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after EFAULT");
	EXPECT_OK(snap(t.pid, t.lay.hole, PAGE));			/* the mapped neighbours are fine */
	EXPECT_OK(snap(t.pid, t.lay.hole + 2 * PAGE, PAGE));
	tracee_kill(&t);
}

/* Ranges in mappings without VM_WRITE. */
void t_efault_readonly(void)
{
	struct tracee t;
	uintptr_t two;

	tracee_start(&t);
	EXPECT_ERR(snap(t.pid, t.lay.ro, PAGE), EFAULT);
	EXPECT_ERR(snap(t.pid, t.lay.ro + 100, 8), EFAULT);
	EXPECT_ERR(snap(t.pid, t.lay.text, 16), EFAULT);
	/* Writable page followed by a read-only one: only the whole range is refused. */
	two = tracee_call(&t, OP_MMAP, 2 * PAGE, PROT_READ | PROT_WRITE, 3);
	tracee_call(&t, OP_MPROTECT, two + PAGE, PAGE, PROT_READ);
	EXPECT_ERR(snap(t.pid, two, 2 * PAGE), EFAULT);
	EXPECT_ERR(snap(t.pid, two + PAGE - 1, 2), EFAULT);
	EXPECT_OK(snap(t.pid, two, PAGE));
	tracee_kill(&t);
}

/* RESTORE re-checks the range: after munmap it is EFAULT and the snapshot stays. */
void t_efault_restore_munmap(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	uintptr_t p;
	unsigned char *want = malloc(2 * PAGE);

	CHECK(want, "malloc failed");
	pattern(want, 2 * PAGE, 4);
	tracee_start(&t);
	p = tracee_call(&t, OP_MMAP, 2 * PAGE, PROT_READ | PROT_WRITE, 4);
	EXPECT_OK(snap(t.pid, p, 2 * PAGE));
	tracee_call(&t, OP_MUNMAP, p + PAGE, PAGE, 0);
	EXPECT_ERR(restore(t.pid, p), EFAULT);
	EXPECT_HELD(base, 2 * PAGE, "ptrace_snapshot_bytes after a failed RESTORE");
	expect_saved(t.pid, p, want, 2 * PAGE);
	tracee_call(&t, OP_MUNMAP, p, PAGE, 0);
	EXPECT_ERR(restore(t.pid, p), EFAULT);
	EXPECT_EQ(snap_len(t.pid, p), 2 * PAGE, "snapshot length after two failed RESTOREs");
	tracee_kill(&t);
	free(want);
}

/* RESTORE after mprotect(PROT_READ) is EFAULT and keeps the snapshot; once writable again it works. */
void t_efault_restore_mprotect(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	const size_t len = 4 * PAGE;

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, len));
	tracee_call(&t, OP_FILL, t.lay.region, len, 5);
	tracee_call(&t, OP_MPROTECT, t.lay.region + PAGE, PAGE, PROT_READ);
	EXPECT_ERR(restore(t.pid, t.lay.region), EFAULT);
	EXPECT_HELD(base, len, "ptrace_snapshot_bytes after a failed RESTORE");
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, len, 0), pattern_csum(len, 5),
		  "memory after a failed RESTORE (must be untouched)");
	tracee_call(&t, OP_MPROTECT, t.lay.region + PAGE, PAGE, PROT_READ | PROT_WRITE);
	EXPECT_OK(restore(t.pid, t.lay.region));
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, len, 0), pattern_csum(len, 1),
		  "memory after RESTORE once the pages were writable again");
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after the successful RESTORE");
	tracee_kill(&t);
}

/* A SNAPSHOT that fails does not replace the snapshot it overlaps. */
void t_efault_keeps_old(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.hole, PAGE));
	EXPECT_ERR(snap(t.pid, t.lay.hole, 2 * PAGE), EFAULT);
	EXPECT_ERR(snap(t.pid, t.lay.hole + 8, 2 * PAGE), EFAULT);
	EXPECT_EQ(snap_len(t.pid, t.lay.hole), PAGE, "length of the old snapshot after failed overlapping SNAPSHOTs");
	EXPECT_HELD(base, PAGE, "ptrace_snapshot_bytes after failed overlapping SNAPSHOTs");
	tracee_kill(&t);
}

/*
 * A page that cannot be had in the middle of a range whose mappings all pass
 * the VM_WRITE check: a shared file mapping whose file shrank under it. The
 * kernel takes every page before copying one, so a failed SNAPSHOT of the
 * same range (a refresh, done in place) leaves the old copy whole, and a
 * failed RESTORE writes none of the tracee's pages.
 */
void t_efault_all_or_nothing(void)
{
	unsigned char *v1 = malloc(2 * PAGE), *v2 = malloc(2 * PAGE);
	unsigned long base = held_bytes();
	struct tracee t;
	uintptr_t map;
	int fd;

	CHECK(v1 && v2, "malloc failed");
	fd = memfd_create("snapshot_abi", 0);
	CHECK(fd >= 0 && !ftruncate(fd, 2 * PAGE), "memfd_create/ftruncate failed: %s", strerror(errno));
	tracee_start(&t);
	map = tracee_call(&t, OP_MMAP_SHARED, 2 * PAGE, fd, 0);
	pattern(v1, 2 * PAGE, 1);
	pattern(v2, 2 * PAGE, 2);
	tracee_call(&t, OP_FILL, map, 2 * PAGE, 1);
	EXPECT_OK(snap(t.pid, map + 8, 2 * PAGE - 16));
	tracee_call(&t, OP_FILL, map, 2 * PAGE, 2);
	CHECK(!ftruncate(fd, PAGE), "ftruncate failed: %s", strerror(errno));

	EXPECT_ERR(snap(t.pid, map + 8, 2 * PAGE - 16), EFAULT);
	expect_saved(t.pid, map + 8, v1 + 8, 2 * PAGE - 16);
	EXPECT_ERR(restore(t.pid, map + 8), EFAULT);
	EXPECT_EQ(tracee_call(&t, OP_CSUM, map, PAGE, 0), fnv1a(v2, PAGE),
		  "checksum of the first page after the failed RESTORE (expected as the tracee wrote it)");
	expect_saved(t.pid, map + 8, v1 + 8, 2 * PAGE - 16);
	EXPECT_HELD(base, 2 * PAGE - 16, "ptrace_snapshot_bytes after the failed requests");

	CHECK(!ftruncate(fd, 2 * PAGE), "ftruncate failed: %s", strerror(errno));
	EXPECT_OK(restore(t.pid, map + 8));
	EXPECT_EQ(tracee_call(&t, OP_CSUM, map + 8, PAGE - 8, 0), fnv1a(v1 + 8, PAGE - 8),
		  "checksum of the first page once the file has its size back and RESTORE succeeds");
	tracee_kill(&t);
	close(fd);
	free(v1);
	free(v2);
}

/* Bad pointers of the tracer in GETSNAPSHOT: EFAULT, and the snapshot survives. */
void t_efault_tracer_pointers(void)
{
	struct tracee t;
	unsigned char *ro, *edge;
	size_t len;

	ro = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap failed");
	edge = ro + PAGE;
	CHECK(!mprotect(edge, PAGE, PROT_READ | PROT_WRITE) && !munmap(ro + 2 * PAGE, PAGE), "mprotect/munmap failed");
	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, 2 * PAGE));

	EXPECT_ERR(getsnap_raw(t.pid, t.lay.region, 0), EFAULT);			/* NULL iovec */
	EXPECT_ERR(getsnap_raw(t.pid, t.lay.region, 8), EFAULT);			/* unmapped iovec */
	EXPECT_ERR(getsnap_raw(t.pid, t.lay.region, 0xffffffff81000000UL), EFAULT);	/* kernel address */
	EXPECT_ERR(getsnap_raw(t.pid, t.lay.region, (unsigned long)(edge + PAGE - 8)), EFAULT); /* iovec half unmapped */

	EXPECT_ERR(getsnap_buf(t.pid, t.lay.region, 0, 2 * PAGE), EFAULT);		/* NULL buffer */
	EXPECT_ERR(getsnap_buf(t.pid, t.lay.region, (uintptr_t)ro, 2 * PAGE), EFAULT);	/* read-only buffer */
	EXPECT_ERR(getsnap_buf(t.pid, t.lay.region, (uintptr_t)edge + 100, 2 * PAGE), EFAULT); /* runs off its mapping */
	EXPECT_ERR(getsnap_buf(t.pid, t.lay.region, 0xffffffff81000000UL, 2 * PAGE), EFAULT); /* kernel address */
	/* The argument struct is only read: it may lie in read-only memory. */
	memcpy(edge, &(struct ptrace_snapshot_args){ .addr = t.lay.region }, sizeof(struct ptrace_snapshot_args));
	CHECK(!mprotect(edge, PAGE, PROT_READ), "mprotect failed");
	EXPECT_EQ(snap_req(PTRACE_GETSNAPSHOT, t.pid, edge, sizeof(struct ptrace_snapshot_args)), 2 * PAGE,
		  "GETSNAPSHOT size query with its arguments in read-only memory");

	len = 0;
	EXPECT_OK(getsnap(t.pid, t.lay.region, NULL, &len));				/* a size query needs no buffer */
	EXPECT_EQ(len, 2 * PAGE, "size query after the EFAULTs");
	tracee_kill(&t);
}

void t_enoent(void)
{
	struct tracee t;
	size_t len = 0;

	tracee_start(&t);
	EXPECT_ERR(restore(t.pid, t.lay.region), ENOENT);
	EXPECT_ERR(getsnap(t.pid, t.lay.region, NULL, &len), ENOENT);
	EXPECT_OK(snap(t.pid, t.lay.region + PAGE, 2 * PAGE));
	/* Only the start address names a snapshot. */
	EXPECT_ERR(restore(t.pid, t.lay.region), ENOENT);
	EXPECT_ERR(restore(t.pid, t.lay.region + PAGE + 1), ENOENT);
	EXPECT_ERR(restore(t.pid, t.lay.region + 2 * PAGE), ENOENT);
	EXPECT_ERR(getsnap(t.pid, t.lay.region + PAGE + 8, NULL, &len), ENOENT);
	EXPECT_ERR(getsnap(t.pid, t.lay.region + 3 * PAGE, NULL, &len), ENOENT);
	EXPECT_EQ(snap_len(t.pid, t.lay.region + PAGE), 2 * PAGE, "length of the snapshot after the misses");
	tracee_kill(&t);
}
