// SPDX-License-Identifier: MIT
/* tracee.c - see tracee.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tracee.h"
#include "tsdbg_ptrace.h"

struct cmd {
	uint32_t op;
	uint64_t a, b, c;
};

struct reply {
	uint64_t val;
	int32_t err;
};

void account_fill(struct account *a, unsigned int version)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->owner, sizeof(a->owner), "owner v%u", version);
	a->balance = 1000L * version - 7;
	for (size_t i = 0; i < 64; i++)
		a->history[i] = (long)(i * i) * version;
	a->next = (struct account *)(uintptr_t)(0x1000 * version);
	a->version = version;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void pattern(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w = splitmix64(((uint64_t)seed << 40) + i / 8);

		memcpy(p + i, &w, 8);
	}
	if (i < len) {
		uint64_t w = splitmix64(((uint64_t)seed << 40) + i / 8);

		memcpy(p + i, &w, len - i);
	}
}

uint64_t fnv1a(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t pattern_csum(size_t len, unsigned int seed)
{
	void *buf = malloc(len ? len : 1);
	uint64_t h;

	if (!buf)
		fail("malloc(%zu) in the tracer failed", len);
	pattern(buf, len, seed);
	h = fnv1a(buf, len);
	free(buf);
	return h;
}

void pattern_slice(void *buf, unsigned int seed, size_t off, size_t len)
{
	unsigned char *all = malloc(off + len);

	if (!all)
		fail("malloc(%zu) in the tracer failed", off + len);
	pattern(all, off + len, seed);
	memcpy(buf, all + off, len);
	free(all);
}

/* ---- the tracee side ---- */

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		_exit(90);
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

static struct reply serve_one(const struct cmd *c, struct account *acct)
{
	struct reply r = { 0, 0 };
	struct account want;
	void *p;

	switch (c->op) {
	case OP_NOP:
		break;
	case OP_FILL:
		pattern((void *)(uintptr_t)c->a, c->b, (unsigned int)c->c);
		break;
	case OP_CSUM:
		r.val = fnv1a((void *)(uintptr_t)c->a, c->b);
		break;
	case OP_ACCT_SET:
		account_fill(acct, (unsigned int)c->a);
		break;
	case OP_ACCT_IS:
		account_fill(&want, (unsigned int)c->a);
		r.val = !memcmp(acct, &want, sizeof(want));
		break;
	case OP_MMAP:
		p = mmap(NULL, c->a, (int)c->b, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED) {
			r.err = errno;
			break;
		}
		if (c->b & PROT_WRITE)
			pattern(p, c->a, (unsigned int)c->c);
		r.val = (uintptr_t)p;
		break;
	case OP_MMAP_SHARED:
		p = mmap(NULL, c->a, PROT_READ | PROT_WRITE, MAP_SHARED, (int)c->b, 0);
		if (p == MAP_FAILED)
			r.err = errno;
		else
			r.val = (uintptr_t)p;
		break;
	case OP_MMAP_LAZY:
		p = mmap(NULL, c->a, (int)c->b, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			r.err = errno;
		else
			r.val = (uintptr_t)p;
		break;
	case OP_MUNMAP:
		if (munmap((void *)(uintptr_t)c->a, c->b))
			r.err = errno;
		break;
	case OP_MPROTECT:
		if (mprotect((void *)(uintptr_t)c->a, c->b, (int)c->c))
			r.err = errno;
		break;
	case OP_FORK:
		r.val = fork();
		if (r.val == 0)
			sleep_forever();
		break;
	case OP_EXEC:
		execl("/proc/self/exe", "snapshot_abi", "--exec-tracee", (char *)NULL);
		r.err = errno;
		break;
	case OP_EXIT:
		_exit((int)c->a);
	default:
		r.err = EINVAL;
	}
	return r;
}

static void tracee_main(int cmd_fd, int res_fd)
{
	struct layout lay;
	struct account *acct = malloc(sizeof(*acct));
	void *region = mmap(NULL, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	void *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	char *hole = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (!acct || region == MAP_FAILED || ro == MAP_FAILED || hole == MAP_FAILED ||
	    munmap(hole + PAGE, PAGE))
		_exit(91);
	account_fill(acct, 1);
	pattern(region, REGION_PAGES * PAGE, 1);
	lay = (struct layout){
		.acct = (uintptr_t)acct, .region = (uintptr_t)region, .ro = (uintptr_t)ro,
		.hole = (uintptr_t)hole, .text = (uintptr_t)&tracee_main,
	};
	xwrite(res_fd, &lay, sizeof(lay));
	for (;;) {
		struct cmd c;
		struct reply r;
		ssize_t n;

		raise(SIGSTOP);
		n = read(cmd_fd, &c, sizeof(c));
		if (n == 0)
			_exit(0);	/* the tracer is gone */
		if (n != sizeof(c))
			_exit(92);
		r = serve_one(&c, acct);
		xwrite(res_fd, &r, sizeof(r));
	}
}

void exec_tracee_main(void)
{
	sleep_forever();
	_exit(0);
}

/* ---- the tracer side ---- */

static void read_full(int fd, void *buf, size_t len, pid_t pid)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail("reading from tracee %d: expected %zu bytes, got end of file", pid, len);
		got += n;
	}
}

