/* SPDX-License-Identifier: MIT */
/*
 * libtsdbg_shim - the few things Node cannot do safely by itself, for
 * src/target/native.ts (loaded with koffi):
 *
 *  - fork + exec of a tracee on its own pty, seized before exec
 *    (fork in a multi-threaded V8 process is only safe when the child runs
 *    nothing but async-signal-safe code until exec, so it must be C);
 *  - thin ptrace/waitpid/process_vm_* wrappers that return -errno instead of
 *    setting errno (errno is thread-local and meaningless after an FFI hop).
 *
 * Every function returns >= 0 on success and -errno on failure.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <termios.h>

#include "tsdbg_ptrace.h"

#define TSDBG_SHIM_ABI 12

/* tsdbg_spawn() flags */
#define TSDBG_SPAWN_KEEP_ASLR	0x1	/* do not set ADDR_NO_RANDOMIZE */
#define TSDBG_SPAWN_NO_PTY	0x2	/* no pty: our stdio, which Node opened close-on-exec */
#define TSDBG_SPAWN_STDIO	0x4	/* with NO_PTY: the program does get our stdio (tsdbg trace) */

int tsdbg_shim_abi_version(void) { return TSDBG_SHIM_ABI; }

/* offsetof(struct user, u_debugreg): where PEEKUSER/POKEUSER find DR0..DR7. */
long tsdbg_debugreg_offset(int n)
{
	return (long)(offsetof(struct user, u_debugreg) + (size_t)n * sizeof(long));
}

static long neg_errno(long r) { return r < 0 ? -errno : r; }

/* ---------------------------------------------------------------- spawn */

/* Child side: only async-signal-safe calls from here to execve(). */
static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], char *const envp[], const char *cwd,
	   const char *slave, int flags, int errpipe, const struct sock_fprog *filter)
{
	int err;

	if (!(flags & TSDBG_SPAWN_NO_PTY)) {
		int fd;

		if (setsid() < 0)
			goto fail;
		fd = open(slave, O_RDWR);
		if (fd < 0)
			goto fail;
		if (ioctl(fd, TIOCSCTTY, 0) < 0)
			goto fail;
		if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			goto fail;
		if (fd > 2)
			close(fd);
	} else if (flags & TSDBG_SPAWN_STDIO) {
		/* Node opens its stdio close-on-exec: the program inherits it only without that flag */
		int fd;

		for (fd = 0; fd <= 2; fd++)
			fcntl(fd, F_SETFD, 0);
	}
	if (cwd && *cwd && chdir(cwd) < 0)
		goto fail;
	if (!(flags & TSDBG_SPAWN_KEEP_ASLR)) {
		int pers = personality(0xffffffff);

		if (pers != -1)
			personality((unsigned long)pers | ADDR_NO_RANDOMIZE);
	}
	/* Node blocks or ignores some signals; the program must start clean. */
	{
		sigset_t none;
		struct sigaction dfl;
		int s;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (s = 1; s < NSIG; s++)
			sigaction(s, &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	/* Wait here until the parent has seized us, so exec is traced. */
	raise(SIGSTOP);
	/*
	 * Traced now, so SECCOMP_RET_TRACE stops reach the tracer (without one
	 * they fail with ENOSYS). NO_NEW_PRIVS lets an unprivileged process
	 * install a filter, as strace --seccomp-bpf does.
	 */
	if (filter) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			goto fail;
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter) < 0)
			goto fail;
	}
	execve(path, argv, envp);
fail:
	err = errno;
	(void)!write(errpipe, &err, sizeof(err));
	_exit(127);
}

static int open_pty(char *name, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0)
		return -errno;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, len) != 0) {
		int e = errno;

		close(m);
		return -e;
	}
	return m;
}

static void kill_and_reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

