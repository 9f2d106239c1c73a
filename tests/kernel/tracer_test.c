// SPDX-License-Identifier: MIT
/*
 * tracer_test: tracer.ko's tests, run inside the guest (tests/guest/in-guest.sh),
 * TAP on stdout. Usage: tracer_test DIR, DIR holding tracer.ko and tracer_drive.ko.
 *
 * Two load cycles (insmod + rmmod twice). In each: /dev/tracer is the character
 * device 10:42, /proc/tracer is read-only with the assignment's header; bad ioctls
 * fail with ESRCH/EEXIST/ENOTTY; tracer_drive.ko's kernel threads (1, 16, then 32 at
 * once) doing known operations get exact counts (schedule at least the sleeps);
 * processes leave the table when reaped; rmmod removes /proc/tracer and /dev/tracer.
 * Modules are loaded with finit_module(2) and removed with delete_module(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../kernel-patch/tracer/tracer.h"

#define HEADER "PID\tkmalloc\tkfree\tkmalloc_mem\tkfree_mem\tsched\tup\tdown\tlock\tunlock"
/* The driver's operations per thread (module parameters). */
#define KMALLOCS 10
#define SIZE 24
#define DOWNS 3
#define LOCKS 5
#define SLEEPS 2

enum { KMALLOC, KFREE, KMALLOC_MEM, KFREE_MEM, SCHED, UP, DOWN, LOCK, UNLOCK, NCOUNT };
static const char *const names[NCOUNT] = {
	"kmalloc", "kfree", "kmalloc_mem", "kfree_mem", "sched", "up", "down", "lock", "unlock",
};

static const char *dir;
static int ntest, failed;
static char why[4096];

static void tap(const char *name, int ok)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++ntest, name);
	if (!ok) {
		failed++;
		printf("  ---\n  message: \"%s\"\n  ...\n", why);
	}
	fflush(stdout);
	why[0] = 0;
}

static int bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++)
		if (*p == '"' || *p == '\n')
			*p = '\'';
	return 0;
}

static int load(const char *mod, const char *params)
{
	char path[4096];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s.ko", dir, mod);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bad("open %s: %s", path, strerror(errno));
	r = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	if (r)
		return bad("finit_module(%s, \"%s\"): %s", path, params, strerror(errno));
	return 1;
}

static int unload(const char *mod)
{
	if (syscall(SYS_delete_module, mod, O_NONBLOCK))
		return bad("delete_module(%s): %s", mod, strerror(errno));
	return 1;
}

/* The whole of a small file, or NULL. */
static char *slurp(const char *path)
{
	static char buf[1 << 16];
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return buf;
}

/* /proc/tracer's line for @pid into @c; 1 when found, 0 when not, -1 when unreadable. */
static int counts(pid_t pid, long long c[NCOUNT])
{
	char *text = slurp("/proc/tracer"), *line, *save = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long v[NCOUNT];
		int p;

		if (sscanf(line, "%d %lld %lld %lld %lld %lld %lld %lld %lld %lld", &p, &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 10 && p == pid) {
			memcpy(c, v, sizeof(v));
			return 1;
		}
	}
	return 0;
}

static int tracer_ioctl(unsigned long cmd, pid_t pid)
{
	int fd = open("/dev/" TRACER_DEV_NAME, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = ioctl(fd, cmd, (unsigned long)pid) ? -errno : 0;
	close(fd);
	return r;
}

static int check_device(void)
{
	struct stat st;
	char *misc;

	if (stat("/dev/tracer", &st))
		return bad("stat /dev/tracer: %s", strerror(errno));
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 10 || minor(st.st_rdev) != 42)
		return bad("/dev/tracer: mode %o, device %u:%u", st.st_mode, major(st.st_rdev),
			   minor(st.st_rdev));
	misc = slurp("/proc/misc");
	if (!misc || !strstr(misc, "42 tracer\n"))
		return bad("/proc/misc has no '42 tracer' line");
	return 1;
}

