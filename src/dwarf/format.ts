/**
 * gdb's value printing (`print`, `info locals`, `bt` arguments; type
 * printing, `ptype` and `whatis`, is ptype.ts), reproduced to the character: `{next = 0x4052a0,
 * value = 3}`, `65 'A'`, `0x555555556004 "demo"`, `<repeats 12 times>`,
 * floats with %g to 9/17 digits, `<optimized out>`.
 */
import { ATE } from './constants.js';
import { ExprError, floatToLongest } from './cexpr.js';
import { wrapHint } from './wrap.js';
import { Value, bytesToBigInt } from './value.js';
import {
  strip, sizeOf, typeName, isCharType, isSigned, isBfloat16, unknownTypeError, type CType, type Member,
} from './types.js';
import { hexWord } from '../util/hex.js';

export interface FormatOptions {
  /** `<main+4>`-style symbol for an address (text inside the brackets), if any. */
  symbolize?: (addr: bigint) => string | undefined;
  /** print/FMT letter: x d u o t c a z s f. */
  format?: string;
  /** Elements of arrays/strings printed before `...` (gdb `print elements`, 200). */
  elements?: number;
  /** Runs longer than this print as `<repeats N times>` (gdb `print repeats`, 10). */
  repeats?: number;
  /** `set print pretty on`: one struct member per line, indented by nesting. */
  pretty?: boolean;
  /** Mark gdb's wrap points (before each member and element) for a terminal's width (wrap.ts). */
  wrapHints?: boolean;
}

/** gdb's `set print pretty|elements|repeats` (unlimited: Infinity). */
export interface PrintSettings {
  pretty: boolean;
  elements: number;
  repeats: number;
}

const REPEAT_THRESHOLD = 10;
const PRINT_MAX = 200;

/** `print` of a value at top level: pointers carry their type, `(int *) 0x...`. */
export async function formatTop(v: Value, opts: FormatOptions = {}): Promise<string> {
  const t = strip(v.type);
  const unknown = unknownTypeError(t);
  if (unknown) throw new ExprError(unknown);
  if (v.optimizedOut) return '<optimized out>';
  // At top level an unreadable object is an error (no $N), as in gdb; nested ones print <error: ...>.
  if (v.loc.kind === 'memory' && t.kind !== 'function') {
    const probe = Math.min(Math.max(sizeOf(v.type), 1), 64);
    // (unreadable memory: gdb's Cannot access memory error, next line)
    const b = await v.ctx.readMemory(v.loc.address, probe).catch(() => undefined);
    if (!b || b.length < probe) throw new ExprError(`Cannot access memory at address ${hexWord(v.loc.address)}`);
  }
  if (t.kind === 'pointer' && !opts.format && !plainCharPointer(v.type)) return `(${typeName(v.type, opts.wrapHints)}) ${await formatValue(v, opts)}`;
  if (t.kind === 'function' && !opts.format) {
    const addr = v.loc.kind === 'memory' ? v.loc.address : 0n;
    const sym = opts.symbolize?.(addr);
    const head = t.nodebug ? '{<text variable, no debug info>}' : `{${typeName(v.type, opts.wrapHints)}}`;
    return `${head} ${hexWord(addr)}${sym ? ` <${sym}>` : ''}`;
  }
  return formatValue(v, opts);
}

/**
 * gdb's c_value_print leaves the `(type) ` off only for a pointer type spelled
 * out (not a typedef) whose target is named `char` (`const char *`, `char
 * *const`): the quoted string shows the type. `unsigned char *`, `uint8_t *`
 * and a typedef of `char *` keep it.
 */
function plainCharPointer(t: CType): boolean {
  while (t.kind === 'qual') t = t.target;
  if (t.kind !== 'pointer') return false;
  let target = t.target;
  while (target.kind === 'qual') target = target.target;
  return target.kind === 'base' && target.name === 'char';
}

