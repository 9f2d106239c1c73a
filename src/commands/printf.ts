/**
 * gdb's `printf "FORMAT", EXPR...`: each argument evaluated by the debugger's
 * evaluator and converted as gdb's printcmd.c converts it (the argument
 * class's C type; %s reads a C string from the program; a %f of an integer
 * reinterprets its bytes as gdb's float_type_from_length does), then printed
 * with C's printf rules (printf-format.ts). The text goes out with no newline
 * of its own, as gdb's does.
 */
import type { AnyValue } from './debug.js';
import { EvalError } from './expr.js';
import { strip, sizeOf, isFloat, type CType } from '../dwarf/types.js';
import { Value as DwarfValue } from '../dwarf/value.js';
import {
  parsePrintf, formatChar, formatFloat, formatInteger, formatPointer, formatString, type Conversion,
} from './printf-format.js';

export interface PrintfHost {
  evaluate(expr: string): Promise<AnyValue>;
  /** Program memory; throws gdb's `Cannot access memory at address 0x...` when unreadable. */
  readMemory(address: bigint, length: number): Promise<Buffer>;
}

/** What the value is, as printf needs it. */
type Scalar =
  | { kind: 'int'; value: bigint; bytes: Buffer; type: CType | undefined }
  | { kind: 'float'; value: number }
  | { kind: 'array'; address: bigint | undefined; bytes: Buffer | undefined }
  | { kind: 'other'; bytes: Buffer | undefined };

/** The text `printf LINE` prints. */
export async function printfText(line: string, host: PrintfHost): Promise<string> {
  const { pieces, args } = parsePrintf(line);
  // gdb evaluates every argument before it prints anything
  const values: Scalar[] = [];
  for (const a of args) values.push(await scalarOf(await host.evaluate(a)));
  let out = '';
  let n = 0;
  for (const p of pieces) {
    if ('literal' in p) { out += p.literal; continue; }
    out += await convert(p.spec, values[n++]!, host);
  }
  return out;
}

async function convert(spec: Conversion, v: Scalar, host: PrintfHost): Promise<string> {
  switch (spec.argClass) {
    case 'int': case 'long': case 'longlong': case 'size': {
      const bits = spec.argClass === 'int' ? (spec.length === 'h' ? 16 : 32) : 64;
      const i = integerOf(v);
      if (spec.conv === 'c') return formatChar(spec, i);
      const signed = spec.conv === 'd' || spec.conv === 'i';
      return formatInteger(spec, signed ? BigInt.asIntN(bits, i) : BigInt.asUintN(bits, i));
    }
    case 'ptr': return formatPointer(spec, BigInt.asUintN(64, integerOf(v)));
    case 'string': {
      if (v.kind === 'array' && v.address === undefined && v.bytes) return formatString(spec, cText(v.bytes, spec.precision));
      const address = v.kind === 'array' ? v.address! : BigInt.asUintN(64, integerOf(v));
      if (address === 0n) return formatString(spec, undefined);
      return formatString(spec, cText(await readUntil(host, address, 1, spec.precision), spec.precision));
    }
    case 'wstring': {
      const address = v.kind === 'array' && v.address !== undefined ? v.address : BigInt.asUintN(64, integerOf(v));
      if (address === 0n) return formatString(spec, undefined);
      const b = await readUntil(host, address, 4, spec.precision);
      let s = '';
      for (let i = 0; i + 4 <= b.length; i += 4) s += String.fromCodePoint(Math.min(b.readUInt32LE(i), 0x10ffff));
      return formatString(spec, s);
    }
    case 'wchar': {
      if (v.kind !== 'int' || !isWchar(v.type)) throw new EvalError('expected wchar_t argument for %lc');
      return formatString({ ...spec, precision: undefined }, String.fromCodePoint(Number(BigInt.asUintN(21, v.value))));
    }
    case 'double': case 'longdouble': return formatFloat(spec, floatOf(v));
  }
}

/** gdb's value_as_long: integers, characters, enums, pointers; floats truncated; nothing else. */
function integerOf(v: Scalar): bigint {
  if (v.kind === 'int') return v.value;
  if (v.kind === 'float') return BigInt(Math.trunc(Number.isFinite(v.value) ? v.value : 0));
  if (v.kind === 'array' && v.address !== undefined) return v.address;
  throw new EvalError('Value can\'t be converted to integer.');
}

/** gdb's printf_floating: a float as it is; anything else of a float's size read as that float; else converted. */
function floatOf(v: Scalar): number {
  if (v.kind === 'float') return v.value;
  const bytes = v.bytes;
  if (bytes && bytes.length === 4) return bytes.readFloatLE(0);
  if (bytes && bytes.length === 8) return bytes.readDoubleLE(0);
  if (v.kind === 'int') return Number(v.value);
  throw new EvalError('Invalid cast.');
}

function isWchar(t: CType | undefined): boolean {
  for (let x = t; x;) {
    if (x.kind === 'typedef') { if (x.name === 'wchar_t') return true; x = x.target; continue; }
    if (x.kind === 'qual') { x = x.target; continue; }
    return false;
  }
  return false;
}

/** The bytes of a C string (or of 4-byte characters) at `address`, up to its terminating zero or `max` characters. */
async function readUntil(host: PrintfHost, address: bigint, unit: number, max: number | undefined): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  const limit = (max ?? 1 << 20) * unit;
  for (let a = address; total < limit;) {
    // to the end of the page first, so a string that ends just before unreadable memory reads
    const chunk = Math.min(Number(0x1000n - (a & 0xfffn)), limit - total);
    const b = await host.readMemory(a, chunk);
    for (let i = 0; i + unit <= b.length; i += unit) {
      if (b.subarray(i, i + unit).every((x) => x === 0)) { parts.push(b.subarray(0, i)); return Buffer.concat(parts); }
    }
    parts.push(b);
    total += b.length;
    a += BigInt(b.length);
  }
  return Buffer.concat(parts).subarray(0, limit);
}

/** A C string's bytes as text (UTF-8, as a terminal shows them), up to its zero and the precision. */
function cText(b: Buffer, precision: number | undefined): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  if (precision !== undefined) end = Math.min(end, precision);
  return b.subarray(0, end).toString('utf8');
}

function scalarOf(any: AnyValue): Promise<Scalar> {
  return dwarfScalar(any.dwarf);
}

async function dwarfScalar(d: DwarfValue): Promise<Scalar> {
  if (d.optimizedOut) throw new EvalError('value has been optimized out');
  const t = strip(d.type);
  switch (t.kind) {
    case 'base': {
      if (isFloat(t)) return { kind: 'float', value: (await d.number()) ?? 0 };
      const bytes = (await d.bytes()) ?? Buffer.alloc(t.size);
      return { kind: 'int', value: (await d.bigint()) ?? 0n, bytes, type: d.type };
    }
    case 'enum': case 'pointer': {
      const bytes = (await d.bytes()) ?? Buffer.alloc(sizeOf(t));
      return { kind: 'int', value: (await d.bigint()) ?? 0n, bytes, type: d.type };
    }
    case 'array': return { kind: 'array', address: d.address, bytes: await d.bytes() };
    case 'function': return { kind: 'int', value: d.address ?? 0n, bytes: Buffer.alloc(8), type: undefined };
    default: {
      // a struct or union: gdb converts none to an integer; of a float's size, %f reads it as one
      const bytes = await d.bytes();
      return { kind: 'other', bytes: bytes && (bytes.length === 4 || bytes.length === 8) ? bytes : undefined };
    }
  }
}
