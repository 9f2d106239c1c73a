// SPDX-License-Identifier: MIT
/*
 * test_basic.c - the lab's two scenarios and the plain behaviour of the three
 * requests: restore deletes, GETSNAPSHOT sizes, unaligned ranges, several
 * regions, several tracees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "harness.h"
#include "tracee.h"

/* (a) snapshot the struct, the tracee overwrites it, restore: the tracee sees the original. */
void t_lab_restore(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
	EXPECT_HELD(base, sizeof(struct account), "ptrace_snapshot_bytes after SNAPSHOT");
	tracee_call(&t, OP_ACCT_SET, 2, 0, 0);
	CHECK(tracee_call(&t, OP_ACCT_IS, 2, 0, 0), "the tracee's struct: expected version 2 after it wrote it, got other bytes");
	EXPECT_OK(restore(t.pid, t.lay.acct));
	CHECK(tracee_call(&t, OP_ACCT_IS, 1, 0, 0), "the tracee's struct after RESTORE: expected version 1, got other bytes");
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after RESTORE");
	tracee_kill(&t);
}

/* (b) snapshot, overwrite, snapshot again: GETSNAPSHOT reads the newest copy. */
void t_lab_newest(void)
{
	struct tracee t;
	struct account v2;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
	tracee_call(&t, OP_ACCT_SET, 2, 0, 0);
	EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
	EXPECT_HELD(base, sizeof(struct account), "ptrace_snapshot_bytes after the second SNAPSHOT");
	tracee_call(&t, OP_ACCT_SET, 3, 0, 0);
	account_fill(&v2, 2);
	expect_saved(t.pid, t.lay.acct, &v2, sizeof(v2));
	CHECK(tracee_call(&t, OP_ACCT_IS, 3, 0, 0), "GETSNAPSHOT changed the tracee's memory: expected version 3");
	EXPECT_OK(restore(t.pid, t.lay.acct));
	CHECK(tracee_call(&t, OP_ACCT_IS, 2, 0, 0), "the tracee's struct after RESTORE: expected version 2 (the newest snapshot)");
	tracee_kill(&t);
}

void t_restore_deletes(void)
{
	struct tracee t;
	unsigned long base = held_bytes();

	tracee_start(&t);
	EXPECT_OK(snap(t.pid, t.lay.region, 2 * PAGE));
	EXPECT_OK(restore(t.pid, t.lay.region));
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after RESTORE");
	EXPECT_ERR(restore(t.pid, t.lay.region), ENOENT);
	EXPECT_ERR(size_query(t.pid, t.lay.region), ENOENT);
	tracee_kill(&t);
}

void t_getsnapshot_sizes(void)
{
	struct tracee t;
	const size_t len = 3 * PAGE + 5;
	unsigned char *want = malloc(len), *buf = malloc(2 * len);
	size_t iov_len;

	CHECK(want && buf, "malloc failed");
	tracee_start(&t);
	pattern_slice(want, 1, 1, len);
	EXPECT_OK(snap(t.pid, t.lay.region + 1, len));

	/* iov_len == 0 is a size query: nothing is written, iov_len becomes the length. */
	iov_len = 0;
	EXPECT_OK(getsnap(t.pid, t.lay.region + 1, NULL, &iov_len));
	EXPECT_EQ(iov_len, len, "iov_len after a size query");

	/* A short buffer gets the first iov_len bytes; the bytes after it stay untouched. */
	memset(buf, 0xa5, 2 * len);
	iov_len = 100;
	EXPECT_OK(getsnap(t.pid, t.lay.region + 1, buf, &iov_len));
	EXPECT_EQ(iov_len, len, "iov_len after a short GETSNAPSHOT");
	CHECK(!memcmp(buf, want, 100), "short GETSNAPSHOT: expected the first 100 saved bytes, got other bytes");
	for (size_t i = 100; i < 2 * len; i++)
		CHECK(buf[i] == 0xa5, "short GETSNAPSHOT wrote past iov_len: byte %zu expected 0xa5, got %#x", i, buf[i]);

	/* A long buffer gets exactly the snapshot. */
	memset(buf, 0xa5, 2 * len);
	iov_len = 2 * len;
	EXPECT_OK(getsnap(t.pid, t.lay.region + 1, buf, &iov_len));
	EXPECT_EQ(iov_len, len, "iov_len after a long GETSNAPSHOT");
	CHECK(!memcmp(buf, want, len), "long GETSNAPSHOT: expected the saved bytes, got other bytes");
	CHECK(buf[len] == 0xa5, "long GETSNAPSHOT wrote past the snapshot's length");

	/* Reading does not consume the snapshot. */
	expect_saved(t.pid, t.lay.region + 1, want, len);
	tracee_kill(&t);
	free(want);
	free(buf);
}

