/* SPDX-License-Identifier: MIT */
/*
 * kasan_stress.c - a bounded random-argument stress of PTRACE_SNAPSHOT, PTRACE_RESTORE and
 * PTRACE_GETSNAPSHOT, for the KASAN + kmemleak + lockdep guest (kernel-patch/kasan-run.sh).
 * It checks no results: the kernel log is the verdict (KASAN, lockdep, might_sleep, kmemleak).
 *
 *   kasan_stress [SECONDS [SEED]]     (default 120 s; exit 0 unless the stress itself broke)
 *
 * WORKERS tracer processes loop until the deadline. Each forks a tracee, seizes it with
 * TRACECLONE/FORK/VFORK/EXEC/EXIT, and at every stop of any of its threads (or forked
 * children) issues random requests: addresses inside and around its mappings or anywhere
 * (0, kernel, non-canonical), random lengths (0, 1, pages, up to 64 MiB, overflowing), argument
 * sizes, flags, and good or bad argument and buffer pointers. Meanwhile the tracee's threads
 * munmap, remap (anonymous or a MAP_SHARED memfd), mprotect and write a page pool, create
 * threads, fork, and exec themselves from any thread. A killer thread in each tracer SIGKILLs
 * the tracee at random moments (through a pidfd, so never a recycled pid), the main process
 * SIGKILLs whole tracers at random moments (their tracees die with them: EXITKILL), and a
 * sysctl thread flips the snapshot limits between tiny and default. At the end
 * kernel.ptrace_snapshot_bytes must be back to its value at the start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tsdbg_ptrace.h"

#define WORKERS 3
#define POOL_PAGES 64

static long page;
static char *self_exe;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the tracee ---- */

static char *pool;
static int pool_state[POOL_PAGES];	/* 0: RW anon, 1: RO, 2: unmapped, 3: shared memfd */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int memfd = -1;

/* A child that exits at once, by fork or vfork (its own frame: vfork shares the stack). */
static __attribute__((noinline)) void short_child(int use_vfork)
{
	pid_t c = use_vfork ? vfork() : fork();

	if (c == 0)
		_exit(0);
	if (c > 0)
		waitpid(c, NULL, 0);
}

static void *tracee_thread(void *arg)
{
	uint64_t s = (uintptr_t)arg | 1;
	int short_lived = (uintptr_t)arg & 0x100000;

	for (unsigned long n = 0;; n++) {
		unsigned int r = rnd(&s) % 1000, i = rnd(&s) % POOL_PAGES;
		char *p = pool + i * page;

		if (short_lived && n > 50)
			return NULL;
		pthread_mutex_lock(&pool_lock);
		if (r < 500) {
			if (pool_state[i] == 0 || pool_state[i] == 3)
				memset(p, (int)n, rnd(&s) % page + 1);
		} else if (r < 620) {
			munmap(p, page);
			pool_state[i] = 2;
		} else if (r < 740) {
			if (mmap(p, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p)
				pool_state[i] = 0;
		} else if (r < 800) {
			if (memfd >= 0 && mmap(p, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd,
					       (i % 4) * page) == p)
				pool_state[i] = 3;
		} else if (r < 880) {
			if (pool_state[i] != 2) {
				int ro = rnd(&s) & 1;

				mprotect(p, page, ro ? PROT_READ : PROT_READ | PROT_WRITE | PROT_EXEC);
				pool_state[i] = ro ? 1 : (pool_state[i] == 3 ? 3 : 0);
			}
		}
		pthread_mutex_unlock(&pool_lock);
		if (r >= 880 && r < 920 && !short_lived) {
			pthread_t t;

			if (pthread_create(&t, NULL, tracee_thread, (void *)(uintptr_t)(rnd(&s) | 0x100000)) == 0)
				pthread_detach(t);
		} else if (r >= 920 && r < 950) {
			short_child(rnd(&s) & 1);
		} else if (r == 950 && !short_lived) {
			char *argv[] = { self_exe, "--tracee", NULL };

			execv(self_exe, argv);
		} else if (r > 990) {
			sched_yield();
		}
	}
	return NULL;
}

static void tracee_main(void)
{
	pthread_t t;

	pool = mmap(NULL, POOL_PAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		_exit(3);
	memfd = memfd_create("kasan-stress", 0);
	if (memfd >= 0 && ftruncate(memfd, 4 * page) != 0)
		memfd = -1;
	pthread_create(&t, NULL, tracee_thread, (void *)(uintptr_t)(getpid() * 7919UL));
	tracee_thread((void *)(uintptr_t)(getpid() * 104729UL));
}

/* ---- the tracer ---- */

struct range { uint64_t lo, hi; };

static int read_maps(pid_t tid, struct range *r, int max)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			r[n++] = (struct range){ lo, hi };
	}
	fclose(f);
	return n;
}

