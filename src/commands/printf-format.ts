/**
 * gdb's `printf "FORMAT", ARGS...`: the format string parsed by gdb's rules
 * (gdbsupport/format.cc: its escapes, flags, length modifiers, and its errors
 * word for word) and each piece printed as the C library's printf prints it
 * (glibc's rounding of halves to even included). No evaluation here: the
 * command (printf.ts) evaluates each argument and hands over its value.
 */
import { CommandError } from './parse.js';

export type ArgClass = 'int' | 'long' | 'longlong' | 'size' | 'ptr' | 'string' | 'wstring' | 'wchar' | 'double' | 'longdouble';

export interface Conversion {
  /** The specifier as written after escapes, e.g. `%-08.3lx`. */
  readonly text: string;
  readonly flags: string;
  readonly width: number | undefined;
  readonly precision: number | undefined;
  /** h, l, ll, L, z... as written. */
  readonly length: string;
  readonly conv: string;
  readonly argClass: ArgClass;
}

export type Piece = { readonly literal: string } | { readonly spec: Conversion };

export interface ParsedPrintf { readonly pieces: readonly Piece[]; readonly args: readonly string[] }

const ESCAPES: Record<string, string> = { '\\': '\\', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"' };

/** `printf`'s argument line: the quoted format, then a comma and the expressions (split at top-level commas). */
export function parsePrintf(line: string): ParsedPrintf {
  let s = line.trimStart();
  if (s === '') throw new CommandError('Argument required (format-control string and values to print).');
  if (s[0] !== '"') throw new CommandError('Bad format string, missing \'"\'.');
  let i = 1;
  let format = '';
  for (; i < s.length && s[i] !== '"'; i++) {
    const c = s[i]!;
    if (c !== '\\') { format += c; continue; }
    const e = s[++i];
    if (e === undefined) break;
    const to = ESCAPES[e];
    if (to === undefined) throw new CommandError(`Unrecognized escape character \\${e} in format string.`);
    format += to;
  }
  if (s[i] !== '"') throw new CommandError('Bad format string, non-terminated \'"\'.');
  s = s.slice(i + 1).trimStart();
  if (s !== '' && s[0] !== ',') throw new CommandError('Invalid argument syntax');
  const pieces = parseFormat(format);
  const args = s === '' ? [] : splitArgs(s.slice(1));
  const wanted = pieces.filter((p) => 'spec' in p).length;
  if (args.length !== wanted) throw new CommandError('Wrong number of arguments for specified format-string');
  return { pieces, args };
}

/** The expressions after the format, split at commas outside brackets, parentheses and quotes; blanks are not arguments. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && i + 1 < s.length) cur += s[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === '\'') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  out.push(cur.trim());
  return out.filter((a) => a !== '');
}

/** The pieces of an escape-processed format string, by gdb's format_pieces. */
export function parseFormat(f: string): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  let i = 0;
  while (i < f.length) {
    const c = f[i++]!;
    if (c !== '%') { literal += c; continue; }
    if (f[i] === '%') { literal += '%'; i++; continue; }
    const start = i - 1;
    let flags = '';
    while (i < f.length && '0-+ #'.includes(f[i]!)) flags += f[i++];
    let w = '';
    while (i < f.length && /[0-9]/.test(f[i]!)) w += f[i++];
    let precision: number | undefined;
    if (f[i] === '.') {
      i++;
      let p = '';
      while (i < f.length && /[0-9]/.test(f[i]!)) p += f[i++];
      precision = p === '' ? 0 : Number(p);
    }
    let length = '';
    if (f[i] === 'h' || f[i] === 'L' || f[i] === 'H' || f[i] === 'z') length = f[i++]!;
    else if (f[i] === 'l') { length = f[i++]!; if (f[i] === 'l') length += f[i++]; }
    else if (f[i] === 'D') { length = f[i++]!; if (f[i] === 'D') length += f[i++]; }
    const conv = f[i];
    const lcount = length === 'l' ? 1 : length === 'll' ? 2 : 0;
    const has = (x: string) => flags.includes(x);
    let bad = false;
    let argClass: ArgClass;
    switch (conv) {
      case 'u': case 'o': case 'x': case 'X': case 'd': case 'i':
        if (conv === 'u' && has('#')) bad = true;
        if (conv !== 'd' && conv !== 'i' && (has(' ') || has('+'))) bad = true;
        argClass = length === 'z' ? 'size' : lcount === 0 ? 'int' : lcount === 1 ? 'long' : 'longlong';
        if (length === 'L') bad = true;
        break;
      case 'c':
        argClass = lcount === 0 ? 'int' : 'wchar';
        if (lcount > 1 || length === 'h' || length === 'L') bad = true;
        if (precision !== undefined || has('0') || has(' ') || has('+')) bad = true;
        break;
      case 'p':
        argClass = 'ptr';
        if (lcount || length === 'h' || length === 'L' || precision !== undefined) bad = true;
        if (has('#') || has('0') || has(' ') || has('+')) bad = true;
        break;
      case 's':
        argClass = lcount === 0 ? 'string' : 'wstring';
        if (lcount > 1 || length === 'h' || length === 'L') bad = true;
        if (has('0') || has(' ') || has('+')) bad = true;
        break;
      case 'e': case 'f': case 'g': case 'E': case 'G':
        if (length === 'H' || length === 'D' || length === 'DD') throw new CommandError('tsdbg does not print decimal floating point (%H, %D, %DD) yet');
        argClass = length === 'L' ? 'longdouble' : 'double';
        if (lcount || length === 'h') bad = true;
        break;
      case '*': throw new CommandError('`*\' not supported for precision or width in printf');
      case 'n': throw new CommandError('Format specifier `n\' not supported in printf');
      case undefined: throw new CommandError('Incomplete format specifier at end of format string');
      default: throw new CommandError(`Unrecognized format specifier '${conv}' in printf`);
    }
    if (bad) throw new CommandError(`Inappropriate modifiers to format specifier '${conv}' in printf`);
    i++;
    if (literal) pieces.push({ literal });
    literal = '';
    pieces.push({ spec: { text: f.slice(start, i), flags, width: w === '' ? undefined : Number(w), precision, length, conv, argClass } });
  }
  if (literal) pieces.push({ literal });
  return pieces;
}