/* An unaligned range across pages: restore writes exactly those bytes back. */
void t_unaligned_range(void)
{
	struct tracee t;
	const size_t total = 8 * PAGE, off = 5, len = 3 * PAGE + 7;
	unsigned char *expect = malloc(total), *orig = malloc(total);

	CHECK(expect && orig, "malloc failed");
	tracee_start(&t);
	pattern(orig, total, 1);
	pattern(expect, total, 2);
	memcpy(expect + off, orig + off, len);
	EXPECT_OK(snap(t.pid, t.lay.region + off, len));
	tracee_call(&t, OP_FILL, t.lay.region, total, 2);
	EXPECT_OK(restore(t.pid, t.lay.region + off));
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, total, 0), fnv1a(expect, total),
		  "checksum of the region (restored bytes, neighbours left as overwritten)");
	tracee_kill(&t);
	free(expect);
	free(orig);
}

/*
 * Every shape the kernel stores differently: shorter than a page (kept in
 * one allocation) inside a page or across a boundary, and a page or more
 * (kept page by page, whole pages copied as pages) aligned or not. Each is
 * read back whole and cut short, then restored over other bytes.
 */
void t_storage_shapes(void)
{
	static const struct { size_t off, len; } shapes[] = {
		{ 0, 1 }, { 100, 200 }, { PAGE - 3, 6 }, { 1, PAGE - 1 },
		{ 0, PAGE }, { PAGE - 1, PAGE }, { 7, PAGE - 7 + PAGE },
		{ 0, 3 * PAGE }, { PAGE / 2, 2 * PAGE + PAGE / 2 + 1 },
	};
	const size_t total = 8 * PAGE;
	unsigned char *expect = malloc(total), *orig = malloc(total);
	static unsigned char buf[4 * PAGE];
	struct tracee t;
	size_t i;

	CHECK(expect && orig, "malloc failed");
	tracee_start(&t);
	pattern(orig, total, 1);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t off = PAGE + shapes[i].off, len = shapes[i].len, cut;
		unsigned int seed = 5 + i;

		tracee_call(&t, OP_FILL, t.lay.region, total, 1);
		EXPECT_OK(snap(t.pid, t.lay.region + off, len));
		expect_saved(t.pid, t.lay.region + off, orig + off, len);
		cut = len / 2 + 1;
		memset(buf, 0xa5, sizeof(buf));
		EXPECT_OK(getsnap(t.pid, t.lay.region + off, buf, &cut));
		EXPECT_EQ(cut, len, "iov_len after a GETSNAPSHOT cut short");
		CHECK(!memcmp(buf, orig + off, len / 2 + 1) && buf[len / 2 + 1] == 0xa5,
		      "GETSNAPSHOT of %zu bytes at page offset %zu cut at %zu: other bytes than expected",
		      len, shapes[i].off, len / 2 + 1);
		tracee_call(&t, OP_FILL, t.lay.region, total, seed);
		EXPECT_OK(restore(t.pid, t.lay.region + off));
		pattern(expect, total, seed);
		memcpy(expect + off, orig + off, len);
		CHECK(tracee_call(&t, OP_CSUM, t.lay.region, total, 0) == fnv1a(expect, total),
		      "checksum after restoring %zu bytes at page offset %zu: other bytes than expected",
		      len, shapes[i].off);
	}
	tracee_kill(&t);
	free(expect);
	free(orig);
}