/** A value nested in a struct/array or in `info locals`; `level` is the nesting (pretty printing). */
export async function formatValue(v: Value, opts: FormatOptions = {}, level = 0): Promise<string> {
  if (v.optimizedOut) return '<optimized out>';
  const t = strip(v.type);
  switch (t.kind) {
    case 'struct': case 'union': return formatStruct(v, t.members, opts, level);
    case 'array': return formatArray(v, t, opts, level);
    case 'function': {
      const addr = v.loc.kind === 'memory' ? v.loc.address : 0n;
      const sym = opts.symbolize?.(addr);
      return `{${typeName(v.type)}} ${hexWord(addr)}${sym ? ` <${sym}>` : ''}`;
    }
    case 'void': return 'void';
    default: break;
  }
  const raw = await v.bytes();
  if (!raw) return v.loc.kind === 'memory' ? `<error: Cannot access memory at address ${hexWord(v.loc.address)}>` : '<optimized out>';
  if (opts.format && opts.format !== 's') return formatWithLetter(v, t, opts.format, opts);
  switch (t.kind) {
    case 'base': return formatBase(v, t);
    case 'enum': return formatEnum((await v.bigint())!, t);
    case 'pointer': return formatPointer(v, t, opts);
    default: return '?';
  }
}

async function formatBase(v: Value, t: CType & { kind: 'base' }): Promise<string> {
  if (t.encoding === ATE.float) {
    if (t.size === 10 || t.size === 16) return formatX87((await v.bytes())!);
    const nan = nanText((await v.bytes())!, t);
    if (nan) return nan;
    if (t.size === 2) return formatFloat((await v.number())!, 8, isBfloat16(t) ? 4 : 5);
    return formatFloat((await v.number())!, t.size);
  }
  if (t.flags) return formatFlags((await v.bigint())!, t.flags);
  if (t.encoding === ATE.boolean) {
    const b = (await v.bigint())!;
    return b === 0n ? 'false' : b === 1n ? 'true' : String(b);
  }
  const n = (await v.bigint())!;
  if (isCharType(t)) return `${n} ${charLiteral(Number(BigInt.asUintN(8, n)))}`;
  return String(n);
}

function formatEnum(n: bigint, t: CType & { kind: 'enum' }): string {
  const hit = t.values.find((e) => e.value === n);
  if (hit) return hit.name;
  // Flag enums (every enumerator a distinct bit): gdb prints (A | B | unknown: 0x10).
  const isFlag = t.values.every((e) => e.value >= 0n && (e.value & (e.value - 1n)) === 0n);
  if (isFlag && n > 0n) {
    const parts: string[] = [];
    let rest = n;
    for (const e of t.values) {
      if (e.value !== 0n && (rest & e.value) === e.value) {
        parts.push(e.name);
        rest &= ~e.value;
      }
    }
    if (parts.length) {
      if (rest !== 0n) parts.push(`unknown: 0x${rest.toString(16)}`);
      return `(${parts.join(' | ')})`;
    }
  }
  return String(n);
}

async function formatPointer(v: Value, t: CType & { kind: 'pointer' }, opts: FormatOptions): Promise<string> {
  const addr = BigInt.asUintN(64, (await v.bigint())!);
  const target = strip(t.target);
  const sym = addr !== 0n ? opts.symbolize?.(addr) : undefined;
  if (isCharType(t.target) && addr !== 0n) {
    const s = await readCString(v, addr, opts.elements ?? PRINT_MAX, opts.repeats ?? REPEAT_THRESHOLD);
    return `${hexWord(addr)}${sym ? ` <${sym}>` : ''} ${s}`;
  }
  if (target.kind === 'function' || sym) return `${hexWord(addr)}${sym ? ` <${sym}>` : ''}`;
  return hexWord(addr);
}

/**
 * The string a char* points at, quoted like gdb's val_print_string: at most
 * `limit` characters are read (stopping after a NUL); when none was found and
 * the next byte is not NUL either, the string ends with `...`.
 */
