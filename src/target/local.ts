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
import { closeSync, readlinkSync } from 'node:fs';
import { TargetError, type StopEvent, type Target, type TargetCapabilities, type TargetState } from './types.js';
import { ERRNO, PTRACE, PTRACE_O, SIG, SPAWN_KEEP_ASLR, SPAWN_NO_PTY, check, decodeStatus, describeErrno, errnoName, native, type WaitStatus } from './native.js';
import { debugRegistersTrap } from './debugregs.js';
import { taskState } from './procfs.js';
import { reapWhenGone, registerTracee, unregisterTracee } from './reaper.js';
import { SI_KERNEL, newThread, listTasks, parentOf, type Thread } from './local/shared.js';
import { LocalWaitLoop } from './local/wait-loop.js';
import { DEFAULT_SPIN_US, resolveProgram, type AttachOptions, type SnapshotProvider, type SpawnOptions } from './local/launch.js';
export { resolveProgram, type AttachOptions, type SnapshotProvider, type SpawnOptions } from './local/launch.js';

export class LocalTarget extends LocalWaitLoop implements Target {
  readonly kind = 'local';

  readonly connection = 'native';

  /** Hardware watchpoints only where the debug registers really trap (probed once, see debugregs.ts). */
  readonly capabilities: TargetCapabilities = {
    get hardwareBreakpoints() { return debugRegistersTrap(); },
    fpRegisters: { get: () => this.getFpRegisters(), set: (area) => this.setFpRegisters(area) },
    ymmUpper: { get: () => this.getYmmUpper(), set: (upper) => this.setYmmUpper(upper) },
    siginfo: { get: () => this.getSiginfo() },
    syscalls: { set: (calls) => { this.syscallCatch = calls; } },
  };

  private constructor(
    pid: number,
    exePath: string,
    /** true when we started the process: kill it on quit; false: detach. */
    startedByUs: boolean,
    ptyFd: number,
    spinUs: number,
    /** libuv's own descriptor for the pty master (see ProgramPty). */
    ptyReader = -1,
  ) {
    super(pid, exePath, startedByUs, ptyFd, spinUs, ptyReader);
    if (ptyFd >= 0) {
      this.capabilities.terminal = { write: (data) => this.writeInput(data), resize: (rows, cols) => this.resizePty(rows, cols) };
    }
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
    } catch (e) {
      // ENOENT: no such process; EACCES: someone else's, which ptrace would refuse too
      const code = (e as NodeJS.ErrnoException).code === 'EACCES' ? 'EPERM' : 'ESRCH';
      throw new TargetError(code, `cannot attach to process ${pid}: ${code === 'EPERM' ? 'operation not permitted' : 'no such process'}`);
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
      // what is left to detach may be gone too (ESRCH): the error that matters is the one below
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
  protected seizeThreads(opts: bigint): void {
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
  protected async provideSnapshots(provider: SnapshotProvider | undefined): Promise<void> {
    if (!provider) return;
    try {
      this.capabilities.snapshots = await provider(this);
    } catch (e) {
      if (this.startedByUs) await this.kill();
      else await this.detach();
      throw e;
    }
  }

  /** The pty master fd (-1 without a pty). */
  get ptyMaster(): number { return this.pty.master; }

  /** Forward keyboard input to the program's pty. */
  writeInput(data: Buffer | string): Promise<void> {
    return this.pty.write(data);
  }

  resizePty(rows: number, cols: number): void {
    this.pty.resize(rows, cols);
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
      // the resume's own failure went to its caller; here only its end matters
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
    if (this.startedByUs) this.pty.handOff(); else this.pty.release();
    unregisterTracee(this);
    // still our child: reap it when it ends, or it lingers as a zombie
    if (this.startedByUs) reapWhenGone(this.pid, () => native.waitNow(this.pid));
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
  protected stopForExit(): boolean {
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
  protected waitForExitStop(t: Thread): number {
    for (let i = 0; i < 300; i++) {
      const st = native.waitSpin(t.tid, 10_000_000);
      if (st !== -ERRNO.EAGAIN) return st;
      if (taskState(this.pid, t.tid) === 'Z') return -ERRNO.ESRCH;
    }
    return -ERRNO.ESRCH;
  }
}
