/**
 * The native shim (native-shim/shim.c) through koffi, plus the Linux numbers
 * the target and the snapshot engines need. Every shim function returns
 * -errno on failure; `check()` turns that into a TargetError.
 *
 * ptrace requests must come from the tracer thread (Node's main thread), and
 * every call here is made from it (waiting is event-driven: ./waiter.ts).
 */
import { linuxSignalName } from '../rsp/signals.js';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as osConstants } from 'node:os';
import { TargetError } from './types.js';

const require = createRequire(import.meta.url);
// koffi is CommonJS; its typings are loose, so the bindings get precise types below.
// It loads when the shim is first bound, not at start-up (its require is most of a
// debugger's start that starts no process yet: README, "Start-up").
interface Koffi {
  load(path: string): { func(decl: string): KoffiFn };
  struct(name: string, fields: Record<string, string>): unknown;
}
let koffiModule: Koffi | undefined;
const koffi = (): Koffi => (koffiModule ??= require('koffi') as Koffi);
interface KoffiFn {
  (...args: unknown[]): unknown;
  async(...args: unknown[]): void;
}

export const PTRACE = {
  TRACEME: 0, PEEKTEXT: 1, PEEKDATA: 2, PEEKUSER: 3, POKETEXT: 4, POKEDATA: 5, POKEUSER: 6,
  CONT: 7, KILL: 8, SINGLESTEP: 9, GETREGS: 12, SETREGS: 13, GETFPREGS: 14, SETFPREGS: 15,
  ATTACH: 16, DETACH: 17, SYSCALL: 24, SETOPTIONS: 0x4200, GETEVENTMSG: 0x4201,
  GETSIGINFO: 0x4202, SETSIGINFO: 0x4203, GETREGSET: 0x4204, SETREGSET: 0x4205,
  SEIZE: 0x4206, INTERRUPT: 0x4207, LISTEN: 0x4208,
  // tsdbg_ptrace.h: the selective-snapshot requests of the patched kernel.
  SNAPSHOT: 0x4240, RESTORE: 0x4241, GETSNAPSHOT: 0x4242,
} as const;

export const PTRACE_O = {
  TRACESYSGOOD: 1, TRACEFORK: 2, TRACEVFORK: 4, TRACECLONE: 8, TRACEEXEC: 0x10,
  TRACEVFORKDONE: 0x20, TRACEEXIT: 0x40, TRACESECCOMP: 0x80, EXITKILL: 0x100000,
} as const;

export const PTRACE_EVENT = {
  FORK: 1, VFORK: 2, CLONE: 3, EXEC: 4, VFORK_DONE: 5, EXIT: 6, SECCOMP: 7, STOP: 128,
} as const;

/** struct tsdbg_stop (native-shim/shim.c): what resumeSpin() fetches at a stop. */
export const STOP_REGS_OFFSET = 128;
export const STOP_HAVE_OFFSET = 344;
export const STOP_SIZE = 352;

export const SPAWN_KEEP_ASLR = 0x1;
export const SPAWN_NO_PTY = 0x2;

/** errno number -> name ('ESRCH'), from Node's own table. */
const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, num]) => [num, name]),
);
export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `E${n}`;
export const ERRNO = osConstants.errno;

/** gdb's name for a Linux signal (SIGABRT, not its alias SIGIOT; `?` for one gdb has no name for). */
export const signalName = linuxSignalName;
export const SIG = osConstants.signals;

/**
 * TSDBG_NO_NATIVE=1 makes the shim unloadable, as on a machine where it was
 * never built: for testing that what must work without it does (the RSP
 * client, tsdbg connect).
 */
export function findShim(): string {
  if (process.env.TSDBG_NO_NATIVE) throw new TargetError('ENOENT', 'native shim disabled (TSDBG_NO_NATIVE)');
  // src/target/native.ts and dist/src/target/native.js both sit 2-3 levels below the root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'native-shim', 'build', 'libtsdbg_shim.so');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new TargetError('ENOENT', 'native shim not built: run `make -C native-shim`');
}

