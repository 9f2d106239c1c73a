// SPDX-License-Identifier: MIT
/*
 * test_stress.c - SIGKILL in the middle of calls. Large (16 MiB) snapshots make
 * every call take a while, and a killer thread (or process) fires at a random
 * moment within a few calls' time, so kills land before, during and between
 * SNAPSHOT, GETSNAPSHOT and RESTORE. Nothing may leak (the harness checks
 * ptrace_snapshot_bytes after the case) and nothing may oops (the host test
 * checks the guest's kernel log after the suite).
 *
 * TSDBG_STRESS_ITERATIONS overrides the number of iterations of each case.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"
#include "tsdbg_ptrace.h"

#define BIG TSDBG_SNAPSHOT_DEFAULT_MAX_LEN

static int iterations(int dflt)
{
	const char *s = getenv("TSDBG_STRESS_ITERATIONS");
	int n = s ? atoi(s) : 0;

	return n > 0 ? n : dflt;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A 16 MiB writable mapping in a fresh tracee. */
static uintptr_t big_tracee(struct tracee *t, unsigned int seed)
{
	tracee_start(t);
	return tracee_call(t, OP_MMAP, BIG, PROT_READ | PROT_WRITE, seed);
}

struct killer {
	pid_t victim;
	useconds_t delay_us;
	atomic_int *in_call;
	int hit_in_call;
};

static void *killer_main(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay_us);
	k->hit_in_call = atomic_load(k->in_call);
	kill(k->victim, SIGKILL);
	return NULL;
}

/* One round of calls; every result must be success, or ESRCH once the tracee is dead. */
static int one_call(int step, pid_t pid, uintptr_t big, void *buf, atomic_int *in_call)
{
	size_t len = BIG;
	long r;

	atomic_store(in_call, 1);
	switch (step % 4) {
	case 0:
		r = snap(pid, big, BIG);
		break;
	case 1:
		r = getsnap(pid, big, buf, &len);
		break;
	case 2:
		r = snap(pid, big + BIG / 2, BIG / 2);	/* replaces the whole one */
		break;
	default:
		r = restore(pid, big + BIG / 2);
		break;
	}
	atomic_store(in_call, 0);
	if (r == -ESRCH)
		return 0;
	if (r != 0)
		fail("stress call %d: expected success or ESRCH, got %s", step % 4, errstr(r));
	return 1;
}

/* Calibration: how long one 16 MiB SNAPSHOT takes here (TCG is slow). */
static double snapshot_call_us(void)
{
	struct tracee t;
	uintptr_t big = big_tracee(&t, 1);
	double t0 = now_us(), us;

	EXPECT_OK(snap(t.pid, big, BIG));
	us = now_us() - t0;
	tracee_kill(&t);
	return us;
}

/* The tracer's killer thread SIGKILLs the tracee at a random point of a stream of calls. */
void t_stress_kill_tracee(void)
{
	const int n = iterations(100);
	unsigned long base = held_bytes();
	void *buf = malloc(BIG);
	atomic_int in_call = 0;
	double call_us;
	int hits = 0;

	CHECK(buf, "malloc failed");
	srandom(12345);
	call_us = snapshot_call_us();
	note("one 16 MiB SNAPSHOT takes %.0f us", call_us);
	for (int i = 0; i < n; i++) {
		struct tracee t;
		uintptr_t big = big_tracee(&t, i);
		struct killer k = { .victim = t.pid, .in_call = &in_call,
				    .delay_us = (useconds_t)(random() % (long)(4 * call_us + 1)) };
		pthread_t th;
		int st;

		if (pthread_create(&th, NULL, killer_main, &k))
			fail("pthread_create failed");
		for (int step = 0; step < 64 && one_call(step, t.pid, big, buf, &in_call); step++)
			;
		pthread_join(th, NULL);
		hits += k.hit_in_call;
		if (waitpid(t.pid, &st, __WALL) != t.pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			fail("iteration %d: expected the tracee to die of SIGKILL, got status %#x", i, st);
		close(t.cmd_fd);
		close(t.res_fd);
		if (held_bytes() != base)
			fail("iteration %d: ptrace_snapshot_bytes after the tracee died: expected %lu, got %lu",
			     i, base, held_bytes());
	}
	note("%d iterations, %d kills landed while a call was running", n, hits);
	CHECK(hits > 0, "kills during a call: expected at least one of %d, got none", n);
	free(buf);
}

/* A tracer process loops over the calls until it is SIGKILLed at a random moment. */
static void tracer_loop(unsigned int seed, int ready_fd)
{
	struct tracee t;
	uintptr_t big = big_tracee(&t, seed);
	void *buf = malloc(BIG);
	atomic_int in_call = 0;
	char ok = 1;

	if (!buf || write(ready_fd, &ok, 1) != 1)
		_exit(1);
	for (int step = 0;; step++)
		if (!one_call(step, t.pid, big, buf, &in_call))
			_exit(2);
}

void t_stress_kill_tracer(void)
{
	const int n = iterations(100);
	unsigned long base = held_bytes();
	double call_us;

	srandom(54321);
	call_us = snapshot_call_us();
	for (int i = 0; i < n; i++) {
		int fds[2], st;
		char ok = 0;
		pid_t tracer;

		if (pipe(fds))
			fail("pipe: %s", strerror(errno));
		fflush(stdout);
		tracer = fork();
		if (tracer == 0) {
			close(fds[0]);
			tracer_loop(i, fds[1]);
		}
		close(fds[1]);
		if (read(fds[0], &ok, 1) != 1)
			fail("iteration %d: the tracer process did not start", i);
		close(fds[0]);
		usleep((useconds_t)(random() % (long)(4 * call_us + 1)));
		kill(tracer, SIGKILL);
		waitpid(tracer, &st, 0);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "iteration %d: expected the tracer to die of SIGKILL, got status %#x", i, st);
		/* Its tracee was detached; it exits when it reads EOF, or the harness reaps it. */
		if (held_bytes() != base)
			fail("iteration %d: ptrace_snapshot_bytes after the tracer died: expected %lu, got %lu",
			     i, base, held_bytes());
	}
	note("%d tracers killed in the middle of their calls", n);
}
