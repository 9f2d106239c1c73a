// SPDX-License-Identifier: MIT
/*
 * test_compat.c - the requests from a 32-bit tracer (compat_sys_ptrace):
 * runs bin/snapshot_compat32 (compat32.c, built with -m32) and reports its
 * first failure. The guest kernel has CONFIG_IA32_EMULATION for it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "harness.h"

void t_compat_tracer(void)
{
	char exe[PATH_MAX], helper[PATH_MAX + 32], text[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fds[2], st;
	size_t got = 0;
	pid_t pid;

	CHECK(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(helper, sizeof(helper), "%s/snapshot_compat32", exe);
	CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		execl(helper, "snapshot_compat32", (char *)NULL);
		fprintf(stderr, "cannot run %s: %s", helper, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(text) - 1 && (n = read(fds[0], text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)n;
	text[got] = '\0';
	close(fds[0]);
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail("snapshot_compat32 (status %#x): %s", st, got ? strtok(text, "\n") : "no message");
}