static uint64_t random_len(uint64_t *s)
{
	static const uint64_t fixed[] = { 0, 1, 7, 4095, 4096, 4097, 8192, 65536, 1 << 20, 16 << 20,
					  (16 << 20) + 1, 64 << 20, 1ULL << 62, ~0ULL, ~0ULL - 4095 };
	unsigned int r = rnd(s) % 10;

	if (r < 4)
		return fixed[rnd(s) % (sizeof(fixed) / sizeof(fixed[0]))];
	if (r < 8)
		return rnd(s) % (4 * page) + 1;
	return rnd(s) % (2 << 20);
}

static uint64_t random_addr(uint64_t *s, struct range *m, int nm)
{
	static const uint64_t odd[] = { 0, 1, 4096, 0x7ffffffff000ULL, 0x800000000000ULL,
					0xffff800000000000ULL, 0xffffffffff600000ULL, ~0ULL };
	unsigned int r = rnd(s) % 10;

	if (nm > 0 && r < 8) {
		struct range g = m[rnd(s) % nm];
		uint64_t span = g.hi - g.lo;

		if (r < 5)
			return g.lo + (rnd(s) % span);			/* inside */
		if (r < 7)
			return g.lo + (rnd(s) % (span / page + 1)) * page; /* page aligned */
		return g.hi - (rnd(s) % (2 * page));		/* straddling the end */
	}
	if (r == 8)
		return odd[rnd(s) % (sizeof(odd) / sizeof(odd[0]))];
	return rnd(s) & 0x7fffffffffffULL;
}

/* Calls and successes per request, and tracee stops, over all tracers (shared memory). */
struct tally { unsigned long calls[3], ok[3], stops, tracees; };
static struct tally *tally;

static char *scratch;	/* 64 MiB + a page: GETSNAPSHOT's buffer */
#define SCRATCH (64UL << 20)

static void random_requests(pid_t tid, pid_t leader, uint64_t *s)
{
	static const long reqs[] = { PTRACE_SNAPSHOT, PTRACE_RESTORE, PTRACE_GETSNAPSHOT };
	struct range m[256];
	int nm = read_maps(tid, m, 256), calls = rnd(s) % 12 + 1;
	/* Kept across stops: a RESTORE or GETSNAPSHOT through another thread, or after an exec. */
	static uint64_t last;

	for (int i = 0; i < calls; i++) {
		struct ptrace_snapshot_args a = { 0 };
		unsigned long asize = sizeof(a);
		void *data = &a;
		int which = rnd(s) % 3;
		long req = reqs[which];
		unsigned int r = rnd(s) % 100;

		/* Often reuse the last address: RESTORE and GETSNAPSHOT then find something. */
		a.addr = (last && r < 40) ? last : random_addr(s, m, nm);
		a.len = random_len(s);
		if (req == PTRACE_RESTORE && r < 80)
			a.len = 0;
		if (req == PTRACE_GETSNAPSHOT) {
			uint64_t want = a.len > SCRATCH ? SCRATCH : a.len;

			a.len = (r % 7 == 0) ? 0 : want;
			a.buf = (uintptr_t)scratch;
			if (r % 11 == 0)
				a.buf = random_addr(s, NULL, 0);		/* a bad buffer */
			else if (r % 13 == 0)
				a.buf = (uintptr_t)scratch + SCRATCH - rnd(s) % page; /* runs off the end */
		}
		if (r % 17 == 0)
			a.flags = rnd(s);
		if (r % 19 == 0)
			asize = rnd(s) % 64;
		if (r % 23 == 0)
			data = (void *)(uintptr_t)random_addr(s, NULL, 0);
		if (r % 29 == 0)
			data = NULL;
		long ret = ptrace(req, tid, (void *)asize, data);

		__atomic_add_fetch(&tally->calls[which], 1, __ATOMIC_RELAXED);
		if (ret >= 0)
			__atomic_add_fetch(&tally->ok[which], 1, __ATOMIC_RELAXED);
		if (ret >= 0 && req == PTRACE_SNAPSHOT)
			last = a.addr;
		if (r % 31 == 0)	/* the leader, running or stopped: ESRCH or a call */
			ptrace(req, leader, (void *)asize, data);
	}
}

