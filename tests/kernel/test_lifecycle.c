// SPDX-License-Identifier: MIT
/*
 * test_lifecycle.c - snapshots live only while the tracer-tracee link and the
 * tracee's address space do: exec, fork, detach, tracer exit and tracee exit
 * drop them (ptrace_snapshot_bytes back to its baseline). Snapshots belong to
 * (tracer, address space): the tracee's exit frees them when the tracer reaps
 * it, an exec at the tracer's next request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"

void t_exec_drops(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	int st;

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
	EXPECT_OK(snap(t.pid, t.lay.region, 8 * PAGE));
	tracee_send(&t, OP_EXEC, 0);
	/* Without PTRACE_O_TRACEEXEC a successful execve stops the tracee with SIGTRAP. */
	if (waitpid(t.pid, &st, __WALL) != t.pid || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		fail("after OP_EXEC: expected a SIGTRAP exec stop, got status %#x", st);
	/* The snapshots were of the old address space: the new one has none. */
	EXPECT_ERR(restore(t.pid, t.lay.acct), ENOENT);
	EXPECT_ERR(size_query(t.pid, t.lay.region), ENOENT);
	/* The old address space is gone: its snapshots were freed at the tracer's requests above. */
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after exec and a request");
	tracee_kill(&t);
}

void t_fork_child_has_none(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	pid_t child;
	int st;

	tracee_start(&t);
	if (ptrace(PTRACE_SETOPTIONS, t.pid, 0, PTRACE_O_TRACEFORK))
		fail("PTRACE_SETOPTIONS: expected success, got %s", errstr(-errno));
	EXPECT_OK(snap(t.pid, t.lay.region, 4 * PAGE));
	child = (pid_t)tracee_call(&t, OP_FORK, 0, 0, 0);
	/* The auto-attached child starts with a SIGSTOP. */
	if (waitpid(child, &st, __WALL) != child || !WIFSTOPPED(st))
		fail("the forked child %d: expected a stop, got status %#x", child, st);
	EXPECT_ERR(size_query(child, t.lay.region), ENOENT);
	EXPECT_ERR(restore(child, t.lay.region), ENOENT);
	EXPECT_HELD(base, 4 * PAGE, "ptrace_snapshot_bytes after fork (not duplicated)");
	/* The child's memory is its own: its snapshot and restore do not touch the parent's. */
	EXPECT_OK(snap(child, t.lay.region, PAGE));
	EXPECT_OK(restore(child, t.lay.region));
	tracee_call(&t, OP_FILL, t.lay.region, 4 * PAGE, 8);
	EXPECT_OK(restore(t.pid, t.lay.region));
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, 4 * PAGE, 0), pattern_csum(4 * PAGE, 1),
		  "the parent's memory after its RESTORE");
	kill(child, SIGKILL);
	waitpid(child, &st, __WALL);
	tracee_kill(&t);
}

void t_detach_drops(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	int st;

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, 4 * PAGE));
	EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
	if (ptrace(PTRACE_DETACH, t.pid, 0, 0))
		fail("PTRACE_DETACH: expected success, got %s", errstr(-errno));
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after PTRACE_DETACH");
	/* Attach again: the old snapshots are gone. */
	if (ptrace(PTRACE_ATTACH, t.pid, 0, 0))
		fail("PTRACE_ATTACH: expected success, got %s", errstr(-errno));
	if (waitpid(t.pid, &st, __WALL) != t.pid || !WIFSTOPPED(st))
		fail("after PTRACE_ATTACH: expected a stop, got status %#x", st);
	EXPECT_ERR(size_query(t.pid, t.lay.region), ENOENT);
	EXPECT_ERR(restore(t.pid, t.lay.acct), ENOENT);
	tracee_kill(&t);
}

/* A tracer process that takes `pages` of snapshots, reports, and waits to die (or exits). */
static pid_t spawn_tracer(unsigned long pages, int exit_itself, int *ready_fd)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		fail("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct tracee t;
		char ok = 1;

		close(fds[0]);
		tracee_start(&t);
		EXPECT_OK(snap(t.pid, t.lay.region, pages * PAGE));
		EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
		if (write(fds[1], &ok, 1) != 1)
			_exit(1);
		if (exit_itself)
			_exit(0);	/* without detaching, the tracee still stopped */
		for (;;)
			pause();
	}
	close(fds[1]);
	*ready_fd = fds[0];
	return pid;
}

void t_tracer_exit_drops(void)
{
	unsigned long base = held_bytes();

	for (int exit_itself = 0; exit_itself < 2; exit_itself++) {
		int fd, st;
		char ok = 0;
		pid_t tracer = spawn_tracer(16, exit_itself, &fd);

		if (read(fd, &ok, 1) != 1 || !ok)
			fail("the tracer process did not take its snapshots");
		close(fd);
		if (!exit_itself) {
			EXPECT_HELD(base, 16 * PAGE + sizeof(struct account),
				  "ptrace_snapshot_bytes while the tracer holds its snapshots");
			kill(tracer, SIGKILL);
		}
		waitpid(tracer, &st, 0);
		EXPECT_EQ(held_bytes(), base, exit_itself ? "ptrace_snapshot_bytes after the tracer's _exit"
							  : "ptrace_snapshot_bytes after SIGKILL of the tracer");
	}
}

void t_tracee_exit_drops(void)
{
	unsigned long base = held_bytes();
	struct tracee t;
	int st;

	/* The tracee exits by itself. */
	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, 8 * PAGE));
	tracee_send(&t, OP_EXIT, 3);
	if (waitpid(t.pid, &st, __WALL) != t.pid || !WIFEXITED(st) || WEXITSTATUS(st) != 3)
		fail("after OP_EXIT: expected exit status 3, got status %#x", st);
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after the tracee exited");
	EXPECT_ERR(snap(t.pid, t.lay.region, PAGE), ESRCH);
	close(t.cmd_fd);
	close(t.res_fd);

	/* The tracee is killed in a ptrace stop. */
	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, 8 * PAGE));
	tracee_kill(&t);
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after SIGKILL of the tracee");
}
