/**
 * C arithmetic on values for the evaluator (evaluator.ts): the integer and
 * floating views of a value, truth, and the binary operators with C's
 * promotions and usual arithmetic conversions, pointer arithmetic and
 * comparisons, in gdb's words when they fail.
 */
import { ATE } from './constants.js';
import type { ExprContext } from './expr.js';
import { ExprError, floatToLongest } from './cexpr.js';
import { strip, sizeOf, isFloat, isSigned, INT, UINT, LONG, ULONG, CHAR, unknownTypeError, type CType } from './types.js';
import { Value } from './value.js';
import { hexWord } from '../util/hex.js';

export async function truth(v: Value): Promise<boolean> {
  const t = strip(v.type);
  if (isFloat(t)) return (await toNumber(v)) !== 0;
  if (t.kind === 'struct' || t.kind === 'union') throw new ExprError('Argument to logical operator not a number or boolean.');
  return (await toInt(v)) !== 0n;
}

export async function toInt(v: Value): Promise<bigint> {
  const unknown = unknownTypeError(v.type);
  if (unknown) throw new ExprError(unknown);
  const t = strip(v.type);
  if (t.kind === 'array' || t.kind === 'function') {
    if (v.address === undefined) throw new ExprError('Attempt to take address of value not located in memory.');
    return v.address;
  }
  if (isFloat(t)) return floatToLongest(await toNumber(v));
  const n = await v.bigint();
  if (n === undefined) throw new ExprError(v.optimizedOut ? 'value has been optimized out' : cannotAccess(v));
  return n;
}

export async function toNumber(v: Value): Promise<number> {
  if (isFloat(v.type)) {
    const n = await v.number();
    if (n === undefined) throw new ExprError(v.optimizedOut ? 'value has been optimized out' : cannotAccess(v));
    return n;
  }
  return Number(await toInt(v));
}


