/**
 * Stop decoding: a wait status of a traced thread turned into the
 * StopEvent it means (breakpoint, step, watchpoint, signal, exec, exit), or
 * into nothing for the traps that are ours (a stale interrupt, a new thread,
 * a clone event); and the bookkeeping of a stop (selected thread, exit).
 */
import { type StopEvent, type StopReason } from '../types.js';
import { ERRNO, PTRACE, PTRACE_EVENT, SIG, STOP_HAVE_OFFSET, STOP_REGS_OFFSET, decodeStatus, native, signalName, type WaitStatus } from '../native.js';
import { unregisterTracee } from '../reaper.js';
import { REGS_SIZE, siginfoOf, NEW_THREAD_SPIN_NS, SI_KERNEL, TRAP_BRKPT, TRAP_TRACE, TRAP_HWBKPT, FAULT_SIGNALS, STOP_SIGNALS, newThread, sigtrapPending, type Thread, type SigInfo } from './shared.js';
import { LocalWatchpoints } from './watchpoints.js';
import { syscallInfo } from '../../syscall/info.js';

export abstract class LocalStops extends LocalWatchpoints {
  /** Whether threads other than a stepped one may run now (./wait-loop.ts). */
  protected abstract get othersRun(): boolean;
  /** Resume thread t with signal sig (./wait-loop.ts). */
  protected abstract resume(t: Thread, sig: number): void;

  /** Turn a stop of thread t into a StopEvent, or undefined for stops we handle ourselves. */
  protected decodeStop(t: Thread, ws: Extract<WaitStatus, { kind: 'stopped' }>, stepping: boolean): StopEvent | undefined {
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
    if (ws.signal === (SIG.SIGTRAP | 0x80)) return this.syscallStop(t);
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

  /** A syscall stop (catch syscall): reported when the call is one asked for. */
  protected syscallStop(t: Thread): StopEvent | undefined {
    const info = syscallInfo(t.tid, t.syscall !== undefined);
    if (info.op === 'entry') t.syscall = { nr: info.nr, args: info.args };
    const call = t.syscall;
    if (info.op === 'exit') t.syscall = undefined;
    const want = this.syscallCatch;
    if (info.op === 'none' || !call || !want || (want !== 'any' && !want.has(call.nr))) return undefined;
    this.interruptLost();
    const reason: StopReason = { kind: 'syscall', pc: info.pc, nr: call.nr, entry: info.op === 'entry', args: call.args };
    if (info.op === 'exit') reason.ret = info.ret;
    return this.stopEvent(reason, t.tid);
  }

  /**
   * What resumeSpin() fetched for thread `tid`'s stop (bit 1: siginfo in
   * stopBuf, bit 2: registers, now the register cache when `tid` is the
   * selected thread); 0 for any other status. Good for one decode only.
   */
  protected takeFetched(tid: number): number {
    if (this.fetched !== tid) return 0;
    this.fetched = undefined;
    const have = this.stopBuf.readInt32LE(STOP_HAVE_OFFSET);
    if (have & 2 && tid === this.selTid) {
      this.regsCache = Buffer.from(this.stopBuf.subarray(STOP_REGS_OFFSET, STOP_REGS_OFFSET + REGS_SIZE));
    }
    return have;
  }

  protected signalEvent(t: Thread, signal: number, info: SigInfo | undefined): StopEvent {
    const reason: StopReason = { kind: 'signal', pc: this.pcOf(t.tid), signal, signame: signalName(signal) };
    if (FAULT_SIGNALS.has(signal) && info) reason.fault = info.addr;
    return this.stopEvent(reason, t.tid);
  }

  /**
   * Debugger traps: int3, single step, debug registers. Undefined: a real
   * SIGTRAP for the program; 'again': a report to step past.
   */
  protected decodeTrap(t: Thread, info: SigInfo | undefined, stepping: boolean): StopEvent | 'again' | undefined {
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

  /**
   * PTRACE_EVENT_EXEC (reported on the leader's tid whichever thread called
   * execve): one thread is left, in a new address space.
   */
  protected onExec(): StopEvent {
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

  /** PTRACE_EVENT_CLONE: the new thread is traced already; its first stop is due. */
  /**
   * PTRACE_EVENT_CLONE: the new thread is traced already and its first stop
   * is due within microseconds; taken here, the threads are announced (and
   * numbered by the front end) in the order they were created. `run`: let
   * it go (the others run); else it stays stopped.
   */
  protected onClone(t: Thread, run: boolean): void {
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

  /** The end reason for a status that is not a stop (exit, death, or -ECHILD: not ours any more). */
  protected goneReason(st: number): StopReason | undefined {
    if (st < 0) return { kind: 'killed', signal: SIG.SIGKILL, signame: 'SIGKILL' };
    const ws = decodeStatus(st);
    if (ws.kind === 'exited') return { kind: 'exited', code: ws.code };
    if (ws.kind === 'signaled') return { kind: 'killed', signal: ws.signal, signame: signalName(ws.signal) };
    return undefined;
  }

  /** The stop is the program's: its thread becomes the selected one. */
  protected finish(ev: StopEvent): StopEvent {
    this.stepping = undefined;
    if (this._state !== 'exited') {
      this._state = 'stopped';
      if (this.selTid !== ev.tid && this.threadMap.has(ev.tid)) {
        this.selTid = ev.tid;
        this.regsCache = undefined;
      }
    }
    this.pty.drain();
    return ev;
  }

  protected report(ev: StopEvent): StopEvent {
    if (this._state !== 'exited' && this.threadMap.has(ev.tid) && this.selTid !== ev.tid) {
      this.selTid = ev.tid;
      this.regsCache = undefined;
    }
    this.lastStopEvent = ev;
    this.emit('stop', ev);
    return ev;
  }

  protected markExited(reason: StopReason): StopEvent {
    this.pty.drain();   // all it wrote: no one writes any more
    this.pty.release();
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

  /**
   * Before a detach: a thread that PTRACE_INTERRUPT stopped just as it hit
   * an int3 of ours (or in a single step we asked for) still holds that
   * SIGTRAP, which would kill the program once detached. Let it take the
   * signal now (suppressed), with pc moved back onto a breakpoint's
   * instruction.
   */
  protected drainTraps(): void {
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
}
