/**
 * LocalTarget's registers (Delve's registers_linux_amd64.go): the
 * general registers of the selected thread (PTRACE_GETREGS, cached per
 * stop), the FXSAVE and XSAVE areas (x87/SSE, AVX), the siginfo, and the pc
 * of any thread.
 */
import { REGISTER_NAMES, TargetError, type Registers } from '../types.js';
import { PTRACE, check, native } from '../native.js';
import { FXSAVE_SIZE, NT_X86_XSTATE, readYmmUpper, writeYmmUpper, xstateHasAvx } from '../fpregs.js';
import { REGS_SIZE, RIP_OFFSET, SIGINFO_SIZE } from './shared.js';
import { LocalThreads } from './threads.js';

/**
 * struct user_regs_struct as Registers. Written out field by field: an object
 * literal gets one fixed shape, where filling `{}` in a loop made a dictionary
 * object and cost several microseconds at every stop.
 */

/** Room for any XSAVE area (AVX-512 is 2.7 KiB, AMX tiles 11 KiB). */
const XSTATE_MAX = 16384;

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

/** Per-thread state read at one stop (see LocalTarget.cached). */
interface StateCache {
  tid: number;
  /** _resumeCount when it was read: any resume since makes it stale. */
  resume: number;
  buf: Buffer;
}

export abstract class LocalRegisters extends LocalThreads {
  /** FXSAVE area (PTRACE_GETFPREGS) of a thread at one stop, fetched on first use. */
  protected fpregsCache: StateCache | undefined;

  /** XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE) of a thread at one stop, fetched on first use. */
  protected xstateCache: StateCache | undefined;

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

  protected regs(): Buffer {
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
  protected stateCache(buf: Buffer): StateCache {
    return { tid: this.selTid, resume: this._resumeCount, buf };
  }

  /** The cached state when it is the selected thread's at this stop. */
  protected cached(c: StateCache | undefined): Buffer | undefined {
    return c && c.tid === this.selTid && c.resume === this._resumeCount ? c.buf : undefined;
  }

  /** The selected thread's XSAVE area at this stop, or ENOTSUP without AVX. */
  protected xstateBuffer(): Buffer {
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
  protected fpregsBuffer(): Buffer {
    this.ensureStopped();
    const hit = this.cached(this.fpregsCache);
    if (hit) return hit;
    const buf = Buffer.alloc(FXSAVE_SIZE);
    check(native.ptracePtr(PTRACE.GETFPREGS, this.selTid, 0n, buf), 'cannot read the floating-point registers');
    this.fpregsCache = this.stateCache(buf);
    return buf;
  }

  protected pc(): bigint {
    return this.regs().readBigUInt64LE(RIP_OFFSET);
  }

  /** pc of any stopped thread, also while the stop is being collected (state 'running'). */
  protected pcOf(tid: number): bigint {
    if (tid === this.selTid && this.regsCache) return this.regsCache.readBigUInt64LE(RIP_OFFSET);
    const v = native.peek(PTRACE.PEEKUSER, tid, BigInt(RIP_OFFSET));
    if (typeof v !== 'bigint') check(v, 'cannot read registers');
    return v as bigint;
  }

  protected setPcOf(tid: number, pc: bigint): void {
    check(native.ptrace(PTRACE.POKEUSER, tid, BigInt(RIP_OFFSET), pc), 'cannot set pc');
    if (tid === this.selTid) this.regsCache?.writeBigUInt64LE(pc, RIP_OFFSET);
  }
}
