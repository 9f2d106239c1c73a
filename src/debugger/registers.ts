/**
 * The selected thread's registers as the core sees them: read once per stop
 * (cached until a resume, a write or a thread switch), the x87/SSE/AVX state,
 * and the registers of an outer frame as its unwinding recovers them.
 */
import type { Registers, Target } from '../target/types.js';
import { fpRegistersOf } from '../target/capabilities.js';
import { FXSAVE_SIZE, writeFpRegister } from '../target/fpregs.js';
import { X86_64_DWARF_REGS } from '../dwarf/constants.js';
import type { ProgramInfo } from '../dwarf/program.js';
import { EvalError } from './errors.js';
import { expected } from './errors.js';

export interface RegisterHost {
  /** The live target, or undefined without a process. */
  target(): Target | undefined;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
}

export class RegisterFile {
  private cache: Registers | undefined;

  constructor(private readonly host: RegisterHost) {}

  /** Read again at the next use (a resume, a write, another thread selected). */
  invalidate(): void {
    this.cache = undefined;
  }

  async general(): Promise<Registers> {
    const t = this.host.target();
    if (!t) throw new EvalError('No registers.');
    if (!this.cache) this.cache = await t.getRegisters();
    return this.cache;
  }

  /** Set general registers of frame 0. */
  async set(regs: Partial<Registers>): Promise<void> {
    const t = this.host.target();
    if (!t) throw new EvalError('No registers.');
    await t.setRegisters(regs);
    this.cache = undefined;
  }

  /**
   * The x87/SSE state of the stop (FXSAVE area, followed by ymm0h..ymm15h
   * when the target has AVX), or undefined when the target cannot give it.
   */
  async fpState(): Promise<Buffer | undefined> {
    const t = this.host.target();
    const fp = t?.capabilities.fpRegisters;
    if (!t || t.state === 'exited' || !fp) return undefined;
    const area = await fp.get();
    // (no AVX on this CPU or stub: the FXSAVE area alone)
    const upper = await t.capabilities.ymmUpper?.get().catch(expected(undefined));
    return upper ? Buffer.concat([area, upper]) : area;
  }

  /** Set one x87/SSE/AVX register of frame 0 (gdb's byte layout, src/target/fpregs.ts). */
  async writeFp(t: Target, name: string, bytes: Buffer): Promise<void> {
    const fp = fpRegistersOf(t);
    const now = (await this.fpState())!;
    const next = writeFpRegister(now, name, bytes);
    if (!next.subarray(0, FXSAVE_SIZE).equals(now.subarray(0, FXSAVE_SIZE))) await fp.set(next.subarray(0, FXSAVE_SIZE));
    if (next.length > FXSAVE_SIZE && !next.subarray(FXSAVE_SIZE).equals(now.subarray(FXSAVE_SIZE))) await t.capabilities.ymmUpper?.set(next.subarray(FXSAVE_SIZE));
    this.cache = undefined;   // frames built on the old state are stale
  }

  /**
   * Registers as frame `level` sees them (gdb's frame_unwind_register):
   * rip, rsp and what the CFI restores (rbp, rbx, r12-r15) are unwound; the
   * others are frame 0's, as gdb shows them for outer frames. `notSaved`:
   * registers the CFI marks undefined there (gdb's `<not saved>`).
   */
  async ofFrame(level: number, program: ProgramInfo | undefined): Promise<{ regs: Registers; notSaved: Set<string> }> {
    const regs = await this.general();
    const notSaved = new Set<string>();
    if (level === 0 || !program) return { regs, notSaved };
    // (a stack the CFI cannot walk that far: frame 0's registers, as gdb falls back)
    const frames = await program.backtrace(regs, (a, l) => this.host.readMemory(a, l), level + 1).catch(expected([]));
    const f = frames[level];
    if (!f) return { regs, notSaved };
    const out: Registers = { ...regs, rip: f.pc };
    X86_64_DWARF_REGS.forEach((name, i) => {
      if (name === 'rip') return;
      const v = f.unwind.regs.get(i);
      if (v === undefined) notSaved.add(name);
      else out[name as keyof Registers] = v;
    });
    return { regs: out, notSaved };
  }
}