static int wait_eintr(pid_t pid, int *st, int options)
{
	pid_t r;

	do
		r = waitpid(pid, st, __WALL | options);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/*
 * Drive the stopped child to its exec: SEIZE it, wake it, and pass over the
 * stops in between until PTRACE_EVENT_EXEC (success) or its exit (failure,
 * errno in the pipe). Returns 0 with the tracee stopped at the exec event.
 */
static int seize_until_exec(pid_t pid, long options, int errpipe)
{
	int st, r, err = 0;

	/* the group-stop of raise(SIGSTOP): not traced yet, so WUNTRACED */
	r = wait_eintr(pid, &st, WUNTRACED);
	if (r < 0)
		return r;
	if (!WIFSTOPPED(st))
		goto exited;
	if (ptrace(PTRACE_SEIZE, pid, 0, options) < 0)
		return -errno;
	kill(pid, SIGCONT);
	for (;;) {
		r = wait_eintr(pid, &st, 0);
		if (r < 0)
			return r;
		if (!WIFSTOPPED(st))
			goto exited;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
			return 0;
		/* the seize trap, the SIGCONT stop: none goes to the program */
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
			return -errno;
	}
exited:
	if (read(errpipe, &err, sizeof(err)) != sizeof(err) || err <= 0)
		err = ECHILD;
	return -err;
}

/*
 * Start path with argv/envp as a tracee. On success returns the pid, stopped
 * at PTRACE_EVENT_EXEC, and stores the pty master in *master_fd (-1 with
 * TSDBG_SPAWN_NO_PTY). On failure nothing is left behind and -errno says why
 * (exec's own errno for a missing or non-executable program).
 */
int tsdbg_spawn_sized(const char *path, char *const argv[], char *const envp[], const char *cwd,
		      int flags, long ptrace_options, int rows, int cols, int *master_fd);

int tsdbg_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
		int flags, long ptrace_options, int *master_fd)
{
	return tsdbg_spawn_sized(path, argv, envp, cwd, flags, ptrace_options, 0, 0, master_fd);
}

/*
 * tsdbg_spawn() with the pty's window size (rows x cols, 0 for none) set
 * before the program exists: no SIGWINCH for it, and its first TIOCGWINSZ
 * sees the size.
 */
static int spawn_common(const char *path, char *const argv[], char *const envp[], const char *cwd,
			int flags, long ptrace_options, int rows, int cols, int *master_fd,
			const struct sock_fprog *filter);

int tsdbg_spawn_sized(const char *path, char *const argv[], char *const envp[], const char *cwd,
		      int flags, long ptrace_options, int rows, int cols, int *master_fd)
{
	return spawn_common(path, argv, envp, cwd, flags, ptrace_options, rows, cols, master_fd, NULL);
}

/*
 * tsdbg_spawn() for `tsdbg trace`: no pty (the program shares our stdio), and
 * with filter_len > 0 the classic-BPF program `filter` (filter_len
 * instructions) installed as the program's seccomp filter just before exec.
 * *envp_addr: the envp pointer exec was given (fork keeps addresses), for
 * strace's execve line.
 */
int tsdbg_spawn_traced(const char *path, char *const argv[], char *const envp[], const char *cwd,
		       long ptrace_options, const void *filter, int filter_len, uint64_t *envp_addr)
{
	struct sock_fprog prog = { .len = (unsigned short)filter_len, .filter = (struct sock_filter *)filter };
	int master;

	*envp_addr = (uint64_t)(uintptr_t)envp;
	return spawn_common(path, argv, envp, cwd, TSDBG_SPAWN_NO_PTY | TSDBG_SPAWN_STDIO | TSDBG_SPAWN_KEEP_ASLR, ptrace_options,
			    0, 0, &master, filter_len > 0 ? &prog : NULL);
}

