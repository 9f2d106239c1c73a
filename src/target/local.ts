/**
 * LocalTarget: a process on this machine, traced with ptrace.
 *
 * Design (after gdb's linux-nat and Delve's pkg/proc/native):
 *  - the tracee is PTRACE_SEIZEd (not TRACEME/ATTACH) so PTRACE_INTERRUPT can
 *    stop it for Ctrl-C without a signal the program could see;
 *  - processes we start get PTRACE_O_EXITKILL and are killed on every exit
 *    path of Node; processes we attach to are detached instead (gdb semantics);
 *  - every thread is traced (PTRACE_O_TRACECLONE; on attach, every task in
 *    /proc/PID/task), all-stop like gdb: the first thread to report a stop
 *    worth reporting has the others stopped with PTRACE_INTERRUPT; what they
 *    report meanwhile is kept (a breakpoint hit is undone, pc back on the
 *    int3, so it hits again on resume; a signal or a watchpoint is queued and
 *    reported on the next resume without running anything);
 *  - resume = one FFI call that resumes and busy-polls waitpid(WNOHANG) for a
 *    short while (stops after a breakpoint or a stepi come back in tens of
 *    microseconds), then waits for the SIGCHLD of the stop in the event loop
 *    (./waiter.ts), so the event loop never blocks while the program runs.
 */
