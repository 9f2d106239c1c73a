/**
 * The one Target interface. Everything above src/target/ (snapshots, commands,
 * the RSP server, the UI, scripts) talks to a program only through this, so it
 * cannot tell a local ptrace target from a remote (GDB RSP) one.
 *
 * Modelled on Delve's split (pkg/proc/native, pkg/proc/gdbserial): the core
 * operations every back end has live here; optional powers are facets of
 * `capabilities`: typed interfaces a back end sets when it has the power and
 * leaves undefined when not (Delve's proc.Target keeps RecordingManipulation
 * the same way). That is the only style: no optional methods on Target, no
 * methods only one back end has that callers reach through a cast.
 *
 * Conventions:
 *  - addresses are bigint (x86-64 user addresses do not fit in a double);
 *  - every method that talks to the tracee is async and never blocks the event
 *    loop while the tracee runs, so Ctrl-C (interrupt()) always gets through;
 *  - errors are TargetError with an errno-like code and a one-line message fit
 *    for the prompt: never a raw stack trace.
 */
import type { EventEmitter } from 'node:events';
import type { SnapshotEngine } from './snapshot-engine.js';
export type { SnapshotEngine, SnapshotInfo, SnapshotLimits } from './snapshot-engine.js';

/** x86-64 general registers, in `struct user_regs_struct` order. */
export const REGISTER_NAMES = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8',
  'rax', 'rcx', 'rdx', 'rsi', 'rdi', 'orig_rax', 'rip', 'cs', 'eflags', 'rsp',
  'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;
export type RegisterName = (typeof REGISTER_NAMES)[number];
export type Registers = Record<RegisterName, bigint>;

export type TargetState = 'running' | 'stopped' | 'exited';

/** Why the target stopped. One event per stop; `exited`/`killed` end the process. */
export type StopReason =
  | { kind: 'breakpoint'; pc: bigint }                 // software or hardware execution breakpoint
  | { kind: 'watchpoint'; pc: bigint; address: bigint; access: WatchKind }
  | { kind: 'step'; pc: bigint }                       // single step completed
  | { kind: 'signal'; pc: bigint; signal: number; signame: string; fault?: bigint }
  | { kind: 'interrupted'; pc: bigint }                // interrupt() / Ctrl-C
  | { kind: 'exec'; pc: bigint; path: string }
  /** a system call's entry or exit (catch syscall): its number, arguments and, at exit, its result */
  | { kind: 'syscall'; pc: bigint; nr: number; entry: boolean; args: bigint[]; ret?: bigint }
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: number; signame: string };

export interface StopEvent {
  pid: number;
  tid: number;
  reason: StopReason;
}

export type WatchKind = 'write' | 'read' | 'access';

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;        // "rw-p"
  offset: bigint;
  dev: string;
  inode: number;
  path: string;         // "" for anonymous, "[heap]", "[stack]", ...
}

/** A thread of the program (a Linux task: tid is the LWP id; the main thread's tid is the pid). */
export interface ThreadInfo {
  tid: number;
  /** /proc/PID/task/TID/comm (pthread_setname_np), "" when unknown. */
  name: string;
  state: 'stopped' | 'running';
  /**
   * The thread pointer (fs_base on x86-64): glibc's pthread_t, which gdb
   * prints as "Thread 0x7ffff7d8a740". Undefined when it cannot be read.
   */
  threadPointer?: bigint;
}

/** A thread appeared (clone) or went away (exit, or the exec of a sibling). */
export interface ThreadEvent {
  kind: 'new' | 'exited';
  pid: number;
  tid: number;
  threadPointer?: bigint;
  /**
   * An exit noticed afterwards, by its absence from the thread list at a
   * stop (a remote stub in all-stop), not reported when it happened. gdb
   * forgets such threads without a word.
   */
  pruned?: boolean;
}

export interface TargetEvents {
  stop: [StopEvent];
  /** Threads coming and going while the program runs (before the 'stop' they precede). */
  thread: [ThreadEvent];
  /** Output the inferior wrote (its pty for local targets, O packets for remote). */
  output: [Buffer];
  running: [];
}

