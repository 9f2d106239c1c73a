/**
 * Call frame information (.eh_frame and .debug_frame): CIE/FDE parsing with
 * augmentations, the CFA instruction set, and a one-step unwinder. Frames are
 * correct in leaf functions and without frame pointers because every rule
 * comes from the compiler's CFI; where no FDE covers a pc we fall back to
 * the %rbp chain.
 */
import { Reader, DwarfError } from './reader.js';
import { DW_REG_RA, DW_REG_RBP, DW_REG_RSP } from './constants.js';
import { evaluateValue, type ExprContext } from './expr.js';

export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }
  | { kind: 'valOffset'; offset: number }
  | { kind: 'register'; reg: number }
  | { kind: 'expression'; expr: Buffer }
  | { kind: 'valExpression'; expr: Buffer };

interface Cie {
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  fdeEncoding: number;
  signalFrame: boolean;
  initial: Buffer;
  addrSize: number;
  /** 'z' augmentation: FDEs carry an augmentation data length. */
  hasAugData: boolean;
}

export interface Fde {
  cie: Cie;
  /** Unrelocated [start, end). */
  start: bigint;
  end: bigint;
  instructions: Buffer;
}

export interface CfaRow {
  cfa: { kind: 'reg'; reg: number; offset: number } | { kind: 'expr'; expr: Buffer };
  rules: Map<number, RegRule>;
  raReg: number;
  signalFrame: boolean;
}

const PE = { absptr: 0, uleb128: 1, udata2: 2, udata4: 3, udata8: 4, sleb128: 9, sdata2: 0xa, sdata4: 0xb, sdata8: 0xc, pcrel: 0x10, datarel: 0x30, omit: 0xff };

export class CallFrameInfo {
  private fdes: Fde[] = [];

