// SPDX-License-Identifier: MIT
/*
 * snapshot_calls.c - the cost of one PTRACE_SNAPSHOT, GETSNAPSHOT and RESTORE
 * against process_vm_readv/writev of the same length, on one stopped tracee
 * with a 16 MiB anonymous mapping. Run it in the patched guest:
 *
 *   tsdbg vm run -- bench/kernel/bin/snapshot_calls [LEN [CALLS]]
 *
 * "again" is SNAPSHOT of a range that already has a snapshot (the kernel
 * refreshes it in place), "new" is SNAPSHOT of a range that has none (it is
 * taken right after the RESTORE that deleted it). "new" and RESTORE are timed
 * call by call and carry a clock read each. Each line is one of three rounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tsdbg_ptrace.h"

#define AREA (16UL << 20)

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static pid_t child;

static void die(const char *what)
{
	fprintf(stderr, "snapshot_calls: %s: %s\n", what, strerror(errno));
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static void check(long r, const char *what)
{
	if (r < 0)
		die(what);
}

int main(int argc, char **argv)
{
	size_t len = argc > 1 ? strtoul(argv[1], NULL, 0) : 1UL << 20;
	int calls = argc > 2 ? atoi(argv[2]) : 50;
	char *area, *local;
	int status;

	if (!len || len > AREA || calls < 1) {
		fprintf(stderr, "usage: snapshot_calls [LEN (1..%lu)] [CALLS]\n", AREA);
		return 2;
	}
	area = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	local = malloc(len);
	if (area == MAP_FAILED || !local)
		die("allocating the buffers");
	memset(area, 1, AREA);
	memset(local, 0, len);
	child = fork();
	check(child, "fork");
	if (!child)
		for (;;)
			pause();
	check(ptrace(PTRACE_SEIZE, child, 0, 0), "PTRACE_SEIZE");
	check(ptrace(PTRACE_INTERRUPT, child, 0, 0), "PTRACE_INTERRUPT");
	check(waitpid(child, &status, 0), "waitpid");

	struct iovec l = { local, len }, r = { area, len };
	struct ptrace_snapshot_args a = { .addr = (uintptr_t)area, .len = len };
	struct ptrace_snapshot_args get_a = { .addr = (uintptr_t)area, .len = len, .buf = (uintptr_t)local };
	struct ptrace_snapshot_args res_a = { .addr = (uintptr_t)area };
	for (int round = 0; round < 3; round++) {
		double t, readv, again, fresh = 0, get, restore = 0, writev;

		t = now_us();
		for (int i = 0; i < calls; i++)
			if (process_vm_readv(child, &l, 1, &r, 1, 0) != (ssize_t)len)
				die("process_vm_readv");
		readv = (now_us() - t) / calls;
		check(ptrace(PTRACE_SNAPSHOT, child, sizeof(a), &a), "PTRACE_SNAPSHOT");
		t = now_us();
		for (int i = 0; i < calls; i++)
			check(ptrace(PTRACE_SNAPSHOT, child, sizeof(a), &a), "PTRACE_SNAPSHOT");
		again = (now_us() - t) / calls;
		t = now_us();
		for (int i = 0; i < calls; i++)
			check(ptrace(PTRACE_GETSNAPSHOT, child, sizeof(get_a), &get_a), "PTRACE_GETSNAPSHOT");
		get = (now_us() - t) / calls;
		for (int i = 0; i < calls; i++) {
			t = now_us();
			check(ptrace(PTRACE_RESTORE, child, sizeof(res_a), &res_a), "PTRACE_RESTORE");
			restore += now_us() - t;
			t = now_us();
			check(ptrace(PTRACE_SNAPSHOT, child, sizeof(a), &a), "PTRACE_SNAPSHOT");
			fresh += now_us() - t;
		}
		restore /= calls;
		fresh /= calls;
		t = now_us();
		for (int i = 0; i < calls; i++)
			if (process_vm_writev(child, &l, 1, &r, 1, 0) != (ssize_t)len)
				die("process_vm_writev");
		writev = (now_us() - t) / calls;
		printf("%8zu bytes: readv %8.1f us  SNAPSHOT again %8.1f (%.2f)  new %8.1f (%.2f)  GETSNAPSHOT %8.1f"
		       "  writev %8.1f  RESTORE %8.1f (%.2f)\n",
		       len, readv, again, again / readv, fresh, fresh / readv, get, writev, restore, restore / writev);
	}
	kill(child, SIGKILL);
	return 0;
}