static int spawn_common(const char *path, char *const argv[], char *const envp[], const char *cwd,
			int flags, long ptrace_options, int rows, int cols, int *master_fd,
			const struct sock_fprog *filter)
{
	char slave[128] = "";
	int pipefd[2], m = -1, r;
	pid_t pid;

	*master_fd = -1;
	if (!(flags & TSDBG_SPAWN_NO_PTY)) {
		m = open_pty(slave, sizeof(slave));
		if (m < 0)
			return m;
		if (rows > 0 && cols > 0) {
			struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

			if (ioctl(m, TIOCSWINSZ, &ws) < 0) {
				r = -errno;
				goto out_pty;
			}
		}
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_pty;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out_pipe;
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_exec(path, argv, envp, cwd, slave, flags, pipefd[1], filter);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	r = seize_until_exec(pid, ptrace_options, pipefd[0]);
	if (r < 0) {
		kill_and_reap(pid);
		goto out_pipe;
	}
	close(pipefd[0]);
	*master_fd = m;
	return pid;
out_pipe:
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
out_pty:
	if (m >= 0)
		close(m);
	return r;
}

/* Set the pty's window size so curses programs see a sane terminal. */
int tsdbg_pty_resize(int master, int rows, int cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	return (int)neg_errno(ioctl(master, TIOCSWINSZ, &ws));
}

/*
 * A second descriptor for the pty master (close-on-exec), for libuv to read
 * and close: libuv (1.46) takes POLLHUP after a short read for the end of
 * the stream, though a pty master may still hold output (libuv#4992), and
 * Node then closes the descriptor it reads. The debugger keeps its own to
 * read that rest once the process is gone.
 */
int tsdbg_dup_cloexec(int fd)
{
	return (int)neg_errno(fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

/*
 * Read what the pty master holds right now, without blocking: up to len
 * bytes, 0 when nothing is waiting, -errno on failure. Called when a stop is
 * collected, so everything the program wrote before it stopped is reported
 * before the stop. A write to the slave reaches the master's buffer through
 * a kernel work item (tty_flip_buffer_push); poll() on the master flushes
 * that work (n_tty_poll -> tty_buffer_flush_work) before it answers, and
 * FIONREAD then tells how much a read() returns at once whether or not the
 * descriptor is O_NONBLOCK (libuv shares it).
 */
long tsdbg_pty_read_ready(int master, void *buf, uint64_t len)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	int avail = 0, r;
	ssize_t n;

	do
		r = poll(&p, 1, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0 || !(p.revents & POLLIN))
		return 0;
	if (ioctl(master, FIONREAD, &avail) < 0)
		return -errno;
	if (avail <= 0)
		return 0;
	if ((uint64_t)avail < len)
		len = (uint64_t)avail;
	do
		n = read(master, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EIO ? 0 : -errno;
	return (long)n;
}

/* --------------------------------------------------------------- ptrace */

/* Requests whose data is a number (CONT, SINGLESTEP, SEIZE, POKE*...). */
long tsdbg_ptrace(int req, int pid, uint64_t addr, uint64_t data)
{
	return neg_errno(ptrace((enum __ptrace_request)req, pid, (void *)addr, (void *)data));
}

/* Requests whose data is a pointer (GETREGS, GETSIGINFO...). */
long tsdbg_ptrace_ptr(int req, int pid, uint64_t addr, void *data)
{
	return neg_errno(ptrace((enum __ptrace_request)req, pid, (void *)addr, data));
}

/* PEEKTEXT/PEEKDATA/PEEKUSER: the word goes to *out, the result is 0 or -errno. */
int tsdbg_peek(int req, int pid, uint64_t addr, uint64_t *out)
{
	long v;

	errno = 0;
	v = ptrace((enum __ptrace_request)req, pid, (void *)addr, 0);
	if (v == -1 && errno)
		return -errno;
	*out = (uint64_t)v;
	return 0;
}

/* SNAPSHOT (addr, len), RESTORE (addr): 0 or -errno (tsdbg_ptrace.h). */
long tsdbg_snapshot_request(int req, int pid, uint64_t addr, uint64_t len)
{
	struct ptrace_snapshot_args a = { .addr = addr, .len = len };

	return neg_errno(ptrace((enum __ptrace_request)req, pid, (void *)sizeof(a), &a));
}

/* GETSNAPSHOT: copy up to *len bytes to buf; *len becomes the full length. */
long tsdbg_getsnapshot(int pid, uint64_t start, void *buf, uint64_t *len)
{
	struct ptrace_snapshot_args a = { .addr = start, .len = *len, .buf = (uint64_t)(uintptr_t)buf };
	long r = ptrace((enum __ptrace_request)PTRACE_GETSNAPSHOT, pid, (void *)sizeof(a), &a);

	if (r < 0)
		return -errno;
	*len = (uint64_t)r;
	return 0;
}

/* --------------------------------------------------------------- waiting */

/*
 * waitpid(pid, __WALL | options). Returns the status (>= 0), -EAGAIN when
 * WNOHANG found nothing, or -errno.
 */
int tsdbg_wait(int pid, int options)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, __WALL | options);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EAGAIN;
	return st;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Poll with WNOHANG for up to spin_ns: a breakpoint hit or a single step
 * comes back within tens of microseconds, sooner than the SIGCHLD round
 * trip through the event loop. -EAGAIN when nothing came.
 */
int tsdbg_wait_spin(int pid, int64_t spin_ns)
{
	int64_t deadline = now_ns() + spin_ns;
	int r;

	for (;;) {
		r = tsdbg_wait(pid, WNOHANG);
		if (r != -EAGAIN || now_ns() >= deadline)
			return r;
		__builtin_ia32_pause();
	}
}

/*
 * One WNOHANG pass over the threads of a process (tids[0..n)) and again
 * until spin_ns have passed: the first status found, its thread in *which;
 * -EAGAIN when none reported. A thread that is no longer ours (reaped, or
 * the old tid of a thread that exec'd) gives -ECHILD with *which set, so the
 * caller can forget it.
 */
int tsdbg_wait_any(const int *tids, int n, int64_t spin_ns, int *which)
{
	int64_t deadline = now_ns() + spin_ns;
	int i, r;

	for (;;) {
		for (i = 0; i < n; i++) {
			r = tsdbg_wait(tids[i], WNOHANG);
			if (r != -EAGAIN) {
				*which = tids[i];
				return r;
			}
		}
		if (now_ns() >= deadline)
			return -EAGAIN;
		__builtin_ia32_pause();
	}
}

/*
 * What the tracer reads at nearly every stop, fetched in the same FFI call
 * as the wait: the JS side decodes a stop from these without two more
 * crossings. Offsets are mirrored in src/target/native.ts (STOP_*).
 */
struct tsdbg_stop {
	siginfo_t si;				/* valid when have & 1 */
	struct user_regs_struct regs;		/* valid when have & 2 */
	int have;
};

_Static_assert(offsetof(struct tsdbg_stop, regs) == 128, "STOP_REGS_OFFSET");
_Static_assert(offsetof(struct tsdbg_stop, have) == 344, "STOP_HAVE_OFFSET");

static void fetch_stop(int pid, int status, struct tsdbg_stop *stop)
{
	stop->have = 0;
	if (status < 0 || !WIFSTOPPED(status))
		return;
	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &stop->si) == 0)
		stop->have |= 1;
	if (ptrace(PTRACE_GETREGS, pid, 0, &stop->regs) == 0)
		stop->have |= 2;
}

