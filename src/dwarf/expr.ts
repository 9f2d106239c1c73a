/**
 * DWARF expression evaluation (DWARF 5 section 2.5/2.6) for variable
 * locations, frame bases and CFI rules: a stack machine over 64-bit values
 * whose result is a Location. Memory and registers come from the caller's
 * context, so this works over any Target.
 */
import { Reader, DwarfError } from './reader.js';
import { OP } from './constants.js';
import type { Unit } from './info.js';
import { evaluateTypedFloat } from './typed-expr.js';

export type Location =
  | { kind: 'memory'; address: bigint }
  | { kind: 'register'; reg: number }
  | { kind: 'value'; value: bigint }
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'pieces'; pieces: Array<{ loc: Location; bytes: number }> }
  /** Part of another location (a member of a struct held in registers or pieces). */
  | { kind: 'sub'; base: Location; offset: number }
  | { kind: 'optimized' };

export interface ExprContext {
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  /** Value of a DWARF register in this frame; undefined when it is not available. */
  reg(n: number): bigint | undefined;
  /** Bytes of a register wider than 64 bits or outside rax..rip (xmm, st, mxcsr), when the target has them. */
  regBytes?(n: number): Promise<Buffer | undefined>;
  frameBase?(): Promise<bigint | undefined>;
  cfa?(): Promise<bigint | undefined>;
  /** Value a register had on entry to the function (DW_OP_entry_value), if the caller's call site says. */
  entryValue?(expr: Buffer): Promise<bigint | undefined>;
  /** DW_OP_GNU_parameter_ref: the value the caller passed for the parameter DIE at this unit offset. */
  parameterRef?(unitOffset: number): Promise<bigint | undefined>;
  unit?: Unit;
  /** Load bias for DW_OP_addr / addrx. */
  bias: bigint;
}

/** Thrown inside evaluation when a needed value is unavailable: the variable prints `<optimized out>`. */
class Unavailable extends Error {}

const MASK = 0xffffffffffffffffn;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => v & MASK;

export async function evaluateLocation(expr: Buffer, ctx: ExprContext, initial: bigint[] = []): Promise<Location> {
  if (initial.length === 0) {
    const typed = await evaluateTypedFloat(expr, ctx);
    if (typed === null) return { kind: 'optimized' };
    if (typed) return { kind: 'bytes', bytes: typed };
  }
  try {
    return await run(expr, ctx, initial);
  } catch (e) {
    if (e instanceof Unavailable) return { kind: 'optimized' };
    throw e;
  }
}

/** Evaluate to a plain value (frame base, CFA expressions, DW_AT_call_value). */
export async function evaluateValue(expr: Buffer, ctx: ExprContext, initial: bigint[] = []): Promise<bigint | undefined> {
  const loc = await evaluateLocation(expr, ctx, initial);
  switch (loc.kind) {
    case 'memory': return loc.address;
    case 'value': return loc.value;
    case 'register': return ctx.reg(loc.reg);
    case 'bytes': {
      // a typed-stack result (a double's bits, say): the value as a 64-bit integer
      const b = Buffer.alloc(8);
      loc.bytes.copy(b, 0, 0, Math.min(8, loc.bytes.length));
      return b.readBigUInt64LE(0);
    }
    default: return undefined;
  }
}