let lib: ReturnType<typeof bind> | undefined;

const SHIM_ABI = 12;

/**
 * The shim library, its version checked before anything is bound: a library older than this
 * code lacks functions bound from it (here and in src/snapshot/dirty-native.ts), and must say
 * "rebuild" rather than fail to bind one of them.
 */
export function loadShim(): ReturnType<Koffi['load']> {
  const so = koffi().load(findShim());
  const abi = so.func('int tsdbg_shim_abi_version(void)')() as number;
  if (abi !== SHIM_ABI) {
    throw new TargetError('ENOEXEC', `native shim ABI ${abi}, expected ${SHIM_ABI}: rebuild with \`make -C native-shim\``);
  }
  return so;
}

function bind() {
  const so = loadShim();
  koffi().struct('tsdbg_iovec', { base: 'void *', len: 'size_t' });
  return {
    debugregOffset: so.func('long tsdbg_debugreg_offset(int n)'),
    spawn: so.func('int tsdbg_spawn_sized(const char *path, const char **argv, const char **envp, const char *cwd, int flags, long options, int rows, int cols, _Out_ int *master)'),
    ptyResize: so.func('int tsdbg_pty_resize(int master, int rows, int cols)'),
    ptyReadReady: so.func('long tsdbg_pty_read_ready(int master, void *buf, uint64_t len)'),
    dupCloexec: so.func('int tsdbg_dup_cloexec(int fd)'),
    ptrace: so.func('long tsdbg_ptrace(int req, int pid, uint64_t addr, uint64_t data)'),
    ptracePtr: so.func('long tsdbg_ptrace_ptr(int req, int pid, uint64_t addr, void *data)'),
    // the same shim function, for PTRACE_GETREGSET/SETREGSET: data is a struct iovec
    ptraceIov: so.func('long tsdbg_ptrace_ptr(int req, int pid, uint64_t addr, _Inout_ tsdbg_iovec *data)'),
    peek: so.func('int tsdbg_peek(int req, int pid, uint64_t addr, _Out_ uint64_t *out)'),
    snapshotRequest: so.func('long tsdbg_snapshot_request(int req, int pid, uint64_t addr, uint64_t len)'),
    getSnapshot: so.func('long tsdbg_getsnapshot(int pid, uint64_t start, void *buf, _Inout_ uint64_t *len)'),
    wait: so.func('int tsdbg_wait(int pid, int options)'),
    waitSpin: so.func('int tsdbg_wait_spin(int pid, int64_t spin_ns)'),
    waitAny: so.func('int tsdbg_wait_any(const int *tids, int n, int64_t spin_ns, _Out_ int *which)'),
    resumeSpin: so.func('int tsdbg_resume_spin(int req, int pid, int sig, int64_t spin_ns, void *stop)'),
    pollSpin: so.func('int tsdbg_poll_spin(int fd, int64_t spin_ns)'),
    resumeWait: so.func('int tsdbg_resume_wait(int req, int pid, int sig, int64_t spin_ns, int64_t block_ns, void *stop)'),
    pollWait: so.func('int tsdbg_poll_wait(int fd, int64_t spin_ns)'),
    cpusFree: so.func('int tsdbg_cpus_free(void)'),
    readWait: so.func('long tsdbg_read_wait(int fd, void *buf, long len, int64_t spin_ns, int64_t block_ns)'),
    writeWait: so.func('long tsdbg_write_wait(int fd, const void *buf, long len, int64_t block_ns)'),
    frameHex: so.func('long tsdbg_frame_hex(const void *src, long len, void *out)'),
    kill: so.func('int tsdbg_kill(int pid, int sig)'),
    killReap: so.func('int tsdbg_kill_reap(int pid)'),
    probeDebugregs: so.func('int tsdbg_probe_debugregs(int timeout_ms)'),
    vmRead: so.func('long tsdbg_vm_read(int pid, uint64_t addr, void *buf, uint64_t len)'),
    vmWrite: so.func('long tsdbg_vm_write(int pid, uint64_t addr, const void *buf, uint64_t len)'),
    peekRead: so.func('long tsdbg_peek_read(int pid, uint64_t addr, void *buf, uint64_t len)'),
    pokeWrite: so.func('long tsdbg_poke_write(int pid, uint64_t addr, const void *buf, uint64_t len)'),
    spawnTraced: so.func('int tsdbg_spawn_traced(const char *path, const char **argv, const char **envp, const char *cwd, long options, const void *filter, int filter_len, _Out_ uint64_t *envp_addr)'),
    sysResumeWait: so.func('int tsdbg_sys_resume_wait(int req, int pid, int sig, int *out, void *info, const uint8_t *traced, int flags)'),
  };
}