/*
 * Resume (CONT/SINGLESTEP with sig) and wait up to spin_ns: one FFI call per
 * stop. When it stopped and @stop is not NULL, also its siginfo and registers.
 */
int tsdbg_resume_spin(int req, int pid, int sig, int64_t spin_ns, struct tsdbg_stop *stop)
{
	int st;

	if (ptrace((enum __ptrace_request)req, pid, 0, (void *)(long)sig) < 0)
		return -errno;
	st = tsdbg_wait_spin(pid, spin_ns);
	if (stop)
		fetch_stop(pid, st, stop);
	return st;
}

/*
 * Spin until fd is readable or spin_ns have passed: 1 when readable, 0 when
 * not, -errno on error.
 */
int tsdbg_poll_spin(int fd, int64_t spin_ns)
{
	int64_t deadline = now_ns() + spin_ns;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	for (;;) {
		r = poll(&p, 1, 0);
		if (r != 0)
			return r < 0 ? -errno : 1;
		if (now_ns() >= deadline)
			return 0;
		__builtin_ia32_pause();
	}
}

/*
 * Waiting without spinning where a spin costs (tsdbg serve, issue 16 part 4).
 *
 * A busy-wait wins when a CPU is free for the peer (the tracee, gdb): it
 * saves a sleep and a wake-up. With no CPU free it takes the one the peer
 * needs, and a task that spins is never woken ahead of a CPU-bound one as a
 * sleeper is. So: spin only while a CPU is free (runnable tasks, us
 * included, from /proc/loadavg, sampled at most once a millisecond, or every 10 ms while none is free), else
 * sleep in the kernel until the event: waitpid itself, bounded by a timer
 * signal, so no stop takes the SIGCHLD round trip through the event loop.
 */
#include <sys/syscall.h>

#define CPU_SAMPLE_NS	1000000
#define CPU_SAMPLE_BUSY_NS	10000000
#define WAIT_TIMER_SIG	(SIGRTMIN + 6)

static int loadavg_fd = -2;
static int64_t cpu_sampled_at;
static int cpu_free_cached = 1;
static long online_cpus;