async function readCString(v: Value, addr: bigint, limit: number, threshold: number): Promise<string> {
  const s = await stringAt((a, l) => v.ctx.readMemory(a, l), addr, limit, threshold);
  return s ? s.text : `<error: Cannot access memory at address ${hexWord(addr)}>`;
}

/**
 * A NUL-terminated string in memory quoted as gdb's val_print_string (also
 * `x/s`): its text and the bytes it took (the NUL included), undefined when
 * the first byte cannot be read.
 */
export async function stringAt(
  read: (addr: bigint, len: number) => Promise<Buffer>, addr: bigint, limit: number, threshold: number,
): Promise<{ text: string; length: number } | undefined> {
  const bytes: number[] = [];
  let a = addr;
  let foundNul = false;
  while (bytes.length < limit) {
    let chunk: Buffer;
    try {
      // within one page: a string that ends just before an unmapped page still reads
      chunk = await read(a, Math.min(64, limit - bytes.length, Number(((a | 0xfffn) + 1n) - a)));
    } catch {
      // (unreadable memory ends the string where it starts)
      chunk = Buffer.alloc(0);
    }
    if (chunk.length === 0) {
      if (bytes.length === 0) return undefined;
      break;
    }
    const nul = chunk.indexOf(0);
    bytes.push(...(nul < 0 ? chunk : chunk.subarray(0, nul + 1)));
    if (nul >= 0) {
      foundNul = true;
      break;
    }
    a += BigInt(chunk.length);
  }
  let force = false;
  if (!foundNul) {
    // (an unreadable next byte: the string ended at the limit, nothing forced)
    const next = await read(addr + BigInt(bytes.length), 1).catch(() => undefined);
    force = next !== undefined && next.length === 1 && next[0] !== 0;
  }
  return { text: printString(bytes, threshold, limit, force), length: bytes.length };
}

async function formatStruct(v: Value, members: Member[], opts: FormatOptions, level: number): Promise<string> {
  const parts: string[] = [];
  for (const m of members) {
    const mv = memberValue(v, m);
    const body = await formatValue(mv, opts, level + 1);
    parts.push(m.name ? `${m.name} = ${body}` : body);
  }
  if (!opts.pretty) return `{${parts.map((p) => elementHint(opts, level) + p).join(', ')}}`;
  const pad = '  '.repeat(level + 1);
  return `{\n${parts.map((p) => pad + p).join(',\n')}\n${'  '.repeat(level)}}`;
}

/** A member of a struct value, at the member's offset (bit fields keep their bit position). */
export function memberValue(v: Value, m: Member): Value {
  const sub = subLocation(v, m.offset);
  if (m.bitSize !== undefined) {
    return new Value(m.type, sub, v.ctx, { offset: m.bitOffset! - m.offset * 8, size: m.bitSize });
  }
  return new Value(m.type, sub, v.ctx);
}

/** The location `offset` bytes into a value's location. */
export function subLocation(v: Value, offset: number): Value['loc'] {
  const loc = v.loc;
  switch (loc.kind) {
    case 'memory': return { kind: 'memory', address: loc.address + BigInt(offset) };
    case 'bytes': return { kind: 'bytes', bytes: loc.bytes.subarray(offset) };
    case 'optimized': return loc;
    case 'sub': return { kind: 'sub', base: loc.base, offset: loc.offset + offset };
    default: return offset === 0 ? loc : { kind: 'sub', base: loc, offset };
  }
}

