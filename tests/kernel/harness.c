// SPDX-License-Identifier: MIT
/* harness.c - see harness.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tsdbg_ptrace.h"

#define DEFAULT_TIMEOUT_S 120

void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(1);
}

void note(const char *fmt, ...)
{
	va_list ap;

	printf("NOTE ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

const char *errstr(long r)
{
	const char *name;

	if (r == 0)
		return "success";
	if (r > 0)
		return "a positive return value";
	name = strerrorname_np((int)-r);
	return name ? name : "an unknown errno";
}

unsigned long sysctl_get(const char *path)
{
	unsigned long v;
	FILE *f = fopen(path, "r");

	if (!f)
		fail("open %s: expected success, got %s", path, errstr(-errno));
	if (fscanf(f, "%lu", &v) != 1)
		fail("read %s: expected a number", path);
	fclose(f);
	return v;
}

void sysctl_set(const char *path, unsigned long value)
{
	char buf[32];
	int fd = open(path, O_WRONLY);
	int n = snprintf(buf, sizeof(buf), "%lu\n", value);

	if (fd < 0)
		fail("open %s for writing: expected success, got %s", path, errstr(-errno));
	if (write(fd, buf, n) != n)
		fail("write %lu to %s: expected success, got %s", value, path, errstr(-errno));
	close(fd);
}

unsigned long held_bytes(void)
{
	return sysctl_get(TSDBG_SYSCTL_HELD);
}

void expect_held(unsigned long base, unsigned long bytes, const char *what)
{
	unsigned long held = held_bytes(), page = (unsigned long)sysconf(_SC_PAGESIZE);

	if (held < base + bytes || held > base + bytes + bytes / 16 + 8 * page)
		fail("%s: expected %lu + [%lu, %lu] bytes allocated, got %lu + %ld", what, base, bytes,
		     bytes + bytes / 16 + 8 * page, base, (long)(held - base));
}

/* Outside a case fail() would exit the harness: read sysctls leniently here. */
static long read_sysctl_quiet(const char *path)
{
	unsigned long v;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%lu", &v) == 1;
	fclose(f);
	return ok ? (long)v : -1;
}

static void write_sysctl_quiet(const char *path, long v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%ld\n", v);
		fclose(f);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Kills everything the case left in its process group and reaps every child we
 * inherited (we are a subreaper). Bounded: a child that escaped the group and
 * lives on must not hang the suite.
 */
static void reap_all(pid_t pgid)
{
	double deadline = now_s() + 10;

	kill(-pgid, SIGKILL);
	while (now_s() < deadline) {
		pid_t w = waitpid(-1, NULL, __WALL | WNOHANG);

		if (w < 0 && errno == ECHILD)
			return;
		if (w <= 0)
			usleep(10 * 1000);
	}
}

/* YAML-safe one-line message. */
static void print_yaml_str(const char *key, const char *s)
{
	printf("  %s: \"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
	printf("\"\n");
}

struct outcome {
	int passed;
	char msg[4096];		/* FAIL lines, or why the case died */
	char notes[4096];	/* NOTE lines */
	double seconds;
};

static void append(char *dst, size_t cap, const char *line)
{
	size_t len = strlen(dst);

	if (len + strlen(line) + 2 < cap)
		snprintf(dst + len, cap - len, "%s%s", len ? "\n" : "", line);
}

static void parse_output(struct outcome *o, char *buf)
{
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "FAIL ", 5))
			append(o->msg, sizeof(o->msg), line + 5);
		else if (!strncmp(line, "NOTE ", 5))
			append(o->notes, sizeof(o->notes), line + 5);
	}
}

