// SPDX-License-Identifier: MIT
/*
 * snapshot_compat32 - the three requests from a 32-bit tracer of a 32-bit
 * tracee, through compat_sys_ptrace(): SNAPSHOT and RESTORE take the
 * common path with 32-bit arguments, GETSNAPSHOT its own with a struct
 * compat_iovec. Built with -m32 next to snapshot_abi, whose "compat" case
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
#include <sys/uio.h>
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

static long req(int request, unsigned long addr, unsigned long data)
{
	long r = ptrace(request, child, (void *)addr, (void *)data);

	return r < 0 ? -errno : r;
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

/* GETSNAPSHOT with a compat iovec of (base, len): the return and the length the kernel put back. */
static long getsnap(unsigned long start, void *base, uint32_t len, uint32_t *out)
{
	struct iovec iov = { .iov_base = base, .iov_len = len };
	long r;

	_Static_assert(sizeof(iov) == 8, "a 32-bit struct iovec");
	r = req(PTRACE_GETSNAPSHOT, start, (unsigned long)&iov);
	*out = (uint32_t)iov.iov_len;
	return r;
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
	expect(req(PTRACE_POKEDATA, start + 8, 0x5a5a5a5a), 0, "POKEDATA");

	/* whole copy, and iov_len set to the snapshot's length */
	memset(buf, 0xee, sizeof(buf));
	expect(getsnap(start, buf, sizeof(buf), &len), 0, "GETSNAPSHOT, large buffer");
	expect(len, LEN, "iov_len after a whole read");
	for (size_t i = 0; i < LEN; i++)
		if (buf[i] != pattern(OFF + i))
			die("GETSNAPSHOT byte %zu: expected %#x, got %#x", i, pattern(OFF + i), buf[i]);
	if (buf[LEN] != 0xee)
		die("GETSNAPSHOT wrote past the snapshot's length");

	/* size query, and a short read that copies only iov_len bytes */
	expect(getsnap(start, NULL, 0, &len), 0, "GETSNAPSHOT size query");
	expect(len, LEN, "iov_len after the size query");
	memset(buf, 0xee, sizeof(buf));
	expect(getsnap(start, buf, 10, &len), 0, "GETSNAPSHOT, 10-byte buffer");
	expect(len, LEN, "iov_len after a short read");
	if (buf[9] != pattern(OFF + 9) || buf[10] != 0xee)
		die("a short read copied the wrong bytes");

	/* bad tracer pointers: the iovec itself, and its base */
	expect(req(PTRACE_GETSNAPSHOT, start, 8), -EFAULT, "GETSNAPSHOT with the iovec at 0x8");
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