// ---- C printf, one conversion -----------------------------------------------------------------

/** Pads `body` (after its sign/prefix `lead`) to the width, by the flags: `-` left, `0` zeros after the lead. */
function pad(spec: Conversion, lead: string, body: string, zeroOk: boolean): string {
  const width = spec.width ?? 0;
  const len = lead.length + body.length;
  if (len >= width) return lead + body;
  if (spec.flags.includes('-')) return lead + body + ' '.repeat(width - len);
  if (zeroOk && spec.flags.includes('0')) return lead + '0'.repeat(width - len) + body;
  return ' '.repeat(width - len) + lead + body;
}

/** An integer conversion (d i u o x X) of `value`, already cast to the argument class's C type. */
export function formatInteger(spec: Conversion, value: bigint): string {
  const { conv, flags, precision } = spec;
  const neg = value < 0n;
  const mag = neg ? -value : value;
  let digits = conv === 'o' ? mag.toString(8) : conv === 'x' ? mag.toString(16) : conv === 'X' ? mag.toString(16).toUpperCase() : mag.toString(10);
  if (precision !== undefined) digits = precision === 0 && mag === 0n ? '' : digits.padStart(precision, '0');
  let lead = neg ? '-' : conv === 'd' || conv === 'i' ? (flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') : '';
  if (flags.includes('#')) {
    if (conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
    if ((conv === 'x' || conv === 'X') && mag !== 0n) lead = conv === 'x' ? '0x' : '0X';
  }
  return pad(spec, lead, digits, precision === undefined);
}

/** `%c`: the byte of the int. */
export function formatChar(spec: Conversion, code: bigint): string {
  return pad(spec, '', String.fromCharCode(Number(BigInt.asUintN(8, code))), false);
}

/** `%s` of the text read, or (a null pointer) gdb's `(null)`, which goes through the format as any string. */
export function formatString(spec: Conversion, text: string | undefined): string {
  const s = text ?? '(null)';
  return pad(spec, '', spec.precision !== undefined ? s.slice(0, spec.precision) : s, false);
}

/** `%p`: glibc's `(nil)` for 0, else 0x and hex. */
export function formatPointer(spec: Conversion, address: bigint): string {
  return pad(spec, '', address === 0n ? '(nil)' : `0x${BigInt.asUintN(64, address).toString(16)}`, false);
}

/** e f g E G of a double, as glibc prints it (exact decimal expansion, ties to even). */
export function formatFloat(spec: Conversion, v: number): string {
  const { conv, flags } = spec;
  const upper = conv === 'E' || conv === 'G';
  const neg = v < 0 || Object.is(v, -0) || (Number.isNaN(v) && signBit(v));
  const lead = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  if (!Number.isFinite(v)) {
    const word = Number.isNaN(v) ? 'nan' : 'inf';
    return pad(spec, lead, upper ? word.toUpperCase() : word, false);
  }
  const a = Math.abs(v);
  const p = spec.precision ?? 6;
  const hash = flags.includes('#');
  let body: string;
  if (conv === 'f') body = fixed(a, p, hash);
  else if (conv === 'e' || conv === 'E') body = expo(a, p, hash);
  else {
    const P = p === 0 ? 1 : p;
    const x = a === 0 ? 0 : roundedExponent(a, P - 1);
    body = P > x && x >= -4 ? fixed(a, P - 1 - x, hash) : expo(a, P - 1, hash);
    if (!hash) body = stripZeros(body);
  }
  return pad(spec, lead, upper ? body.toUpperCase() : body, true);
}

function signBit(v: number): boolean {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v);
  return (b.getUint8(0) & 0x80) !== 0;
}

/** The double as an exact fraction num / den (both positive). */
function exact(a: number): { num: bigint; den: bigint } {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, a);
  const bits = b.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let exp = e - 1075;
  if (e === 0) exp = -1074; else m |= 1n << 52n;
  return exp >= 0 ? { num: m << BigInt(exp), den: 1n } : { num: m, den: 1n << BigInt(-exp) };
}