static pthread_mutex_t victim_lock = PTHREAD_MUTEX_INITIALIZER;
static int victim_fd = -1;	/* pidfd of the current tracee */

static void *killer(void *arg)
{
	uint64_t s = (uintptr_t)arg | 1;

	for (;;) {
		/* About one SIGKILL per 400 ms: a debug kernel under TCG needs that long to get going. */
		struct timespec d = { 0, (long)(rnd(&s) % 100000000) };

		nanosleep(&d, NULL);
		if (rnd(&s) % 8)
			continue;
		pthread_mutex_lock(&victim_lock);
		if (victim_fd >= 0)
			syscall(SYS_pidfd_send_signal, victim_fd, SIGKILL, NULL, 0);
		pthread_mutex_unlock(&victim_lock);
	}
	return NULL;
}

/* Kills and reaps everything this tracer still traces. */
static void drain(pid_t pid)
{
	int st;
	pid_t w;

	kill(pid, SIGKILL);
	while ((w = waitpid(-1, &st, __WALL)) > 0) {
		if (WIFSTOPPED(st)) {
			kill(w, SIGKILL);
			ptrace(PTRACE_CONT, w, 0, 0);
		}
	}
}

static void one_tracee(uint64_t *s)
{
	long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
		    PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;
	int stops = rnd(s) % 300 + 20, fd;
	pid_t pid = fork();

	if (pid < 0)
		return;
	if (pid == 0) {
		char *argv[] = { self_exe, "--tracee", NULL };

		execv(self_exe, argv);
		_exit(4);
	}
	__atomic_add_fetch(&tally->tracees, 1, __ATOMIC_RELAXED);
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)opts) != 0) {
		if (fd >= 0)
			close(fd);
		drain(pid);
		return;
	}
	pthread_mutex_lock(&victim_lock);
	victim_fd = fd;
	pthread_mutex_unlock(&victim_lock);
	while (stops-- > 0) {
		int st, sig = 0;
		pid_t w;

		ptrace(PTRACE_INTERRUPT, pid, 0, 0);
		w = waitpid(-1, &st, __WALL);
		if (w < 0)
			break;
		if (!WIFSTOPPED(st)) {
			if (w == pid)
				break;
			continue;
		}
		__atomic_add_fetch(&tally->stops, 1, __ATOMIC_RELAXED);
		if (rnd(s) % 4)
			random_requests(w, pid, s);
		if (WSTOPSIG(st) != SIGTRAP && WSTOPSIG(st) != SIGSTOP && (st >> 16) == 0)
			sig = WSTOPSIG(st);	/* a signal-delivery stop (SIGCHLD) */
		if (rnd(s) % 200 == 0)
			ptrace(PTRACE_DETACH, w, 0, (void *)1000L);	/* invalid signal: EIO */
		ptrace(PTRACE_CONT, w, 0, (void *)(long)sig);
	}
	pthread_mutex_lock(&victim_lock);
	victim_fd = -1;
	pthread_mutex_unlock(&victim_lock);
	if (fd >= 0)
		close(fd);
	drain(pid);
}

static void worker(double deadline, uint64_t seed)
{
	pthread_t t;
	uint64_t s = seed | 1;

	scratch = mmap(NULL, SCRATCH + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		_exit(5);
	munmap(scratch + SCRATCH, page);	/* a hole right after it */
	pthread_create(&t, NULL, killer, (void *)(uintptr_t)(seed * 31));
	while (now() < deadline)
		one_tracee(&s);
	_exit(0);
}

/* ---- the sysctl flipper and main ---- */

static void write_ul(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%lu\n", v);
		fclose(f);
	}
}

static unsigned long read_ul(const char *path)
{
	unsigned long v = ~0UL;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = ~0UL;
		fclose(f);
	}
	return v;
}

static volatile int flipping = 1;