static int check_proc(void)
{
	struct stat st;
	char *text;

	if (stat("/proc/tracer", &st))
		return bad("stat /proc/tracer: %s", strerror(errno));
	if ((st.st_mode & 0777) != 0444)
		return bad("/proc/tracer: mode %o, expected 444", st.st_mode & 0777);
	/* root may open it for writing (CAP_DAC_OVERRIDE), but nothing can be written */
	int fd = open("/proc/tracer", O_WRONLY | O_CLOEXEC);

	if (fd >= 0 && write(fd, "1\n", 2) >= 0) {
		close(fd);
		return bad("a write to /proc/tracer succeeded");
	}
	if (fd >= 0)
		close(fd);
	text = slurp("/proc/tracer");
	if (!text || strncmp(text, HEADER "\n", strlen(HEADER) + 1))
		return bad("first line: '%.80s'", text ? text : "(unreadable)");
	return 1;
}

static int check_errors(void)
{
	int r;
	pid_t self = getpid();

	if ((r = tracer_ioctl(TRACER_REMOVE_PROCESS, self)) != -ESRCH)
		return bad("REMOVE of a pid not monitored: %s", strerror(-r));
	if ((r = tracer_ioctl(TRACER_ADD_PROCESS, 0)) != -ESRCH)
		return bad("ADD of pid 0: %s", strerror(-r));
	if ((r = tracer_ioctl(TRACER_ADD_PROCESS, 0x3fffffff)) != -ESRCH)
		return bad("ADD of a pid that does not exist: %s", strerror(-r));
	if ((r = tracer_ioctl(_IO('x', 1), self)) != -ENOTTY)
		return bad("an unknown ioctl: %s", strerror(-r));
	if ((r = tracer_ioctl(TRACER_ADD_PROCESS, self)))
		return bad("ADD of this process: %s", strerror(-r));
	if ((r = tracer_ioctl(TRACER_ADD_PROCESS, self)) != -EEXIST)
		return bad("ADD of it again: %s", strerror(-r));
	long long c[NCOUNT];
	if (counts(self, c) != 1)
		return bad("this process is not in /proc/tracer after ADD");
	if ((r = tracer_ioctl(TRACER_REMOVE_PROCESS, self)))
		return bad("REMOVE of this process: %s", strerror(-r));
	if (counts(self, c) != 0)
		return bad("this process is still in /proc/tracer after REMOVE");
	return 1;
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* tracer_drive.ko with @n threads: every thread's counts exactly as expected. */
static int check_threads(int n)
{
	char params[256], *text, *line, *save = NULL;
	pid_t pids[256];
	int got = 0, i, r, fd, done = 0, ok = 1;
	long long want[NCOUNT] = {
		KMALLOCS, KMALLOCS, SIZE * KMALLOCS * (KMALLOCS + 1) / 2,
		SIZE * KMALLOCS * (KMALLOCS + 1) / 2, SLEEPS, DOWNS, DOWNS, LOCKS, LOCKS,
	};

	snprintf(params, sizeof(params), "threads=%d kmallocs=%d size=%d downs=%d locks=%d sleeps=%d",
		 n, KMALLOCS, SIZE, DOWNS, LOCKS, SLEEPS);
	if (!load("tracer_drive", params))
		return 0;
	text = slurp("/proc/tracer_drive");
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "done", 4) && got < 256)
			pids[got++] = atoi(line);
	if (got != n) {
		bad("/proc/tracer_drive lists %d threads, expected %d", got, n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = tracer_ioctl(TRACER_ADD_PROCESS, pids[i]))) {
			bad("ADD of kthread %d: %s", pids[i], strerror(-r));
			goto out;
		}
	}
	fd = open("/proc/tracer_drive", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "go\n", 3) != 3) {
		bad("writing 'go' to /proc/tracer_drive: %s", strerror(errno));
		goto out;
	}
	close(fd);
	/* Wait for the threads (no time limit here: the host's limit covers the run). */
	while (!done) {
		text = slurp("/proc/tracer_drive");
		done = text && sscanf(text, "done %d/", &i) == 1 && i == n;
		if (!done)
			pause_ms(10);
	}
	for (i = 0; i < n && ok; i++) {
		long long c[NCOUNT];

		if (counts(pids[i], c) != 1) {
			ok = bad("kthread %d is not in /proc/tracer", pids[i]);
			break;
		}
		for (int k = 0; k < NCOUNT; k++) {
			if (k == SCHED ? c[k] < want[k] : c[k] != want[k]) {
				ok = bad("kthread %d (%d of %d): %s = %lld, expected %s%lld", pids[i], i + 1,
					 n, names[k], c[k], k == SCHED ? "at least " : "", want[k]);
				break;
			}
		}
	}
