/**
 * LocalTarget: a process on this machine, traced with ptrace.
 *
 * Design (after gdb's linux-nat and Delve's pkg/proc/native):
 *  - the tracee is PTRACE_SEIZEd (not TRACEME/ATTACH) so PTRACE_INTERRUPT can
 *    stop it for Ctrl-C without a signal the program could see;
 *  - processes we start get PTRACE_O_EXITKILL and are killed on every exit
 *    path of Node; processes we attach to are detached instead (gdb semantics);
 *  - only the main thread is traced (clone events are off): breakpoints hit
 *    in other threads arrive as SIGTRAP deaths, as with `gdb` and
 *    `set detach-on-fork`;
 *  - resume = one FFI call that resumes and busy-polls waitpid(WNOHANG) for a
 *    short while (stops after a breakpoint or a stepi come back in tens of
 *    microseconds), then waits for the SIGCHLD of the stop in the event loop
 *    (./waiter.ts), so the event loop never blocks while the program runs.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, readlinkSync, realpathSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { write as fsWrite } from 'node:fs';
import { ReadStream } from 'node:tty';
import { delimiter, join } from 'node:path';
import {
  REGISTER_NAMES, TargetError,
  type Mapping, type Registers, type StopEvent, type StopReason, type Target,
  type TargetCapabilities, type TargetEvents, type TargetState, type WatchKind,
} from './types.js';
import type { SnapshotEngine } from '../snapshot/types.js';
import {
  ERRNO, PTRACE, PTRACE_EVENT, PTRACE_O, SIG, SPAWN_KEEP_ASLR, SPAWN_NO_PTY, STOP_HAVE_OFFSET, STOP_REGS_OFFSET, STOP_SIZE,
  check, decodeStatus, describeErrno, errnoName, native, signalName, type WaitStatus,
} from './native.js';
import { FXSAVE_SIZE, NT_X86_XSTATE, readYmmUpper, writeYmmUpper, xstateHasAvx } from './fpregs.js';

/** Room for any XSAVE area (AVX-512 is 2.7 KiB, AMX tiles 11 KiB). */
const XSTATE_MAX = 16384;
import { parseMaps, parseAuxv } from './procfs.js';
import { registerTracee, unregisterTracee } from './reaper.js';
import { nextStatus } from './waiter.js';

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
  /** Microseconds to busy-poll for a stop before waiting for its SIGCHLD in the event loop. */
  spinUs?: number;
  /**
   * Snapshot engine for capabilities.snapshots, chosen once the tracee is
   * stopped: pass engineProvider(choice) from src/snapshot/select.ts (the
   * target layer does not import the snapshot layer above it).
   */
  snapshots?: SnapshotProvider;
}

export interface AttachOptions {
  spinUs?: number;
  snapshots?: SnapshotProvider;
}

export type SnapshotProvider = (target: LocalTarget) => Promise<SnapshotEngine>;

const REGS_SIZE = REGISTER_NAMES.length * 8;

/**
 * struct user_regs_struct as Registers. Written out field by field: an object
 * literal gets one fixed shape, where filling `{}` in a loop made a dictionary
 * object and cost several microseconds at every stop.
 */
