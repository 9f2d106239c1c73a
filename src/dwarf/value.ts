/**
 * Values of the expression evaluator: a C type plus where the bytes are
 * (memory, a register, computed bytes, or nowhere: optimized out).
 */
import { readLocation, type ExprContext, type Location } from './expr.js';
import { strip, sizeOf, isSigned, isFloat, isBfloat16, type CType } from './types.js';

export class Value {
  constructor(
    readonly type: CType,
    readonly loc: Location,
    readonly ctx: ExprContext,
    /** Bit fields: bit offset from the location's first byte, and width. */
    readonly bits?: { offset: number; size: number },
  ) {}

  static fromBytes(type: CType, bytes: Buffer, ctx: ExprContext): Value {
    return new Value(type, { kind: 'bytes', bytes }, ctx);
  }

  static fromBigInt(type: CType, v: bigint, ctx: ExprContext): Value {
    const size = Math.max(sizeOf(type), 1);
    const b = Buffer.alloc(Math.max(size, 8));
    b.writeBigUInt64LE(BigInt.asUintN(64, v));
    return Value.fromBytes(type, b.subarray(0, size), ctx);
  }

  static fromNumber(type: CType, v: number, ctx: ExprContext): Value {
    const size = sizeOf(type);
    const t = strip(type);
    if (t.kind === 'base' && isFloat(t)) return Value.fromBytes(type, encodeFloat(v, t), ctx);
    const b = Buffer.alloc(size);
    if (size === 4) b.writeFloatLE(v);
    else b.writeDoubleLE(v);
    return Value.fromBytes(type, b, ctx);
  }

  get optimizedOut(): boolean {
    return this.loc.kind === 'optimized';
  }

  /** Address when the value lives in memory (an lvalue gdb can take `&` of). */
  get address(): bigint | undefined {
    return this.loc.kind === 'memory' && !this.bits ? this.loc.address : undefined;
  }

  /** Raw contents; undefined when optimized out or unreadable. */
  async bytes(): Promise<Buffer | undefined> {
    if (this.bits) {
      const nbytes = Math.ceil((this.bits.offset + this.bits.size) / 8);
      return readLocation(this.loc, nbytes, this.ctx);
    }
    return readLocation(this.loc, sizeOf(this.type), this.ctx);
  }

  /** Integer contents (sign-extended per the type); bit fields extracted. */
  async bigint(): Promise<bigint | undefined> {
    const b = await this.bytes();
    if (!b) return undefined;
    if (this.bits) {
      let raw = 0n;
      for (let i = b.length - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(b[i]);
      const v = (raw >> BigInt(this.bits.offset)) & ((1n << BigInt(this.bits.size)) - 1n);
      return isSigned(this.type) ? BigInt.asIntN(this.bits.size, v) : v;
    }
    return bytesToBigInt(b, isSigned(this.type) && !isFloat(this.type));
  }

  async number(): Promise<number | undefined> {
    const b = await this.bytes();
    if (!b) return undefined;
    const t = strip(this.type);
    if (t.kind === 'base' && isFloat(t)) {
      if (t.size === 4) return b.readFloatLE(0);
      if (t.size === 8) return b.readDoubleLE(0);
      if (t.size === 2) return isBfloat16(t) ? readBfloat16(b) : readHalf(b);
      return readLongDouble(b);
    }
    const v = await this.bigint();
    return v === undefined ? undefined : Number(v);
  }
}

export function bytesToBigInt(b: Buffer, signed: boolean): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return signed && b.length > 0 ? BigInt.asIntN(b.length * 8, v) : v;
}

/** IEEE binary16 (`_Float16`, gdb's ieee_half) to a double (exact). */
export function readHalf(b: Buffer): number {
  const v = b.readUInt16LE(0);
  const sign = v & 0x8000 ? -1 : 1;
  const exp = (v >> 10) & 0x1f;
  const frac = v & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16: the high half of an IEEE single (exact). */
export function readBfloat16(b: Buffer): number {
  const f = Buffer.alloc(4);
  f.writeUInt16LE(b.readUInt16LE(0), 2);
  return f.readFloatLE(0);
}

/** x87 80-bit extended precision to a double (what `long double` holds on x86-64). */
export function readLongDouble(b: Buffer): number {
  const mant = b.readBigUInt64LE(0);
  const se = b.readUInt16LE(8);
  const sign = se & 0x8000 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0 && mant === 0n) return sign * 0;
  if (exp === 0x7fff) return (mant & 0x7fffffffffffffffn) === 0n ? sign * Infinity : NaN;
  return sign * Number(mant) * Math.pow(2, exp - 16383 - 63);
}