export async function binary(op: string, l: Value, r: Value, ctx: ExprContext, warn?: (message: string) => void): Promise<Value> {
  // A function designator in arithmetic is a pointer to it (C's decay):
  // `main + 4` is gdb's `(int (*)(void)) 0x... <main+4>`, as in `break *main+4`.
  l = decayFunction(l, ctx);
  r = decayFunction(r, ctx);
  const lt = strip(l.type);
  const rt = strip(r.type);
  const lp = lt.kind === 'pointer' || lt.kind === 'array';
  const rp = rt.kind === 'pointer' || rt.kind === 'array';
  for (const [v, t] of [[l, lt], [r, rt]] as const) {
    if (t.kind === 'struct' || t.kind === 'union') throw new ExprError(`Structure has no component named operator${op}.`);
    if (v.optimizedOut) throw new ExprError('value has been optimized out');
  }
  if ((op === '+' || op === '-') && (lp || rp)) {
    if (lp && rp) {
      if (op === '+') throw new ExprError('Argument to arithmetic operation not a number or boolean.');
      const es = BigInt(Math.max(1, sizeOf(elementOf(lt))));
      return Value.fromBigInt(LONG, (BigInt.asIntN(64, await toInt(l)) - BigInt.asIntN(64, await toInt(r))) / es, ctx);
    }
    const [p, i, pt] = lp ? [l, r, lt] : [r, l, rt];
    if (!lp && op === '-') throw new ExprError('Argument to arithmetic operation not a number or boolean.');
    const el = elementOf(pt);
    const es = BigInt(Math.max(1, sizeOf(el)));
    const base = await toInt(p);
    const off = BigInt.asIntN(64, await toInt(i)) * es;
    const ptrType: CType = pt.kind === 'array' ? { kind: 'pointer', size: 8, target: pt.element } : p.type;
    return Value.fromBigInt(ptrType, op === '+' ? base + off : base - off, ctx);
  }
  if (['==', '!=', '<', '>', '<=', '>='].includes(op)) {
    let res: boolean;
    if (isFloat(lt) || isFloat(rt)) {
      const a = await toNumber(l);
      const b = await toNumber(r);
      res = op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    } else {
      const ct = lp || rp ? ULONG : arith(l.type, r.type);
      const a = conv(await toInt(l), ct);
      const b = conv(await toInt(r), ct);
      res = op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    }
    return Value.fromBigInt(INT, res ? 1n : 0n, ctx);
  }
  if (lp || rp) throw new ExprError('Argument to arithmetic operation not a number or boolean.');
  if (isFloat(lt) || isFloat(rt)) {
    const a = await toNumber(l);
    const b = await toNumber(r);
    // gdb's binop_promote: the wider floating operand's type (float * int stays float, double + long double is long double)
    const rtype = !isFloat(rt) || (isFloat(lt) && sizeOf(lt) >= sizeOf(rt)) ? l.type : r.type;
    let v: number;
    switch (op) {
      case '+': v = a + b; break;
      case '-': v = a - b; break;
      case '*': v = a * b; break;
      case '/': v = a / b; break;
      default: throw new ExprError('Integer-only operation on floating point number.');
    }
    return Value.fromNumber(rtype, v, ctx);
  }
  const shift = op === '<<' || op === '>>';
  const t = shift ? promote(l.type) : arith(l.type, r.type);
  const a = conv(await toInt(l), t);
  const b = conv(await toInt(r), shift ? LONG : t);
  let v: bigint;
  switch (op) {
    case '+': v = a + b; break;
    case '-': v = a - b; break;
    case '*': v = a * b; break;
    case '/': if (b === 0n) throw new ExprError('Division by zero'); v = a / b; break;
    case '%': if (b === 0n) throw new ExprError('Division by zero'); v = a % b; break;
    // gdb 13: a count below 0 or not below the width warns and gives 0 (BigInt would grow without bound)
    case '<<': case '>>':
      if (b < 0n) warn?.(`${op === '<<' ? 'left' : 'right'} shift count is negative`);
      else if (b >= BigInt(sizeOf(t) * 8)) warn?.(`${op === '<<' ? 'left' : 'right'} shift count >= width of type`);
      v = op === '<<' ? (b < 0n || b >= BigInt(sizeOf(t) * 8) ? 0n : a << b)
        : b < 0n || b >= BigInt(sizeOf(t) * 8) ? (a < 0n && b > 0n ? -1n : 0n) : a >> b;
      break;
    case '&': v = a & b; break;
    case '|': v = a | b; break;
    case '^': v = a ^ b; break;
    default: throw new ExprError(`Unsupported operator ${op}.`);
  }
  return Value.fromBigInt(t, v, ctx);
}

/** `first@count`, with gdb 13's checks: an int count, in memory, at least 1, within max-value-size. */

export function cannotAccess(v: Value): string {
  return v.loc.kind === 'memory' ? `Cannot access memory at address ${hexWord(v.loc.address)}` : 'value is not available';
}

function elementOf(t: CType): CType {
  if (t.kind === 'array') return t.element;
  if (t.kind === 'pointer') return t.target;
  return CHAR;
}

/** Integer promotion: everything narrower than int becomes int. */
export function promote(t: CType): CType {
  const s = strip(t);
  if (s.kind === 'enum') return s.signed || s.size < 4 ? INT : UINT;
  if (s.kind === 'pointer') return ULONG;
  if (s.kind !== 'base') return INT;
  if (s.encoding === ATE.float) return s;
  if (s.size < 4) return INT;
  if (s.size === 4) return isSigned(s) ? INT : UINT;
  return isSigned(s) ? LONG : ULONG;
}

/** Usual arithmetic conversions for two integer operands. */
function arith(a: CType, b: CType): CType {
  const pa = promote(a);
  const pb = promote(b);
  const sa = sizeOf(pa);
  const sb = sizeOf(pb);
  if (sa !== sb) return sa > sb ? pa : pb;
  return !isSigned(pa) ? pa : pb;
}

function conv(v: bigint, t: CType): bigint {
  const bits = sizeOf(t) * 8;
  return isSigned(t) ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

export function decayFunction(v: Value, ctx: Value['ctx']): Value {
  if (strip(v.type).kind !== 'function' || v.address === undefined) return v;
  return Value.fromBigInt({ kind: 'pointer', size: 8, target: v.type }, v.address, ctx);
}