async function formatArray(v: Value, t: CType & { kind: 'array' }, opts: FormatOptions, level: number): Promise<string> {
  // A flexible array member (no bound): gdb shows it as a pointer to its first element.
  if (t.count === undefined) {
    if (v.loc.kind !== 'memory') return '<optimized out>';
    const ptr: CType & { kind: 'pointer' } = { kind: 'pointer', size: 8, target: t.element };
    return formatPointer(Value.fromBigInt(ptr, v.loc.address, v.ctx), ptr, opts);
  }
  const count = t.count;
  const esize = sizeOf(t.element);
  const limit = opts.elements ?? PRINT_MAX;
  const threshold = opts.repeats ?? REPEAT_THRESHOLD;
  if (isCharType(t.element) && (!opts.format || opts.format === 's')) {
    const raw = await materialize(v, count * esize);
    if (!raw) return '<optimized out>';
    return printString([...raw], threshold, limit);
  }
  const base = await materialize(v, count * esize);
  if (!base && v.loc.kind !== 'memory') return '<optimized out>';
  const element = (i: number): Value => (base
    ? Value.fromBytes(t.element, base.subarray(i * esize, (i + 1) * esize), v.ctx)
    : new Value(t.element, { kind: 'memory', address: (v.loc as { address: bigint }).address + BigInt(i * esize) }, v.ctx));
  const same = (i: number, j: number): boolean => !!base && esize > 0
    && base.subarray(i * esize, (i + 1) * esize).equals(base.subarray(j * esize, (j + 1) * esize));
  // gdb's value_print_array_elements: runs longer than the threshold print once with
  // `<repeats N times>` and count as `threshold` elements against `print elements`.
  const out: string[] = [];
  let things = 0;
  let i = 0;
  for (; i < count && things < limit; i++) {
    let run = 1;
    while (i + run < count && same(i, i + run)) run++;
    const text = await formatValue(element(i), opts, level + 1);
    if (run > threshold) {
      out.push(`${text} <repeats ${run} times>`);
      i += run - 1;
      things += threshold;
    } else {
      out.push(text);
      things++;
    }
  }
  return `{${out.map((p) => elementHint(opts, level) + p).join(', ')}${i < count ? '...' : ''}}`;
}

/** gdb's wrap_here (2 + 2 * recurse) before a member or an element. */
function elementHint(opts: FormatOptions, level: number): string {
  return opts.wrapHints ? wrapHint(2 + 2 * level) : '';
}

/** Bytes of a whole array/struct value in one read (memory) or from its computed bytes. */
async function materialize(v: Value, size: number): Promise<Buffer | undefined> {
  if (v.loc.kind === 'memory') {
    try {
      const b = await v.ctx.readMemory(v.loc.address, size);
      return b.length === size ? b : undefined;
    } catch {
      // (unreadable memory: the caller prints gdb's <error: Cannot access memory ...>)
      return undefined;
    }
  }
  if (v.loc.kind === 'bytes') return v.loc.bytes.subarray(0, size);
  return v.bytes();
}

/**
 * gdb's generic_printstr: one trailing NUL dropped, runs of the same
 * character counted whole against `limit` (print elements) until it is
 * reached, runs longer than `threshold` as `'x' <repeats N times>`, the
 * others in quoted segments joined by `, `, and `...` when the string was cut
 * (or `force`: its reader stopped before the end).
 */