async function run(expr: Buffer, ctx: ExprContext, initial: bigint[]): Promise<Location> {
  const r = new Reader(expr);
  const st: bigint[] = [...initial];
  const pieces: Array<{ loc: Location; bytes: number }> = [];
  let loc: Location | undefined; // set by reg*, stack_value, implicit_value; consumed by piece
  const pop = (): bigint => {
    const v = st.pop();
    if (v === undefined) throw new DwarfError('DWARF expression stack underflow');
    return v;
  };
  const reg = (n: number): bigint => {
    const v = ctx.reg(n);
    if (v === undefined) throw new Unavailable();
    return v;
  };
  const readU = async (addr: bigint, size: number): Promise<bigint> => {
    const b = await ctx.readMemory(addr, size);
    if (b.length < size) throw new Unavailable();
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    return v;
  };
  while (!r.eof) {
    const op = r.u8();
    if (op >= OP.lit0 && op <= OP.lit31) { st.push(BigInt(op - OP.lit0)); continue; }
    if (op >= OP.reg0 && op <= OP.reg31) { loc = { kind: 'register', reg: op - OP.reg0 }; continue; }
    if (op >= OP.breg0 && op <= OP.breg31) { st.push(u64(reg(op - OP.breg0) + BigInt(r.sleb()))); continue; }
    switch (op) {
      case OP.addr: st.push(r.u64() + ctx.bias); break;
      case OP.addrx: case OP.GNU_addr_index:
        if (!ctx.unit) throw new DwarfError('DW_OP_addrx outside a unit');
        st.push(ctx.unit.addressIndex(r.uleb()) + ctx.bias);
        break;
      case OP.constx: case OP.GNU_const_index:
        if (!ctx.unit) throw new DwarfError('DW_OP_constx outside a unit');
        st.push(ctx.unit.addressIndex(r.uleb()));
        break;
      case OP.deref: st.push(await readU(pop(), 8)); break;
      case OP.deref_size: { const n = r.u8(); st.push(await readU(pop(), n)); break; }
      case OP.const1u: st.push(BigInt(r.u8())); break;
      case OP.const1s: st.push(u64(BigInt(r.i8()))); break;
      case OP.const2u: st.push(BigInt(r.u16())); break;
      case OP.const2s: st.push(u64(BigInt(r.i16()))); break;
      case OP.const4u: st.push(BigInt(r.u32())); break;
      case OP.const4s: st.push(u64(BigInt(r.i32()))); break;
      case OP.const8u: st.push(r.u64()); break;
      case OP.const8s: st.push(u64(r.i64())); break;
      case OP.constu: st.push(r.ulebBig()); break;
      case OP.consts: st.push(u64(r.slebBig())); break;
      case OP.dup: { const v = pop(); st.push(v, v); break; }
      case OP.drop: pop(); break;
      case OP.over: st.push(st[st.length - 2]); break;
      case OP.pick: st.push(st[st.length - 1 - r.u8()]); break;
      case OP.swap: { const a = pop(); const b = pop(); st.push(a, b); break; }
      case OP.rot: { const a = pop(); const b = pop(); const c = pop(); st.push(a, c, b); break; }
      case OP.abs: { const v = s64(pop()); st.push(u64(v < 0n ? -v : v)); break; }
      case OP.and: st.push(pop() & pop()); break;
      case OP.div: { const b = s64(pop()); const a = s64(pop()); if (b === 0n) throw new DwarfError('division by zero in DWARF expression'); st.push(u64(a / b)); break; }
      case OP.minus: { const b = pop(); const a = pop(); st.push(u64(a - b)); break; }
      case OP.mod: { const b = pop(); const a = pop(); if (b === 0n) throw new DwarfError('division by zero in DWARF expression'); st.push(a % b); break; }
      case OP.mul: st.push(u64(pop() * pop())); break;
      case OP.neg: st.push(u64(-s64(pop()))); break;
      case OP.not: st.push(u64(~pop())); break;
      case OP.or: st.push(pop() | pop()); break;
      case OP.plus: st.push(u64(pop() + pop())); break;
      case OP.plus_uconst: st.push(u64(pop() + r.ulebBig())); break;
      case OP.shl: { const b = pop(); const a = pop(); st.push(u64(a << b)); break; }
      case OP.shr: { const b = pop(); const a = pop(); st.push(a >> b); break; }
      case OP.shra: { const b = pop(); const a = s64(pop()); st.push(u64(a >> b)); break; }
      case OP.xor: st.push(pop() ^ pop()); break;
      case OP.eq: case OP.ge: case OP.gt: case OP.le: case OP.lt: case OP.ne: {
        const b = s64(pop());
        const a = s64(pop());
        const res = op === OP.eq ? a === b : op === OP.ge ? a >= b : op === OP.gt ? a > b : op === OP.le ? a <= b : op === OP.lt ? a < b : a !== b;
        st.push(res ? 1n : 0n);
        break;
      }
      case OP.skip: { const d = r.i16(); r.pos += d; break; }
      case OP.bra: { const d = r.i16(); if (pop() !== 0n) r.pos += d; break; }
      case OP.regx: loc = { kind: 'register', reg: r.uleb() }; break;
      case OP.bregx: { const n = r.uleb(); st.push(u64(reg(n) + BigInt(r.sleb()))); break; }
      case OP.fbreg: {
        const off = BigInt(r.sleb());
        const fb = ctx.frameBase ? await ctx.frameBase() : undefined;
        if (fb === undefined) throw new Unavailable();
        st.push(u64(fb + off));
        break;
      }
      case OP.call_frame_cfa: {
        const cfa = ctx.cfa ? await ctx.cfa() : undefined;
        if (cfa === undefined) throw new Unavailable();
        st.push(cfa);
        break;
      }
      case OP.nop: break;
      case OP.stack_value: loc = { kind: 'value', value: pop() }; break;
      case OP.implicit_value: { const n = r.uleb(); loc = { kind: 'bytes', bytes: Buffer.from(r.bytes(n)) }; break; }
      case OP.piece: {
        const n = r.uleb();
        const l: Location = loc ?? (st.length ? { kind: 'memory', address: pop() } : { kind: 'optimized' });
        pieces.push({ loc: l, bytes: n });
        loc = undefined;
        break;
      }
      case OP.entry_value: case OP.GNU_entry_value: {
        const n = r.uleb();
        const sub = r.bytes(n);
        const v = ctx.entryValue ? await ctx.entryValue(sub) : undefined;
        if (v === undefined) throw new Unavailable();
        st.push(v);
        break;
      }
      case OP.implicit_pointer: case OP.GNU_implicit_pointer:
        // A pointer that points at an optimized-away object: gdb prints <synthetic pointer>; we cannot.
        throw new Unavailable();
      case OP.GNU_parameter_ref: {
        const off = r.u32();
        const v = ctx.parameterRef ? await ctx.parameterRef(off) : undefined;
        if (v === undefined) throw new Unavailable();
        st.push(v);
        break;
      }
      case OP.form_tls_address: case OP.GNU_push_tls_address:
        throw new Unavailable();
      case OP.convert: case OP.GNU_convert: case OP.reinterpret: case OP.GNU_reinterpret:
        r.uleb(); // typed stack: values stay 64-bit generic, good enough for integer locals
        break;
      case OP.regval_type: case OP.GNU_regval_type: { const n = r.uleb(); r.uleb(); st.push(reg(n)); break; }
      case OP.deref_type: case OP.GNU_deref_type: { const n = r.u8(); r.uleb(); st.push(await readU(pop(), n)); break; }
      case OP.const_type: case OP.GNU_const_type: {
        r.uleb();
        const n = r.u8();
        const b = r.bytes(n);
        let v = 0n;
        for (let i = Math.min(n, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        st.push(v);
        break;
      }
      case OP.bit_piece: throw new Unavailable(); // not produced by gcc for C on x86-64
      default:
        throw new DwarfError(`unsupported DWARF operation 0x${op.toString(16)}`);
    }
  }
  if (pieces.length) return { kind: 'pieces', pieces };
  if (loc) return loc;
  if (st.length === 0) return { kind: 'optimized' }; // empty expression: optimized away
  return { kind: 'memory', address: st[st.length - 1] };
}

/** Bytes of a location (size bytes), or undefined when optimized out / unreadable. */
export async function readLocation(loc: Location, size: number, ctx: ExprContext): Promise<Buffer | undefined> {
  switch (loc.kind) {
    case 'memory': {
      // Unreadable memory is reported by the caller as gdb's `Cannot access memory at address`.
      const b = await ctx.readMemory(loc.address, size).catch(() => undefined);
      return !b || b.length < size ? undefined : b;
    }
    case 'register': {
      if (loc.reg > 16) {
        const b = await ctx.regBytes?.(loc.reg);
        if (!b) return undefined;
        // a long double in st0: 10 register bytes, 16 in memory (the rest is padding)
        return b.length >= size ? b.subarray(0, size) : Buffer.concat([b, Buffer.alloc(size - b.length)]);
      }
      const v = ctx.reg(loc.reg);
      if (v === undefined || size > 8) return undefined;
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v & MASK);
      return b.subarray(0, size);
    }
    case 'value': {
      const b = Buffer.alloc(Math.max(size, 8));
      b.writeBigUInt64LE(loc.value & MASK);
      return b.subarray(0, size);
    }
    case 'bytes': {
      if (loc.bytes.length >= size) return loc.bytes.subarray(0, size);
      return Buffer.concat([loc.bytes, Buffer.alloc(size - loc.bytes.length)]);
    }
    case 'pieces': {
      const parts: Buffer[] = [];
      for (const p of loc.pieces) {
        const b = await readLocation(p.loc, p.bytes, ctx);
        if (!b) return undefined;
        parts.push(b);
      }
      const all = Buffer.concat(parts);
      return all.length >= size ? all.subarray(0, size) : undefined;
    }
    case 'sub': {
      const b = await readLocation(loc.base, loc.offset + size, ctx);
      return b?.subarray(loc.offset, loc.offset + size);
    }
    case 'optimized':
      return undefined;
  }
}