  /**
   * @param ehFrame .eh_frame contents and its file address (pointers in it are pc-relative)
   * @param debugFrame .debug_frame contents (used for pcs .eh_frame does not cover)
   */
  constructor(ehFrame?: { data: Buffer; addr: bigint }, debugFrame?: Buffer) {
    if (ehFrame) this.parse(ehFrame.data, ehFrame.addr, true);
    if (debugFrame) this.parse(debugFrame, 0n, false);
    this.fdes.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  get size(): number {
    return this.fdes.length;
  }

  /** FDE covering an unrelocated pc. */
  fdeFor(pc: bigint): Fde | undefined {
    const f = this.fdes;
    let lo = 0;
    let hi = f.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid].end <= pc) lo = mid + 1;
      else if (f[mid].start > pc) hi = mid - 1;
      else return f[mid];
    }
    return undefined;
  }

  private parse(buf: Buffer, sectionAddr: bigint, eh: boolean): void {
    const cies = new Map<number, Cie>();
    const r = new Reader(buf);
    while (r.pos + 4 <= buf.length) {
      const start = r.pos;
      const [length, offsetSize] = r.initialLength();
      if (length === 0) {
        if (eh) break; // .eh_frame terminator
        continue;
      }
      const end = r.pos + length;
      const idPos = r.pos;
      const id = offsetSize === 8 ? r.u64n() : r.u32();
      const isCie = eh ? id === 0 : (offsetSize === 8 ? id === Number.MAX_SAFE_INTEGER || id === 0xffffffff : id === 0xffffffff);
      if (isCie) {
        cies.set(start, this.parseCie(r, end, eh));
      } else {
        const cieOff = eh ? idPos - id : id;
        if (cieOff < 0 || cieOff >= buf.length) throw new DwarfError(`bad CIE pointer in FDE at offset 0x${start.toString(16)}`);
        let cie = cies.get(cieOff);
        if (!cie) {
          const save = r.pos;
          r.pos = cieOff;
          const [l2] = r.initialLength();
          const e2 = r.pos + l2;
          offsetSize === 8 ? r.u64n() : r.u32();
          cie = this.parseCie(r, e2, eh);
          cies.set(cieOff, cie);
          r.pos = save;
        }
        const fde = this.parseFde(r, end, cie, sectionAddr, eh);
        if (fde && fde.end > fde.start) this.fdes.push(fde);
      }
      r.pos = end;
    }
  }

  private parseCie(r: Reader, end: number, eh: boolean): Cie {
    const version = r.u8();
    const aug = r.cstr();
    let addrSize = 8;
    if (aug.includes('eh')) r.u64();
    if (!eh && version >= 4) {
      addrSize = r.u8();
      r.u8(); // segment selector size
    }
    const codeAlign = r.uleb();
    const dataAlign = r.sleb();
    const raReg = version === 1 ? r.u8() : r.uleb();
    let fdeEncoding = PE.absptr;
    let signalFrame = false;
    if (aug.startsWith('z')) {
      const len = r.uleb();
      const augEnd = r.pos + len;
      for (const c of aug.slice(1)) {
        if (c === 'R') fdeEncoding = r.u8();
        else if (c === 'L') r.u8();
        else if (c === 'P') {
          const enc = r.u8();
          this.readEncoded(r, enc, 0n, 0n);
        } else if (c === 'S') signalFrame = true;
      }
      r.pos = augEnd;
    }
    return { codeAlign, dataAlign, raReg, fdeEncoding, signalFrame, initial: r.buf.subarray(r.pos, end), addrSize, hasAugData: aug.startsWith('z') };
  }

  private parseFde(r: Reader, end: number, cie: Cie, sectionAddr: bigint, eh: boolean): Fde | undefined {
    const enc = eh ? cie.fdeEncoding : PE.udata8;
    const start = this.readEncoded(r, enc, sectionAddr, BigInt(r.pos));
    const range = this.readEncoded(r, enc & 0x0f, 0n, 0n);
    if (eh && cie.hasAugData) {
      const len = r.uleb();
      r.pos += len;
    }
    if (start === undefined || range === undefined) return undefined;
    return { cie, start, end: start + range, instructions: r.buf.subarray(r.pos, end) };
  }

  private readEncoded(r: Reader, enc: number, sectionAddr: bigint, pos: bigint): bigint | undefined {
    if (enc === PE.omit) return undefined;
    let v: bigint;
    switch (enc & 0x0f) {
      case PE.absptr: case PE.udata8: v = r.u64(); break;
      case PE.uleb128: v = r.ulebBig(); break;
      case PE.udata2: v = BigInt(r.u16()); break;
      case PE.udata4: v = BigInt(r.u32()); break;
      case PE.sleb128: v = r.slebBig(); break;
      case PE.sdata2: v = BigInt(r.i16()); break;
      case PE.sdata4: v = BigInt(r.i32()); break;
      case PE.sdata8: v = r.i64(); break;
      default: throw new DwarfError(`unsupported pointer encoding 0x${enc.toString(16)}`);
    }
    if ((enc & 0x70) === PE.pcrel) v += sectionAddr + pos;
    return BigInt.asUintN(64, v);
  }

  /** The CFA rule row in effect at an unrelocated pc. */
  rowFor(fde: Fde, pc: bigint): CfaRow {
    const row: CfaRow = { cfa: { kind: 'reg', reg: DW_REG_RSP, offset: 8 }, rules: new Map(), raReg: fde.cie.raReg, signalFrame: fde.cie.signalFrame };
    const initialRules = new Map<number, RegRule>();
    this.execute(fde.cie, fde.cie.initial, row, fde.start, undefined, undefined);
    for (const [k, v] of row.rules) initialRules.set(k, v);
    this.execute(fde.cie, fde.instructions, row, fde.start, pc, initialRules);
    return row;
  }

  private execute(cie: Cie, insns: Buffer, row: CfaRow, startLoc: bigint, pc: bigint | undefined, initial: Map<number, RegRule> | undefined): void {
    const r = new Reader(insns);
    let loc = startLoc;
    const stack: Array<{ cfa: CfaRow['cfa']; rules: Map<number, RegRule> }> = [];
    const advance = (delta: number): boolean => {
      loc += BigInt(delta * cie.codeAlign);
      return pc !== undefined && loc > pc;
    };
    const restore = (reg: number) => {
      const rule = initial?.get(reg);
      if (rule) row.rules.set(reg, rule);
      else row.rules.delete(reg);
    };
    const da = cie.dataAlign;
    while (!r.eof) {
      const b = r.u8();
      const hi = b & 0xc0;
      const low = b & 0x3f;
      if (hi === 0x40) { if (advance(low)) return; continue; }
      if (hi === 0x80) { row.rules.set(low, { kind: 'offset', offset: r.uleb() * da }); continue; }
      if (hi === 0xc0) { restore(low); continue; }
      switch (b) {
        case 0x00: break;
        case 0x01: { const a = r.addr(cie.addrSize); loc = a; if (pc !== undefined && loc > pc) return; break; }
        case 0x02: if (advance(r.u8())) return; break;
        case 0x03: if (advance(r.u16())) return; break;
        case 0x04: if (advance(r.u32())) return; break;
        case 0x05: { const reg = r.uleb(); row.rules.set(reg, { kind: 'offset', offset: r.uleb() * da }); break; }
        case 0x06: restore(r.uleb()); break;
        case 0x07: row.rules.set(r.uleb(), { kind: 'undefined' }); break;
        case 0x08: row.rules.set(r.uleb(), { kind: 'same' }); break;
        case 0x09: { const reg = r.uleb(); row.rules.set(reg, { kind: 'register', reg: r.uleb() }); break; }
        case 0x0a: stack.push({ cfa: { ...row.cfa }, rules: new Map(row.rules) }); break;
        case 0x0b: {
          const s = stack.pop();
          if (s) {
            row.cfa = s.cfa;
            row.rules = s.rules;
          }
          break;
        }
        case 0x0c: { const reg = r.uleb(); row.cfa = { kind: 'reg', reg, offset: r.uleb() }; break; }
        case 0x0d: { const reg = r.uleb(); row.cfa = { kind: 'reg', reg, offset: row.cfa.kind === 'reg' ? row.cfa.offset : 0 }; break; }
        case 0x0e: { const off = r.uleb(); if (row.cfa.kind === 'reg') row.cfa.offset = off; break; }
        case 0x0f: { const n = r.uleb(); row.cfa = { kind: 'expr', expr: r.bytes(n) }; break; }
        case 0x10: { const reg = r.uleb(); const n = r.uleb(); row.rules.set(reg, { kind: 'expression', expr: r.bytes(n) }); break; }
        case 0x11: { const reg = r.uleb(); row.rules.set(reg, { kind: 'offset', offset: r.sleb() * da }); break; }
        case 0x12: { const reg = r.uleb(); row.cfa = { kind: 'reg', reg, offset: r.sleb() * da }; break; }
        case 0x13: { const off = r.sleb() * da; if (row.cfa.kind === 'reg') row.cfa.offset = off; break; }
        case 0x14: { const reg = r.uleb(); row.rules.set(reg, { kind: 'valOffset', offset: r.uleb() * da }); break; }
        case 0x15: { const reg = r.uleb(); row.rules.set(reg, { kind: 'valOffset', offset: r.sleb() * da }); break; }
        case 0x16: { const reg = r.uleb(); const n = r.uleb(); row.rules.set(reg, { kind: 'valExpression', expr: r.bytes(n) }); break; }
        case 0x2e: r.uleb(); break; // GNU_args_size
        case 0x2f: { const reg = r.uleb(); row.rules.set(reg, { kind: 'offset', offset: -r.uleb() * da }); break; }
        default: throw new DwarfError(`unknown CFA instruction 0x${b.toString(16)}`);
      }
    }
  }
}