function shim() {
  lib ??= bind();
  return lib;
}

/** Whether the shim loads here (built, the right ABI, not disabled). */
export function nativeAvailable(): boolean {
  try {
    shim();
    return true;
  } catch {
    // the reason is for the caller that needs the shim (its TargetError says it); this one only asks
    return false;
  }
}

/** Throw a TargetError for a negative (-errno) result; pass the rest through. */
export function check(r: number, what: string): number {
  if (r < 0) {
    const name = errnoName(-r);
    throw new TargetError(name, `${what}: ${describeErrno(name)}`);
  }
  return r;
}

const ERRNO_TEXT: Record<string, string> = {
  ESRCH: 'no such process', EPERM: 'operation not permitted', EFAULT: 'bad address',
  EIO: 'input/output error', EINVAL: 'invalid argument', ENOENT: 'no such file or directory',
  EACCES: 'permission denied', ENOEXEC: 'exec format error', ENOSPC: 'no space left',
  ENOMEM: 'out of memory', EBUSY: 'device or resource busy', ECHILD: 'no child process',
  ENOTDIR: 'not a directory', EISDIR: 'is a directory', ETXTBSY: 'text file busy',
  E2BIG: 'argument list too long', ELOOP: 'too many levels of symbolic links',
};
export const describeErrno = (name: string): string => ERRNO_TEXT[name] ?? name;

const toAddr = (a: bigint | number): bigint => (typeof a === 'bigint' ? a : BigInt(a));