import { EventEmitter } from 'node:events';
import { closeSync, openSync, readSync, writeSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { write as fsWrite } from 'node:fs';
import { ReadStream } from 'node:tty';
import { delimiter, join } from 'node:path';
import {
  REGISTER_NAMES, TargetError,
  type Mapping, type Registers, type StopEvent, type StopReason, type Target,
  type TargetCapabilities, type TargetEvents, type TargetState, type ThreadInfo, type WatchKind,
} from './types.js';
import type { SnapshotEngine } from '../snapshot/types.js';
import {
  ERRNO, PTRACE, PTRACE_EVENT, PTRACE_O, SIG, SPAWN_KEEP_ASLR, SPAWN_NO_PTY, STOP_HAVE_OFFSET, STOP_REGS_OFFSET, STOP_SIZE,
  check, decodeStatus, describeErrno, errnoName, native, signalName, type WaitStatus,
} from './native.js';
import { FXSAVE_SIZE, NT_X86_XSTATE, readYmmUpper, writeYmmUpper, xstateHasAvx } from './fpregs.js';

/** Room for any XSAVE area (AVX-512 is 2.7 KiB, AMX tiles 11 KiB). */
const XSTATE_MAX = 16384;
import { debugRegistersTrap } from './debugregs.js';
import { parseMaps, parseAuxv, taskState } from './procfs.js';
import { reapWhenGone, registerTracee, unregisterTracee } from './reaper.js';
import { nextStatusAny, type ThreadStatus } from './waiter.js';

export interface SpawnOptions {
  /** argv[1..] (argv[0] is the program as given). */
  args?: string[];
  /** Environment; defaults to ours. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep address-space randomisation on (gdb's `set disable-randomization off`). */
  aslr?: boolean;
  /** Run the program on a new pty (default) or on our own stdio. */
  pty?: boolean;
  /** The pty's window size from the start (the user's terminal's). */
  ptySize?: { rows: number; cols: number };
  /** Microseconds to busy-poll for a stop before waiting for its SIGCHLD in the event loop. */
  spinUs?: number;
  /**
   * Microseconds to sleep in waitpid for a stop (after the spin, which is
   * then skipped while no CPU is free) before waiting in the event loop;
   * 0 (default): no such wait. The event loop is held meanwhile: tsdbg serve's choice.
   */
  blockUs?: number;
  /**
   * Snapshot engine for capabilities.snapshots, chosen once the tracee is
   * stopped: pass engineProvider(choice) from src/snapshot/select.ts (the
   * target layer does not import the snapshot layer above it).
   */
  snapshots?: SnapshotProvider;
}

export interface AttachOptions {
  spinUs?: number;
  blockUs?: number;
  snapshots?: SnapshotProvider;
}

export type SnapshotProvider = (target: LocalTarget) => Promise<SnapshotEngine>;

const REGS_SIZE = REGISTER_NAMES.length * 8;

/** The fields of a siginfo_t tsdbg uses. */
function siginfoOf(b: Buffer): SigInfo {
  return { signo: b.readInt32LE(0), code: b.readInt32LE(8), addr: b.readBigUInt64LE(16) };
}

/**
 * struct user_regs_struct as Registers. Written out field by field: an object
 * literal gets one fixed shape, where filling `{}` in a loop made a dictionary
 * object and cost several microseconds at every stop.
 */
/** Per-thread state read at one stop (see LocalTarget.cached). */
interface StateCache {
  tid: number;
  /** _resumeCount when it was read: any resume since makes it stale. */
  resume: number;
  buf: Buffer;
}

function registersOf(b: Buffer): Registers {
  return {
    r15: b.readBigUInt64LE(0),
    r14: b.readBigUInt64LE(8),
    r13: b.readBigUInt64LE(16),
    r12: b.readBigUInt64LE(24),
    rbp: b.readBigUInt64LE(32),
    rbx: b.readBigUInt64LE(40),
    r11: b.readBigUInt64LE(48),
    r10: b.readBigUInt64LE(56),
    r9: b.readBigUInt64LE(64),
    r8: b.readBigUInt64LE(72),
    rax: b.readBigUInt64LE(80),
    rcx: b.readBigUInt64LE(88),
    rdx: b.readBigUInt64LE(96),
    rsi: b.readBigUInt64LE(104),
    rdi: b.readBigUInt64LE(112),
    orig_rax: b.readBigUInt64LE(120),
    rip: b.readBigUInt64LE(128),
    cs: b.readBigUInt64LE(136),
    eflags: b.readBigUInt64LE(144),
    rsp: b.readBigUInt64LE(152),
    ss: b.readBigUInt64LE(160),
    fs_base: b.readBigUInt64LE(168),
    gs_base: b.readBigUInt64LE(176),
    ds: b.readBigUInt64LE(184),
    es: b.readBigUInt64LE(192),
    fs: b.readBigUInt64LE(200),
    gs: b.readBigUInt64LE(208),
  };
}
const RIP_OFFSET = REGISTER_NAMES.indexOf('rip') * 8;
const FS_BASE_OFFSET = REGISTER_NAMES.indexOf('fs_base') * 8;
/** How long a thread sent PTRACE_INTERRUPT gets to stop before we look for a zombie leader. */
const STOP_SPIN_NS = 500_000;
/** How long a thread stepped off a breakpoint may stay runnable without running its one instruction. */
const STEP_OFF_LIMIT_MS = 2000;
/** How long a clone event waits for the new thread's first stop (it comes within microseconds). */
const NEW_THREAD_SPIN_NS = 5_000_000;
/** How often a step that has not come back looks whether its thread sleeps in a system call (see releaseOthers). */
const BLOCKED_STEP_CHECK_MS = 10;
const SIGINFO_SIZE = 128;
const SI_KERNEL = 0x80;
const TRAP_BRKPT = 1;
const TRAP_TRACE = 2;
const TRAP_HWBKPT = 4;
const DR6_HIT_MASK = 0xfn;
const DR6_STEP = 1n << 14n;
/** Signals whose siginfo carries a fault address (si_addr). */
const FAULT_SIGNALS = new Set([SIG.SIGSEGV, SIG.SIGBUS, SIG.SIGILL, SIG.SIGFPE]);
const STOP_SIGNALS = new Set([SIG.SIGSTOP, SIG.SIGTSTP, SIG.SIGTTIN, SIG.SIGTTOU]);
/** Reads of the pty at a stop: its buffers hold ~70 KiB at most (n_tty + flip buffers). */
const PTY_DRAIN_CHUNK = 64 * 1024;
let drainBuf: Buffer | undefined;
const PTY_DRAIN_MAX_READS = 16;
/** Measured (bench/target.ts): most breakpoint and stepi stops arrive within it. */
const DEFAULT_SPIN_US = 100;

interface Watch {
  addr: bigint;
  len: number;
  kind: WatchKind;
}

/** One traced thread (a task of the process). */
interface Thread {
  tid: number;
  /** Resumed, or new and not yet in its first stop: a wait status is due. */
  running: boolean;
  /** New thread whose first stop (PTRACE_EVENT_STOP of the auto-attach) is not collected yet. */
  fresh: boolean;
  /** In a group-stop (kill -STOP) under PTRACE_LISTEN: waits for SIGCONT, counts as running. */
  parked: boolean;
  /**
   * Resumed with a stop signal (`signal SIGSTOP`, or passing on one it
   * received): its group-stop is that signal's stop, reported as gdb reports
   * it ("Program received signal SIGSTOP" again), not parked for a SIGCONT.
   */
  stopSent?: boolean;
  /**
   * The leader once it exited (pthread_exit in main) while other threads
   * live: a zombie the kernel reports only with the whole process. Not
   * listed, resumed or stopped; still polled for that final report.
   */
  zombie: boolean;
  /** Signal to deliver when it next resumes (what it last stopped with). */
  signal: number;
  /** A stop it reported while the others were being stopped: reported on the next resume. */
  pending?: StopEvent;
  /** It reported a breakpoint here: resuming it steps over the breakpoint first. */
  atBreakpoint?: bigint;
  /**
   * Its single step was interrupted (blocked in a system call): the step's
   * SIGTRAP, raised at the system call's exit, may still be pending and is
   * ours, not the program's.
   */
  staleStepTrap?: boolean;
  threadPointer?: bigint;
  /** /proc/PID/task/TID/comm kept open: re-read at offset 0, it is the current name (a tenth of an open). */
  commFd?: number;
}

function newThread(tid: number, running: boolean, fresh = false): Thread {
  return { tid, running, fresh, parked: false, zombie: false, signal: 0 };
}

/** Resolve a program name like execvp does, so errors say which file is wrong. */
export function resolveProgram(prog: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = prog.includes('/')
    ? [prog]
    : (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean).map((d) => join(d, prog));
  let firstError: TargetError | undefined;
  for (const c of candidates) {
    try {
      const st = statSync(c);
      if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EACCES' });
      accessSync(c, fsConstants.X_OK);
      return realpathSync(c);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'ENOENT';
      firstError ??= new TargetError(code, `${prog}: ${describeErrno(code)}`);
      if (code !== 'ENOENT') break;
    }
  }
  throw firstError ?? new TargetError('ENOENT', `${prog}: no such file or directory`);
}

export class LocalTarget extends EventEmitter<TargetEvents> implements Target {
  readonly kind = 'local';
  readonly connection = 'native';
  /** Hardware watchpoints only where the debug registers really trap (probed once, see debugregs.ts). */
  readonly capabilities: TargetCapabilities = { get hardwareBreakpoints() { return debugRegistersTrap(); } };
  private _state: TargetState = 'stopped';
  private _exePath: string;
  /** Original byte under each inserted int3. */
  private readonly breakpoints = new Map<bigint, number>();
  /**
   * Breakpoints removed since the last exec (gdb's moribund locations): a
   * thread stopped by PTRACE_INTERRUPT just as it hit one still holds the
   * int3's SIGTRAP, delivered on its next resume with pc past the address.
   */
  private readonly removedBreakpoints = new Set<bigint>();
  private readonly watches: Array<Watch | undefined> = [undefined, undefined, undefined, undefined];
  /** Registers of the selected thread. */
  private regsCache: Buffer | undefined;
  /** Every traced thread, the leader first, then in order of appearance. */
  private threadMap = new Map<number, Thread>();
  /** The selected thread: registers, step(), memory access go through it. */
  private selTid: number;
  /** The thread interrupt() sent PTRACE_INTERRUPT to, until its stop is seen (or another stop wins). */
  private interruptTid: number | undefined;
  /** FXSAVE area (PTRACE_GETFPREGS) of a thread at one stop, fetched on first use. */
  private fpregsCache: StateCache | undefined;
  /** XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE) of a thread at one stop, fetched on first use. */
  private xstateCache: StateCache | undefined;
  /** The event-driven wait in progress (./waiter.ts), if any. */
  private waiter: Promise<ThreadStatus> | undefined;
  /** The resume in progress (running state). */
  private inflight: Promise<StopEvent> | undefined;
  private pty: ReadStream | undefined;
  private lastStopEvent: StopEvent | undefined;
  private readonly spinNs: number;
  /** SpawnOptions.blockUs in ns. */
  blockNs = 0;
  private _resumeCount = 0;
  private markGone!: () => void;
  /** Resolves once the process is gone (exited, killed, or detached). */
  private readonly exited = new Promise<void>((resolve) => { this.markGone = resolve; });

  private constructor(
    readonly pid: number,
    exePath: string,
    /** true when we started the process: kill it on quit; false: detach. */
    readonly startedByUs: boolean,
    private ptyFd: number,
    spinUs: number,
    /** libuv's own descriptor for the pty master (see openPty). */
    ptyReader = -1,
  ) {
    super();
    this._exePath = exePath;
    this.spinNs = Math.max(0, spinUs) * 1000;
    this.threadMap.set(pid, newThread(pid, false));
    this.selTid = pid;
    if (ptyReader >= 0) this.openPty(ptyReader);
    registerTracee(this);
  }

  /**
   * Start `prog` stopped at its exec (in the dynamic loader, before main), on
   * its own pty, with ASLR off unless options.aslr.
   */
  static async spawn(prog: string, options: SpawnOptions = {}): Promise<LocalTarget> {
    const env = options.env ?? process.env;
    const path = resolveProgram(prog, env);
    const argv = [prog, ...(options.args ?? [])];
    const envp = Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
    const flags = (options.aslr ? SPAWN_KEEP_ASLR : 0) | (options.pty === false ? SPAWN_NO_PTY : 0);
    const opts = PTRACE_O.EXITKILL | PTRACE_O.TRACEEXEC | PTRACE_O.TRACESYSGOOD | PTRACE_O.TRACECLONE;
    const r = native.spawn(path, argv, envp, options.cwd ?? process.cwd(), flags, opts, options.ptySize);
    if (r.pid < 0) {
      const code = errnoName(-r.pid);
      throw new TargetError(code, `cannot run ${prog}: ${describeErrno(code)}`);
    }
    const reader = r.master >= 0 ? native.dupCloexec(r.master) : -1;
    if (r.master >= 0 && reader < 0) {
      native.killReap(r.pid);
      closeSync(r.master);
      throw new TargetError(errnoName(-reader), `cannot run ${prog}: ${describeErrno(errnoName(-reader))}`);
    }
    const t = new LocalTarget(r.pid, path, true, r.master, options.spinUs ?? DEFAULT_SPIN_US, reader);
    t.blockNs = Math.max(0, options.blockUs ?? 0) * 1000;
    t.lastStopEvent = { pid: t.pid, tid: t.pid, reason: { kind: 'exec', pc: t.pc(), path } };
    await t.provideSnapshots(options.snapshots);
    return t;
  }

  /** Attach to a running process and stop it. detach() (or our exit) lets it go on. */
  static async attach(pid: number, options: AttachOptions = {}): Promise<LocalTarget> {
    if (!Number.isInteger(pid) || pid <= 0) throw new TargetError('EINVAL', `invalid process id ${pid}`);
    let exe: string;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      throw new TargetError('ESRCH', `cannot attach to process ${pid}: no such process`);
    }
    if (parentOf(pid) === process.pid) {
      // libuv's SIGCHLD handler waits for its own children and would steal our ptrace stops.
      throw new TargetError('EPERM', `cannot attach to process ${pid}: it is a child of this debugger`);
    }
    const opts = BigInt(PTRACE_O.TRACEEXEC | PTRACE_O.TRACESYSGOOD | PTRACE_O.TRACECLONE);
    const r = native.ptrace(PTRACE.SEIZE, pid, 0n, opts);
    if (r < 0) {
      const code = errnoName(-r);
      throw new TargetError(code, `cannot attach to process ${pid}: ${describeErrno(code)}`);
    }
    const t = new LocalTarget(pid, exe, false, -1, options.spinUs ?? DEFAULT_SPIN_US);
    t.blockNs = Math.max(0, options.blockUs ?? 0) * 1000;
    t._state = 'running';
    t.threadMap.get(pid)!.running = true;
    t.seizeThreads(opts);
    const gone = await t.stopOthers(undefined);
    t._state = gone ? 'exited' : 'stopped';
    if (gone || t.liveThreads().length === 0) {
      await t.detach().catch(() => undefined);
      throw new TargetError('ESRCH', `cannot attach to process ${pid}: it exited`);
    }
    t.selTid = t.liveThreads()[0]!.tid;
    await t.provideSnapshots(options.snapshots);
    return t;
  }

  /**
   * Seize every thread of an attached process. Threads a seized thread
   * creates are traced through TRACECLONE; threads an unseized one creates
   * meanwhile show up in /proc on the next pass (gdb's attach loop).
   */
  private seizeThreads(opts: bigint): void {
    for (let found = true; found;) {
      found = false;
      for (const tid of listTasks(this.pid)) {
        if (this.threadMap.has(tid)) continue;
        if (native.ptrace(PTRACE.SEIZE, tid, 0n, opts) < 0) continue;   // it exited meanwhile
        this.threadMap.set(tid, newThread(tid, true));
        found = true;
      }
    }
  }

  /** Install the snapshot engine; on failure let the process go (kill or detach) and rethrow. */
  private async provideSnapshots(provider: SnapshotProvider | undefined): Promise<void> {
    if (!provider) return;
    try {
      this.capabilities.snapshots = await provider(this);
    } catch (e) {
      if (this.startedByUs) await this.kill();
      else await this.detach();
      throw e;
    }
  }

  get state(): TargetState { return this._state; }
  /**
   * Times the tracee was resumed. The memory map can only change while it
   * runs (of its traced thread), so consumers cache /proc/PID/maps per value.
   */
  get resumeCount(): number { return this._resumeCount; }
  get exePath(): string { return this._exePath; }
  /** The stop the target is in (the exec stop right after spawn). */
  get lastStop(): StopEvent | undefined { return this.lastStopEvent; }
  /** The pty master fd (-1 without a pty). */
  get ptyMaster(): number { return this.ptyFd; }

  /** Forward keyboard input to the program's pty. */
  writeInput(data: Buffer | string): Promise<void> {
    if (this.ptyFd < 0) return Promise.reject(new TargetError('ENOTTY', 'the program has no pty'));
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return new Promise((res, rej) => fsWrite(this.ptyFd, buf, (err) => (err ? rej(err) : res())));
  }

  resizePty(rows: number, cols: number): void {
    if (this.ptyFd >= 0) native.ptyResize(this.ptyFd, rows, cols);
  }

  // ------------------------------------------------------------ execution

  async cont(signal?: number): Promise<StopEvent> {
    this.ensureStopped();
    let sig = this.signalToDeliver(signal);
    const queued = this.takePending(sig);
    if (queued) return this.report(queued);
    // Every thread that reported a breakpoint still there executes its instruction first, alone.
    const sel = this.current();
    for (const t of this.stepOverOrder()) {
      const pc = this.pcOf(t.tid);
      if (!this.breakpoints.has(pc) || (t !== sel && t.atBreakpoint !== pc)) continue;
      const ev = await this.stepOverBreakpoint(t, pc, t === sel ? sig : t.signal);
      if (ev) return this.report(ev);
      if (t === sel) sig = 0;
      else t.signal = 0;
    }
    this.select(sel.tid);      // a step over selected the thread it stepped
    return this.report(await this.waitForStop(PTRACE.CONT, sig, false, sel));
  }

  /**
   * One instruction of the selected thread; the other threads stay stopped.
   * Landing on an inserted breakpoint still reports 'step' (the caller knows
   * its breakpoints; gdb's "Breakpoint N" there is UI).
   */
  async step(signal?: number): Promise<StopEvent> {
    this.ensureStopped();
    const sig = this.signalToDeliver(signal);
    const queued = this.takePending(sig);
    if (queued) return this.report(queued);
    const t = this.current();
    const pc = this.pc();
    if (this.breakpoints.has(pc)) {
      const ev = await this.stepOverBreakpoint(t, pc, sig);
      return this.report(ev ?? this.stopEvent({ kind: 'step', pc: this.pc() }));
    }
    return this.report(await this.waitForStop(PTRACE.SINGLESTEP, sig));
  }

  /**
   * A stop a thread reported while the others were being stopped, instead of
   * resuming (gdb reports such events before running again). The selected
   * thread keeps `sig` for when it does resume.
   */
  private takePending(sig: number): StopEvent | undefined {
    for (const t of this.threadMap.values()) {
      const ev = t.pending;
      if (!ev) continue;
      t.pending = undefined;
      if (ev.reason.kind === 'watchpoint' && !this.watches.some((w) => w && w.addr === (ev.reason as { address: bigint }).address)) continue;
      this.current().signal = sig;
      return ev;
    }
    return undefined;
  }

  /** The selected thread first: it gets the signal, and a stop in its step over wins. */
  private stepOverOrder(): Thread[] {
    const sel = this.current();
    return [sel, ...this.liveThreads().filter((t) => t !== sel)];
  }

  interrupt(): void {
    if (this._state !== 'running' || this.interruptTid !== undefined) return;
    const live = this.liveThreads();
    const t = live.find((x) => x.tid === this.selTid && x.running) ?? live.find((x) => x.running && !x.fresh);
    if (!t) return;
    this.interruptTid = t.tid;
    native.ptrace(PTRACE.INTERRUPT, t.tid);
  }

  async kill(): Promise<void> {
    if (this._state === 'exited') return;
    // Reaps every thread; a wait in progress then sees them gone and ends with 'killed'.
    native.killReap(this.pid);
    if (this.waiter) {
      await this.exited;
      return;
    }
    this.markExited({ kind: 'killed', signal: SIG.SIGKILL, signame: 'SIGKILL' });
  }

  async detach(): Promise<void> {
    if (this._state === 'exited') return;
    if (this._state === 'running') {
      this.interrupt();
      await this.inflight?.catch(() => undefined);
      if ((this._state as TargetState) !== 'stopped') return;   // it exited meanwhile
    }
    this.regsCache = undefined;
    this.drainTraps();
    for (const addr of [...this.breakpoints.keys()]) await this.removeBreakpoint(addr);
    for (let i = 0; i < 4; i++) if (this.watches[i]) await this.clearSlot(i);
    // Signals reported to us but never passed on go to their threads now.
    for (const t of this.liveThreads()) {
      const sig = t.pending?.reason.kind === 'signal' ? t.pending.reason.signal : t.signal;
      const r = native.ptrace(PTRACE.DETACH, t.tid, 0n, BigInt(sig));
      if (t.tid === this.selTid) check(r, `cannot detach from process ${this.pid}`);
    }
    this._state = 'exited';
    this.forgetThreads(this.threadMap.values());
    this.releasePty();
    unregisterTracee(this);
    // still our child: reap it when it ends, or it lingers as a zombie
    if (this.startedByUs) reapWhenGone(() => native.waitNow(this.pid) !== -ERRNO.EAGAIN);
    this.markGone();
  }

  /** Synchronous last-resort cleanup for process exit handlers. */
  abandonSync(): void {
    if (this._state === 'exited') return;
    if (this.startedByUs) {
      native.killReap(this.pid);
    } else if (this._state === 'stopped' || this.stopForExit()) {
      this.regsCache = undefined;
      this.drainTraps();
      // memory goes through a thread that is stopped: POKEDATA needs one
      const mem = this.liveThreads().find((t) => !t.running)?.tid ?? this.pid;
      for (const [addr, orig] of this.breakpoints) native.pokeWrite(mem, addr, Buffer.of(orig));
      for (const t of this.liveThreads()) {
        native.ptrace(PTRACE.POKEUSER, t.tid, BigInt(native.debugregOffset(7)), 0n);
        native.ptrace(PTRACE.DETACH, t.tid, 0n, BigInt(t.signal));
      }
    }
    this._state = 'exited';
  }

  /**
   * Stop an attached, running process on our way out so its breakpoints can
   * come out before we detach (the main thread is the only one that reaps,
   * so the stops are ours to collect here). True when some thread stopped.
   */
  private stopForExit(): boolean {
    const running = this.liveThreads().filter((t) => t.running);
    for (const t of running) native.ptrace(PTRACE.INTERRUPT, t.tid);
    for (const t of running) {
      const st = this.waitForExitStop(t);
      if (st < 0 || decodeStatus(st).kind !== 'stopped') {
        t.zombie = true;         // gone: nothing to detach from
        continue;
      }
      t.running = false;
      const ws = decodeStatus(st) as Extract<WaitStatus, { kind: 'stopped' }>;
      if (ws.event !== 0 || ws.signal === (SIG.SIGTRAP | 0x80)) continue;
      // It may have stopped on one of our int3s instead: back onto the
      // instruction. Our other traps (a step, a watchpoint) are dropped; a
      // signal, or a SIGTRAP someone sent, goes to the program on detach.
      const code = ws.signal === SIG.SIGTRAP ? this.siginfo(t.tid)?.code ?? 0 : 0;
      if (code === SI_KERNEL) {
        const at = this.pcOf(t.tid) - 1n;
        if (this.breakpoints.has(at)) this.setPcOf(t.tid, at);
      } else if (code <= 0) {
        t.signal = ws.signal;
      }
    }
    return this.liveThreads().some((t) => !t.running);
  }

  /**
   * The stop PTRACE_INTERRUPT asked of t, on the way out: a loaded machine
   * may take a while to schedule it, and a thread left running would be
   * detached by the kernel with our int3 trap in flight. Gives up (-ESRCH)
   * only once it is a zombie or gone, or after a few seconds.
   */
  private waitForExitStop(t: Thread): number {
    for (let i = 0; i < 300; i++) {
      const st = native.waitSpin(t.tid, 10_000_000);
      if (st !== -ERRNO.EAGAIN) return st;
      if (taskState(this.pid, t.tid) === 'Z') return -ERRNO.ESRCH;
    }
    return -ERRNO.ESRCH;
  }

  // ------------------------------------------------------------- threads

  async threads(): Promise<ThreadInfo[]> {
    this.ensureAlive();
    const running = this._state === 'running';
    return this.liveThreads().map((t) => {
      if (!running) t.threadPointer ??= this.threadPointerOf(t.tid);
      return {
        tid: t.tid, name: this.threadName(t), state: running ? 'running' : 'stopped',
        threadPointer: t.threadPointer,
      };
    });
  }

  get selectedThread(): number { return this.selTid; }

  selectThread(tid: number): void {
    this.ensureStopped();
    const t = this.threadMap.get(tid);
    if (!t || t.zombie) throw new TargetError('ESRCH', `no thread with LWP ${tid}`);
    this.select(tid);
  }

  private select(tid: number): void {
    if (tid !== this.selTid) this.regsCache = undefined;
    this.selTid = tid;
  }

  /** Threads that can run, stop and be inspected (not the zombie leader). */
  threadTargetId(tid: number, threadPointer?: bigint): string {
    return threadPointer ? `Thread 0x${threadPointer.toString(16)} (LWP ${tid})` : `LWP ${tid}`;
  }

  private liveThreads(): Thread[] {
    return [...this.threadMap.values()].filter((t) => !t.zombie);
  }

  private current(): Thread {
    return this.threadMap.get(this.selTid)!;
  }

  private threadName(t: Thread): string {
    try {
      t.commFd ??= openSync(`/proc/${this.pid}/task/${t.tid}/comm`, 'r');
      const n = readSync(t.commFd, this.nameBuf, 0, this.nameBuf.length, 0);
      return this.nameBuf.toString('latin1', 0, n).replace(/\n$/, '');
    } catch {
      return '';
    }
  }

  private readonly nameBuf = Buffer.alloc(64);

  /** Threads gone from our view: close what we hold open for them. */
  private forgetThreads(threads: Iterable<Thread>): void {
    for (const t of threads) {
      if (t.commFd !== undefined) closeSync(t.commFd);
      t.commFd = undefined;
    }
  }

  /** fs_base: glibc's pthread_t (the TCB address) on x86-64. */
  private threadPointerOf(tid: number): bigint | undefined {
    const v = native.peek(PTRACE.PEEKUSER, tid, BigInt(FS_BASE_OFFSET));
    return typeof v === 'bigint' && v !== 0n ? v : undefined;
  }

  // ------------------------------------------------------------ registers

  async getRegisters(): Promise<Registers> {
    return registersOf(this.regs());
  }

  async setRegisters(regs: Partial<Registers>): Promise<void> {
    const buf = Buffer.from(this.regs());
    for (const [name, value] of Object.entries(regs)) {
      const i = REGISTER_NAMES.indexOf(name as (typeof REGISTER_NAMES)[number]);
      if (i < 0) throw new TargetError('EINVAL', `unknown register ${name}`);
      if (value === undefined) continue;
      buf.writeBigUInt64LE(BigInt.asUintN(64, value), i * 8);
    }
    this.regsCache = undefined;
    check(native.ptracePtr(PTRACE.SETREGS, this.selTid, 0n, buf), 'cannot set registers');
    this.regsCache = buf;
  }

  private regs(): Buffer {
    this.ensureStopped();
    if (!this.regsCache) {
      const buf = Buffer.alloc(REGS_SIZE);
      check(native.ptracePtr(PTRACE.GETREGS, this.selTid, 0n, buf), 'cannot read registers');
      this.regsCache = buf;
    }
    return this.regsCache;
  }

  async getFpRegisters(): Promise<Buffer> {
    return Buffer.from(this.fpregsBuffer());
  }

  async setFpRegisters(area: Buffer): Promise<void> {
    if (area.length !== FXSAVE_SIZE) throw new TargetError('EINVAL', `the FP/SSE area is ${FXSAVE_SIZE} bytes, not ${area.length}`);
    this.ensureStopped();
    const buf = Buffer.from(area);
    this.fpregsCache = undefined;
    this.xstateCache = undefined;   // the same state seen through GETREGSET
    check(native.ptracePtr(PTRACE.SETFPREGS, this.selTid, 0n, buf), 'cannot set the floating-point registers');
    this.fpregsCache = this.stateCache(buf);
  }

  async getSiginfo(): Promise<Buffer> {
    this.ensureStopped();
    const buf = Buffer.alloc(SIGINFO_SIZE);
    check(native.ptracePtr(PTRACE.GETSIGINFO, this.selTid, 0n, buf), 'cannot read the siginfo');
    return buf;
  }

  async getYmmUpper(): Promise<Buffer> {
    return readYmmUpper(this.xstateBuffer());
  }

  async setYmmUpper(upper: Buffer): Promise<void> {
    if (upper.length !== 256) throw new TargetError('EINVAL', `ymm0h-ymm15h are 256 bytes, not ${upper.length}`);
    const area = writeYmmUpper(this.xstateBuffer(), upper);
    this.xstateCache = undefined;
    this.fpregsCache = undefined;   // the same state seen through GETFPREGS
    check(native.regset(PTRACE.SETREGSET, this.selTid, NT_X86_XSTATE, area), 'cannot set the AVX registers');
    this.xstateCache = this.stateCache(area);
  }

  /** A cache entry for the selected thread at this stop. */
  private stateCache(buf: Buffer): StateCache {
    return { tid: this.selTid, resume: this._resumeCount, buf };
  }

  /** The cached state when it is the selected thread's at this stop. */
  private cached(c: StateCache | undefined): Buffer | undefined {
    return c && c.tid === this.selTid && c.resume === this._resumeCount ? c.buf : undefined;
  }

  /** The selected thread's XSAVE area at this stop, or ENOTSUP without AVX. */
  private xstateBuffer(): Buffer {
    this.ensureStopped();
    const hit = this.cached(this.xstateCache);
    if (hit) return hit;
    // sized by the first read: SETREGSET wants exactly the kernel's XSAVE size back
    const buf = Buffer.alloc(XSTATE_MAX);
    const n = native.regset(PTRACE.GETREGSET, this.selTid, NT_X86_XSTATE, buf);
    check(n, 'cannot read the AVX registers');
    const area = Buffer.from(buf.subarray(0, n));
    if (!xstateHasAvx(area)) throw new TargetError('ENOTSUP', 'this CPU has no AVX registers');
    this.xstateCache = this.stateCache(area);
    return area;
  }

  /** The one place that reads the FP/SSE state: the selected thread's, at this stop. */
  private fpregsBuffer(): Buffer {
    this.ensureStopped();
    const hit = this.cached(this.fpregsCache);
    if (hit) return hit;
    const buf = Buffer.alloc(FXSAVE_SIZE);
    check(native.ptracePtr(PTRACE.GETFPREGS, this.selTid, 0n, buf), 'cannot read the floating-point registers');
    this.fpregsCache = this.stateCache(buf);
    return buf;
  }

  private pc(): bigint {
    return this.regs().readBigUInt64LE(RIP_OFFSET);
  }

  /** pc of any stopped thread, also while the stop is being collected (state 'running'). */
  private pcOf(tid: number): bigint {
    if (tid === this.selTid && this.regsCache) return this.regsCache.readBigUInt64LE(RIP_OFFSET);
    const v = native.peek(PTRACE.PEEKUSER, tid, BigInt(RIP_OFFSET));
    if (typeof v !== 'bigint') check(v, 'cannot read registers');
    return v as bigint;
  }

  private setPcOf(tid: number, pc: bigint): void {
    check(native.ptrace(PTRACE.POKEUSER, tid, BigInt(RIP_OFFSET), pc), 'cannot set pc');
    if (tid === this.selTid) this.regsCache?.writeBigUInt64LE(pc, RIP_OFFSET);
  }

  // --------------------------------------------------------------- memory

  async readMemory(addr: bigint, len: number): Promise<Buffer> {
    this.ensureStopped();
    checkRange(addr, len);
    const buf = this.readRaw(addr, len);
    for (const [bp, orig] of this.breakpoints) {
      if (bp >= addr && bp < addr + BigInt(len)) buf[Number(bp - addr)] = orig;
    }
    return buf;
  }

  /** Bytes as they are in the tracee (int3s included). */
  private readRaw(addr: bigint, len: number): Buffer {
    const buf = Buffer.alloc(len);
    if (len === 0) return buf;
    let done = native.vmRead(this.selTid, addr, buf);
    if (done < 0) done = 0;
    if (done < len) {
      // process_vm_readv refuses PROT_NONE pages; PEEKDATA (FOLL_FORCE) does not.
      const rest = buf.subarray(done);
      const r = native.peekRead(this.selTid, addr + BigInt(done), rest);
      if (r < rest.length) {
        const at = addr + BigInt(done + Math.max(r, 0));
        throw new TargetError('EIO', `cannot access memory at address 0x${at.toString(16)}`);
      }
    }
    return buf;
  }

  async writeMemory(addr: bigint, data: Buffer): Promise<void> {
    this.ensureStopped();
    checkRange(addr, data.length);
    if (data.length === 0) return;
    const out = Buffer.from(data);
    // Writes over a breakpoint change the saved byte; the int3 stays.
    for (const [bp] of this.breakpoints) {
      if (bp >= addr && bp < addr + BigInt(out.length)) {
        const i = Number(bp - addr);
        this.breakpoints.set(bp, out[i]!);
        out[i] = 0xcc;
      }
    }
    this.writeRaw(addr, out);
  }

  private writeRaw(addr: bigint, data: Buffer): void {
    let done = native.vmWrite(this.selTid, addr, data);
    if (done < 0) done = 0;
    if (done < data.length) {
      // Read-only text (breakpoints, patching code): POKEDATA writes through,
      // through a stopped thread; /proc/PID/mem when none is (see releaseOthers).
      const rest = data.subarray(done);
      const via = this.stoppedTid();
      const r = via !== undefined ? native.pokeWrite(via, addr + BigInt(done), rest) : this.procMemWrite(addr + BigInt(done), rest);
      if (r < rest.length) {
        const at = addr + BigInt(done + Math.max(r, 0));
        throw new TargetError('EIO', `cannot access memory at address 0x${at.toString(16)}`);
      }
    }
  }

  /** A thread in a ptrace stop (the selected one first), for the requests that need one. */
  private stoppedTid(): number | undefined {
    const sel = this.threadMap.get(this.selTid);
    if (sel && !sel.running && !sel.zombie) return sel.tid;
    return this.liveThreads().find((t) => !t.running)?.tid;
  }

  /** Write through /proc/PID/mem (forced, like POKEDATA, but with every thread running): bytes written, or -1. */
  private procMemWrite(addr: bigint, data: Buffer): number {
    try {
      const fd = openSync(`/proc/${this.pid}/mem`, 'r+');
      try {
        return writeSync(fd, data, 0, data.length, Number(addr));
      } finally {
        closeSync(fd);
      }
    } catch {
      return -1;
    }
  }

  // ---------------------------------------------------------- breakpoints

  async insertBreakpoint(addr: bigint): Promise<void> {
    this.ensureStopped();
    if (this.breakpoints.has(addr)) return;
    let orig: Buffer;
    try {
      orig = this.readRaw(addr, 1);
      this.writeRaw(addr, Buffer.of(0xcc));
    } catch {
      throw new TargetError('EIO', `cannot insert breakpoint at 0x${addr.toString(16)}: cannot access memory`);
    }
    this.breakpoints.set(addr, orig[0]!);
    this.removedBreakpoints.delete(addr);
  }

  async removeBreakpoint(addr: bigint): Promise<void> {
    this.ensureStopped();
    const orig = this.breakpoints.get(addr);
    if (orig === undefined) throw new TargetError('ENOENT', `no breakpoint at 0x${addr.toString(16)}`);
    this.writeRaw(addr, Buffer.of(orig));
    this.breakpoints.delete(addr);
    this.removedBreakpoints.add(addr);
  }

  /**
   * Execute the instruction under the breakpoint at pc in thread t: put the
   * original byte back, single-step t, re-insert. Returns undefined when the step simply
   * completed, else the stop that got in the way (signal, exit, watchpoint).
   */
  private async stepOverBreakpoint(t: Thread, pc: bigint, sig: number): Promise<StopEvent | undefined> {
    const orig = this.breakpoints.get(pc)!;
    this.writeRaw(pc, Buffer.of(orig));
    let ev: StopEvent;
    try {
      // Only t runs: no other thread can pass the breakpoint while it is out.
      ev = await this.waitForStop(PTRACE.SINGLESTEP, sig, true, t);
    } finally {
      if (this._state !== 'exited' && this.breakpoints.has(pc)) this.writeRaw(pc, Buffer.of(0xcc));
    }
    return ev.reason.kind === 'step' ? undefined : ev;
  }

  // ---------------------------------------------------------- watchpoints

  async insertWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.ensureStopped();
    if (![1, 2, 4, 8].includes(len)) throw new TargetError('EINVAL', `watchpoint length must be 1, 2, 4 or 8, not ${len}`);
    if (addr % BigInt(len) !== 0n) throw new TargetError('EINVAL', `watchpoint address 0x${addr.toString(16)} is not aligned to ${len}`);
    if (!['write', 'read', 'access'].includes(kind)) throw new TargetError('EINVAL', `unknown watchpoint kind ${kind}`);
    if (!debugRegistersTrap()) throw new TargetError('ENOTSUP', 'the debug registers do not trap on this machine');
    if (this.watches.some((w) => w && w.addr === addr && w.len === len && w.kind === kind)) return;
    const slot = this.watches.findIndex((w) => !w);
    if (slot < 0) throw new TargetError('ENOSPC', 'all 4 hardware debug registers are in use');
    this.watches[slot] = { addr, len, kind };
    try {
      for (const t of this.liveThreads()) this.armThread(t.tid, t.tid === this.selTid);
    } catch (e) {
      this.watches[slot] = undefined;
      for (const t of this.liveThreads()) this.armThread(t.tid, false);
      throw new TargetError((e as TargetError).code ?? 'EIO', `cannot set watchpoint at 0x${addr.toString(16)}`);
    }
  }

  /**
   * Program a thread's debug registers with the watchpoints (every thread
   * has its own, and a new thread starts with none). Errors are thrown only
   * when `strict`: a sibling may be exiting under us.
   */
  private armThread(tid: number, strict: boolean): void {
    for (let i = 0; i < 4; i++) {
      const r = native.ptrace(PTRACE.POKEUSER, tid, BigInt(native.debugregOffset(i)), this.watches[i]?.addr ?? 0n);
      if (strict) check(r, 'cannot program the debug registers');
    }
    const r = native.ptrace(PTRACE.POKEUSER, tid, BigInt(native.debugregOffset(7)), this.dr7());
    if (strict) check(r, 'cannot program the debug registers');
  }

  async removeWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.ensureStopped();
    const slot = this.watches.findIndex((w) => w && w.addr === addr && w.len === len && w.kind === kind);
    if (slot < 0) throw new TargetError('ENOENT', `no ${kind} watchpoint at 0x${addr.toString(16)}`);
    await this.clearSlot(slot);
  }

  private async clearSlot(slot: number): Promise<void> {
    this.watches[slot] = undefined;
    for (const t of this.liveThreads()) this.armThread(t.tid, t.tid === this.selTid);
  }

  /** DR7: local enable, R/W (01 write, 11 read/write) and LEN per slot. x86 has no read-only watch. */
  private dr7(): bigint {
    let dr7 = 0n;
    this.watches.forEach((w, i) => {
      if (!w) return;
      const rw = w.kind === 'write' ? 1n : 3n;
      const len = ({ 1: 0n, 2: 1n, 4: 3n, 8: 2n } as Record<number, bigint>)[w.len]!;
      dr7 |= (1n << BigInt(i * 2)) | (rw << BigInt(16 + i * 4)) | (len << BigInt(18 + i * 4));
    });
    return dr7;
  }

  /** Which watchpoint fired in thread tid, from its DR6 (then cleared: the CPU never clears it). */
  private watchHit(tid: number): Watch | undefined {
    if (!this.watches.some(Boolean)) return undefined;
    const dr6 = native.peek(PTRACE.PEEKUSER, tid, BigInt(native.debugregOffset(6)));
    if (typeof dr6 !== 'bigint' || (dr6 & DR6_HIT_MASK) === 0n) return undefined;
    native.ptrace(PTRACE.POKEUSER, tid, BigInt(native.debugregOffset(6)), 0n);
    for (let i = 0; i < 4; i++) if (dr6 & (1n << BigInt(i))) return this.watches[i];
    return undefined;
  }

  // ------------------------------------------------------------ /proc

  async memoryMap(): Promise<Mapping[]> {
    this.ensureAlive();
    return parseMaps(this.readProc('maps'));
  }

  async auxv(): Promise<Array<[bigint, bigint]>> {
    this.ensureAlive();
    return parseAuxv(Buffer.from(this.readProc('auxv', null)));
  }

  private readProc(file: string, enc: BufferEncoding | null = 'latin1'): string {
    try {
      // Through the selected thread: the leader's files are empty once it exited before the others.
      return readFileSync(`/proc/${this.pid}/task/${this.selTid}/${file}`, enc === null ? undefined : enc) as unknown as string;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new TargetError(code === 'ENOENT' ? 'ESRCH' : code, `cannot read /proc/${this.pid}/${file}: ${describeErrno(code)}`);
    }
  }

  // ------------------------------------------------------- the stop loop

  /**
   * Resume and wait for the next stop worth reporting. SINGLESTEP steps one
   * thread (`first`, the selected one by default) while the others stay
   * stopped; CONT resumes every thread, `first` with `sig`, the others with
   * their own signal. Internal traps (a stale interrupt, a SIGCONT wake-up, a
   * new thread) resume again silently; group-stops are parked with
   * PTRACE_LISTEN until SIGCONT or interrupt().
   */
  private async waitForStop(req: number, sig = 0, internal = false, first = this.current()): Promise<StopEvent> {
    this._resumeCount++;
    this.stepping = req === PTRACE.SINGLESTEP ? first : undefined;
    this.othersReleased = false;
    this.stepFrom = this.stepping ? this.pcOf(first.tid) : undefined;
    this.regsCache = undefined;
    this._state = 'running';
    if (!internal) this.emit('running');
    const run = this.runUntilStop(req, sig, first);
    this.inflight = run;
    return run;
  }

  /** The thread being single-stepped while the others stay stopped, if any. */
  private stepping: Thread | undefined;
  /** Filled by resumeSpin() at a stop of thread `fetched` (see takeFetched). */
  private readonly stopBuf = Buffer.alloc(STOP_SIZE);
  private fetched: number | undefined;
  /** pc a SINGLESTEP started from: tells a finished step from a syscall-exit report. */
  private stepFrom: bigint | undefined;

  private async runUntilStop(req: number, sig: number, first: Thread): Promise<StopEvent> {
    if (!this.stepping) for (const t of this.liveThreads()) if (t !== first) this.resume(t, t.signal);
    first.running = true;
    first.signal = 0;
    first.stopSent = STOP_SIGNALS.has(sig);
    first.atBreakpoint = undefined;
    if (this.stepping) first.staleStepTrap = false;   // a step trap still pending reports this step
    // One FFI call resumes and spins for a single-threaded program's stop (the
    // common, fast case), and fetches that stop's siginfo and registers.
    const one = this.threadMap.size === 1;
    const st = one && this.blockNs > 0
      ? native.resumeWait(req, first.tid, sig, this.spinNs, this.blockNs, this.stopBuf)
      : native.resumeSpin(req, first.tid, sig, one ? this.spinNs : 0, this.stopBuf);
    this.fetched = st >= 0 ? first.tid : undefined;
    // -ESRCH: it died under us (SIGKILL from outside); its death is due like any status.
    let r: ThreadStatus | undefined = st === -ERRNO.EAGAIN || st === -ERRNO.ESRCH ? undefined : { tid: first.tid, status: st };
    let spun = this.threadMap.size === 1;
    for (;;) {
      r ??= await this.nextThreadStatus(!spun);
      spun = false;
      const t = this.threadMap.get(r.tid);
      const status = r.status;
      r = undefined;
      if (!t) continue;
      const ev = this.onStatus(t, status);
      if (!ev) {
        this.resumeIfStuck();
        continue;
      }
      if (this._state === 'exited') return this.finish(ev);
      // a program with one thread has no one else to stop (and no promise to wait for)
      const end = this.threadMap.size > 1 ? await this.stopOthers(t) : undefined;
      return this.finish(end ?? ev);
    }
  }

  /** A status of thread t while running: the stop to report, or undefined once handled (t resumed as needed). */
  private onStatus(t: Thread, st: number): StopEvent | undefined {
    t.running = false;
    t.parked = false;
    const gone = this.goneReason(st);
    if (gone) return this.threadGone(t, gone);
    const ev = this.decodeStop(t, decodeStatus(st) as Extract<WaitStatus, { kind: 'stopped' }>, t === this.stepping);
    if (ev) return ev;
    // Swallowed. A new thread stays stopped while another one is stepped alone.
    if (!t.running && (t === this.stepping || this.othersRun)) this.resume(t, 0);
    return undefined;
  }

  /** The end reason for a status that is not a stop (exit, death, or -ECHILD: not ours any more). */
  private goneReason(st: number): StopReason | undefined {
    if (st < 0) return { kind: 'killed', signal: SIG.SIGKILL, signame: 'SIGKILL' };
    const ws = decodeStatus(st);
    if (ws.kind === 'exited') return { kind: 'exited', code: ws.code };
    if (ws.kind === 'signaled') return { kind: 'killed', signal: ws.signal, signame: signalName(ws.signal) };
    return undefined;
  }

  /**
   * The thread being stepped alone is gone (it exited): nothing would ever
   * report, so the others run on, as gdb resumes all when the stepped thread exits.
   */
  private resumeIfStuck(): void {
    const live = this.liveThreads();
    if (live.length === 0 || live.some((t) => t.running)) return;
    this.stepping = undefined;
    for (const t of live) this.resume(t, t.signal);
  }

  private resume(t: Thread, sig: number): void {
    // the registers a swallowed stop fetched go stale as it runs
    if (t.tid === this.selTid) this.regsCache = undefined;
    const req = t === this.stepping ? PTRACE.SINGLESTEP : PTRACE.CONT;
    native.ptrace(req, t.tid, 0n, BigInt(sig));   // ESRCH: it is dying, its death is due anyway
    t.running = true;
    t.signal = 0;
    t.stopSent = STOP_SIGNALS.has(sig);
    t.atBreakpoint = undefined;
  }

  /** Every thread's tid, the leader last: it reports only once the others are reaped. */
  private waitSet(): Int32Array {
    const tids = [...this.threadMap.keys()].filter((tid) => tid !== this.pid);
    return Int32Array.from([...tids, this.pid]);
  }

  private async nextThreadStatus(spin: boolean): Promise<ThreadStatus> {
    const tids = this.waitSet();
    const r = native.waitAny(tids, spin ? this.spinNs : 0);
    if (r.st !== -ERRNO.EAGAIN) return { tid: r.tid, status: r.st };
    const watch = this.watchBlockedStep();
    try {
      return await this.blockingWait(tids);
    } finally {
      if (watch) clearInterval(watch);
    }
  }

  /** True once the threads held still for a step run again (see releaseOthers). */
  private othersReleased = false;

  /** Whether threads other than a stepped one may run now: always but during a step that has not slept. */
  private get othersRun(): boolean {
    return !this.stepping || this.othersReleased;
  }

  /**
   * A thread stepped alone that sleeps in a system call may be waiting for
   * another thread (pthread_join, a mutex, a pipe): held still, they would
   * never wake it. While such a step is out, look now and every
   * BLOCKED_STEP_CHECK_MS; once it sleeps, release the others.
   */
  private watchBlockedStep(): NodeJS.Timeout | undefined {
    const t = this.stepping;
    if (!t || this.othersReleased || this.threadMap.size === 1) return undefined;
    const check = () => {
      if (this.stepping !== t || !t.running || this.othersReleased) return;
      const state = taskState(this.pid, t.tid);
      if (state === 'S' || state === 'D') this.releaseOthers();
    };
    check();
    return this.othersReleased ? undefined : setInterval(check, BLOCKED_STEP_CHECK_MS);
  }

  /**
   * Let the other threads run while the stepped one sleeps, as gdb lets
   * them run during every step: the step ends when that thread comes back
   * from its system call, or earlier when another thread stops (a
   * breakpoint, a signal), which is then reported instead; all-stop either way.
   */
  private releaseOthers(): void {
    this.othersReleased = true;
    for (const o of this.liveThreads()) {
      if (o === this.stepping || o.running || o.fresh || o.pending) continue;
      const pc = this.pcOf(o.tid);
      if (o.atBreakpoint === pc && this.breakpoints.has(pc) && !this.stepOffBreakpoint(o, pc)) continue;
      this.resume(o, o.signal);
    }
  }

  /**
   * Run the instruction under the breakpoint thread o stopped at, alone and
   * at once (a CONT would hit the breakpoint again). False when o has no
   * more to run now: it stopped otherwise (kept, like any sibling stop), or
   * the instruction sleeps (a system call): then its step trap, due when
   * it returns, is known to be ours.
   */
  private stepOffBreakpoint(o: Thread, pc: bigint): boolean {
    this.writeRaw(pc, Buffer.of(this.breakpoints.get(pc)!));
    const sig = o.signal;
    o.signal = 0;
    o.atBreakpoint = undefined;
    let st = native.ptrace(PTRACE.SINGLESTEP, o.tid, 0n, BigInt(sig));
    if (st >= 0) st = this.waitStepOff(o.tid);
    if (st === -ERRNO.EAGAIN) o.running = true;   // writeRaw must not poke through it
    this.writeRaw(pc, Buffer.of(0xcc));
    if (st === -ERRNO.EAGAIN) {
      o.staleStepTrap = true;
      return false;
    }
    const ws = st >= 0 ? decodeStatus(st) : undefined;
    if (ws?.kind === 'stopped' && ws.event === 0 && ws.signal === SIG.SIGTRAP) {
      const code = this.siginfo(o.tid)?.code;
      if ((code === TRAP_TRACE || code === TRAP_BRKPT) && !this.watchHit(o.tid)) return true;
    }
    o.running = true;                        // what onSiblingStatus expects of a thread that reports
    this.onSiblingStatus(o, st);
    return false;
  }

  /**
   * The stop of a thread single-stepped off a breakpoint, or EAGAIN once it
   * sleeps in the system call that instruction made. A thread merely not
   * scheduled yet (a loaded machine) is waited for: the int3 goes back only
   * once the original instruction ran, or it would hit the breakpoint again.
   */
  private waitStepOff(tid: number): number {
    const until = Date.now() + STEP_OFF_LIMIT_MS;
    for (;;) {
      const st = native.waitSpin(tid, STOP_SPIN_NS);
      if (st !== -ERRNO.EAGAIN || taskState(this.pid, tid) !== 'R' || Date.now() > until) return st;
    }
  }

  private blockingWait(tids: Int32Array): Promise<ThreadStatus> {
    const w = nextStatusAny(tids);
    this.waiter = w;
    return w.finally(() => { if (this.waiter === w) this.waiter = undefined; });
  }

  /**
   * All-stop: stop every running thread but `reporter` (PTRACE_INTERRUPT)
   * and collect the stops. What a thread reports instead of the interrupt
   * stop is kept (see onSiblingStatus); its interrupt stays queued in the
   * kernel and is swallowed as stale on a later resume. Returns the end of
   * the process if it ended meanwhile.
   */
  private async stopOthers(reporter: Thread | undefined): Promise<StopEvent | undefined> {
    for (const t of this.liveThreads()) {
      if (t !== reporter && t.running && !t.fresh) native.ptrace(PTRACE.INTERRUPT, t.tid);
    }
    for (;;) {
      const waiting = this.liveThreads().filter((t) => t.running);
      if (waiting.length === 0) return undefined;
      const tids = this.waitSet();
      const got = native.waitAny(tids, STOP_SPIN_NS);
      let r: ThreadStatus;
      if (got.st !== -ERRNO.EAGAIN) r = { tid: got.tid, status: got.st };
      else if (this.findZombieLeader(waiting)) continue;
      else r = await this.blockingWait(tids);
      const t = this.threadMap.get(r.tid);
      if (!t) continue;
      const end = this.onSiblingStatus(t, r.status);
      if (end) return end;
    }
  }

  /**
   * A leader that exited before its threads never stops again and is
   * reported only with the whole process: stop waiting for it.
   */
  private findZombieLeader(waiting: Thread[]): boolean {
    const leader = waiting.find((t) => t.tid === this.pid);
    if (!leader) return false;
    const state = taskState(this.pid, this.pid);
    if (state !== 'Z' && state !== 'X') return false;
    leader.zombie = true;
    leader.running = false;
    if (this.selTid === this.pid) this.select(this.liveThreads()[0]?.tid ?? this.pid);
    return true;
  }

  /**
   * A status of a thread being stopped for all-stop. Any stop stops it. A
   * breakpoint hit is undone (pc back on the int3: it hits again once
   * resumed, and a breakpoint deleted meanwhile is simply not hit); a
   * watchpoint or a signal is kept for the next resume. Returns the end of
   * the process, or the exec that replaced every thread.
   */
  private onSiblingStatus(t: Thread, st: number): StopEvent | undefined {
    t.running = false;
    t.parked = false;
    const gone = this.goneReason(st);
    if (gone) return this.threadGone(t, gone);
    const ws = decodeStatus(st) as Extract<WaitStatus, { kind: 'stopped' }>;
    if (ws.event === PTRACE_EVENT.EXEC) return this.onExec();
    if (ws.event === PTRACE_EVENT.CLONE) return void this.onClone(t, false);
    if (ws.event === PTRACE_EVENT.STOP) {
      if (t.fresh) this.onThreadStart(t);
      if (this.interruptTid === t.tid) this.interruptTid = undefined;
      // a step cut short in its system call (another thread stopped first)
      if (t === this.stepping) t.staleStepTrap = true;
      return undefined;
    }
    if (ws.event !== 0 || ws.signal === (SIG.SIGTRAP | 0x80)) return undefined;
    const info = this.siginfo(t.tid);
    const trap = ws.signal === SIG.SIGTRAP ? this.decodeTrap(t, info, false) : undefined;
    if (trap === 'again' || trap?.reason.kind === 'breakpoint') {
      t.atBreakpoint = undefined;
      return undefined;
    }
    if (trap) {
      t.pending = trap;
      return undefined;
    }
    t.signal = ws.signal;
    t.pending = this.signalEvent(t, ws.signal, info);
    return undefined;
  }

  /** A thread left: forget it. The leader goes last, with the process. */
  private threadGone(t: Thread, reason: StopReason): StopEvent | undefined {
    if (t.tid === this.pid) return this.markExited(reason);
    this.threadMap.delete(t.tid);
    this.forgetThreads([t]);
    if (!t.fresh) this.emitThread('exited', t);
    if (this.selTid === t.tid) {
      this.selTid = this.liveThreads()[0]?.tid ?? this.pid;
      this.regsCache = undefined;
    }
    return undefined;
  }

  /** PTRACE_EVENT_CLONE: the new thread is traced already; its first stop is due. */
  /**
   * PTRACE_EVENT_CLONE: the new thread is traced already and its first stop
   * is due within microseconds; taken here, the threads are announced (and
   * numbered by the front end) in the order they were created. `run`: let
   * it go (the others run); else it stays stopped.
   */
  private onClone(t: Thread, run: boolean): void {
    const msg = Buffer.alloc(8);
    if (native.ptracePtr(PTRACE.GETEVENTMSG, t.tid, 0n, msg) < 0) return;
    const tid = Number(msg.readBigUInt64LE(0));
    if (this.threadMap.has(tid)) return;
    const child = newThread(tid, true, true);
    this.threadMap.set(tid, child);
    // The kernel stops a new traced thread at once, but under load that can
    // take longer than the spin: then wait for it, as gdb does, so threads are
    // still announced (and numbered) in the order they were created.
    let st = native.waitSpin(tid, NEW_THREAD_SPIN_NS);
    if (st === -ERRNO.EAGAIN) st = native.waitBlocking(tid);
    child.running = false;
    const gone = this.goneReason(st);
    if (gone) {
      this.threadGone(child, gone);
      return;
    }
    this.onThreadStart(child);
    if (run) this.resume(child, 0);
  }

  /** A thread event, after the output the program wrote before it (as for stops). */
  private emitThread(kind: 'new' | 'exited', t: Thread): void {
    this.drainPty();
    this.emit('thread', { kind, pid: this.pid, tid: t.tid, threadPointer: t.threadPointer });
  }

  /** The first stop of a new thread: give it the watchpoints and announce it. */
  private onThreadStart(t: Thread): void {
    t.fresh = false;
    this.armThread(t.tid, false);
    t.threadPointer = this.threadPointerOf(t.tid);
    this.emitThread('new', t);
  }

  /**
   * PTRACE_EVENT_EXEC (reported on the leader's tid whichever thread called
   * execve): one thread is left, in a new address space.
   */
  private onExec(): StopEvent {
    for (const t of this.threadMap.values()) {
      if (t.tid === this.pid) continue;
      native.waitNow(t.tid);     // reap what is left of it, if it reported its end already
      if (!t.fresh) this.emitThread('exited', t);
    }
    this.forgetThreads(this.threadMap.values());
    this.threadMap = new Map([[this.pid, newThread(this.pid, false)]]);
    this.selTid = this.pid;
    this.regsCache = undefined;
    this.breakpoints.clear();              // a new address space
    this.removedBreakpoints.clear();
    this.watches.fill(undefined);          // the kernel flushed the debug registers
    this._exePath = this.readExe();
    return this.stopEvent({ kind: 'exec', pc: this.pcOf(this.pid), path: this._exePath });
  }

  /** Turn a stop of thread t into a StopEvent, or undefined for stops we handle ourselves. */
  private decodeStop(t: Thread, ws: Extract<WaitStatus, { kind: 'stopped' }>, stepping: boolean): StopEvent | undefined {
    const have = this.takeFetched(t.tid);
    if (ws.event === PTRACE_EVENT.EXEC) return this.onExec();
    if (ws.event === PTRACE_EVENT.CLONE) return void this.onClone(t, this.othersRun);
    if (ws.event === PTRACE_EVENT.STOP) {
      if (t.fresh) return void this.onThreadStart(t);
      if (this.interruptTid === t.tid) {
        this.interruptTid = undefined;
        if (stepping) t.staleStepTrap = true;
        return this.stopEvent({ kind: 'interrupted', pc: this.pcOf(t.tid) }, t.tid);
      }
      if (STOP_SIGNALS.has(ws.signal) && t.stopSent) {
        // the stop of the signal we gave it: the program stopped, as gdb reports it (resuming continues it)
        t.stopSent = false;
        return this.signalEvent(t, ws.signal, undefined);
      }
      if (STOP_SIGNALS.has(ws.signal)) {
        // Job-control stop we did not give it (another thread's SIGSTOP): stopped as in a shell; wait for SIGCONT.
        native.ptrace(PTRACE.LISTEN, t.tid);
        t.parked = true;
        t.running = true;
      }
      return undefined;                      // stale interrupt trap or SIGCONT wake-up
    }
    if (ws.event !== 0) return undefined;    // events we did not ask for
    if (ws.signal === (SIG.SIGTRAP | 0x80)) return undefined;  // syscall stop
    const info = have & 1 ? siginfoOf(this.stopBuf) : this.siginfo(t.tid);
    if (ws.signal === SIG.SIGTRAP) {
      const ev = this.decodeTrap(t, info, stepping);
      if (ev === 'again') return undefined;
      if (ev) return ev;
    }
    this.interruptLost();
    t.signal = ws.signal;
    return this.signalEvent(t, ws.signal, info);
  }

  /**
   * What resumeSpin() fetched for thread `tid`'s stop (bit 1: siginfo in
   * stopBuf, bit 2: registers, now the register cache when `tid` is the
   * selected thread); 0 for any other status. Good for one decode only.
   */
  private takeFetched(tid: number): number {
    if (this.fetched !== tid) return 0;
    this.fetched = undefined;
    const have = this.stopBuf.readInt32LE(STOP_HAVE_OFFSET);
    if (have & 2 && tid === this.selTid) {
      this.regsCache = Buffer.from(this.stopBuf.subarray(STOP_REGS_OFFSET, STOP_REGS_OFFSET + REGS_SIZE));
    }
    return have;
  }

  private signalEvent(t: Thread, signal: number, info: SigInfo | undefined): StopEvent {
    const reason: StopReason = { kind: 'signal', pc: this.pcOf(t.tid), signal, signame: signalName(signal) };
    if (FAULT_SIGNALS.has(signal) && info) reason.fault = info.addr;
    return this.stopEvent(reason, t.tid);
  }

  /**
   * Debugger traps: int3, single step, debug registers. Undefined: a real
   * SIGTRAP for the program; 'again': a report to step past.
   */
  private decodeTrap(t: Thread, info: SigInfo | undefined, stepping: boolean): StopEvent | 'again' | undefined {
    const code = info?.code ?? 0;
    const pc = this.pcOf(t.tid);
    if (t.staleStepTrap && !stepping && (code === TRAP_BRKPT || code === TRAP_TRACE)) {
      t.staleStepTrap = false;
      return 'again';
    }
    if (code === TRAP_BRKPT && stepping) {
      // Stepping out of a system call (or out of the exec stop) reports at
      // syscall exit; if nothing executed yet, step for real.
      if (pc === this.stepFrom) return 'again';
      this.interruptLost();
      return this.stopEvent({ kind: 'step', pc }, t.tid);
    }
    if (code === SI_KERNEL) {
      const at = pc - 1n;
      if (this.staleTrap(at, t.tid)) {
        this.setPcOf(t.tid, at);             // the int3 it hit is gone: run the instruction there
        return 'again';
      }
      if (!this.breakpoints.has(at)) return undefined;
      this.setPcOf(t.tid, at);
      this.interruptLost();
      t.atBreakpoint = at;
      return this.stopEvent({ kind: 'breakpoint', pc: at }, t.tid);
    }
    if (code === TRAP_HWBKPT || code === TRAP_TRACE) {
      const w = this.watchHit(t.tid);
      this.interruptLost();
      if (w) return this.stopEvent({ kind: 'watchpoint', pc, address: w.addr, access: w.kind }, t.tid);
      if (stepping) return this.stopEvent({ kind: 'step', pc }, t.tid);
    }
    return undefined;
  }

  /** The SIGTRAP of an int3 at `at` that we removed since (the program's own int3s stay 0xcc). */
  private staleTrap(at: bigint, tid: number): boolean {
    if (!this.removedBreakpoints.has(at) || this.breakpoints.has(at)) return false;
    const byte = Buffer.alloc(1);
    return native.vmRead(tid, at, byte) === 1 && byte[0] !== 0xcc;
  }

  /**
   * Before a detach: a thread that PTRACE_INTERRUPT stopped just as it hit
   * an int3 of ours (or in a single step we asked for) still holds that
   * SIGTRAP, which would kill the program once detached. Let it take the
   * signal now (suppressed), with pc moved back onto a breakpoint's
   * instruction.
   */
  private drainTraps(): void {
    for (const t of this.liveThreads()) {
      for (let i = 0; i < 3 && sigtrapPending(this.pid, t.tid); i++) {
        if (native.ptrace(PTRACE.CONT, t.tid, 0n, 0n) < 0) break;
        let st = native.waitSpin(t.tid, 100_000_000);
        if (st === -ERRNO.EAGAIN) {
          native.ptrace(PTRACE.INTERRUPT, t.tid);
          st = native.waitSpin(t.tid, 100_000_000);
        }
        const ws = st < 0 ? undefined : decodeStatus(st);
        if (!ws || ws.kind !== 'stopped') {
          t.zombie = true;
          break;
        }
        if (ws.signal !== SIG.SIGTRAP || ws.event !== 0 || this.siginfo(t.tid)?.code !== SI_KERNEL) continue;
        const at = this.pcOf(t.tid) - 1n;
        if (this.breakpoints.has(at) || this.removedBreakpoints.has(at)) this.setPcOf(t.tid, at);
      }
    }
  }

  /**
   * An interrupt() raced with another stop: that stop wins and the interrupt
   * trap stays queued in the kernel; it is swallowed on the next resume.
   */
  private interruptLost(): void {
    this.interruptTid = undefined;
  }

  private siginfo(tid: number): SigInfo | undefined {
    const buf = Buffer.alloc(SIGINFO_SIZE);
    if (native.ptracePtr(PTRACE.GETSIGINFO, tid, 0n, buf) < 0) return undefined;
    return siginfoOf(buf);
  }

  private readExe(): string {
    try {
      return readlinkSync(`/proc/${this.pid}/exe`);
    } catch {
      return this._exePath;
    }
  }

  private stopEvent(reason: StopReason, tid = this.selTid): StopEvent {
    return { pid: this.pid, tid, reason };
  }

  /** The stop is the program's: its thread becomes the selected one. */
  private finish(ev: StopEvent): StopEvent {
    this.stepping = undefined;
    if (this._state !== 'exited') {
      this._state = 'stopped';
      if (this.selTid !== ev.tid && this.threadMap.has(ev.tid)) {
        this.selTid = ev.tid;
        this.regsCache = undefined;
      }
    }
    this.drainPty();
    return ev;
  }

  private report(ev: StopEvent): StopEvent {
    if (this._state !== 'exited' && this.threadMap.has(ev.tid) && this.selTid !== ev.tid) {
      this.selTid = ev.tid;
      this.regsCache = undefined;
    }
    this.lastStopEvent = ev;
    this.emit('stop', ev);
    return ev;
  }

  private markExited(reason: StopReason): StopEvent {
    this.drainPty();   // all it wrote: no one writes any more
    this.releasePty();
    this._state = 'exited';
    this.regsCache = undefined;
    this.breakpoints.clear();
    this.watches.fill(undefined);
    this.forgetThreads(this.threadMap.values());
    this.threadMap = new Map([[this.pid, newThread(this.pid, false)]]);
    this.selTid = this.pid;
    unregisterTracee(this);
    this.markGone();
    return this.stopEvent(reason, this.pid);
  }

  /** cont()/step() signal: explicit number, else the one the program was stopped with. */
  private signalToDeliver(signal: number | undefined): number {
    if (signal === undefined) return this.current().signal;
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) throw new TargetError('EINVAL', `invalid signal ${signal}`);
    return signal;
  }

  private ensureAlive(): void {
    if (this._state === 'exited') throw new TargetError('ESRCH', 'the program is not being run');
  }

  private ensureStopped(): void {
    this.ensureAlive();
    if (this._state === 'running') throw new TargetError('EBUSY', 'the program is running');
  }

  /**
   * Read the program's output as it comes, through `fd`, libuv's own copy of
   * the pty master: libuv (1.46, Node 20) takes a hangup after a short read
   * for the end of the stream although the pty may still hold output
   * (libuv#4992: when the program writes and exits at once, its last lines
   * are still on their way to the master), and Node then closes the
   * descriptor. The rest is still there through ptyFd, ours until the
   * process is gone: drainPty reads it at the exit, ahead of the exit report.
   */
  private openPty(fd: number): void {
    const stream = new ReadStream(fd);
    stream.on('data', (chunk: Buffer) => this.emit('output', chunk));
    // EIO once the last slave fd closes (the program exited): the normal end.
    stream.on('error', () => undefined);
    stream.on('close', () => { this.pty = undefined; });
    this.pty = stream;
  }

  /**
   * Emit, as 'output', everything the program wrote before the stop being
   * collected, so every listener sees it ahead of the 'stop' (gdb prints a
   * program's output before "Breakpoint 1, ..."). No event-loop turn is
   * needed: chunks libuv already read but the stream still buffers go first
   * (read() emits them as 'data'), then what the kernel still holds is read
   * here synchronously. libuv and this read take bytes off the same queue,
   * on this one thread, so nothing is reordered or read twice. Bounded: a
   * grandchild that shares the pty may write without end.
   */
  private drainPty(): void {
    if (this.ptyFd < 0) return;
    const pty = this.pty;
    // chunks libuv read that the stream still holds go first
    if (pty && !pty.destroyed) while (pty.read() !== null) { /* each chunk went out through the 'data' listener */ }
    // one buffer for every stop: a stepi's drain finds nothing, and 64 KiB per stop kept the GC busy
    const buf = (drainBuf ??= Buffer.allocUnsafe(PTY_DRAIN_CHUNK));
    for (let i = 0; i < PTY_DRAIN_MAX_READS; i++) {
      const n = native.ptyReadReady(this.ptyFd, buf);
      if (n <= 0) return;
      this.emit('output', Buffer.from(buf.subarray(0, n)));
    }
  }

  /** The process is gone or let go: close our pty master (libuv's copy reads on, unreferenced, until its end). */
  private releasePty(): void {
    this.pty?.unref();
    if (this.ptyFd >= 0) closeSync(this.ptyFd);
    this.ptyFd = -1;
  }
}

interface SigInfo { signo: number; code: number; addr: bigint }


/** Whether thread tid has a SIGTRAP pending (SigPnd in /proc/PID/task/TID/status). */
function sigtrapPending(pid: number, tid: number): boolean {
  try {
    const m = /^SigPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'));
    return m !== null && (BigInt('0x' + m[1]) & (1n << BigInt(SIG.SIGTRAP - 1))) !== 0n;
  } catch {
    return false;
  }
}

/** The tids in /proc/PID/task (empty once the process is gone). */
function listTasks(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function checkRange(addr: bigint, len: number): void {
  if (!Number.isInteger(len) || len < 0) throw new TargetError('EINVAL', `invalid length ${len}`);
  if (addr < 0n || addr + BigInt(len) > 1n << 64n) throw new TargetError('EINVAL', `invalid address 0x${addr.toString(16)}`);
}