/** Round to the nearest integer, ties to even (IEEE's default rounding). */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** IEEE binary16 bits of x (round to nearest even). */
function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundEven(a / 2 ** -24);        // subnormal (0x400 rounds up into the normals)
  let e = Math.floor(Math.log2(a));
  let frac = roundEven((a / 2 ** e - 1) * 1024);
  if (frac === 1024) { frac = 0; e++; }
  return sign | ((e + 15) << 10) | frac;
}

/** x87 80-bit bytes of a double (exact: every double fits). */
function x87Bytes(x: number): Buffer {
  const out = Buffer.alloc(10);
  const d = Buffer.alloc(8);
  d.writeDoubleLE(x);
  const bits = d.readBigUInt64LE(0);
  const sign = Number(bits >> 63n) << 15;
  const exp = Number((bits >> 52n) & 0x7ffn);
  let frac = bits & 0xfffffffffffffn;
  if (exp === 0x7ff) {
    out.writeBigUInt64LE((1n << 63n) | (frac << 11n));
    out.writeUInt16LE(sign | 0x7fff, 8);
  } else if (exp !== 0 || frac !== 0n) {
    let e = exp - 1023;
    if (exp === 0) { // subnormal double: normalize
      e = -1022;
      while (!(frac & (1n << 52n))) { frac <<= 1n; e--; }
      frac &= 0xfffffffffffffn;
    }
    out.writeBigUInt64LE((1n << 63n) | (frac << 11n));
    out.writeUInt16LE(sign | (e + 16383), 8);
  } else out.writeUInt16LE(sign, 8);
  return out;
}

/** The bytes of x in a floating type of `size` bytes (float, double, long double, half, bfloat16). */
export function encodeFloat(x: number, t: CType): Buffer {
  if (t.kind !== 'base') throw new TypeError(`not a floating type: ${t.kind}`);
  const b = Buffer.alloc(t.size);
  if (t.size === 4) b.writeFloatLE(x);
  else if (t.size === 8) b.writeDoubleLE(x);
  else if (t.size === 10 || t.size === 16) x87Bytes(x).copy(b);
  else if (t.size === 2 && isBfloat16(t)) {
    const f = Buffer.alloc(4);
    f.writeFloatLE(x);
    const u = f.readUInt32LE(0);
    b.writeUInt16LE(Number.isNaN(x) ? 0x7fc0 : ((u + 0x7fff + ((u >> 16) & 1)) >>> 16) & 0xffff);
  } else if (t.size === 2) b.writeUInt16LE(halfBits(x));
  return b;
}

/**
 * The bytes gdb's value_assign stores for a whole struct, union or array
 * (`t`, stripped): the source cast to it as value_cast does, that is a value
 * of the same size, or an array of the same element size no longer than `t`,
 * padded with zeros (a string into a char array: `set var s.tag = "xy"`).
 */
export async function aggregateBytes(t: CType, v: Value, fail: (message: string) => Error): Promise<Buffer> {
  const from = strip(v.type);
  const size = sizeOf(t);
  if (t.kind === 'array' && from.kind === 'array') {
    if (sizeOf(t.element) !== sizeOf(from.element)) throw fail('Invalid cast.');
  } else if (sizeOf(from) !== size) {
    // (any value of the very size is taken as its bytes: gdb's `set var flags = 5`)
    throw fail('Invalid cast.');
  }
  const bytes = await v.bytes();
  if (!bytes) throw fail(v.optimizedOut ? 'value has been optimized out' : 'value is not available');
  if (bytes.length > size) throw fail('Too many array elements');
  return bytes.length < size ? Buffer.concat([bytes, Buffer.alloc(size - bytes.length)]) : bytes;
}