static void run_one(const struct tcase *c, struct outcome *o)
{
	static char buf[1 << 16];
	size_t used = 0;
	unsigned int timeout = c->timeout_s ? c->timeout_s : DEFAULT_TIMEOUT_S;
	double start = now_s(), deadline = start + timeout;
	int status = 0, fds[2], timed_out = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(o->msg, sizeof(o->msg), "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		c->fn();
		fflush(stdout);
		_exit(0);
	}
	setpgid(pid, pid);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		pid_t w = waitpid(pid, &status, WNOHANG);
		ssize_t n;

		if (w == pid)
			break;
		if (now_s() > deadline) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		poll(&p, 1, 100);
		while (used < sizeof(buf) - 1 && (n = read(fds[0], buf + used, sizeof(buf) - 1 - used)) > 0)
			used += n;
	}
	reap_all(pid);
	for (ssize_t n; used < sizeof(buf) - 1 && (n = read(fds[0], buf + used, sizeof(buf) - 1 - used)) > 0;)
		used += n;
	close(fds[0]);
	buf[used] = 0;
	parse_output(o, buf);
	o->seconds = now_s() - start;
	if (timed_out)
		append(o->msg, sizeof(o->msg), "expected the case to finish, got a timeout (killed)");
	else if (WIFSIGNALED(status))
		append(o->msg, sizeof(o->msg), sigabbrev_np(WTERMSIG(status)) ?: "killed by a signal");
	else if (WEXITSTATUS(status) != 0 && !o->msg[0])
		append(o->msg, sizeof(o->msg), "the case exited with a non-zero status");
	o->passed = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !o->msg[0];
}

static const char *const tunables[] = { TSDBG_SYSCTL_MAX_LEN, TSDBG_SYSCTL_MAX_COUNT, TSDBG_SYSCTL_MAX_TOTAL,
					 TSDBG_SYSCTL_MAX_TRACER };

static void report(size_t num, const struct tcase *c, struct outcome *o)
{
	printf("%s %zu - %s\n", o->passed ? "ok" : "not ok", num, c->name);
	if (!o->passed || o->notes[0]) {
		printf("  ---\n");
		if (!o->passed)
			print_yaml_str("message", o->msg);
		if (o->notes[0])
			print_yaml_str("notes", o->notes);
		printf("  seconds: %.2f\n", o->seconds);
		printf("  ...\n");
	}
	fflush(stdout);
}

static int wanted(const char *name, int argc, char **argv)
{
	if (argc == 1)
		return 1;
	for (int a = 1; a < argc; a++)
		if (!strcmp(argv[a], name))
			return 1;
	return 0;
}

int run_cases(const struct tcase *cases, size_t n, int argc, char **argv)
{
	size_t selected = 0, num = 0, failed = 0;

	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		selected += wanted(cases[i].name, argc, argv);
	/* Reparented grandchildren (tracees of a dead tracer) come back to us to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	printf("TAP version 14\n1..%zu\n", selected);
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		struct outcome o;
		long saved[sizeof(tunables) / sizeof(tunables[0])], before, after;

		if (!wanted(cases[i].name, argc, argv))
			continue;
		for (size_t t = 0; t < sizeof(tunables) / sizeof(tunables[0]); t++)
			saved[t] = read_sysctl_quiet(tunables[t]);
		before = read_sysctl_quiet(TSDBG_SYSCTL_HELD);
		run_one(&cases[i], &o);
		for (size_t t = 0; t < sizeof(tunables) / sizeof(tunables[0]); t++)
			if (saved[t] >= 0 && read_sysctl_quiet(tunables[t]) != saved[t])
				write_sysctl_quiet(tunables[t], saved[t]);
		after = read_sysctl_quiet(TSDBG_SYSCTL_HELD);
		if (o.passed && after != before) {
			o.passed = 0;
			snprintf(o.msg, sizeof(o.msg),
				 "ptrace_snapshot_bytes once every process of the case was reaped: expected %ld, got %ld",
				 before, after);
		}
		failed += !o.passed;
		report(++num, &cases[i], &o);
	}
	printf("# %zu of %zu cases failed\n", failed, num);
	return failed ? 1 : 0;
}