/** The fields of a siginfo_t tsdbg uses. */
function siginfoOf(b: Buffer): SigInfo {
  return { signo: b.readInt32LE(0), code: b.readInt32LE(8), addr: b.readBigUInt64LE(16) };
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
const PTY_DRAIN_MAX_READS = 16;
/** Measured (bench/target.ts): most breakpoint and stepi stops arrive within it. */
const DEFAULT_SPIN_US = 100;

interface Watch {
  addr: bigint;
  len: number;
  kind: WatchKind;
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
  readonly capabilities: TargetCapabilities = { hardwareBreakpoints: true };
  private _state: TargetState = 'stopped';
  private _exePath: string;
  /** Original byte under each inserted int3. */
  private readonly breakpoints = new Map<bigint, number>();
  private readonly watches: Array<Watch | undefined> = [undefined, undefined, undefined, undefined];
  private regsCache: Buffer | undefined;
  /** FXSAVE area of this stop (PTRACE_GETFPREGS), fetched on first use. */
  private fpregsCache: Buffer | undefined;
  /** XSAVE area of this stop (PTRACE_GETREGSET NT_X86_XSTATE), fetched on first use. */
  private xstateCache: Buffer | undefined;
  /** The signal of the last signal-delivery-stop: what a plain cont() delivers. */
  private pendingSignal = 0;
  private interruptRequested = false;
  /** The event-driven wait in progress (./waiter.ts), if any. */
  private waiter: Promise<number> | undefined;
  /** The resume in progress (running state). */
  private inflight: Promise<StopEvent> | undefined;
  private pty: ReadStream | undefined;
  private lastStopEvent: StopEvent | undefined;
  private readonly spinNs: number;
  private _resumeCount = 0;
  private markGone!: () => void;
  /** Resolves once the process is gone (exited, killed, or detached). */
  private readonly exited = new Promise<void>((resolve) => { this.markGone = resolve; });

  private constructor(
    readonly pid: number,
    exePath: string,
    /** true when we started the process: kill it on quit; false: detach. */
    readonly startedByUs: boolean,
    private readonly ptyFd: number,
    spinUs: number,
  ) {
    super();
    this._exePath = exePath;
    this.spinNs = Math.max(0, spinUs) * 1000;
    if (ptyFd >= 0) this.openPty(ptyFd);
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
    const opts = PTRACE_O.EXITKILL | PTRACE_O.TRACEEXEC | PTRACE_O.TRACESYSGOOD;
    const r = native.spawn(path, argv, envp, options.cwd ?? process.cwd(), flags, opts);
    if (r.pid < 0) {
      const code = errnoName(-r.pid);
      throw new TargetError(code, `cannot run ${prog}: ${describeErrno(code)}`);
    }
    const t = new LocalTarget(r.pid, path, true, r.master, options.spinUs ?? DEFAULT_SPIN_US);
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
    const opts = PTRACE_O.TRACEEXEC | PTRACE_O.TRACESYSGOOD;
    const r = native.ptrace(PTRACE.SEIZE, pid, 0n, BigInt(opts));
    if (r < 0) {
      const code = errnoName(-r);
      throw new TargetError(code, `cannot attach to process ${pid}: ${describeErrno(code)}`);
    }
    const t = new LocalTarget(pid, exe, false, -1, options.spinUs ?? DEFAULT_SPIN_US);
    t._state = 'running';
    t.interrupt();
    const ev = await t.collect(native.waitSpin(pid, t.spinNs), PTRACE.CONT);
    if (ev.reason.kind === 'exited' || ev.reason.kind === 'killed') {
      throw new TargetError('ESRCH', `cannot attach to process ${pid}: it exited`);
    }
    await t.provideSnapshots(options.snapshots);
    return t;
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
    const pc = this.pc();
    if (this.breakpoints.has(pc)) {
      const ev = await this.stepOverBreakpoint(pc, sig);
      if (ev) return this.report(ev);
      sig = 0;
    }
    return this.report(await this.waitForStop(PTRACE.CONT, sig));
  }

  /**
   * One instruction. Landing on an inserted breakpoint still reports 'step'
   * (the caller knows its breakpoints; gdb's "Breakpoint N" there is UI).
   */
  async step(signal?: number): Promise<StopEvent> {
    this.ensureStopped();
    const sig = this.signalToDeliver(signal);
    const pc = this.pc();
    if (this.breakpoints.has(pc)) {
      const ev = await this.stepOverBreakpoint(pc, sig);
      return this.report(ev ?? this.stopEvent({ kind: 'step', pc: this.pc() }));
    }
    return this.report(await this.waitForStop(PTRACE.SINGLESTEP, sig));
  }

  interrupt(): void {
    if (this._state !== 'running' || this.interruptRequested) return;
    this.interruptRequested = true;
    native.ptrace(PTRACE.INTERRUPT, this.pid);
  }

  async kill(): Promise<void> {
    if (this._state === 'exited') return;
    if (this.waiter) {
      // A cont() is waiting: it collects the death (SIGCHLD) and resolves with it.
      native.kill(this.pid, SIG.SIGKILL);
      await this.exited;
      return;
    }
    native.killReap(this.pid);
    this.markExited({ kind: 'killed', signal: SIG.SIGKILL, signame: 'SIGKILL' });
  }

  async detach(): Promise<void> {
    if (this._state === 'exited') return;
    if (this._state === 'running') {
      this.interrupt();
      await this.inflight?.catch(() => undefined);
      if ((this._state as TargetState) !== 'stopped') return;   // it exited meanwhile
    }
    for (const addr of [...this.breakpoints.keys()]) await this.removeBreakpoint(addr);
    for (let i = 0; i < 4; i++) if (this.watches[i]) await this.clearSlot(i);
    check(native.ptrace(PTRACE.DETACH, this.pid, 0n, 0n), `cannot detach from process ${this.pid}`);
    this._state = 'exited';
    this.pty?.unref();
    unregisterTracee(this);
    this.markGone();
  }

  /** Synchronous last-resort cleanup for process exit handlers. */
  abandonSync(): void {
    if (this._state === 'exited') return;
    if (this.startedByUs) {
      native.killReap(this.pid);
    } else if (this._state === 'stopped' || this.stopForExit()) {
      for (const [addr, orig] of this.breakpoints) native.pokeWrite(this.pid, addr, Buffer.of(orig));
      native.ptrace(PTRACE.POKEUSER, this.pid, BigInt(native.debugregOffset(7)), 0n);
      native.ptrace(PTRACE.DETACH, this.pid, 0n, 0n);
    }
    this._state = 'exited';
  }

  /**
   * Stop an attached, running process on our way out so its breakpoints can
   * come out before we detach (the main thread is the only one that reaps,
   * so the stop is ours to collect here).
   */
  private stopForExit(): boolean {
    native.ptrace(PTRACE.INTERRUPT, this.pid);
    const st = native.waitSpin(this.pid, 100_000_000);
    return st >= 0 && decodeStatus(st).kind === 'stopped';
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
    check(native.ptracePtr(PTRACE.SETREGS, this.pid, 0n, buf), 'cannot set registers');
    this.regsCache = buf;
  }

  private regs(): Buffer {
    this.ensureStopped();
    if (!this.regsCache) {
      const buf = Buffer.alloc(REGS_SIZE);
      check(native.ptracePtr(PTRACE.GETREGS, this.pid, 0n, buf), 'cannot read registers');
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
    check(native.ptracePtr(PTRACE.SETFPREGS, this.pid, 0n, buf), 'cannot set the floating-point registers');
    this.fpregsCache = buf;
  }

  async getYmmUpper(): Promise<Buffer> {
    return readYmmUpper(this.xstateBuffer());
  }

  async setYmmUpper(upper: Buffer): Promise<void> {
    if (upper.length !== 256) throw new TargetError('EINVAL', `ymm0h-ymm15h are 256 bytes, not ${upper.length}`);
    const area = writeYmmUpper(this.xstateBuffer(), upper);
    this.xstateCache = undefined;
    this.fpregsCache = undefined;   // the same state seen through GETFPREGS
    check(native.regset(PTRACE.SETREGSET, this.pid, NT_X86_XSTATE, area), 'cannot set the AVX registers');
    this.xstateCache = area;
  }

  /** The XSAVE area (per stop; per thread once threads exist), or ENOTSUP without AVX. */
  private xstateBuffer(): Buffer {
    this.ensureStopped();
    if (!this.xstateCache) {
      // sized by the first read: SETREGSET wants exactly the kernel's XSAVE size back
      const buf = Buffer.alloc(XSTATE_MAX);
      const n = native.regset(PTRACE.GETREGSET, this.pid, NT_X86_XSTATE, buf);
      check(n, 'cannot read the AVX registers');
      const area = Buffer.from(buf.subarray(0, n));
      if (!xstateHasAvx(area)) throw new TargetError('ENOTSUP', 'this CPU has no AVX registers');
      this.xstateCache = area;
    }
    return this.xstateCache;
  }

  /** The one place that reads the FP/SSE state (per stop; per thread once threads exist). */
  private fpregsBuffer(): Buffer {
    this.ensureStopped();
    if (!this.fpregsCache) {
      const buf = Buffer.alloc(FXSAVE_SIZE);
      check(native.ptracePtr(PTRACE.GETFPREGS, this.pid, 0n, buf), 'cannot read the floating-point registers');
      this.fpregsCache = buf;
    }
    return this.fpregsCache;
  }

  private pc(): bigint {
    return this.regs().readBigUInt64LE(RIP_OFFSET);
  }

  private setPc(pc: bigint): void {
    check(native.ptrace(PTRACE.POKEUSER, this.pid, BigInt(RIP_OFFSET), pc), 'cannot set pc');
    this.regsCache?.writeBigUInt64LE(pc, RIP_OFFSET);
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
    let done = native.vmRead(this.pid, addr, buf);
    if (done < 0) done = 0;
    if (done < len) {
      // process_vm_readv refuses PROT_NONE pages; PEEKDATA (FOLL_FORCE) does not.
      const rest = buf.subarray(done);
      const r = native.peekRead(this.pid, addr + BigInt(done), rest);
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
    let done = native.vmWrite(this.pid, addr, data);
    if (done < 0) done = 0;
    if (done < data.length) {
      // Read-only text (breakpoints, patching code): POKEDATA writes through.
      const rest = data.subarray(done);
      const r = native.pokeWrite(this.pid, addr + BigInt(done), rest);
      if (r < rest.length) {
        const at = addr + BigInt(done + Math.max(r, 0));
        throw new TargetError('EIO', `cannot access memory at address 0x${at.toString(16)}`);
      }
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
  }

  async removeBreakpoint(addr: bigint): Promise<void> {
    this.ensureStopped();
    const orig = this.breakpoints.get(addr);
    if (orig === undefined) throw new TargetError('ENOENT', `no breakpoint at 0x${addr.toString(16)}`);
    this.writeRaw(addr, Buffer.of(orig));
    this.breakpoints.delete(addr);
  }

  /**
   * Execute the instruction under the breakpoint at pc: put the original byte
   * back, single-step, re-insert. Returns undefined when the step simply
   * completed, else the stop that got in the way (signal, exit, watchpoint).
   */
  private async stepOverBreakpoint(pc: bigint, sig: number): Promise<StopEvent | undefined> {
    const orig = this.breakpoints.get(pc)!;
    this.writeRaw(pc, Buffer.of(orig));
    let ev: StopEvent;
    try {
      ev = await this.waitForStop(PTRACE.SINGLESTEP, sig, true);
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
    if (this.watches.some((w) => w && w.addr === addr && w.len === len && w.kind === kind)) return;
    const slot = this.watches.findIndex((w) => !w);
    if (slot < 0) throw new TargetError('ENOSPC', 'all 4 hardware debug registers are in use');
    check(native.ptrace(PTRACE.POKEUSER, this.pid, BigInt(native.debugregOffset(slot)), addr),
      `cannot set watchpoint at 0x${addr.toString(16)}`);
    this.watches[slot] = { addr, len, kind };
    try {
      this.writeDr7();
    } catch (e) {
      this.watches[slot] = undefined;
      throw e;
    }
  }

  async removeWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.ensureStopped();
    const slot = this.watches.findIndex((w) => w && w.addr === addr && w.len === len && w.kind === kind);
    if (slot < 0) throw new TargetError('ENOENT', `no ${kind} watchpoint at 0x${addr.toString(16)}`);
    await this.clearSlot(slot);
  }

  private async clearSlot(slot: number): Promise<void> {
    this.watches[slot] = undefined;
    this.writeDr7();
    native.ptrace(PTRACE.POKEUSER, this.pid, BigInt(native.debugregOffset(slot)), 0n);
  }

  /** DR7: local enable, R/W (01 write, 11 read/write) and LEN per slot. x86 has no read-only watch. */
  private writeDr7(): void {
    let dr7 = 0n;
    this.watches.forEach((w, i) => {
      if (!w) return;
      const rw = w.kind === 'write' ? 1n : 3n;
      const len = ({ 1: 0n, 2: 1n, 4: 3n, 8: 2n } as Record<number, bigint>)[w.len]!;
      dr7 |= (1n << BigInt(i * 2)) | (rw << BigInt(16 + i * 4)) | (len << BigInt(18 + i * 4));
    });
    check(native.ptrace(PTRACE.POKEUSER, this.pid, BigInt(native.debugregOffset(7)), dr7), 'cannot program the debug registers');
  }

  /** Which watchpoint fired, from DR6 (then cleared: the CPU never clears it). */
  private watchHit(): Watch | undefined {
    if (!this.watches.some(Boolean)) return undefined;
    const dr6 = native.peek(PTRACE.PEEKUSER, this.pid, BigInt(native.debugregOffset(6)));
    if (typeof dr6 !== 'bigint' || (dr6 & DR6_HIT_MASK) === 0n) return undefined;
    native.ptrace(PTRACE.POKEUSER, this.pid, BigInt(native.debugregOffset(6)), 0n);
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
      return readFileSync(`/proc/${this.pid}/${file}`, enc === null ? undefined : enc) as unknown as string;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new TargetError(code === 'ENOENT' ? 'ESRCH' : code, `cannot read /proc/${this.pid}/${file}: ${describeErrno(code)}`);
    }
  }

  // ------------------------------------------------------- the stop loop

  /**
   * Resume with `req` and wait for the next stop worth reporting. Internal
   * traps (a stale interrupt, a SIGCONT wake-up) resume again silently;
   * group-stops are parked with PTRACE_LISTEN until SIGCONT or interrupt().
   */
  private async waitForStop(req: number, sig = 0, internal = false): Promise<StopEvent> {
    this._resumeCount++;
    this.stepFrom = req === PTRACE.SINGLESTEP ? this.pc() : undefined;
    this.regsCache = undefined;
    this.fpregsCache = undefined;
    this.xstateCache = undefined;
    this.pendingSignal = 0;
    this._state = 'running';
    if (!internal) this.emit('running');
    const run = this.collect(native.resumeSpin(req, this.pid, sig, this.spinNs, this.stopBuf), req, true);
    this.inflight = run;
    return run;
  }

  /**
   * Wait loop from a first wait result `st` (status, -EAGAIN, or -errno);
   * `fetched`: it came from resumeSpin() with stopBuf, which then holds the
   * stop's siginfo and registers.
   */
  private async collect(st: number, req: number, fetched = false): Promise<StopEvent> {
    for (;;) {
      if (st === -ERRNO.EAGAIN) {
        st = await this.blockingWait();
        fetched = false;
      }
      if (st < 0) {
        // ESRCH from the resume: it died under us (SIGKILL from outside); reap it.
        st = await this.blockingWait();
        fetched = false;
        if (st < 0) return this.markExited({ kind: 'killed', signal: SIG.SIGKILL, signame: 'SIGKILL' });
      }
      const ev = this.decodeStop(decodeStatus(st), req, fetched);
      if (ev) {
        this.drainPty();
        if (this._state === 'exited') this.pty?.unref();
        return ev;
      }
      // Swallowed: continue the same way, or sit in group-stop until woken.
      st = this.parked ? -ERRNO.EAGAIN : native.resumeSpin(req, this.pid, 0, this.spinNs, this.stopBuf);
      fetched = !this.parked;
    }
  }

  /** pc a SINGLESTEP started from: tells a finished step from a syscall-exit report. */
  private stepFrom: bigint | undefined;
  /** Filled by resumeSpin() at a stop: its siginfo and registers (see collect). */
  private readonly stopBuf = Buffer.alloc(STOP_SIZE);
  /** True while the tracee sits in a group-stop under PTRACE_LISTEN. */
  private parked = false;

  private blockingWait(): Promise<number> {
    const w = nextStatus(this.pid);
    this.waiter = w;
    return w.finally(() => { if (this.waiter === w) this.waiter = undefined; });
  }

  /** Turn a wait status into a StopEvent, or undefined for stops we handle ourselves. */
  private decodeStop(ws: WaitStatus, req: number, fetched: boolean): StopEvent | undefined {
    this.parked = false;
    if (ws.kind === 'exited') return this.markExited({ kind: 'exited', code: ws.code });
    if (ws.kind === 'signaled') return this.markExited({ kind: 'killed', signal: ws.signal, signame: signalName(ws.signal) });
    this._state = 'stopped';
    const have = fetched ? this.stopBuf.readInt32LE(STOP_HAVE_OFFSET) : 0;
    this.regsCache = have & 2 ? Buffer.from(this.stopBuf.subarray(STOP_REGS_OFFSET, STOP_REGS_OFFSET + REGS_SIZE)) : undefined;
    this.fpregsCache = undefined;
    this.xstateCache = undefined;
    const pc = (): bigint => this.regs().readBigUInt64LE(RIP_OFFSET);

    if (ws.event === PTRACE_EVENT.EXEC) {
      this.breakpoints.clear();              // a new address space
      this.watches.fill(undefined);          // the kernel flushed the debug registers
      this._exePath = this.readExe();
      return this.stopEvent({ kind: 'exec', pc: pc(), path: this._exePath });
    }
    if (ws.event === PTRACE_EVENT.STOP) {
      if (this.interruptRequested) {
        this.interruptRequested = false;
        return this.stopEvent({ kind: 'interrupted', pc: pc() });
      }
      if (STOP_SIGNALS.has(ws.signal)) {
        // Job-control stop (kill -STOP): the program is stopped as in a shell; wait for SIGCONT.
        native.ptrace(PTRACE.LISTEN, this.pid);
        this.parked = true;
        this._state = 'running';
      }
      return undefined;                      // stale interrupt trap or SIGCONT wake-up
    }
    if (ws.event !== 0) return undefined;    // events we did not ask for
    if (ws.signal === (SIG.SIGTRAP | 0x80)) return undefined;  // syscall stop
    const info = have & 1 ? siginfoOf(this.stopBuf) : this.siginfo();
    if (ws.signal === SIG.SIGTRAP) {
      const ev = this.decodeTrap(info, req, pc);
      if (ev === 'again') return undefined;
      if (ev) return ev;
    }
    this.interruptLost();
    this.pendingSignal = ws.signal;
    const reason: StopReason = { kind: 'signal', pc: pc(), signal: ws.signal, signame: signalName(ws.signal) };
    if (FAULT_SIGNALS.has(ws.signal) && info) reason.fault = info.addr;
    return this.stopEvent(reason);
  }

  /**
   * Debugger traps: int3, single step, debug registers. Undefined: a real
   * SIGTRAP for the program; 'again': a report to step past.
   */
  private decodeTrap(info: SigInfo | undefined, req: number, pc: () => bigint): StopEvent | 'again' | undefined {
    const code = info?.code ?? 0;
    if (code === TRAP_BRKPT && req === PTRACE.SINGLESTEP) {
      // Stepping out of a system call (or out of the exec stop) reports at
      // syscall exit; if nothing executed yet, step for real.
      if (pc() === this.stepFrom) return 'again';
      this.interruptLost();
      return this.stopEvent({ kind: 'step', pc: pc() });
    }
    if (code === SI_KERNEL) {
      const at = pc() - 1n;
      if (!this.breakpoints.has(at)) return undefined;
      this.setPc(at);
      this.interruptLost();
      return this.stopEvent({ kind: 'breakpoint', pc: at });
    }
    if (code === TRAP_HWBKPT || code === TRAP_TRACE) {
      const w = this.watchHit();
      this.interruptLost();
      if (w) return this.stopEvent({ kind: 'watchpoint', pc: pc(), address: w.addr, access: w.kind });
      if (req === PTRACE.SINGLESTEP) return this.stopEvent({ kind: 'step', pc: pc() });
    }
    return undefined;
  }

  /**
   * An interrupt() raced with another stop: that stop wins and the interrupt
   * trap stays queued in the kernel; it is swallowed on the next resume.
   */
  private interruptLost(): void {
    this.interruptRequested = false;
  }

  private siginfo(): SigInfo | undefined {
    const buf = Buffer.alloc(SIGINFO_SIZE);
    if (native.ptracePtr(PTRACE.GETSIGINFO, this.pid, 0n, buf) < 0) return undefined;
    return siginfoOf(buf);
  }

  private readExe(): string {
    try {
      return readlinkSync(`/proc/${this.pid}/exe`);
    } catch {
      return this._exePath;
    }
  }

  private stopEvent(reason: StopReason): StopEvent {
    return { pid: this.pid, tid: this.pid, reason };
  }

  private report(ev: StopEvent): StopEvent {
    this.lastStopEvent = ev;
    this.emit('stop', ev);
    return ev;
  }

  private markExited(reason: StopReason): StopEvent {
    this._state = 'exited';
    this.regsCache = undefined;
    this.fpregsCache = undefined;
    this.xstateCache = undefined;
    this.breakpoints.clear();
    this.watches.fill(undefined);
    unregisterTracee(this);
    this.markGone();
    return this.stopEvent(reason);
  }

  /** cont()/step() signal: explicit number, else the one the program was stopped with. */
  private signalToDeliver(signal: number | undefined): number {
    if (signal === undefined) return this.pendingSignal;
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
    const pty = this.pty;
    // Once destroyed, the stream has closed (or is closing) the fd; its number may be reused.
    if (!pty || pty.destroyed) return;
    while (pty.read() !== null) { /* each chunk went out through the 'data' listener */ }
    const buf = Buffer.allocUnsafe(PTY_DRAIN_CHUNK);
    for (let i = 0; i < PTY_DRAIN_MAX_READS; i++) {
      const n = native.ptyReadReady(this.ptyFd, buf);
      if (n <= 0) return;
      this.emit('output', Buffer.from(buf.subarray(0, n)));
    }
  }
}

interface SigInfo { signo: number; code: number; addr: bigint }

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
