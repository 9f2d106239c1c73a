/* SPDX-License-Identifier: MIT */
/*
 * tracee.h - tracees driven by their tracer, and the snapshot calls.
 *
 * A tracee is a forked child that PTRACE_TRACEMEs, reports the addresses of
 * its memory (struct layout) through a pipe, and then serves commands: it
 * stops (raise(SIGSTOP)), and when its tracer continues it, reads one command
 * from a pipe, runs it in its own address space, replies and stops again. So
 * the tracee really does touch its own memory between the tracer's calls, and
 * no address is hard-coded.
 */
#ifndef SNAPSHOT_TRACEE_H
#define SNAPSHOT_TRACEE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PAGE 4096UL
#define REGION_PAGES 64UL

/* The lab's heap-allocated struct. */
struct account {
	char owner[32];
	long balance;
	long history[64];
	struct account *next;
	unsigned int version;
};

/* The contents of an account at a given version (1 is the initial one). */
void account_fill(struct account *a, unsigned int version);

struct layout {
	uintptr_t acct;		/* malloc'ed struct account, version 1 */
	uintptr_t region;	/* REGION_PAGES read-write pages, pattern(seed 1) */
	uintptr_t ro;		/* one read-only page */
	uintptr_t hole;		/* three pages, the middle one unmapped, the others writable */
	uintptr_t text;		/* a function of the tracee: r-x */
};

struct tracee {
	pid_t pid;
	int cmd_fd;
	int res_fd;
	struct layout lay;
};

enum tracee_op {
	OP_NOP,
	OP_FILL,	/* a=addr b=len c=seed: write pattern(c) */
	OP_CSUM,	/* a=addr b=len: fnv1a of the bytes */
	OP_ACCT_SET,	/* a=version: account_fill(acct, a) */
	OP_ACCT_IS,	/* a=version: 1 if the account equals version a */
	OP_MMAP,	/* a=len b=prot c=seed: new anonymous mapping (filled if writable) */
	OP_MMAP_SHARED,	/* a=len b=fd: shared read-write mapping of an inherited fd */
	OP_MMAP_LAZY,	/* a=len b=prot: MAP_NORESERVE, untouched (larger than memory is fine) */
	OP_MUNMAP,	/* a=addr b=len */
	OP_MPROTECT,	/* a=addr b=len c=prot */
	OP_FORK,	/* the child sleeps forever; returns its pid */
	OP_EXEC,	/* exec /proc/self/exe --exec-tracee */
	OP_EXIT,	/* a=status */
};

/* Starts a tracee of the calling thread; returns with it stopped. */
void tracee_start(struct tracee *t);
/* Runs one command in the tracee and returns its result, the tracee stopped again. */
uint64_t tracee_call(struct tracee *t, enum tracee_op op, uint64_t a, uint64_t b, uint64_t c);
/* Sends a command and continues the tracee without waiting (OP_EXEC, OP_EXIT). */
void tracee_send(struct tracee *t, enum tracee_op op, uint64_t a);
/* Waits for the tracee's next SIGSTOP, continuing it over ptrace event stops. */
void tracee_wait_stop(struct tracee *t);
/* SIGKILL and reap. */
void tracee_kill(struct tracee *t);
/* What the exec'd image of a tracee runs (main() dispatches --exec-tracee here). */
void exec_tracee_main(void) __attribute__((noreturn));

/* The requests; each returns 0 or -errno. */
long snap_req(int req, pid_t pid, const void *args, unsigned long size);	/* raw: result or -errno */
long snap(pid_t pid, uintptr_t start, size_t len);
long restore(pid_t pid, uintptr_t start);
long restore_data(pid_t pid, uintptr_t start, unsigned long data);
/* GETSNAPSHOT of up to *len bytes into buf; *len becomes the snapshot's length (the result). */
long getsnap(pid_t pid, uintptr_t start, void *buf, size_t *len);
/* GETSNAPSHOT into an arbitrary buf address (bad pointers): 0 or -errno. */
long getsnap_buf(pid_t pid, uintptr_t start, uintptr_t buf, size_t len);
/* GETSNAPSHOT with an arbitrary pointer to the argument struct (bad pointers). */
long getsnap_raw(pid_t pid, uintptr_t start, unsigned long data);
/* A GETSNAPSHOT size query (iov_len 0): 0 or -errno. */
long size_query(pid_t pid, uintptr_t start);
/* Length of the snapshot at start (a size query that must succeed). */
size_t snap_len(pid_t pid, uintptr_t start);

/* Deterministic test bytes, relative to the start of the fill. */
void pattern(void *buf, size_t len, unsigned int seed);
uint64_t fnv1a(const void *buf, size_t len);
uint64_t pattern_csum(size_t len, unsigned int seed);
/* The bytes [off, off+len) of the region's pattern(seed) fill. */
void pattern_slice(void *buf, unsigned int seed, size_t off, size_t len);
/* Fails unless the saved copy at start is exactly `want` (len bytes). */
void expect_saved(pid_t pid, uintptr_t start, const void *want, size_t len);

#endif