/* Online CPUs minus runnable tasks (the caller is one of them). */
int tsdbg_cpus_free(void)
{
	char buf[160], *p;
	int64_t now = now_ns();
	long running, online;
	ssize_t n;
	int i;

	/* busy: look again only after CPU_SAMPLE_BUSY_NS (a read of /proc/loadavg is a
	 * system call each wait would pay, and a spin is not due until a CPU frees) */
	if (now - cpu_sampled_at < (cpu_free_cached > 0 ? CPU_SAMPLE_NS : CPU_SAMPLE_BUSY_NS))
		return cpu_free_cached;
	cpu_sampled_at = now;
	if (loadavg_fd == -2)
		loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (loadavg_fd < 0)
		return cpu_free_cached = 1;
	n = pread(loadavg_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return cpu_free_cached = 1;
	buf[n] = 0;
	/* "0.52 0.58 0.59 2/912 12345": the fourth field's numerator */
	for (p = buf, i = 0; i < 3 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return cpu_free_cached = 1;
	running = strtol(p, NULL, 10);
	/* read once: sysconf opens /sys/devices/system/cpu/online each time (three system calls a sample) */
	if (online_cpus <= 0)
		online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	online = online_cpus;
	cpu_free_cached = (int)(online - running);
	return cpu_free_cached;
}

static void on_wait_timer(int sig)
{
	(void)sig;		/* only here to interrupt waitpid (no SA_RESTART) */
}

static timer_t wait_timer;
static pid_t wait_timer_tid;	/* the thread the timer signals: the only one that may block on it */
static int wait_timer_ok = -1;

static int wait_timer_ready(void)
{
	struct sigaction sa;
	struct sigevent sev;
	sigset_t set;

	static __thread pid_t self;	/* gettid once a thread, not once a wait */

	if (!self)
		self = (pid_t)syscall(SYS_gettid);
	if (wait_timer_ok >= 0)
		return wait_timer_ok && wait_timer_tid == self;
	wait_timer_ok = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wait_timer;
	sigemptyset(&sa.sa_mask);
	if (sigaction(WAIT_TIMER_SIG, &sa, NULL) < 0)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, WAIT_TIMER_SIG);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = WAIT_TIMER_SIG;
	wait_timer_tid = self;
	sev._sigev_un._tid = wait_timer_tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &wait_timer) < 0)
		return 0;
	wait_timer_ok = 1;
	return 1;
}

static struct timespec ns_to_ts(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	return ts;
}

/*
 * Block in waitpid for up to block_ns (a timer signal ends it; it repeats,
 * in case it fires before waitpid sleeps). -EAGAIN when nothing came.
 */
int tsdbg_wait_block(int pid, int64_t block_ns)
{
	struct itimerspec its = { .it_interval = ns_to_ts(block_ns), .it_value = ns_to_ts(block_ns) };
	struct itimerspec off;
	int64_t deadline = now_ns() + block_ns;
	int st, r;

	if (block_ns <= 0 || !wait_timer_ready())
		return tsdbg_wait(pid, WNOHANG);
	if (timer_settime(wait_timer, 0, &its, NULL) < 0)
		return tsdbg_wait(pid, WNOHANG);
	for (;;) {
		r = waitpid(pid, &st, __WALL);
		if (r >= 0) {
			r = st;
			break;
		}
		if (errno != EINTR) {
			r = -errno;
			break;
		}
		if (now_ns() >= deadline) {
			r = tsdbg_wait(pid, WNOHANG);
			break;
		}
	}
	memset(&off, 0, sizeof(off));
	timer_settime(wait_timer, 0, &off, NULL);
	return r;
}

/*
 * Resume and wait for the stop: spin up to spin_ns while a CPU is free,
 * then block up to block_ns; the stop's siginfo and registers as
 * tsdbg_resume_spin. -EAGAIN when it has not stopped by then.
 */
int tsdbg_resume_wait(int req, int pid, int sig, int64_t spin_ns, int64_t block_ns, struct tsdbg_stop *stop)
{
	int st;

	if (ptrace((enum __ptrace_request)req, pid, 0, (void *)(long)sig) < 0)
		return -errno;
	st = spin_ns > 0 && tsdbg_cpus_free() > 0 ? tsdbg_wait_spin(pid, spin_ns) : -EAGAIN;
	if (st == -EAGAIN)
		st = tsdbg_wait_block(pid, block_ns);
	if (stop)
		fetch_stop(pid, st, stop);
	return st;
}