/** Thin typed wrappers. Results are -errno on failure unless said otherwise. */
export const native = {
  debugregOffset: (n: number): number => shim().debugregOffset(n) as number,
  /** 1: a DR7 write watchpoint traps here; 0: it is accepted but never fires; -errno: no answer. */
  probeDebugregs: (timeoutMs: number): number => shim().probeDebugregs(timeoutMs) as number,

  /** `size`: the pty's window size, set before the program exists. */
  spawn(path: string, argv: string[], envp: string[], cwd: string, flags: number, options: number,
    size?: { rows: number; cols: number }): { pid: number; master: number } {
    const master = [0];
    const r = shim().spawn(path, [...argv, null], [...envp, null], cwd, flags, options, size?.rows ?? 0, size?.cols ?? 0, master) as number;
    if (r < 0) return { pid: r, master: -1 };
    return { pid: r, master: master[0]! };
  },
  ptyResize: (fd: number, rows: number, cols: number): number => shim().ptyResize(fd, rows, cols) as number,
  /** Bytes the pty master holds now, read without blocking: count, 0 when none, or -errno. */
  ptyReadReady: (fd: number, buf: Buffer): number => Number(shim().ptyReadReady(fd, buf, buf.length)),
  /** A close-on-exec duplicate of fd, or -errno. */
  dupCloexec: (fd: number): number => shim().dupCloexec(fd) as number,

  ptrace: (req: number, pid: number, addr: bigint | number = 0n, data: bigint | number = 0n): number =>
    Number(shim().ptrace(req, pid, toAddr(addr), toAddr(data))),
  ptracePtr: (req: number, pid: number, addr: bigint | number, data: Buffer | Uint8Array | null): number =>
    Number(shim().ptracePtr(req, pid, toAddr(addr), data)),
  /**
   * PTRACE_GETREGSET / SETREGSET of register set `type` (NT_*) through an
   * iovec over `buf`: bytes the kernel transferred, or -errno.
   */
  regset(req: number, pid: number, type: number, buf: Buffer): number {
    const iov = { base: buf, len: buf.length };
    const r = Number(shim().ptraceIov(req, pid, BigInt(type), iov));
    return r < 0 ? r : Number(iov.len);
  },
  /** PEEK*: the word, or a negative errno as a number. */
  peek(req: number, pid: number, addr: bigint): bigint | number {
    const out = [0n];
    const r = shim().peek(req, pid, addr, out) as number;
    return r < 0 ? r : BigInt.asUintN(64, BigInt(out[0] as bigint | number));
  },
  /** PTRACE_SNAPSHOT (start, len) or PTRACE_RESTORE (start, len 0): 0 or -errno. */
  snapshotRequest: (req: number, pid: number, start: bigint, len: bigint | number = 0n): number =>
    Number(shim().snapshotRequest(req, pid, toAddr(start), toAddr(len))),
  getSnapshot(pid: number, start: bigint, buf: Buffer | null, len: number): { r: number; len: number } {
    const io = [BigInt(len)];
    const r = Number(shim().getSnapshot(pid, start, buf, io));
    return { r, len: Number(io[0]) };
  },

  /** Non-blocking wait: status, -EAGAIN when nothing yet, or -errno. */
  waitNow: (pid: number): number => shim().wait(pid, 1 /* WNOHANG */) as number,
  /** Block until pid reports (for a status that is certain to come at once). */
  waitBlocking: (pid: number): number => shim().wait(pid, 0) as number,
  waitSpin: (pid: number, spinNs: number): number => shim().waitSpin(pid, spinNs) as number,
  /** First status among `tids` within spinNs: { tid, st } (st -EAGAIN: none yet; -ECHILD: tid is not ours). */
  waitAny(tids: Int32Array, spinNs: number): { tid: number; st: number } {
    const which = [0];
    const st = shim().waitAny(tids, tids.length, spinNs, which) as number;
    return { tid: which[0]!, st };
  },
  /**
   * Resume and wait up to spinNs. With `stop` (STOP_SIZE bytes), a stop also
   * fills it: siginfo at 0, registers at STOP_REGS_OFFSET, and the int at
   * STOP_HAVE_OFFSET says which of the two are valid (bits 1 and 2).
   */
  pollSpin: (fd: number, spinNs: number): number => shim().pollSpin(fd, spinNs) as number,
  resumeSpin: (req: number, pid: number, sig: number, spinNs: number, stop: Buffer | null = null): number =>
    shim().resumeSpin(req, pid, sig, spinNs, stop) as number,
  /**
   * resumeSpin that spins only while a CPU is free (/proc/loadavg), then
   * sleeps in waitpid up to blockNs (a timer signal bounds it): -EAGAIN if
   * no stop by then. Main thread only.
   */
  resumeWait: (req: number, pid: number, sig: number, spinNs: number, blockNs: number, stop: Buffer | null = null): number =>
    shim().resumeWait(req, pid, sig, spinNs, blockNs, stop) as number,
  /** pollSpin while a CPU is free for the peer; 0 at once when none is. */
  pollWait: (fd: number, spinNs: number): number => shim().pollWait(fd, spinNs) as number,
  /** Bytes read from fd into buf once readable (a spin while a CPU is free, then a sleep in ppoll up to blockNs); 0: none. */
  readWait: (fd: number, buf: Buffer, spinNs: number, blockNs: number): number =>
    Number(shim().readWait(fd, buf, buf.length, spinNs, blockNs)),
  /** Write buf[0, len) to fd, sleeping in ppoll for room up to blockNs (serve-io.c): the bytes written, or -errno. */
  writeWait: (fd: number, buf: Buffer, len: number, blockNs: number): number =>
    Number(shim().writeWait(fd, buf, len, blockNs)),
  /** `$` hex(src) `#` checksum into out (2 * src.length + 4 bytes): the packet's length. */
  frameHex: (src: Uint8Array, out: Buffer): number => Number(shim().frameHex(src, src.length, out)),
  /** Online CPUs minus runnable tasks, the caller included (sampled at most once a millisecond; every 10 ms while none is free). */
  cpusFree: (): number => shim().cpusFree() as number,
  kill: (pid: number, sig: number): number => shim().kill(pid, sig) as number,
  /** SIGKILL the process and reap it and all its traced threads. */
  killReap: (pid: number): number => shim().killReap(pid) as number,

  vmRead: (pid: number, addr: bigint, buf: Buffer): number => Number(shim().vmRead(pid, addr, buf, buf.length)),
  vmWrite: (pid: number, addr: bigint, buf: Buffer): number => Number(shim().vmWrite(pid, addr, buf, buf.length)),
  peekRead: (pid: number, addr: bigint, buf: Buffer): number => Number(shim().peekRead(pid, addr, buf, buf.length)),
  pokeWrite: (pid: number, addr: bigint, buf: Buffer): number => Number(shim().pokeWrite(pid, addr, buf, buf.length)),

  /**
   * Start a program for `tsdbg trace`: our stdio, ASLR kept, stopped at its
   * exec event; `filter` (classic BPF, 8 bytes an instruction) becomes its
   * seccomp filter before exec. pid (or -errno) and the envp pointer exec got.
   */
  spawnTraced(path: string, argv: string[], envp: string[], cwd: string, options: number,
    filter: Buffer | null): { pid: number; envpAddr: bigint } {
    const out = [0n];
    const n = filter ? filter.length / 8 : 0;
    const pid = shim().spawnTraced(path, [...argv, null], [...envp, null], cwd, options, filter, n, out) as number;
    return { pid, envpAddr: BigInt(out[0] as bigint | number) };
  },
  /**
   * Resume pid (when > 0) with req and sig, then wait for any tracee: 0 with
   * out = [tid, status, stime s, stime µs, += stops passed over] and, at a syscall or seccomp stop, `info`
   * (SYSINFO_SIZE bytes) holding struct ptrace_syscall_info; or -errno.
   * `traced`: a bitmap of 512 call numbers; the stops of other calls are
   * passed over in C (PTRACE_GET_SYSCALL_INFO kernels).
   */
  sysResumeWait: (req: number, pid: number, sig: number, out: Int32Array, info: Buffer, traced: Buffer | null,
    o: { times: boolean; registersOnly?: boolean }): number =>
    shim().sysResumeWait(req, pid, sig, out, info, traced, (o.times ? 1 : 0) | (o.registersOnly ? 2 : 0)) as number,
};

/** struct ptrace_syscall_info's size; op SYSINFO_REGS: filled from registers (no PTRACE_GET_SYSCALL_INFO). */
export const SYSINFO_SIZE = 88;
export const SYSINFO_REGS = 0xff;

/** Decoded waitpid status. */
export type WaitStatus =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: number }
  | { kind: 'stopped'; signal: number; event: number };

export function decodeStatus(st: number): WaitStatus {
  const low = st & 0x7f;
  if (low === 0) return { kind: 'exited', code: (st >> 8) & 0xff };
  if (low === 0x7f) return { kind: 'stopped', signal: (st >> 8) & 0xff, event: (st >> 16) & 0xff };
  return { kind: 'signaled', signal: low };
}