out:
	if (!unload("tracer_drive"))
		return 0;
	/* The threads have exited and been reaped: none is left in the table. */
	for (i = 0; i < got && ok; i++) {
		long long c[NCOUNT];

		if (counts(pids[i], c) != 0)
			ok = bad("kthread %d is still in /proc/tracer after it exited", pids[i]);
	}
	return ok && got == n && !why[0];
}

/* A child process: listed while it lives (and while a zombie), gone once reaped. */
static int check_reaped(void)
{
	long long c[NCOUNT];
	int p[2], r, status;
	pid_t child;
	char ch;

	if (pipe(p))
		return bad("pipe: %s", strerror(errno));
	child = fork();
	if (child == 0) {
		close(p[1]);
		if (read(p[0], &ch, 1) < 0)
			_exit(1);
		pause_ms(5);	/* sleeps: schedule() */
		_exit(0);
	}
	close(p[0]);
	if ((r = tracer_ioctl(TRACER_ADD_PROCESS, child)))
		return bad("ADD of a child: %s", strerror(-r));
	close(p[1]);
	/* Exited, not yet reaped: still listed, with its sleep counted. */
	if (waitid(P_PID, child, NULL, WEXITED | WNOWAIT))
		return bad("waitid: %s", strerror(errno));
	if (counts(child, c) != 1)
		return bad("the exited child left /proc/tracer before it was reaped");
	if (c[SCHED] < 1)
		return bad("the child slept but sched = %lld", c[SCHED]);
	waitpid(child, &status, 0);
	if (counts(child, c) != 0)
		return bad("the reaped child is still in /proc/tracer");
	return 1;
}

static int check_gone(void)
{
	struct stat st;

	if (!stat("/proc/tracer", &st))
		return bad("/proc/tracer is still there after rmmod");
	if (!stat("/dev/tracer", &st))
		return bad("/dev/tracer is still there after rmmod");
	return 1;
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 1, 16, 32 };
	char name[128];

	if (argc != 2) {
		fprintf(stderr, "usage: tracer_test DIR (holding tracer.ko and tracer_drive.ko)\n");
		return 2;
	}
	dir = argv[1];
	printf("TAP version 13\n1..%d\n", 2 * 9);
	for (int round = 1; round <= 2; round++) {
		int loaded;

		snprintf(name, sizeof(name), "load %d: insmod tracer.ko", round);
		tap(name, loaded = load("tracer", ""));
		snprintf(name, sizeof(name), "load %d: /dev/tracer is the misc device 10:42", round);
		tap(name, loaded && check_device());
		snprintf(name, sizeof(name), "load %d: /proc/tracer is read-only, with the header line", round);
		tap(name, loaded && check_proc());
		snprintf(name, sizeof(name), "load %d: ioctl errors (ESRCH, EEXIST, ENOTTY); ADD and REMOVE", round);
		tap(name, loaded && check_errors());
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			snprintf(name, sizeof(name), "load %d: %d kthread(s) at once: exact counts, gone after exit",
				 round, sizes[i]);
			tap(name, loaded && check_threads(sizes[i]));
		}
		snprintf(name, sizeof(name), "load %d: a process stays listed until reaped", round);
		tap(name, loaded && check_reaped());
		snprintf(name, sizeof(name), "load %d: rmmod tracer; /proc/tracer and /dev/tracer gone", round);
		if (loaded)
			loaded = unload("tracer") && check_gone();
		tap(name, loaded);
	}
	return failed ? 1 : 0;
}