export class TargetError extends Error {
  constructor(
    /** errno-style name: 'ESRCH' | 'EFAULT' | 'EIO' | 'EPERM' | 'ENOTSUP' | ... */
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** The x87/SSE state as the 512-byte FXSAVE area (see Target.capabilities.fpRegisters). */
export interface FpRegistersFacet {
  /**
   * Linux's `struct user_fpregs_struct` (fctrl, fstat, abridged ftag, fop,
   * fioff/fiseg, fooff/foseg, mxcsr, st0-7 in 16-byte slots, xmm0-15) of the
   * selected thread, cached per stop; the buffer returned is the caller's.
   * ./fpregs.ts turns it into gdb's registers.
   */
  get(): Promise<Buffer>;
  /** Write the whole area back (read it, change it, write it back). */
  set(area: Buffer): Promise<void>;
}

/** The AVX upper halves of ymm0-15 (gdb's ymm0h..ymm15h), 16 x 16 bytes; ymmN = xmmN : ymmNh. */
export interface YmmUpperFacet {
  /** Throws ENOTSUP when the CPU (or the stub's description) has no AVX. */
  get(): Promise<Buffer>;
  set(upper: Buffer): Promise<void>;
}

/** The siginfo_t (128 bytes, x86-64 layout) of the selected thread's last stop: gdb's $_siginfo. */
export interface SiginfoFacet {
  get(): Promise<Buffer>;
}

/** The stub's own commands (gdb's `monitor`, RSP qRcmd). */
/**
 * Stopping at system calls (catch syscall): the calls to report (any for
 * 'any'; none for undefined, the default). The target resumes with
 * PTRACE_SYSCALL while a set is given and passes over the other calls' stops.
 */
export interface SyscallCatchFacet {
  set(calls: ReadonlySet<number> | 'any' | undefined): void;
}

export interface MonitorFacet {
  /** The text the command printed. */
  run(command: string): Promise<string>;
}

/** The program's terminal, when the back end gave it one (a local pty). */
export interface ProgramTerminalFacet {
  /** Keyboard input for the program. */
  write(data: Buffer | string): Promise<void>;
  /** The window size the program sees (SIGWINCH). */
  resize(rows: number, cols: number): void;
}

/**
 * Optional powers, one style: each facet is present when the back end has
 * the power and undefined when not. Callers go through the helpers in
 * ./capabilities.ts, which give the single, clear error for an absent one.
 * A present facet may still fail one call (ENOTSUP: a CPU without AVX).
 */
export interface TargetCapabilities {
  /**
   * Hardware watchpoints through debug registers, as this back end really
   * has them: locally the debug-register probe's answer (./debugregs.ts: some
   * hypervisors accept DR7 and never trap); remotely whether the stub
   * accepted a Z2 packet.
   */
  readonly hardwareBreakpoints: boolean;
  /** Memory snapshots (kernel PTRACE_SNAPSHOT, user space, or remote monitor). */
  snapshots?: SnapshotEngine;
  monitor?: MonitorFacet;
  fpRegisters?: FpRegistersFacet;
  ymmUpper?: YmmUpperFacet;
  siginfo?: SiginfoFacet;
  terminal?: ProgramTerminalFacet;
  syscalls?: SyscallCatchFacet;
}

/**
 * Threads, all-stop (gdb's default): a stop of any thread stops every thread,
 * cont() resumes them all, step() steps the selected thread alone while the
 * others stay stopped (gdb's `set scheduler-locking step`), so stepping is
 * deterministic, until the step sleeps in a system call: then the others
 * run (it may be waiting for one of them), and a stop of theirs ends the
 * step instead. The thread that reports a stop becomes the selected one;
 * registers, step() and everything built on them (frames) use the selected
 * thread; memory and breakpoints are shared; watchpoints fire in any thread.
 */
export interface Target extends EventEmitter<TargetEvents> {
  /** 'local' | 'remote' — for display only; callers must not branch on it. */
  readonly kind: string;
  /** gdb's name of the connection in `info inferiors`: "native", "remote HOST:PORT". */
  readonly connection: string;
  readonly pid: number;
  readonly state: TargetState;
  /** Absolute path of the executable (local path; remote targets fetch it). */
  readonly exePath: string;
  readonly capabilities: TargetCapabilities;

  /**
   * Resume until the next stop. Resolves with that stop. `signal`: omitted,
   * the signal the program last stopped with is delivered (gdb's `continue`
   * after "Program received signal ..."); 0 delivers none (gdb's `signal 0`);
   * N delivers N. Continuing from a breakpoint address executes the original
   * instruction first.
   */
  cont(signal?: number): Promise<StopEvent>;
  /**
   * Execute one instruction (`signal` as for cont()). Landing on a breakpoint
   * address still reports 'step'; a signal or watchpoint met on the way wins.
   */
  step(signal?: number): Promise<StopEvent>;
  /** Ask a running target to stop (Ctrl-C); the pending cont() resolves with 'interrupted'. */
  interrupt(): void;
  /** Kill the process and reap it. Safe to call in any state. */
  kill(): Promise<void>;
  /** Remove our breakpoints, detach and let it run. */
  detach(): Promise<void>;

  /** The live threads, main thread first, then in order of appearance. */
  threads(): Promise<ThreadInfo[]>;
  /**
   * The back end's name for a thread, gdb's "Target Id": natively
   * "Thread 0x7ffff7d8a740 (LWP 1234)" (the pthread_t, once the thread
   * pointer is known, else "LWP 1234"); over the remote protocol
   * "Thread 1233.1234" (the stub's process.thread).
   */
  threadTargetId(tid: number, threadPointer?: bigint): string;
  /** The tid registers and step() use (the last stop's thread until selectThread()). */
  readonly selectedThread: number;
  /** Select a thread of the stopped program. Throws ESRCH for a tid that is not a live thread. */
  selectThread(tid: number): void;

  getRegisters(): Promise<Registers>;
  setRegisters(regs: Partial<Registers>): Promise<void>;

  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;

  /** Software breakpoint at addr (int3); the target hides the 0xcc from readMemory. */
  insertBreakpoint(addr: bigint): Promise<void>;
  removeBreakpoint(addr: bigint): Promise<void>;
  /** Hardware watchpoint (len 1, 2, 4 or 8, aligned). Throws ENOSPC when the 4 slots are used. */
  insertWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void>;
  removeWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void>;

  memoryMap(): Promise<Mapping[]>;
  /** The ELF auxiliary vector as [type, value] pairs. */
  auxv(): Promise<Array<[bigint, bigint]>>;
}
