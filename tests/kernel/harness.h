/* SPDX-License-Identifier: MIT */
/*
 * harness.h - a small TAP runner for the snapshot ABI suite.
 *
 * Every case runs in its own forked process (its own process group), so a
 * case that fails, hangs or crashes cannot take the others down, and every
 * process it leaves behind is killed and reaped before the next case. After
 * each case the harness checks that kernel.ptrace_snapshot_bytes is back to
 * its value before the case, which catches leaks in any path, and puts the
 * snapshot sysctls back to what they were.
 */
#ifndef SNAPSHOT_HARNESS_H
#define SNAPSHOT_HARNESS_H

#include <stddef.h>
#include <stdint.h>

struct tcase {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s;		/* 0: the default (120 s, TCG is slow) */
};

/* Ends the current case as failed: prints "expected ..., got ..." and exits. */
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* A diagnostic line attached to the case's result. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* "ENOENT", or "success" for 0 (calls return 0 or -errno). */
const char *errstr(long r);

#define EXPECT_OK(expr) do {							\
	long _r = (expr);							\
	if (_r != 0)								\
		fail("%s: expected success, got %s", #expr, errstr(_r));	\
} while (0)

#define EXPECT_ERR(expr, err) do {						\
	long _r = (expr);							\
	if (_r != -(err))							\
		fail("%s: expected %s, got %s", #expr, errstr(-(err)), errstr(_r)); \
} while (0)

#define EXPECT_EQ(got, want, what) do {						\
	unsigned long long _g = (got), _w = (want);				\
	if (_g != _w)								\
		fail("%s: expected %llu, got %llu", what, _w, _g);		\
} while (0)

/* Sysctls (kernel.ptrace_snapshot_*). */
unsigned long sysctl_get(const char *path);
void sysctl_set(const char *path, unsigned long value);
unsigned long held_bytes(void);
/*
 * The kernel counts what it allocated (copies rounded to pages for snapshots of a page
 * or more, headers, slab rounding): held_bytes() - base lies in [bytes, bytes + bytes/16
 * + 8 pages] while the caller holds snapshots of `bytes` bytes in all.
 */
void expect_held(unsigned long base, unsigned long bytes, const char *what);
#define EXPECT_HELD(base, bytes, what) expect_held((base), (bytes), (what))

int run_cases(const struct tcase *cases, size_t n, int argc, char **argv);

#endif