static void *flipper(void *arg)
{
	uint64_t s = (uintptr_t)arg | 1;

	while (flipping) {
		struct timespec d = { 0, 50000000 };

		write_ul(TSDBG_SYSCTL_MAX_COUNT, rnd(&s) % 4 ? TSDBG_SNAPSHOT_DEFAULT_MAX_COUNT : rnd(&s) % 8);
		write_ul(TSDBG_SYSCTL_MAX_TOTAL, rnd(&s) % 4 ? TSDBG_SNAPSHOT_DEFAULT_MAX_TOTAL : rnd(&s) % 65536);
		write_ul(TSDBG_SYSCTL_MAX_TRACER, rnd(&s) % 4 ? TSDBG_SNAPSHOT_DEFAULT_MAX_TRACER : rnd(&s) % (1 << 20));
		nanosleep(&d, NULL);
	}
	return NULL;
}

static pid_t start_worker(double deadline, uint64_t seed)
{
	pid_t p = fork();

	if (p == 0)
		worker(deadline, seed);
	return p;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 120, deadline;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL), s;
	unsigned long held0, held, count0, total0, tracer0;
	unsigned long tracers = 0, killed = 0;
	pid_t w[WORKERS];
	pthread_t ft;
	int bad = 0;

	page = sysconf(_SC_PAGESIZE);
	self_exe = realpath("/proc/self/exe", NULL);
	if (argc > 1 && strcmp(argv[1], "--tracee") == 0) {
		tracee_main();
		return 0;
	}
	s = seed | 1;
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		return 2;
	held0 = read_ul(TSDBG_SYSCTL_HELD);
	count0 = read_ul(TSDBG_SYSCTL_MAX_COUNT);
	total0 = read_ul(TSDBG_SYSCTL_MAX_TOTAL);
	tracer0 = read_ul(TSDBG_SYSCTL_MAX_TRACER);
	printf("kasan_stress: %.0f s, seed %llu, %d tracers, held bytes at start %lu\n", secs,
	       (unsigned long long)seed, WORKERS, held0);
	fflush(stdout);
	deadline = now() + secs;
	pthread_create(&ft, NULL, flipper, (void *)(uintptr_t)(seed * 17));
	for (int i = 0; i < WORKERS; i++, tracers++)
		w[i] = start_worker(deadline, rnd(&s));
	while (now() < deadline) {
		struct timespec d = { 0, (long)(rnd(&s) % 1000000000) };

		nanosleep(&d, NULL);
		if (rnd(&s) % 8 == 0) {	/* a tracer SIGKILLed about every 4 s */
			int i = rnd(&s) % WORKERS;

			kill(w[i], SIGKILL);
			waitpid(w[i], NULL, 0);
			killed++;
			w[i] = start_worker(deadline, rnd(&s));
			tracers++;
		}
	}
	for (int i = 0; i < WORKERS; i++) {
		int st;

		if (waitpid(w[i], &st, 0) == w[i] && !(WIFEXITED(st) && WEXITSTATUS(st) == 0) &&
		    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)) {
			printf("kasan_stress: tracer %d ended with status %#x\n", w[i], st);
			bad = 1;
		}
	}
	flipping = 0;
	pthread_join(ft, NULL);
	write_ul(TSDBG_SYSCTL_MAX_COUNT, count0);
	write_ul(TSDBG_SYSCTL_MAX_TOTAL, total0);
	write_ul(TSDBG_SYSCTL_MAX_TRACER, tracer0);
	/* Snapshots go with their tracees; the last SIGKILLed ones may take a moment. */
	for (int i = 0; i < 100 && (held = read_ul(TSDBG_SYSCTL_HELD)) != held0; i++)
		usleep(100000);
	printf("kasan_stress: %lu tracers (%lu SIGKILLed), %lu tracees, %lu stops; calls (ok): SNAPSHOT %lu (%lu), "
	       "RESTORE %lu (%lu), GETSNAPSHOT %lu (%lu); held bytes at the end %lu\n", tracers, killed, tally->tracees,
	       tally->stops, tally->calls[0], tally->ok[0], tally->calls[1], tally->ok[1], tally->calls[2], tally->ok[2], held);
	if (held != held0) {
		printf("kasan_stress: kernel.ptrace_snapshot_bytes did not come back to %lu\n", held0);
		bad = 1;
	}
	return bad;
}