/* Several regions of one tracee, restored one by one in another order. */
void t_multiple_regions(void)
{
	static const unsigned char zero_page[PAGE];
	struct tracee t;
	unsigned long base = held_bytes();
	const size_t total = REGION_PAGES * PAGE;
	unsigned char *expect = malloc(total), *orig = malloc(total);

	CHECK(expect && orig, "malloc failed");
	tracee_start(&t);
	pattern(orig, total, 1);
	pattern(expect, total, 3);
	EXPECT_OK(snap(t.pid, t.lay.acct, sizeof(struct account)));
	EXPECT_OK(snap(t.pid, t.lay.region, 2 * PAGE));
	EXPECT_OK(snap(t.pid, t.lay.region + 10 * PAGE, 3 * PAGE));
	EXPECT_OK(snap(t.pid, t.lay.hole, PAGE));
	EXPECT_HELD(base, sizeof(struct account) + 6 * PAGE, "ptrace_snapshot_bytes with four snapshots");

	tracee_call(&t, OP_ACCT_SET, 5, 0, 0);
	tracee_call(&t, OP_FILL, t.lay.region, total, 3);
	tracee_call(&t, OP_FILL, t.lay.hole, PAGE, 4);

	EXPECT_OK(restore(t.pid, t.lay.region + 10 * PAGE));
	memcpy(expect + 10 * PAGE, orig + 10 * PAGE, 3 * PAGE);
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, total, 0), fnv1a(expect, total),
		  "region checksum after restoring pages 10-12");
	CHECK(tracee_call(&t, OP_ACCT_IS, 5, 0, 0), "the struct changed when another region was restored");

	EXPECT_OK(restore(t.pid, t.lay.acct));
	CHECK(tracee_call(&t, OP_ACCT_IS, 1, 0, 0), "the struct after its RESTORE: expected version 1");
	EXPECT_OK(restore(t.pid, t.lay.hole));
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.hole, PAGE, 0), fnv1a(zero_page, PAGE),
		  "checksum of the hole's first page, never written before the snapshot");
	EXPECT_OK(restore(t.pid, t.lay.region));
	memcpy(expect, orig, 2 * PAGE);
	EXPECT_EQ(tracee_call(&t, OP_CSUM, t.lay.region, total, 0), fnv1a(expect, total),
		  "region checksum after restoring pages 0-1");
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after every RESTORE");
	tracee_kill(&t);
	free(expect);
	free(orig);
}

/* Snapshots belong to one tracee, even at the same address in another one. */
void t_several_tracees(void)
{
	enum { N = 4 };
	struct tracee t[N];
	unsigned long base = held_bytes();
	const size_t len = 4 * PAGE;
	const uint64_t orig = pattern_csum(len, 1);

	for (int i = 0; i < N; i++) {
		tracee_start(&t[i]);
		EXPECT_OK(snap(t[i].pid, t[i].lay.region, len));
	}
	EXPECT_HELD(base, N * len, "ptrace_snapshot_bytes with one snapshot in each of 4 tracees");
	for (int i = 0; i < N; i++)
		tracee_call(&t[i], OP_FILL, t[i].lay.region, len, 10 + i);
	for (int i = 0; i < N; i += 2)
		EXPECT_OK(restore(t[i].pid, t[i].lay.region));
	for (int i = 0; i < N; i++) {
		uint64_t want = i % 2 ? pattern_csum(len, 10 + i) : orig;

		EXPECT_EQ(tracee_call(&t[i], OP_CSUM, t[i].lay.region, len, 0), want,
			  i % 2 ? "checksum of a tracee that was not restored" : "checksum of a restored tracee");
	}
	for (int i = 1; i < N; i += 2) {
		EXPECT_EQ(snap_len(t[i].pid, t[i].lay.region), len, "length of an untouched tracee's snapshot");
		EXPECT_OK(restore(t[i].pid, t[i].lay.region));
		EXPECT_EQ(tracee_call(&t[i], OP_CSUM, t[i].lay.region, len, 0), orig, "checksum after the late RESTORE");
	}
	EXPECT_EQ(held_bytes(), base, "ptrace_snapshot_bytes after every RESTORE");
	for (int i = 0; i < N; i++)
		tracee_kill(&t[i]);
}
