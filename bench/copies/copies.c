// SPDX-License-Identifier: MIT
/*
 * copies.c - every way a tracer copies a stopped tracee's memory, from C, at
 * one region size, against memcpy (the physical floor) in the same run:
 *
 *   memcpy            within the tracer (no kernel)
 *   peek / poke       PTRACE_PEEKDATA / POKEDATA, one word a call
 *   mem read / write  pread / pwrite on /proc/PID/mem
 *   readv / writev    process_vm_readv / process_vm_writev
 *
 *   copies LEN ROUNDS
 *
 * The tracee holds a 16 MiB anonymous mapping, every page touched. Each
 * method is timed ROUNDS times, the rounds interleaved (memcpy, peek, ...,
 * memcpy, peek, ...) so that load hits all alike; each round copies at least
 * 8 MiB (or one region), in as many calls as that takes. One line a method:
 *
 *   METHOD LEN us-per-copy-round-1 us-per-copy-round-2 ...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AREA (16UL << 20)
#define METHODS 7
#define MAX_ROUNDS 64

static const char *names[METHODS] = { "memcpy", "peek", "poke", "mem-read", "mem-write", "readv", "writev" };

static pid_t child;
static int memfd;
static char *local, *local2;
static uintptr_t remote;

static void die(const char *what)
{
	fprintf(stderr, "copies: %s: %s\n", what, strerror(errno));
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void copy(int method, size_t len)
{
	struct iovec l = { local, len }, r = { (void *)remote, len };

	switch (method) {
	case 0:
		memcpy(local2, local, len);
		__asm__ volatile("" : : "r"(local2) : "memory");
		break;
	case 1:
		for (size_t off = 0; off < len; off += sizeof(long)) {
			errno = 0;
			long w = ptrace(PTRACE_PEEKDATA, child, (void *)(remote + off), NULL);

			if (w == -1 && errno)
				die("PTRACE_PEEKDATA");
			memcpy(local + off, &w, sizeof(w));
		}
		break;
	case 2:
		for (size_t off = 0; off < len; off += sizeof(long)) {
			long w;

			memcpy(&w, local + off, sizeof(w));
			if (ptrace(PTRACE_POKEDATA, child, (void *)(remote + off), (void *)w) == -1)
				die("PTRACE_POKEDATA");
		}
		break;
	case 3:
		if (pread(memfd, local, len, (off_t)remote) != (ssize_t)len)
			die("pread /proc/PID/mem");
		break;
	case 4:
		if (pwrite(memfd, local, len, (off_t)remote) != (ssize_t)len)
			die("pwrite /proc/PID/mem");
		break;
	case 5:
		if (process_vm_readv(child, &l, 1, &r, 1, 0) != (ssize_t)len)
			die("process_vm_readv");
		break;
	case 6:
		if (process_vm_writev(child, &l, 1, &r, 1, 0) != (ssize_t)len)
			die("process_vm_writev");
		break;
	}
}

int main(int argc, char **argv)
{
	size_t len = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	double times[METHODS][MAX_ROUNDS];
	char path[64];
	int status;

	if (len < sizeof(long) || len > AREA || len % sizeof(long) || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: copies LEN (8..%lu, a multiple of 8) ROUNDS (1..%d)\n", AREA, MAX_ROUNDS);
		return 2;
	}
	local = aligned_alloc(4096, AREA);
	local2 = aligned_alloc(4096, AREA);
	if (!local || !local2)
		die("aligned_alloc");
	memset(local, 0x5a, AREA);
	memset(local2, 0xa5, AREA);
	/* the tracee's region: mapped before the fork, so its address is known here */
	char *area = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		die("mmap");
	remote = (uintptr_t)area;
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		memset(area, 0x11, AREA);   /* its own pages, not shared with the tracer's copy-on-write ones */
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status))
		die("waitpid");
	snprintf(path, sizeof(path), "/proc/%d/mem", child);
	memfd = open(path, O_RDWR);
	if (memfd < 0)
		die(path);

	size_t per_round = len >= (8UL << 20) ? 1 : (8UL << 20) / len;
	for (int m = 0; m < METHODS; m++)
		copy(m, len);   /* warm up: page tables, caches */
	for (int k = 0; k < rounds; k++) {
		for (int m = 0; m < METHODS; m++) {
			/* a word at a time: cap the calls so a round stays near a second */
			size_t n = (m == 1 || m == 2) ? (per_round * len > (2UL << 20) ? ((2UL << 20) / len ? (2UL << 20) / len : 1) : per_round) : per_round;
			double t = now_us();

			for (size_t i = 0; i < n; i++)
				copy(m, len);
			times[m][k] = (now_us() - t) / n;
		}
	}
	for (int m = 0; m < METHODS; m++) {
		printf("%s %zu", names[m], len);
		for (int k = 0; k < rounds; k++)
			printf(" %.3f", times[m][k]);
		printf("\n");
	}
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return 0;
}
