// SPDX-License-Identifier: MIT
/*
 * snapshot_compat32 - the three requests from a 32-bit tracer of a 32-bit
 * tracee, through compat_sys_ptrace(): the argument struct has 64-bit fields
 * only, so it has the same layout as for a 64-bit tracer and takes the
 * common path. Built with -m32 next to snapshot_abi, whose "compat" case
 * runs it (test_compat.c). Exits 0 when every check holds; else prints the
 * first failure on stderr and exits 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsdbg_ptrace.h"

#define PAGE	4096
#define OFF	100		/* unaligned, and spanning two pages */
#define LEN	5000

/* The same address in tracer and tracee: the tracee is a fork. */
static unsigned char region[3 * PAGE] __attribute__((aligned(PAGE)));

static pid_t child;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static long raw(int request, unsigned long addr, unsigned long data)
{
	long r = ptrace(request, child, (void *)addr, (void *)data);

	return r < 0 ? -errno : r;
}

/* One snapshot request: the struct's size in addr, a pointer to it in data. */
static long req(int request, unsigned long start, unsigned long len)
{
	struct ptrace_snapshot_args a = { .addr = start, .len = len };

	_Static_assert(sizeof(a) == 32, "the same layout for 32-bit tracers");
	return raw(request, sizeof(a), (unsigned long)&a);
}

static void expect(long got, long want, const char *what)
{
	if (got != want)
		die("%s: expected %ld, got %ld (%s)", what, want, got, got < 0 ? strerror((int)-got) : "");
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

/* GETSNAPSHOT of up to len bytes into base: 0 and the snapshot's length in *out, or -errno. */
static long getsnap(unsigned long start, void *base, uint32_t len, uint32_t *out)
{
	struct ptrace_snapshot_args a = { .addr = start, .len = len, .buf = (uintptr_t)base };
	long r = raw(PTRACE_GETSNAPSHOT, sizeof(a), (unsigned long)&a);

	if (r < 0)
		return r;
	*out = (uint32_t)r;
	return 0;
}

static void start_tracee(void)
{
	int st;

	for (size_t i = 0; i < sizeof(region); i++)
		region[i] = pattern(i);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st))
		die("the tracee did not stop (status %#x)", st);
}

int main(void)
{
	static unsigned char buf[LEN + 16];
	unsigned long start = (unsigned long)region + OFF;
	uint32_t len;
	long word;

	if (sizeof(long) != 4)
		die("built for 64 bits: compat32.c must be built with -m32");
	start_tracee();

	expect(req(PTRACE_SNAPSHOT, start, LEN), 0, "SNAPSHOT of 5000 bytes");
	/* the tracee changes: a word inside the range */
	expect(raw(PTRACE_POKEDATA, start + 8, 0x5a5a5a5a), 0, "POKEDATA");

	/* whole copy, and the snapshot's length returned */
	memset(buf, 0xee, sizeof(buf));
	expect(getsnap(start, buf, sizeof(buf), &len), 0, "GETSNAPSHOT, large buffer");
	expect(len, LEN, "the length after a whole read");
	for (size_t i = 0; i < LEN; i++)
		if (buf[i] != pattern(OFF + i))
			die("GETSNAPSHOT byte %zu: expected %#x, got %#x", i, pattern(OFF + i), buf[i]);
	if (buf[LEN] != 0xee)
		die("GETSNAPSHOT wrote past the snapshot's length");

	/* size query, and a short read that copies only len bytes */
	expect(getsnap(start, NULL, 0, &len), 0, "GETSNAPSHOT size query");
	expect(len, LEN, "the length from the size query");
	memset(buf, 0xee, sizeof(buf));
	expect(getsnap(start, buf, 10, &len), 0, "GETSNAPSHOT, 10-byte buffer");
	expect(len, LEN, "the length after a short read");
	if (buf[9] != pattern(OFF + 9) || buf[10] != 0xee)
		die("a short read copied the wrong bytes");

	/* bad tracer pointers: the struct itself, and buf */
	expect(raw(PTRACE_GETSNAPSHOT, sizeof(struct ptrace_snapshot_args), 8), -EFAULT,
	       "GETSNAPSHOT with the struct at 0x8");
	expect(getsnap(start, (void *)16, LEN, &len), -EFAULT, "GETSNAPSHOT into 0x10");
	expect(getsnap(start + 1, buf, LEN, &len), -ENOENT, "GETSNAPSHOT where no snapshot starts");

	/* RESTORE puts the word back and deletes the snapshot */
	expect(req(PTRACE_RESTORE, start, 0), 0, "RESTORE");
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, child, (void *)(start + 8), NULL);
	if (errno)
		die("PEEKDATA: %s", strerror(errno));
	expect(word, (long)(pattern(OFF + 8) | pattern(OFF + 9) << 8 | pattern(OFF + 10) << 16 |
			    (unsigned long)pattern(OFF + 11) << 24), "the word after RESTORE");
	expect(req(PTRACE_RESTORE, start, 0), -ENOENT, "a second RESTORE");
	expect(req(PTRACE_SNAPSHOT, start, 0), -EINVAL, "SNAPSHOT of 0 bytes");

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