/* tsdbg_poll_spin while a CPU is free for the peer; 0 at once when none is. */
int tsdbg_poll_wait(int fd, int64_t spin_ns)
{
	if (spin_ns <= 0 || tsdbg_cpus_free() <= 0)
		return 0;
	return tsdbg_poll_spin(fd, spin_ns);
}

/*
 * Read what the peer sent on fd, waiting for it first: a spin up to spin_ns
 * while a CPU is free, then a sleep in ppoll up to block_ns. The bytes read
 * (at most len), or 0 when nothing came (or at end of file: the event loop
 * sees that itself). fd may be non-blocking: it is read only once readable.
 */
long tsdbg_read_wait(int fd, void *buf, long len, int64_t spin_ns, int64_t block_ns)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec ts;
	ssize_t n;
	int r;

	r = tsdbg_poll_wait(fd, spin_ns);
	if (r == 0) {
		r = poll(&p, 1, 0);
		if (r == 0 && block_ns > 0) {
			ts = ns_to_ts(block_ns);
			r = ppoll(&p, 1, &ts, NULL);
		}
	}
	if (r <= 0)
		return 0;
	do
		n = read(fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	return n > 0 ? (long)n : 0;
}

int tsdbg_kill(int pid, int sig) { return (int)neg_errno(kill(pid, sig)); }

/* Reap, without blocking, every traced thread of pid but the leader. */
static void reap_threads(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int st;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid > 0 && tid != pid)
			waitpid(tid, &st, __WALL | WNOHANG);
	}
	closedir(d);
}

/*
 * SIGKILL and reap: for exit paths that cannot wait for the event loop.
 * The leader of a traced thread group is reported only once its traced
 * threads are reaped, including threads whose clone event we never
 * collected, so they are found in /proc and reaped as they die.
 */
int tsdbg_kill_reap(int pid)
{
	const struct timespec tick = { 0, 200000 };
	int r;

	if (kill(pid, SIGKILL) < 0)
		return -errno;
	for (;;) {
		reap_threads(pid);
		r = tsdbg_wait(pid, WNOHANG);
		if (r != -EAGAIN)
			return r < 0 ? r : 0;
		nanosleep(&tick, NULL);
	}
}

/* ---------------------------------------------------------------- memory */

long tsdbg_vm_read(int pid, uint64_t addr, void *buf, uint64_t len)
{
	struct iovec local = { buf, (size_t)len }, remote = { (void *)addr, (size_t)len };

	return neg_errno(process_vm_readv(pid, &local, 1, &remote, 1, 0));
}

long tsdbg_vm_write(int pid, uint64_t addr, const void *buf, uint64_t len)
{
	struct iovec local = { (void *)buf, (size_t)len }, remote = { (void *)addr, (size_t)len };

	return neg_errno(process_vm_writev(pid, &local, 1, &remote, 1, 0));
}

/*
 * PEEKDATA loop: reads pages process_vm_readv refuses (PROT_NONE needs
 * FOLL_FORCE). Returns the bytes read before the first failure, or -errno
 * if none could be read.
 */
long tsdbg_peek_read(int pid, uint64_t addr, void *buf, uint64_t len)
{
	uint8_t *out = buf;
	uint64_t done = 0;

	while (done < len) {
		uint64_t a = addr + done, base = a & ~7ULL, off = a - base, n = 8 - off;
		long w;

		if (n > len - done)
			n = len - done;
		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, pid, (void *)base, 0);
		if (w == -1 && errno)
			return done ? (long)done : -errno;
		memcpy(out + done, (uint8_t *)&w + off, n);
		done += n;
	}
	return (long)done;
}

/*
 * POKEDATA loop: writes read-only text (breakpoints) the way every debugger
 * does, merging partial words at both ends. Returns bytes written or -errno.
 */
