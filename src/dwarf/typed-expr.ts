/**
 * DWARF 5 typed-stack expressions over floating-point values (gcc -O2 writes
 * `DW_OP_regval_type xmm0 <double>; DW_OP_regval_type xmm1 <double>; DW_OP_mul;
 * DW_OP_const_type <double> 0.25; DW_OP_plus; DW_OP_stack_value` for a double
 * it never stores). The generic evaluator (./expr.ts) keeps untyped 64-bit
 * integers; this one runs only expressions that use a floating base type and
 * the operations listed below, and says "not mine" (undefined) for anything
 * else, so the generic path stays the one for every other expression.
 */
import { Reader } from './reader.js';
import { ATE, AT, OP } from './constants.js';
import type { ExprContext } from './expr.js';
import { floatToLongest } from './cexpr.js';

type Typed = { float: true; v: number; size: number } | { float: false; v: bigint };

/** A typed-stack value result: its bytes, `null` when a register it needs is unavailable, undefined: not handled here. */
export async function evaluateTypedFloat(expr: Buffer, ctx: ExprContext): Promise<Buffer | null | undefined> {
  if (!ctx.unit || !usesFloatType(expr, ctx)) return undefined;
  const r = new Reader(expr);
  const st: Typed[] = [];
  const pop = (): Typed | undefined => st.pop();
  while (!r.eof) {
    const op = r.u8();
    if (op >= OP.lit0 && op <= OP.lit31) { st.push({ float: false, v: BigInt(op - OP.lit0) }); continue; }
    switch (op) {
      case OP.regval_type: case OP.GNU_regval_type: {
        const reg = r.uleb();
        const t = baseType(ctx, r.uleb());
        if (!t) return undefined;
        const bytes = reg > 16 ? await ctx.regBytes?.(reg) : u64Bytes(ctx.reg(reg));
        if (!bytes) return null;
        st.push(decode(bytes, t));
        break;
      }
      case OP.const_type: case OP.GNU_const_type: {
        const t = baseType(ctx, r.uleb());
        const bytes = r.bytes(r.u8());
        if (!t) return undefined;
        st.push(decode(Buffer.from(bytes), t));
        break;
      }
      case OP.convert: case OP.GNU_convert: {
        const off = r.uleb();
        const a = pop();
        if (!a) return undefined;
        const t = off === 0 ? { float: false, size: 8 } : baseType(ctx, off);
        if (!t) return undefined;
        st.push(t.float ? { float: true, size: t.size, v: a.float ? a.v : Number(a.v) }
          : { float: false, v: a.float ? floatToLongest(a.v) : a.v });
        break;
      }
      case OP.plus: case OP.minus: case OP.mul: case OP.div: {
        const b = pop();
        const a = pop();
        if (!a || !b || a.float !== b.float || !a.float || !b.float) return undefined; // integer math: the generic path's
        const v = op === OP.plus ? a.v + b.v : op === OP.minus ? a.v - b.v : op === OP.mul ? a.v * b.v : a.v / b.v;
        st.push({ float: true, size: a.size, v: a.size === 4 ? Math.fround(v) : v });
        break;
      }
      case OP.neg: case OP.abs: {
        const a = pop();
        if (!a || !a.float) return undefined;
        st.push({ ...a, v: op === OP.neg ? -a.v : Math.abs(a.v) });
        break;
      }
      case OP.stack_value: {
        const a = pop();
        if (!a || !r.eof) return undefined;
        return a.float ? encode(a.v, a.size) : u64Bytes(a.v)!;
      }
      default:
        return undefined; // entry values, memory, pieces...: not handled here
    }
  }
  // A DW_AT_call_value ends on its value: a typed float is a value, not an address.
  const top = st[st.length - 1];
  return top?.float ? encode(top.v, top.size) : undefined;
}

function usesFloatType(expr: Buffer, ctx: ExprContext): boolean {
  // cheap pre-check: a typed op whose type is a float; the real walk re-reads it
  const r = new Reader(expr);
  while (!r.eof) {
    const op = r.u8();
    if (op === OP.regval_type || op === OP.GNU_regval_type) { r.uleb(); if (baseType(ctx, r.uleb())?.float) return true; }
    else if (op === OP.const_type || op === OP.GNU_const_type) { if (baseType(ctx, r.uleb())?.float) return true; r.bytes(r.u8()); }
    else if (op === OP.convert || op === OP.GNU_convert) { if (baseType(ctx, r.uleb())?.float) return true; }
    else if ((op >= OP.lit0 && op <= OP.lit31) || [OP.plus, OP.minus, OP.mul, OP.div, OP.neg, OP.abs, OP.stack_value].includes(op as never)) continue;
    else return false;
  }
  return false;
}

function baseType(ctx: ExprContext, cuOffset: number): { float: boolean; size: number } | undefined {
  const unit = ctx.unit!;
  const die = unit.dieAt(unit.offset + cuOffset);
  const size = die?.num(AT.byte_size);
  if (!die || size === undefined) return undefined;
  return { float: die.num(AT.encoding) === ATE.float && (size === 4 || size === 8), size };
}

function decode(bytes: Buffer, t: { float: boolean; size: number }): Typed {
  if (t.float) return { float: true, size: t.size, v: t.size === 4 ? bytes.readFloatLE(0) : bytes.readDoubleLE(0) };
  const b = Buffer.alloc(8);
  bytes.copy(b, 0, 0, Math.min(8, t.size));
  return { float: false, v: b.readBigUInt64LE(0) };
}

function encode(v: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  if (size === 4) b.writeFloatLE(v);
  else b.writeDoubleLE(v);
  return b;
}

function u64Bytes(v: bigint | undefined): Buffer | undefined {
  if (v === undefined) return undefined;
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}
