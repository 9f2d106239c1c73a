// SPDX-License-Identifier: MIT
/*
 * test_overlap.c - snapshots never overlap: a new one replaces every one it
 * overlaps (partially at either end, inside, or several at once), and
 * adjacent ones are left alone.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"

#define R(t, p) ((t).lay.region + (p) * PAGE)

static void expect_gone(pid_t pid, uintptr_t start, const char *what)
{
	size_t len = 0;
	long r = getsnap(pid, start, NULL, &len);

	if (r != -ENOENT)
		fail("GETSNAPSHOT of the %s: expected ENOENT (replaced), got %s", what, errstr(r));
}

/* The new snapshot covers the old one's end. */
void t_overlap_end(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, R(t, 2), 4 * PAGE));
	EXPECT_OK(snap(t.pid, R(t, 4), 4 * PAGE));
	expect_gone(t.pid, R(t, 2), "snapshot whose end was overlapped");
	EXPECT_EQ(snap_len(t.pid, R(t, 4)), 4 * PAGE, "length of the new snapshot");
	EXPECT_HELD(base, 4 * PAGE, "ptrace_snapshot_bytes after the replacement");
	/* Overlapping by a single byte is enough. */
	EXPECT_OK(snap(t.pid, R(t, 20), 100));
	EXPECT_OK(snap(t.pid, R(t, 20) + 99, 10));
	expect_gone(t.pid, R(t, 20), "snapshot overlapped by one byte");
	tracee_kill(&t);
}

/* The new snapshot covers the old one's start. */
void t_overlap_start(void)
{
	struct tracee t;
	unsigned long base = held_bytes();
	unsigned char want[3 * PAGE];

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, R(t, 4), 4 * PAGE));
	tracee_call(&t, OP_FILL, R(t, 0), 16 * PAGE, 6);
	EXPECT_OK(snap(t.pid, R(t, 2), 3 * PAGE));
	expect_gone(t.pid, R(t, 4), "snapshot whose start was overlapped");
	pattern_slice(want, 6, 2 * PAGE, sizeof(want));
	expect_saved(t.pid, R(t, 2), want, sizeof(want));
	EXPECT_HELD(base, 3 * PAGE, "ptrace_snapshot_bytes after the replacement");
	EXPECT_OK(snap(t.pid, R(t, 20) + 50, 100));
	EXPECT_OK(snap(t.pid, R(t, 20), 51));
	expect_gone(t.pid, R(t, 20) + 50, "snapshot whose first byte was overlapped");
	tracee_kill(&t);
}

/* One new snapshot replaces several, and one inside a bigger one replaces it. */
void t_overlap_several(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, R(t, 0), PAGE));
	EXPECT_OK(snap(t.pid, R(t, 2), PAGE));
	EXPECT_OK(snap(t.pid, R(t, 4), PAGE));
	EXPECT_OK(snap(t.pid, R(t, 6), PAGE));		/* not overlapped: stays */
	EXPECT_OK(snap(t.pid, R(t, 0) + 10, 5 * PAGE - 20));
	expect_gone(t.pid, R(t, 0), "first of three covered snapshots");
	expect_gone(t.pid, R(t, 2), "second of three covered snapshots");
	expect_gone(t.pid, R(t, 4), "third of three covered snapshots");
	EXPECT_EQ(snap_len(t.pid, R(t, 6)), PAGE, "length of the snapshot next to them");
	EXPECT_HELD(base, 6 * PAGE - 20, "ptrace_snapshot_bytes after replacing three by one");

	EXPECT_OK(snap(t.pid, R(t, 10), 8 * PAGE));
	EXPECT_OK(snap(t.pid, R(t, 12), PAGE));		/* inside the 8-page one */
	expect_gone(t.pid, R(t, 10), "snapshot containing the new one");
	EXPECT_HELD(base, 7 * PAGE - 20, "ptrace_snapshot_bytes after replacing by an inner snapshot");
	tracee_kill(&t);
}

/* Touching is not overlapping. */
void t_adjacent_kept(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, R(t, 0), 2 * PAGE));
	EXPECT_OK(snap(t.pid, R(t, 2), 2 * PAGE));
	EXPECT_OK(snap(t.pid, R(t, 4) + 1, 10));
	EXPECT_OK(snap(t.pid, R(t, 4), 1));
	EXPECT_EQ(snap_len(t.pid, R(t, 0)), 2 * PAGE, "the lower of two adjacent snapshots");
	EXPECT_EQ(snap_len(t.pid, R(t, 2)), 2 * PAGE, "the upper of two adjacent snapshots");
	EXPECT_EQ(snap_len(t.pid, R(t, 4) + 1), 10, "the snapshot right after a 1-byte one");
	EXPECT_EQ(snap_len(t.pid, R(t, 4)), 1, "the 1-byte snapshot");
	EXPECT_HELD(base, 4 * PAGE + 11, "ptrace_snapshot_bytes with adjacent snapshots");
	tracee_kill(&t);
}