long tsdbg_poke_write(int pid, uint64_t addr, const void *buf, uint64_t len)
{
	const uint8_t *in = buf;
	uint64_t done = 0;

	while (done < len) {
		uint64_t a = addr + done, base = a & ~7ULL, off = a - base, n = 8 - off;
		long w = 0;

		if (n > len - done)
			n = len - done;
		if (n != 8) {
			errno = 0;
			w = ptrace(PTRACE_PEEKDATA, pid, (void *)base, 0);
			if (w == -1 && errno)
				return done ? (long)done : -errno;
		}
		memcpy((uint8_t *)&w + off, in + done, n);
		if (ptrace(PTRACE_POKEDATA, pid, (void *)base, (void *)w) < 0)
			return done ? (long)done : -errno;
		done += n;
	}
	return (long)done;
}

/* ------------------------------------------------------- debug-register probe */

static volatile int probe_target;

/* waitpid(pid) until deadline (ns): 0 with *st, -ETIMEDOUT or -errno. */
static int wait_until(pid_t pid, int *st, int64_t deadline)
{
	struct timespec ts = { 0, 1000000 };

	for (;;) {
		pid_t r = waitpid(pid, st, WNOHANG | __WALL);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
}

/*
 * Does a DR7 write watchpoint actually trap on this machine? Some hypervisors
 * accept PTRACE_POKEUSER of DR0/DR7 but never deliver the #DB. A forked child
 * (async-signal-safe code only) stops itself, the parent arms DR0 on
 * probe_target (the same address in the child) and resumes it; the child
 * writes the variable and exits. Returns 1 when the write trapped with DR6
 * bit 0 set, 0 when the child ran past it, -errno when the probe could not be
 * made. Bounded by timeout_ms; the child never survives the call.
 */
int tsdbg_probe_debugregs(int timeout_ms)
{
	long off7 = tsdbg_debugreg_offset(7), off6 = tsdbg_debugreg_offset(6);
	int st, result;
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(2);
		raise(SIGSTOP);
		probe_target = 1;
		_exit(0);
	}
	result = wait_until(pid, &st, deadline);
	if (result < 0)
		goto out;
	if (!WIFSTOPPED(st)) {
		pid = -1;	/* reaped: PTRACE_TRACEME failed */
		result = -EPERM;
		goto out;
	}
	/* DR7: L0, R/W0 = 01 (write), LEN0 = 11 (4 bytes) */
	if (ptrace(PTRACE_POKEUSER, pid, (void *)tsdbg_debugreg_offset(0), (void *)&probe_target) < 0 ||
	    ptrace(PTRACE_POKEUSER, pid, (void *)off7, (void *)(1UL | (1UL << 16) | (3UL << 18))) < 0) {
		result = -errno;
		goto out;
	}
	if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) {
		result = -errno;
		goto out;
	}
	result = wait_until(pid, &st, deadline);
	if (result < 0)
		goto out;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		result = 0;
		pid = -1;		/* reaped */
	} else if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
		long dr6;

		errno = 0;
		dr6 = ptrace(PTRACE_PEEKUSER, pid, (void *)off6, 0);
		result = errno == 0 && (dr6 & 1) ? 1 : 0;
	} else {
		result = 0;
	}
out:
	if (pid > 0)
		kill_and_reap(pid);
	return result;
}

/* ---------------------------------------------------------------- syscall stops */

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif
#define TSDBG_SYSINFO_SIZE 88	/* struct ptrace_syscall_info on x86-64 */
#define TSDBG_SYSINFO_REGS 0xff	/* op of a record filled from registers */

/*
 * The syscall view of a stop: PTRACE_GET_SYSCALL_INFO (5.3+) into info, or,
 * where the kernel lacks it, the same layout filled from the registers with
 * op TSDBG_SYSINFO_REGS (nr = orig_rax at 24, args at 32, rax at 80): the
 * caller then tells entry from exit itself.
 */
static void fetch_syscall_info(int pid, unsigned char *info, int registers_only)
{
	struct user_regs_struct r;
	uint64_t v[8];

	if (!registers_only && ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)(uintptr_t)TSDBG_SYSINFO_SIZE, info) > 0)
		return;
	memset(info, 0, TSDBG_SYSINFO_SIZE);
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return;
	info[0] = TSDBG_SYSINFO_REGS;
	memcpy(info + 8, &r.rip, 8);
	memcpy(info + 16, &r.rsp, 8);
	v[0] = r.orig_rax; v[1] = r.rdi; v[2] = r.rsi; v[3] = r.rdx;
	v[4] = r.r10; v[5] = r.r8; v[6] = r.r9; v[7] = r.rax;
	memcpy(info + 24, v, sizeof(v));
}