void tracee_start(struct tracee *t)
{
	int cmd[2], res[2];

	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		fail("pipe: %s", strerror(errno));
	fflush(stdout);
	t->pid = fork();
	if (t->pid < 0)
		fail("fork: %s", strerror(errno));
	if (t->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(93);
		tracee_main(cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	t->cmd_fd = cmd[1];
	t->res_fd = res[0];
	read_full(t->res_fd, &t->lay, sizeof(t->lay), t->pid);
	tracee_wait_stop(t);
}

void tracee_wait_stop(struct tracee *t)
{
	for (;;) {
		int st;
		pid_t w = waitpid(t->pid, &st, __WALL);

		if (w < 0)
			fail("waitpid(%d): %s", t->pid, strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			fail("tracee %d: expected it to stop, got its end (status %#x)", t->pid, st);
		if (st >> 16) {		/* a ptrace event stop (fork, exec) */
			ptrace(PTRACE_CONT, t->pid, 0, 0);
			continue;
		}
		if (WSTOPSIG(st) == SIGSTOP)
			return;
		fail("tracee %d: expected a SIGSTOP stop, got %s", t->pid, sigabbrev_np(WSTOPSIG(st)));
	}
}

void tracee_send(struct tracee *t, enum tracee_op op, uint64_t a)
{
	struct cmd c = { .op = op, .a = a };

	if (write(t->cmd_fd, &c, sizeof(c)) != sizeof(c))
		fail("writing a command to tracee %d: %s", t->pid, strerror(errno));
	if (ptrace(PTRACE_CONT, t->pid, 0, 0))
		fail("PTRACE_CONT %d: expected success, got %s", t->pid, errstr(-errno));
}

uint64_t tracee_call(struct tracee *t, enum tracee_op op, uint64_t a, uint64_t b, uint64_t c)
{
	struct cmd cmd = { .op = op, .a = a, .b = b, .c = c };
	struct reply r;

	if (write(t->cmd_fd, &cmd, sizeof(cmd)) != sizeof(cmd))
		fail("writing a command to tracee %d: %s", t->pid, strerror(errno));
	if (ptrace(PTRACE_CONT, t->pid, 0, 0))
		fail("PTRACE_CONT %d: expected success, got %s", t->pid, errstr(-errno));
	/* Wait for the stop first: the command may hit event stops (fork) before it replies. */
	tracee_wait_stop(t);
	read_full(t->res_fd, &r, sizeof(r), t->pid);
	if (r.err)
		fail("tracee command %d: expected success, got %s", op, errstr(-r.err));
	return r.val;
}

void tracee_kill(struct tracee *t)
{
	kill(t->pid, SIGKILL);
	while (waitpid(t->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	close(t->cmd_fd);
	close(t->res_fd);
}

/* ---- the requests ---- */

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

/* One request with the argument struct of the given size (tsdbg_ptrace.h). */
long snap_req(int req, pid_t pid, const void *args, unsigned long size)
{
	return ret(ptrace(req, pid, size, args));
}

static long req3(int req, pid_t pid, uintptr_t addr, uint64_t len, uint64_t buf)
{
	struct ptrace_snapshot_args a = { .addr = addr, .len = len, .buf = buf };

	return snap_req(req, pid, &a, sizeof(a));
}

long snap(pid_t pid, uintptr_t start, size_t len)
{
	return req3(PTRACE_SNAPSHOT, pid, start, len, 0);
}

long restore(pid_t pid, uintptr_t start)
{
	return req3(PTRACE_RESTORE, pid, start, 0, 0);
}

long restore_data(pid_t pid, uintptr_t start, unsigned long data)
{
	return req3(PTRACE_RESTORE, pid, start, data, 0);
}

long getsnap(pid_t pid, uintptr_t start, void *buf, size_t *len)
{
	long r = req3(PTRACE_GETSNAPSHOT, pid, start, *len, (uintptr_t)buf);

	if (r < 0)
		return r;
	*len = (size_t)r;
	return 0;
}

long getsnap_buf(pid_t pid, uintptr_t start, uintptr_t buf, size_t len)
{
	long r = req3(PTRACE_GETSNAPSHOT, pid, start, len, buf);

	return r < 0 ? r : 0;
}

long getsnap_raw(pid_t pid, uintptr_t start, unsigned long data)
{
	(void)start;
	return ret(ptrace(PTRACE_GETSNAPSHOT, pid, sizeof(struct ptrace_snapshot_args), data));
}

long size_query(pid_t pid, uintptr_t start)
{
	size_t len = 0;

	return getsnap(pid, start, NULL, &len);
}

size_t snap_len(pid_t pid, uintptr_t start)
{
	size_t len = 0;
	long r = getsnap(pid, start, NULL, &len);

	if (r)
		fail("size query of the snapshot at %#lx: expected success, got %s", (unsigned long)start, errstr(r));
	return len;
}

void expect_saved(pid_t pid, uintptr_t start, const void *want, size_t len)
{
	size_t got_len = len + 64;
	unsigned char *buf = malloc(got_len);
	long r;

	if (!buf)
		fail("malloc(%zu) in the tracer failed", got_len);
	r = getsnap(pid, start, buf, &got_len);
	if (r)
		fail("GETSNAPSHOT at %#lx: expected success, got %s", (unsigned long)start, errstr(r));
	if (got_len != len)
		fail("GETSNAPSHOT at %#lx: expected iov_len %zu, got %zu", (unsigned long)start, len, got_len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ((const unsigned char *)want)[i])
			fail("GETSNAPSHOT at %#lx: byte %zu: expected %#x, got %#x", (unsigned long)start, i,
			     ((const unsigned char *)want)[i], buf[i]);
	free(buf);
}