/** Registers of one frame, by DWARF number (0-16 on x86-64: rax..r15, 16 = return address/rip). */
export interface UnwindRegs {
  pc: bigint;
  regs: Map<number, bigint>;
  /** CFA of this frame, once computed by unwinding it. */
  cfa?: bigint;
  /** Frame 0 or a frame interrupted by a signal: its pc is exact, not a return address. */
  exactPc: boolean;
  /** Set by unwinding: this frame is the kernel's signal return trampoline (CIE augmentation 'S'). */
  signalTrampoline?: boolean;
}

export interface CfiSource {
  cfi: CallFrameInfo;
  bias: bigint;
}

/**
 * One unwind step: the caller's registers, or undefined at the outermost
 * frame. `cfiFor` finds the CFI of the image containing a pc (with its bias).
 */
export async function unwindStep(
  frame: UnwindRegs,
  readMemory: (addr: bigint, len: number) => Promise<Buffer>,
  cfiFor: (pc: bigint) => CfiSource | undefined,
): Promise<UnwindRegs | undefined> {
  const readU64 = async (addr: bigint): Promise<bigint | undefined> => {
    const b = await readMemory(addr, 8);
    return b.length === 8 ? b.readBigUInt64LE(0) : undefined;
  };
  const found = rowOf(frame, cfiFor);
  if (!found) return framePointerStep(frame, readU64);
  const row = found.row;
  const ctx = exprContext(frame, readMemory, found.src);
  const cfa = await cfaOf(row, frame, ctx);
  if (cfa === undefined) return undefined;
  frame.cfa = cfa;
  frame.signalTrampoline = row.signalFrame;
  const raRule = row.rules.get(row.raReg);
  if (!raRule || raRule.kind === 'undefined') return undefined; // outermost frame (_start, clone)
  const caller = new Map<number, bigint>();
  for (const [reg, val] of frame.regs) if (reg !== DW_REG_RSP && reg !== DW_REG_RA) caller.set(reg, val);
  caller.set(DW_REG_RSP, cfa);
  for (const [reg, rule] of row.rules) {
    const v = await applyRule(reg, rule, cfa, frame.regs, ctx, readU64);
    if (v === undefined) caller.delete(reg);
    else caller.set(reg, v);
  }
  const ra = caller.get(row.raReg);
  if (ra === undefined || ra === 0n) return undefined;
  caller.set(DW_REG_RA, ra);
  return { pc: ra, regs: caller, exactPc: row.signalFrame };
}

