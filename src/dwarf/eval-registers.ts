/**
 * Registers as values for the evaluator (evaluator.ts): the general ones by
 * gdb's names (gpregs.ts) and the x87/SSE ones (regtypes.ts), read from the
 * selected frame (the session's registers for what it does not unwind), and
 * written back on assignment (frame 0 for the general ones).
 */
import { X86_64_DWARF_REGS } from './constants.js';
import type { ExprContext, Location } from './expr.js';
import { ExprError } from './cexpr.js';
import { dwarfOfFpRegister, fpRegisterOfDwarf, fpRegisterType } from './regtypes.js';
import { Value } from './value.js';
import { extractRegister, gpRegister, mergeRegister } from './gpregs.js';
import { toInt } from './eval-arith.js';
import type { EvalEnv } from './evaluator.js';

export class RegisterValues {
  /** `sideEffects`: false while evaluating for a type only (whatis, ptype, sizeof). */
  constructor(private readonly env: EvalEnv, private readonly ctx: ExprContext, private readonly sideEffects: () => boolean) {}

  /** Registers read by name ($rax, $eax, $eflags...), by name: what an assignment to them writes. */
  private readonly registerOf = new WeakMap<Value, string>();

  /** The register `$name` names, when gpRegister knows it. */
  nameOf(v: Value): string | undefined {
    return this.registerOf.get(v);
  }

  /** A general register ($rax, $pc, $eax, $ah, $eflags, $cs...) as the frame sees it. */
  async register(name: string): Promise<Value> {
    const r = gpRegister(name)!;
    // (gdb's user registers $pc, $sp, $fp, $ps need a frame even for their type)
    const user = ['pc', 'sp', 'fp', 'ps'].includes(name);
    const full = await this.rawRegister(r.base);
    if (full === undefined) {
      // (gdb knows a register's type without a process: `whatis $rax`)
      if (!this.env.frame && !this.sideEffects() && !user) return new Value(r.type, { kind: 'optimized' }, this.ctx);
      if (!this.env.frame) throw new ExprError('No registers.');
      return new Value(r.type, { kind: 'optimized' }, this.ctx);
    }
    const v = Value.fromBigInt(r.type, extractRegister(r, full), this.ctx);
    this.registerOf.set(v, name);
    return v;
  }

  /**
   * A user_regs_struct field in the frame: the unwound ones from the frame, the
   * rest (and all of them when there is no unwound frame) from the session.
   */
  private async rawRegister(base: string): Promise<bigint | undefined> {
    const f = this.env.frame;
    const idx = (X86_64_DWARF_REGS as readonly string[]).indexOf(base);
    if (f && idx >= 0) return idx === 16 ? f.pc : f.reg(idx);
    return this.env.readRegister?.(base);
  }

  /** `$reg = V`: the base register with the named bits replaced, in frame 0. */
  async assignRegister(name: string, v: Value): Promise<Value> {
    const r = gpRegister(name)!;
    if ((this.env.frame?.level ?? 0) !== 0) throw new ExprError('tsdbg changes registers in frame 0 only (select it with "frame 0").');
    if (!this.env.writeRegister) throw new ExprError('No registers.');
    const bits = BigInt.asUintN(r.size * 8, await toInt(v));
    const full = (await this.rawRegister(r.base)) ?? 0n;
    await this.env.writeRegister(r.base, mergeRegister(r, full, bits));
    const out = Value.fromBigInt(r.type, bits, this.ctx);
    this.registerOf.set(out, name);
    return out;
  }

  /** $xmm0, $st0, $mxcsr, $fctrl...: typed as gdb types them, lvalues when they have a DWARF number. */
  async fpRegister(name: string): Promise<Value> {
    const f = this.env.frame;
    if (!f) throw new ExprError('No registers.');
    const type = fpRegisterType(name)!;
    const dw = dwarfOfFpRegister(name);
    if (dw !== undefined) return new Value(type, { kind: 'register', reg: dw }, this.ctx);
    const bytes = await f.fpRegister(name);
    return bytes ? Value.fromBytes(type, bytes, this.ctx) : new Value(type, { kind: 'optimized' }, this.ctx);
  }

  /** Assignment into an x87/SSE register or a member of one ($xmm0.v2_double[1] = 2): read, patch, write. */
  async assignFpRegister(loc: Location, bytes: Buffer): Promise<boolean> {
    const reg = loc.kind === 'register' ? loc : loc.kind === 'sub' && loc.base.kind === 'register' ? loc.base : undefined;
    const name = reg && reg.kind === 'register' ? fpRegisterOfDwarf(reg.reg) : undefined;
    if (!name) return false;
    // Every frame shows frame 0's x87/SSE registers (no CFI saves them), so a write from any frame is to those.
    const f = this.env.frame;
    if (!this.env.writeFpRegister || !f) throw new ExprError('No registers.');
    const old = await f.fpRegister(name);
    if (!old) throw new ExprError(`value is not available`);
    const offset = loc.kind === 'sub' ? loc.offset : 0;
    const out = Buffer.from(old);
    bytes.copy(out, offset, 0, Math.min(bytes.length, out.length - offset));
    await this.env.writeFpRegister(name, out);
    return true;
  }
}
