/**
 * What the layers of LocalTarget share: the traced thread's record,
 * siginfo decoding, the trap codes and timing constants, and /proc helpers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { REGISTER_NAMES, TargetError, type StopEvent, type WatchKind } from '../types.js';
import { SIG } from '../native.js';

export const REGS_SIZE = REGISTER_NAMES.length * 8;

/** The fields of a siginfo_t tsdbg uses. */
export function siginfoOf(b: Buffer): SigInfo {
  return { signo: b.readInt32LE(0), code: b.readInt32LE(8), addr: b.readBigUInt64LE(16) };
}

export const RIP_OFFSET = REGISTER_NAMES.indexOf('rip') * 8;
export const FS_BASE_OFFSET = REGISTER_NAMES.indexOf('fs_base') * 8;
/** How long a thread sent PTRACE_INTERRUPT gets to stop before we look for a zombie leader. */
export const STOP_SPIN_NS = 500_000;
/** How long a thread stepped off a breakpoint may stay runnable without running its one instruction. */
export const STEP_OFF_LIMIT_MS = 2000;
/** How often a thread stepped off a breakpoint that has not stopped yet is looked at again (the event loop runs between). */
export const STEP_OFF_POLL_MS = 1;
/** How long a clone event waits for the new thread's first stop (it comes within microseconds). */
export const NEW_THREAD_SPIN_NS = 5_000_000;
/** How often a step that has not come back looks whether its thread sleeps in a system call (see releaseOthers). */
export const BLOCKED_STEP_CHECK_MS = 10;
export const SIGINFO_SIZE = 128;
export const SI_KERNEL = 0x80;
export const TRAP_BRKPT = 1;
export const TRAP_TRACE = 2;
export const TRAP_HWBKPT = 4;
export const DR6_HIT_MASK = 0xfn;
export const DR6_STEP = 1n << 14n;
/** Signals whose siginfo carries a fault address (si_addr). */
export const FAULT_SIGNALS = new Set([SIG.SIGSEGV, SIG.SIGBUS, SIG.SIGILL, SIG.SIGFPE]);
export const STOP_SIGNALS = new Set([SIG.SIGSTOP, SIG.SIGTSTP, SIG.SIGTTIN, SIG.SIGTTOU]);

export interface Watch {
  addr: bigint;
  len: number;
  kind: WatchKind;
}

/** One traced thread (a task of the process). */
export interface Thread {
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
  /** The system call it is in, from its entry stop (catch syscall): the exit stop does not say. */
  syscall?: { nr: number; args: bigint[] };
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

export function newThread(tid: number, running: boolean, fresh = false): Thread {
  return { tid, running, fresh, parked: false, zombie: false, signal: 0 };
}



export interface SigInfo { signo: number; code: number; addr: bigint }


/** Whether thread tid has a SIGTRAP pending (SigPnd in /proc/PID/task/TID/status). */
export function sigtrapPending(pid: number, tid: number): boolean {
  try {
    const m = /^SigPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'));
    return m !== null && (BigInt('0x' + m[1]) & (1n << BigInt(SIG.SIGTRAP - 1))) !== 0n;
  } catch {
    // no status file: the thread is gone, nothing can be pending for it
    return false;
  }
}

/** The tids in /proc/PID/task (empty once the process is gone). */
export function listTasks(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((n) => n > 0);
  } catch {
    // no task directory: the process is gone, it has no threads
    return [];
  }
}

export function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    // no stat file: the process is gone (attach then fails with ESRCH itself)
    return -1;
  }
}

export function checkRange(addr: bigint, len: number): void {
  if (!Number.isInteger(len) || len < 0) throw new TargetError('EINVAL', `invalid length ${len}`);
  if (addr < 0n || addr + BigInt(len) > 1n << 64n) throw new TargetError('EINVAL', `invalid address 0x${addr.toString(16)}`);
}