/** Where a frame keeps its caller's registers, from the CFI row at its pc (gdb's `info frame`). */
export interface FrameLayout {
  cfa: bigint;
  /** The registers the frame saved in memory: DWARF number (16 = return address) -> address. */
  saved: Map<number, bigint>;
  /** The CFI leaves the return address undefined: the outermost frame (_start, clone3). */
  outermost: boolean;
}

/**
 * The layout of a frame as its CFI describes it, or undefined when no FDE
 * covers its pc (the caller then has only the prologue to go by). Only the
 * registers saved in memory (offset and expression rules) are listed: a
 * register kept in another register or recomputed has no address.
 */
export async function frameLayout(
  frame: UnwindRegs,
  readMemory: (addr: bigint, len: number) => Promise<Buffer>,
  cfiFor: (pc: bigint) => CfiSource | undefined,
): Promise<FrameLayout | undefined> {
  const found = rowOf(frame, cfiFor);
  if (!found) return undefined;
  const ctx = exprContext(frame, readMemory, found.src);
  const cfa = await cfaOf(found.row, frame, ctx);
  if (cfa === undefined) return undefined;
  const saved = new Map<number, bigint>();
  for (const [reg, rule] of found.row.rules) {
    if (rule.kind === 'offset') saved.set(reg, BigInt.asUintN(64, cfa + BigInt(rule.offset)));
    else if (rule.kind === 'expression') {
      // unreadable memory: that register is not saved here; an expression we cannot read is the unwinder's to say
      const addr = await evaluateValue(rule.expr, ctx, [cfa]).catch((e: unknown) => { if (e instanceof DwarfError) throw e; return undefined; });
      if (addr !== undefined) saved.set(reg, addr);
    }
  }
  const ra = found.row.rules.get(found.row.raReg);
  return { cfa, saved, outermost: !ra || ra.kind === 'undefined' };
}

/** The CFI row in effect at a frame's pc (inside the call for a return address), with its image. */
function rowOf(frame: UnwindRegs, cfiFor: (pc: bigint) => CfiSource | undefined): { row: CfaRow; src: CfiSource } | undefined {
  // A return address points after the call; look up the call instruction itself.
  const lookupPc = frame.exactPc ? frame.pc : frame.pc - 1n;
  const src = cfiFor(lookupPc);
  const fde = src?.cfi.fdeFor(lookupPc - src.bias);
  return src && fde ? { row: src.cfi.rowFor(fde, lookupPc - src.bias), src } : undefined;
}

function exprContext(frame: UnwindRegs, readMemory: (addr: bigint, len: number) => Promise<Buffer>, src: CfiSource): ExprContext {
  return { readMemory, reg: (n) => frame.regs.get(n), bias: src.bias };
}

async function cfaOf(row: CfaRow, frame: UnwindRegs, ctx: ExprContext): Promise<bigint | undefined> {
  if (row.cfa.kind === 'expr') return evaluateValue(row.cfa.expr, ctx);
  const base = frame.regs.get(row.cfa.reg);
  return base === undefined ? undefined : BigInt.asUintN(64, base + BigInt(row.cfa.offset));
}

async function applyRule(reg: number, rule: RegRule, cfa: bigint, regs: Map<number, bigint>, ctx: ExprContext, readU64: (a: bigint) => Promise<bigint | undefined>): Promise<bigint | undefined> {
  switch (rule.kind) {
    case 'undefined': return undefined;
    case 'same': return regs.get(reg);
    case 'offset': return readU64(BigInt.asUintN(64, cfa + BigInt(rule.offset)));
    case 'valOffset': return BigInt.asUintN(64, cfa + BigInt(rule.offset));
    case 'register': return regs.get(rule.reg);
    case 'expression': {
      const addr = await evaluateValue(rule.expr, ctx, [cfa]);
      return addr === undefined ? undefined : readU64(addr);
    }
    case 'valExpression': return evaluateValue(rule.expr, ctx, [cfa]);
  }
}

/** No CFI: classic frame-pointer chain (caller rbp at [rbp], return address at [rbp+8]). */
async function framePointerStep(frame: UnwindRegs, readU64: (a: bigint) => Promise<bigint | undefined>): Promise<UnwindRegs | undefined> {
  const rbp = frame.regs.get(DW_REG_RBP);
  if (rbp === undefined || rbp === 0n) return undefined;
  const savedRbp = await readU64(rbp);
  const ra = await readU64(rbp + 8n);
  if (savedRbp === undefined || ra === undefined || ra === 0n) return undefined;
  const caller = new Map(frame.regs);
  caller.set(DW_REG_RBP, savedRbp);
  caller.set(DW_REG_RSP, rbp + 16n);
  caller.set(DW_REG_RA, ra);
  frame.cfa = rbp + 16n;
  return { pc: ra, regs: caller, exactPc: false };
}