/*
 * Threads stopped at the entry of a call the tracer does not want: their
 * next syscall stop is that call's exit, passed over as well. A small
 * open-addressed set of tids (the tracer resumes them at once, so few are
 * ever in it).
 */
#define SKIP_SLOTS 1024
static int skip_tids[SKIP_SLOTS];

static int skip_slot(int tid, int insert)
{
	unsigned h = (unsigned)tid * 2654435761u % SKIP_SLOTS, i;

	for (i = 0; i < SKIP_SLOTS; i++, h = (h + 1) % SKIP_SLOTS) {
		if (skip_tids[h] == tid)
			return (int)h;
		if (skip_tids[h] == 0)
			return insert ? (int)h : -1;
	}
	return -1;
}

static void skip_clear(int tid)
{
	int h = skip_slot(tid, 0);
	unsigned j;

	if (h < 0)
		return;
	/* backward-shift deletion keeps the probe chains whole */
	skip_tids[h] = 0;
	for (j = (unsigned)(h + 1) % SKIP_SLOTS; skip_tids[j]; j = (j + 1) % SKIP_SLOTS) {
		int t = skip_tids[j];

		skip_tids[j] = 0;
		skip_tids[skip_slot(t, 1)] = t;
	}
}

/*
 * One step of a syscall tracer: resume pid with req (PTRACE_SYSCALL or
 * PTRACE_CONT) and signal sig when pid > 0, then wait for any tracee.
 * out[0] = the tid that reported, out[1] = its wait status, out[2..3] its
 * system time (seconds, microseconds: wait4's rusage, with flags bit 1 only:
 * collecting it costs), out[4] += the stops
 * passed over here; at a syscall stop (SIGTRAP|0x80) or a seccomp stop,
 * info (TSDBG_SYSINFO_SIZE bytes) holds its syscall view.
 *
 * With `traced` (a bitmap of 512 call numbers), the entry and exit stops of
 * a call not in it are passed over here (PTRACE_SYSCALL again) without
 * returning: an untraced call then costs two stops and no FFI call, as in
 * strace. flags bit 2: the registers only, as where the kernel lacks
 * PTRACE_GET_SYSCALL_INFO (for tests). Needs PTRACE_GET_SYSCALL_INFO (the register fallback cannot tell
 * entry from exit here). Returns 0 or -errno (-ECHILD: no tracee left).
 */
int tsdbg_sys_resume_wait(int req, int pid, int sig, int *out, void *info, const uint8_t *traced, int flags)
{
	int want_times = flags & 1, registers_only = flags & 2;
	unsigned char *in = info;
	struct rusage ru;
	int st;
	pid_t w;

	for (;;) {
		if (pid > 0 && ptrace(req, pid, 0, (void *)(uintptr_t)sig) < 0 && errno != ESRCH)
			return -errno;
		do
			w = wait4(-1, &st, __WALL, want_times ? &ru : NULL);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			return -errno;
		out[0] = w;
		out[1] = st;
		/* its system time so far, for strace -c's "seconds" (system time, as strace's default) */
		if (want_times) {
			out[2] = (int)ru.ru_stime.tv_sec;
			out[3] = (int)ru.ru_stime.tv_usec;
		}
		if (!WIFSTOPPED(st)) {
			skip_clear(w);
			return 0;
		}
		if (WSTOPSIG(st) != (SIGTRAP | 0x80) && st >> 8 != (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)))
			return 0;
		fetch_syscall_info(w, in, registers_only);
		if (!traced || WSTOPSIG(st) != (SIGTRAP | 0x80))
			return 0;
		if (in[0] == 1 /* PTRACE_SYSCALL_INFO_ENTRY */) {
			uint64_t nr;

			memcpy(&nr, in + 24, 8);
			if (nr < 512 && (traced[nr / 8] & (1u << (nr % 8))))
				return 0;
			skip_tids[skip_slot(w, 1)] = w;
		} else if (in[0] == 2 /* PTRACE_SYSCALL_INFO_EXIT */) {
			if (skip_slot(w, 0) < 0)
				return 0;
			skip_clear(w);
		} else {
			return 0;
		}
		out[4]++;
		req = PTRACE_SYSCALL;
		pid = w;
		sig = 0;
	}
}
