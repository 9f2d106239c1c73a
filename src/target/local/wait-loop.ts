/**
 * The wait loop: resume the threads and collect their wait statuses until
 * a stop worth reporting, then stop every other thread (all-stop, as gdb's
 * linux-nat and Delve's native stop the world); stepping one thread alone,
 * stepping over breakpoints, and letting the others run while a stepped
 * thread sleeps in a system call.
 */
import { TargetError, type StopEvent } from '../types.js';
import { ERRNO, PTRACE, PTRACE_EVENT, SIG, check, decodeStatus, native, type WaitStatus } from '../native.js';
import { taskState } from '../procfs.js';
import { nextStatusAny, reserve, unreserve, type ThreadStatus } from '../waiter.js';
import { STOP_SPIN_NS, STEP_OFF_LIMIT_MS, STEP_OFF_POLL_MS, BLOCKED_STEP_CHECK_MS, TRAP_BRKPT, TRAP_TRACE, STOP_SIGNALS, type Thread } from './shared.js';
import { LocalStops } from './stops.js';

export abstract class LocalWaitLoop extends LocalStops {
  // ------------------------------------------------------- the stop loop
  /**
   * Resume and wait for the next stop worth reporting. SINGLESTEP steps one
   * thread (`first`, the selected one by default) while the others stay
   * stopped; CONT resumes every thread, `first` with `sig`, the others with
   * their own signal. Internal traps (a stale interrupt, a SIGCONT wake-up, a
   * new thread) resume again silently; group-stops are parked with
   * PTRACE_LISTEN until SIGCONT or interrupt().
   */
  protected async waitForStop(req: number, sig = 0, internal = false, first = this.current()): Promise<StopEvent> {
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

  protected async runUntilStop(req: number, sig: number, first: Thread): Promise<StopEvent> {
    if (req === PTRACE.CONT && this.syscallCatch) req = PTRACE.SYSCALL;
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
  protected onStatus(t: Thread, st: number): StopEvent | undefined {
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

  /**
   * The thread being stepped alone is gone (it exited): nothing would ever
   * report, so the others run on, as gdb resumes all when the stepped thread exits.
   */
  protected resumeIfStuck(): void {
    const live = this.liveThreads();
    if (live.length === 0 || live.some((t) => t.running)) return;
    this.stepping = undefined;
    for (const t of live) this.resume(t, t.signal);
  }

  protected resume(t: Thread, sig: number): void {
    // the registers a swallowed stop fetched go stale as it runs
    if (t.tid === this.selTid) this.regsCache = undefined;
    const req = t === this.stepping ? PTRACE.SINGLESTEP : this.syscallCatch ? PTRACE.SYSCALL : PTRACE.CONT;
    native.ptrace(req, t.tid, 0n, BigInt(sig));   // ESRCH: it is dying, its death is due anyway
    t.running = true;
    t.signal = 0;
    t.stopSent = STOP_SIGNALS.has(sig);
    t.atBreakpoint = undefined;
  }

  /** Every thread's tid, the leader last: it reports only once the others are reaped. */
  protected waitSet(): Int32Array {
    const tids = [...this.threadMap.keys()].filter((tid) => tid !== this.pid);
    return Int32Array.from([...tids, this.pid]);
  }

  protected async nextThreadStatus(spin: boolean): Promise<ThreadStatus> {
    const tids = this.waitSet();
    const r = native.waitAny(tids, spin ? this.spinNs : 0);
    if (r.st !== -ERRNO.EAGAIN) return { tid: r.tid, status: r.st };
    const watch = this.watchBlockedStep();
    try {
      return await this.blockingWait(tids);
    } finally {
      if (watch) clearInterval(watch);
      // a release under way finishes before anything else touches the threads
      const failed = await this.releasing;
      this.releasing = undefined;
      if (failed) throw failed;
    }
  }

  /**
   * releaseOthers() at work (it waits for steps off breakpoints without
   * blocking the event loop): resolves with its error, if it failed, for
   * nextThreadStatus() to throw once the wait it runs under is over.
   */
  private releasing: Promise<unknown> | undefined;

  /** Whether threads other than a stepped one may run now: always but during a step that has not slept. */
  protected get othersRun(): boolean {
    return !this.stepping || this.othersReleased;
  }

  /**
   * A thread stepped alone that sleeps in a system call may be waiting for
   * another thread (pthread_join, a mutex, a pipe): held still, they would
   * never wake it. While such a step is out, look now and every
   * BLOCKED_STEP_CHECK_MS; once it sleeps, release the others.
   */
  protected watchBlockedStep(): NodeJS.Timeout | undefined {
    const t = this.stepping;
    if (!t || this.othersReleased || this.threadMap.size === 1) return undefined;
    const check = () => {
      if (this.stepping !== t || !t.running || this.othersReleased) return;
      const state = taskState(this.pid, t.tid);
      if (state === 'S' || state === 'D') this.releasing ??= this.releaseOthers().then(() => undefined, (e: unknown) => e);
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
  protected async releaseOthers(): Promise<void> {
    this.othersReleased = true;
    for (const o of this.liveThreads()) {
      if (o === this.stepping || o.running || o.fresh || o.pending || this._state === 'exited') continue;
      const pc = this.pcOf(o.tid);
      if (o.atBreakpoint === pc && this.breakpoints.has(pc) && !(await this.stepOffBreakpoint(o, pc))) continue;
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
  protected async stepOffBreakpoint(o: Thread, pc: bigint): Promise<boolean> {
    this.writeRaw(pc, Buffer.of(this.breakpoints.get(pc)!));
    const sig = o.signal;
    o.signal = 0;
    o.atBreakpoint = undefined;
    let st = native.ptrace(PTRACE.SINGLESTEP, o.tid, 0n, BigInt(sig));
    if (st >= 0) st = await this.waitStepOff(o.tid);
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
  protected async waitStepOff(tid: number): Promise<number> {
    // its stop usually comes within the spin; else the event loop runs on
    // while we look again, and no pending wait takes the stop meanwhile
    let st = native.waitSpin(tid, STOP_SPIN_NS);
    if (st !== -ERRNO.EAGAIN) return st;
    const until = Date.now() + STEP_OFF_LIMIT_MS;
    reserve(tid);
    try {
      while (st === -ERRNO.EAGAIN && taskState(this.pid, tid) === 'R' && Date.now() <= until) {
        await new Promise((resolve) => setTimeout(resolve, STEP_OFF_POLL_MS));
        st = native.waitNow(tid);
      }
    } finally {
      unreserve(tid);
    }
    return st;
  }

  protected blockingWait(tids: Int32Array): Promise<ThreadStatus> {
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
  protected async stopOthers(reporter: Thread | undefined): Promise<StopEvent | undefined> {
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
  protected findZombieLeader(waiting: Thread[]): boolean {
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
  protected onSiblingStatus(t: Thread, st: number): StopEvent | undefined {
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

  /**
   * Execute the instruction under the breakpoint at pc in thread t: put the
   * original byte back, single-step t, re-insert. Returns undefined when the step simply
   * completed, else the stop that got in the way (signal, exit, watchpoint).
   */
  protected async stepOverBreakpoint(t: Thread, pc: bigint, sig: number): Promise<StopEvent | undefined> {
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

  /** cont()/step() signal: explicit number, else the one the program was stopped with. */
  protected signalToDeliver(signal: number | undefined): number {
    if (signal === undefined) return this.current().signal;
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) throw new TargetError('EINVAL', `invalid signal ${signal}`);
    return signal;
  }

  /**
   * A stop a thread reported while the others were being stopped, instead of
   * resuming (gdb reports such events before running again). The selected
   * thread keeps `sig` for when it does resume.
   */
  protected takePending(sig: number): StopEvent | undefined {
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
  protected stepOverOrder(): Thread[] {
    const sel = this.current();
    return [sel, ...this.liveThreads().filter((t) => t !== sel)];
  }
}