/** num / den rounded to an integer, halves to even (the FPU's default mode, as glibc rounds). */
function roundEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num % den) * 2n;
  return r2 > den || (r2 === den && (q & 1n) === 1n) ? q + 1n : q;
}

function fixed(a: number, p: number, hash: boolean): string {
  const { num, den } = exact(a);
  const digits = roundEven(num * 10n ** BigInt(p), den).toString().padStart(p + 1, '0');
  const int = digits.slice(0, digits.length - p);
  return p === 0 ? int + (hash ? '.' : '') : `${int}.${digits.slice(digits.length - p)}`;
}

/** The decimal exponent of `a` once rounded to p digits after the first. */
function roundedExponent(a: number, p: number): number {
  return mantissa(a, p).x;
}

function mantissa(a: number, p: number): { digits: string; x: number } {
  if (a === 0) return { digits: '0'.repeat(p + 1), x: 0 };
  const { num, den } = exact(a);
  let x = Math.floor(Math.log10(a));
  for (;;) {
    const shift = p - x;
    const q = shift >= 0 ? roundEven(num * 10n ** BigInt(shift), den) : roundEven(num, den * 10n ** BigInt(-shift));
    const s = q.toString();
    if (s.length > p + 1) { x++; continue; }        // log10 was low, or rounding carried to a new digit
    if (s.length < p + 1) { x--; continue; }        // log10 was high
    return { digits: s, x };
  }
}

function expo(a: number, p: number, hash: boolean): string {
  const { digits, x } = mantissa(a, p);
  const frac = digits.slice(1);
  const e = `e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return `${digits[0]}${p > 0 ? `.${frac}` : hash ? '.' : ''}${e}`;
}

function stripZeros(s: string): string {
  const m = /^([^e]*?)(e.*)?$/.exec(s)!;
  let mant = m[1]!;
  if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
  return mant + (m[2] ?? '');
}
