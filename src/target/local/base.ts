/**
 * LocalTarget's process state, like Delve's nativeProcess struct
 * (pkg/proc/native/proc.go): the fields every concern shares, the
 * constructor, and the small helpers all of them use. LocalTarget is one
 * object whose methods are spread over src/target/local/ by concern, each
 * file a class layer over the one before (Go spreads one struct's methods
 * over files the same way):
 *
 *   base -> threads -> registers -> memory -> breakpoints -> watchpoints
 *        -> stops (stop decoding) -> wait-loop -> ../local.ts (launch, attach,
 *           resume, kill, detach)
 *
 * A layer calls a later one only through an abstract declaration.
 */
import { EventEmitter } from 'node:events';
import { readlinkSync } from 'node:fs';
import { TargetError, type Registers, type StopEvent, type StopReason, type TargetEvents, type TargetState } from '../types.js';
import { PTRACE, STOP_SIZE, native } from '../native.js';
import { type ThreadStatus } from '../waiter.js';
import { siginfoOf, SIGINFO_SIZE, newThread, type Watch, type Thread, type SigInfo } from './shared.js';
import { registerTracee } from '../reaper.js';
import { ProgramPty } from './pty.js';

export abstract class LocalProcess extends EventEmitter<TargetEvents> {
  protected _state: TargetState = 'stopped';

  /** The program's terminal (a started program's pty; none for an attached one). */
  protected readonly pty: ProgramPty;

  protected constructor(
    readonly pid: number,
    exePath: string,
    /** true when we started the process: kill it on quit; false: detach. */
    readonly startedByUs: boolean,
    ptyFd: number,
    spinUs: number,
    /** libuv's own descriptor for the pty master (see ProgramPty). */
    ptyReader: number,
  ) {
    super();
    this._exePath = exePath;
    this.spinNs = Math.max(0, spinUs) * 1000;
    this.threadMap.set(pid, newThread(pid, false));
    this.selTid = pid;
    this.pty = new ProgramPty(ptyFd, ptyReader, (chunk) => this.emit('output', chunk));
    registerTracee(this);
  }

  /** Synchronous last-resort cleanup for process exit handlers (./reaper.ts). */
  abstract abandonSync(): void;

  protected _exePath: string;

  /** Original byte under each inserted int3. */
  protected readonly breakpoints = new Map<bigint, number>();

  /**
   * Breakpoints removed since the last exec (gdb's moribund locations): a
   * thread stopped by PTRACE_INTERRUPT just as it hit one still holds the
   * int3's SIGTRAP, delivered on its next resume with pc past the address.
   */
  protected readonly removedBreakpoints = new Set<bigint>();

  protected readonly watches: Array<Watch | undefined> = [undefined, undefined, undefined, undefined];

  /** Registers of the selected thread. */
  protected regsCache: Buffer | undefined;

  /** Every traced thread, the leader first, then in order of appearance. */
  protected threadMap = new Map<number, Thread>();

  /** The selected thread: registers, step(), memory access go through it. */
  protected selTid: number;

  /** The thread interrupt() sent PTRACE_INTERRUPT to, until its stop is seen (or another stop wins). */
  protected interruptTid: number | undefined;

  /** The event-driven wait in progress (./waiter.ts), if any. */
  protected waiter: Promise<ThreadStatus> | undefined;

  /** The resume in progress (running state). */
  protected inflight: Promise<StopEvent> | undefined;

  protected lastStopEvent: StopEvent | undefined;

  protected readonly spinNs: number;
  /** SpawnOptions.blockUs in ns. */
  blockNs = 0;

  protected _resumeCount = 0;

  protected markGone!: () => void;

  /** Resolves once the process is gone (exited, killed, or detached). */
  protected readonly exited = new Promise<void>((resolve) => { this.markGone = resolve; });

  /** The thread being single-stepped while the others stay stopped, if any. */
  protected stepping: Thread | undefined;
  /** catch syscall: the calls to stop at (resumes are PTRACE_SYSCALL while set). */
  protected syscallCatch: ReadonlySet<number> | 'any' | undefined;

  /** Filled by resumeSpin() at a stop of thread `fetched` (see takeFetched). */
  protected readonly stopBuf = Buffer.alloc(STOP_SIZE);

  protected fetched: number | undefined;

  /** pc a SINGLESTEP started from: tells a finished step from a syscall-exit report. */
  protected stepFrom: bigint | undefined;

  /** True once the threads held still for a step run again (see releaseOthers). */
  protected othersReleased = false;

  get state(): TargetState { return this._state; }

  /**
   * Times the tracee was resumed. The memory map can only change while it
   * runs (of its traced thread), so consumers cache /proc/PID/maps per value.
   */
  get resumeCount(): number { return this._resumeCount; }

  get exePath(): string { return this._exePath; }

  /** The stop the target is in (the exec stop right after spawn). */
  get lastStop(): StopEvent | undefined { return this.lastStopEvent; }

  protected current(): Thread {
    return this.threadMap.get(this.selTid)!;
  }

  protected liveThreads(): Thread[] {
    return [...this.threadMap.values()].filter((t) => !t.zombie);
  }

  protected select(tid: number): void {
    if (tid !== this.selTid) this.regsCache = undefined;
    this.selTid = tid;
  }

  protected stopEvent(reason: StopReason, tid = this.selTid): StopEvent {
    return { pid: this.pid, tid, reason };
  }

  protected ensureAlive(): void {
    if (this._state === 'exited') throw new TargetError('ESRCH', 'the program is not being run');
  }

  protected ensureStopped(): void {
    this.ensureAlive();
    if (this._state === 'running') throw new TargetError('EBUSY', 'the program is running');
  }

  protected readExe(): string {
    try {
      return readlinkSync(`/proc/${this.pid}/exe`);
    } catch {
      // the process is gone between its exec stop and this read: the last known path still names it
      return this._exePath;
    }
  }

  /**
   * An interrupt() raced with another stop: that stop wins and the interrupt
   * trap stays queued in the kernel; it is swallowed on the next resume.
   */
  protected interruptLost(): void {
    this.interruptTid = undefined;
  }

  protected siginfo(tid: number): SigInfo | undefined {
    const buf = Buffer.alloc(SIGINFO_SIZE);
    if (native.ptracePtr(PTRACE.GETSIGINFO, tid, 0n, buf) < 0) return undefined;
    return siginfoOf(buf);
  }
}