function printString(bytes: number[], threshold: number, limit: number, force = false): string {
  let length = bytes.length;
  if (!force && length > 0 && bytes[length - 1] === 0) length--;
  if (length === 0) return '""';
  const runs: Array<{ c: number; n: number }> = [];
  let pos = 0;
  for (let counted = 0; counted < limit && pos < length;) {
    let n = 1;
    while (pos + n < length && bytes[pos + n] === bytes[pos]) n++;
    runs.push({ c: bytes[pos], n });
    pos += n;
    counted += n;
  }
  let out = '';
  let inQuote = false;
  for (const { c, n } of runs) {
    if (n > threshold) {
      if (inQuote) out += '"';
      if (out) out += ', ';
      out += `'${escapeChar(c, 34)}' <repeats ${n} times>`;
      inQuote = false;
    } else {
      if (!inQuote) out += `${out ? ', ' : ''}"`;
      out += escapeChar(c, 34).repeat(n);
      inQuote = true;
    }
  }
  if (inQuote) out += '"';
  return out + (force || pos < length ? '...' : '');
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033', 92: '\\\\' };

/** One byte inside gdb's quotes (`quote`: the quote character, escaped). */
export function escapeChar(c: number, quote: number): string {
  if (c === quote) return '\\' + String.fromCharCode(c);
  if (ESCAPES[c]) return ESCAPES[c];
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return '\\' + c.toString(8).padStart(3, '0');
}

export function charLiteral(c: number): string {
  return `'${escapeChar(c, 39)}'`;
}


/**
 * C's %.{P}g, which gdb uses for floats (P = 9) and doubles (P = 17): P is
 * the format's decimal digits, ceil(1 + mantissa bits * log10(2)); `digits`
 * overrides it (bfloat16 4, half 5).
 */
export function formatFloat(x: number, size: number, digits?: number): string {
  if (Number.isNaN(x)) return size === 4 ? 'nan(0x400000)' : 'nan(0x8000000000000)';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (size === 4) x = Math.fround(x);
  const p = digits ?? (size === 4 ? 9 : 17);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // The exact binary value (mantissa * 2^e), so ties round to even as glibc's printf does.
  const b = Buffer.alloc(8);
  b.writeDoubleLE(Math.abs(x));
  const bits = b.readBigUInt64LE(0);
  const exp = Number(bits >> 52n);
  const mant = exp === 0 ? (bits & 0xfffffffffffffn) : (bits & 0xfffffffffffffn) | (1n << 52n);
  const e2 = (exp === 0 ? 1 : exp) - 1075;
  const text = formatExactG(e2 >= 0 ? mant << BigInt(e2) : mant, e2 >= 0 ? 1n : 1n << BigInt(-e2), p);
  return x < 0 ? `-${text}` : text;
}

/**
 * gdb's text for a NaN: `nan(0x<fraction>)` / `-nan(0x...)` with the real
 * payload (random SSE data is full of them), or undefined for other values.
 */
function nanText(b: Buffer, t: CType & { kind: 'base' }): string | undefined {
  const [expBits, fracBits] = t.size === 8 ? [11, 52] : t.size === 4 ? [8, 23] : t.size === 2 ? (isBfloat16(t) ? [8, 7] : [5, 10]) : [0, 0];
  if (!expBits) return undefined;
  let bits = 0n;
  for (let i = t.size - 1; i >= 0; i--) bits = (bits << 8n) | BigInt(b[i]!);
  const exp = (bits >> BigInt(fracBits)) & ((1n << BigInt(expBits)) - 1n);
  const frac = bits & ((1n << BigInt(fracBits)) - 1n);
  if (exp !== (1n << BigInt(expBits)) - 1n || frac === 0n) return undefined;
  return `${bits >> BigInt(t.size * 8 - 1) ? '-' : ''}nan(0x${frac.toString(16)})`;
}

/** A float (size 4) or double (8) from its little-endian bytes, NaN payloads included. */
export function formatFloatBits(bytes: Buffer, size: 4 | 8): string {
  return nanText(bytes, { kind: 'base', name: '', size, encoding: ATE.float })
    ?? formatFloat(size === 4 ? bytes.readFloatLE(0) : bytes.readDoubleLE(0), size);
}

/** gdb's flags types: `[ IM DM ZM ]`, the names of the bits that are set. */
export function formatFlags(v: bigint, flags: ReadonlyArray<readonly [string, number]>): string {
  const set = flags.filter(([name, bit]) => name && (v >> BigInt(bit)) & 1n).map(([name]) => ` ${name}`);
  return `[${set.join('')} ]`;
}

/**
 * An x87 80-bit value exactly as glibc's %.21Lg prints it (gdb's format for
 * long double and $st0): exact decimal expansion in bigints, rounded half
 * to even, so no digit is lost to a double conversion. Encodings the FPU
 * rejects (integer bit not matching the exponent) are gdb's
 * `<invalid float value>`; `raw` prints them as glibc does (info float).
 */
export function formatX87(b: Buffer, digits = 21, raw = false): string {
  const mant = b.readBigUInt64LE(0);
  const se = b.readUInt16LE(8);
  const sign = se & 0x8000 ? '-' : '';
  const exp = se & 0x7fff;
  const integer = mant >> 63n === 1n;
  if (exp === 0x7fff) {
    const frac = mant & 0x7fffffffffffffffn;
    if (!integer && !raw) return '<invalid float value>';
    return frac === 0n ? `${sign}inf` : `${sign}nan(0x${(raw ? frac : mant).toString(16)})`;
  }
  if (!raw && integer !== (exp !== 0)) return '<invalid float value>';
  if (!integer && exp !== 0) return `${sign}nan`;             // unnormal: glibc's text
  const m = exp === 0 ? mant & 0x7fffffffffffffffn : mant;    // pseudo-denormal: glibc ignores the integer bit
  if (m === 0n) return `${sign}0`;
  const e2 = (exp === 0 ? 1 : exp) - 16383 - 63;
  return sign + formatExactG(e2 >= 0 ? m << BigInt(e2) : m, e2 >= 0 ? 1n : 1n << BigInt(-e2), digits);
}

/** %.{p}g of the positive rational num/den, correctly rounded (half to even). */
function formatExactG(num: bigint, den: bigint, p: number): string {
  const pow10 = (n: number): bigint => 10n ** BigInt(n);
  let e = num.toString().length - den.toString().length;
  while (e >= 0 ? num >= den * pow10(e + 1) : num * pow10(-e - 1) >= den) e++;
  while (e >= 0 ? num < den * pow10(e) : num * pow10(-e) < den) e--;
  const scale = p - 1 - e;
  const n = scale >= 0 ? num * pow10(scale) : num;
  const d = scale >= 0 ? den : den * pow10(-scale);
  let q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q++;
  if (q === pow10(p)) {
    q = pow10(p - 1);
    e++;
  }
  const digits = q.toString();
  if (e < -4 || e >= p) {
    const frac = digits.slice(1).replace(/0+$/, '');
    return `${digits[0]}${frac ? `.${frac}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e >= 0) {
    const frac = digits.slice(e + 1).replace(/0+$/, '');
    return digits.slice(0, e + 1) + (frac ? `.${frac}` : '');
  }
  return `0.${'0'.repeat(-e - 1)}${digits.replace(/0+$/, '')}`;
}

/** print/x, /d, /u, /o, /t, /c, /a, /z, /f of a scalar. */
async function formatWithLetter(v: Value, t: CType, f: string, opts: FormatOptions): Promise<string> {
  const size = sizeOf(t);
  if (f === 'f' && t.kind === 'base' && t.encoding === ATE.float) return formatBase(v, t);
  // gdb (since 8.1) shows a float's raw bits under the integer formats.
  const n = t.kind === 'base' && t.encoding === ATE.float ? bytesToBigInt((await v.bytes())!, false) : (await v.bigint())!;
  const u = BigInt.asUintN(size * 8, n);
  switch (f) {
    case 'x': return '0x' + u.toString(16);
    case 'z': return '0x' + u.toString(16).padStart(size * 2, '0');
    case 'o': return u === 0n ? '0' : '0' + u.toString(8);
    case 't': return u.toString(2);
    case 'd': return String(BigInt.asIntN(size * 8, n));
    case 'u': return String(u);
    case 'c': {
      // a float under /c is its value as an integer (saturating), not its bits: p/c 65.7 is 65 'A'
      const c = t.kind === 'base' && t.encoding === ATE.float ? floatToLongest((await v.number())!) : n;
      return `${BigInt.asIntN(8, c)} ${charLiteral(Number(BigInt.asUintN(8, c)))}`;
    }
    case 'a': {
      const sym = opts.symbolize?.(u);
      return `${hexWord(u)}${sym ? ` <${sym}>` : ''}`;
    }
    case 'f': {
      // gdb's float_type_from_length: an integer the size of float, double or long double is reinterpreted
      const bytes = (await v.bytes())!;
      if (size === 4 || size === 8) return formatFloatBits(bytes, size);
      if (size === 16) return formatX87(bytes);
      return isSigned(t) ? String(BigInt.asIntN(size * 8, n)) : String(u);
    }
    default: throw new Error(`Undefined output format "${f}".`);
  }
}
