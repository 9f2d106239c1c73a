/**
 * The expression language of `print`, `x`, `break *ADDR`, `set`...: the C subset
 * gdb users type at a prompt when a program has no debug info.
 *
 *   numbers (0x1f, 31, 017, 'a'), "strings", $registers ($rax, $eax, $al, $pc, $sp,
 *   $fp), value history ($, $$, $N), convenience variables ($_), symbols (functions
 *   evaluate to their address, data symbols have unknown type like in gdb), unary
 *   - ~ ! * &, binary * / % + - << >> < > <= >= == != & ^ | && ||, casts to C
 *   scalar and pointer types `(long*)`, gdb's `{type} ADDR`, and assignment `=`.
 *
 * There is one entry point, `evaluate(expr, ctx)`: the DWARF helper's full C
 * evaluator replaces it through Session.setEvaluator() when it lands, so the
 * commands never care which evaluator answered.
 */

export type CType =
  | { kind: 'int'; size: 1 | 2 | 4 | 8; signed: boolean; name: string }
  | { kind: 'ptr'; to: CType }
  | { kind: 'array'; of: CType; count: number }
  | { kind: 'void' }
  | { kind: 'func' }            // a text symbol without debug info
  | { kind: 'nodebug' }         // a data symbol without debug info
  | { kind: 'code' }            // what $pc points to: `void ()`
  | { kind: 'flags' };          // $eflags

export type Location = { kind: 'mem'; addr: bigint } | { kind: 'reg'; name: string };

export interface Value {
  type: CType;
  /** Scalar value (ints, pointers, function addresses); for arrays the address. */
  value: bigint;
  /** Bytes of a string literal. */
  bytes?: Buffer;
  /** Where the value lives, when it can be assigned. */
  lval?: Location;
}

export interface SymbolValue {
  address: bigint;
  kind: 'func' | 'data';
}

/** What the evaluator needs from the session; all of it may talk to the target. */
export interface EvalContext {
  /** Value of a register by gdb name (without $), or undefined if unknown. */
  readRegister(name: string): Promise<bigint | undefined>;
  writeRegister(name: string, value: bigint): Promise<void>;
  lookupSymbol(name: string): Promise<SymbolValue | undefined>;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;
  /** $N (absolute), $ (0 back), $$ (1 back), $$N (N back). */
  historyValue(ref: { absolute?: number; back?: number }): Promise<Value>;
  convenience(name: string): Value | undefined;
}

/** Errors meant for the prompt, in gdb's wording. */
export class EvalError extends Error {
  override name = 'EvalError';
}

// ---- types ------------------------------------------------------------------

const int = (name: string, size: 1 | 2 | 4 | 8, signed: boolean): CType => ({ kind: 'int', size, signed, name });
export const T = {
  char: int('char', 1, true),
  uchar: int('unsigned char', 1, false),
  short: int('short', 2, true),
  ushort: int('unsigned short', 2, false),
  int: int('int', 4, true),
  uint: int('unsigned int', 4, false),
  long: int('long', 8, true),
  ulong: int('unsigned long', 8, false),
  void: { kind: 'void' } as CType,
};

const TYPE_NAMES: Record<string, CType> = {
  'char': T.char, 'signed char': T.char, 'unsigned char': T.uchar,
  'short': T.short, 'short int': T.short, 'unsigned short': T.ushort, 'unsigned short int': T.ushort,
  'int': T.int, 'signed': T.int, 'signed int': T.int, 'unsigned': T.uint, 'unsigned int': T.uint,
  'long': T.long, 'long int': T.long, 'long long': T.long, 'long long int': T.long,
  'unsigned long': T.ulong, 'unsigned long int': T.ulong, 'unsigned long long': T.ulong,
  'unsigned long long int': T.ulong, 'void': T.void, 'bool': int('_Bool', 1, false), '_Bool': int('_Bool', 1, false),
  'int8_t': int('int8_t', 1, true), 'uint8_t': int('uint8_t', 1, false),
  'int16_t': int('int16_t', 2, true), 'uint16_t': int('uint16_t', 2, false),
  'int32_t': int('int32_t', 4, true), 'uint32_t': int('uint32_t', 4, false),
  'int64_t': int('int64_t', 8, true), 'uint64_t': int('uint64_t', 8, false),
  'size_t': int('size_t', 8, false), 'ssize_t': int('ssize_t', 8, true),
  'uintptr_t': int('uintptr_t', 8, false), 'intptr_t': int('intptr_t', 8, true),
};
const TYPE_WORDS = new Set(['char', 'short', 'int', 'long', 'signed', 'unsigned', 'void', 'bool', '_Bool',
  'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t', 'size_t',
  'ssize_t', 'uintptr_t', 'intptr_t']);

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'ptr': case 'code': case 'func': return 8;
    case 'array': return sizeOf(t.of) * t.count;
    case 'flags': return 4;
    case 'void': case 'nodebug': return 1;
  }
}

export function typeName(t: CType): string {
  switch (t.kind) {
    case 'int': return t.name;
    case 'void': return 'void';
    case 'ptr': return t.to.kind === 'ptr' ? `${typeName(t.to)}*` : `${typeName(t.to)} *`;
    case 'array': return `${typeName(t.of)} [${t.count}]`;
    case 'func': return '<text variable, no debug info>';
    case 'nodebug': return '<data variable, no debug info>';
    case 'code': return 'void (void)';
    case 'flags': return 'i386_eflags';
  }
}

const isPointer = (t: CType) => t.kind === 'ptr' || t.kind === 'code';

/** Truncate/sign-extend v to the width of an integer type. */
export function fit(v: bigint, t: CType): bigint {
  if (t.kind === 'int') return t.signed ? BigInt.asIntN(t.size * 8, v) : BigInt.asUintN(t.size * 8, v);
  if (t.kind === 'flags') return BigInt.asUintN(32, v);
  return BigInt.asUintN(64, v);
}

// ---- registers ----------------------------------------------------------------

interface RegInfo { base: string; size: 1 | 2 | 4 | 8; shift: number; type: CType }

const GP64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** gdb's register names and pseudo-registers, mapped onto user_regs_struct fields. */
export function registerInfo(name: string): RegInfo | undefined {
  const alias: Record<string, string> = { pc: 'rip', sp: 'rsp', fp: 'rbp', ps: 'eflags' };
  const n = alias[name] ?? name;
  if (n === 'rip') return { base: 'rip', size: 8, shift: 0, type: { kind: 'ptr', to: { kind: 'code' } } };
  if (n === 'rsp' || n === 'rbp') return { base: n, size: 8, shift: 0, type: { kind: 'ptr', to: T.void } };
  if (GP64.includes(n) || n === 'fs_base' || n === 'gs_base' || n === 'orig_rax') {
    return { base: n, size: 8, shift: 0, type: T.long };
  }
  if (n === 'eflags') return { base: 'eflags', size: 4, shift: 0, type: { kind: 'flags' } };
  if (['cs', 'ss', 'ds', 'es', 'fs', 'gs'].includes(n)) return { base: n, size: 4, shift: 0, type: T.int };
  const legacy = /^(?:e([abcd]x|si|di|bp|sp))$|^([abcd]x|si|di|bp|sp)$|^([abcd])([lh])$|^(si|di|bp|sp)l$/.exec(n);
  if (legacy) {
    if (legacy[1]) return { base: `r${legacy[1]}`, size: 4, shift: 0, type: T.int };
    if (legacy[2]) return { base: `r${legacy[2]}`, size: 2, shift: 0, type: T.short };
    if (legacy[3]) return { base: `r${legacy[3]}x`, size: 1, shift: legacy[4] === 'h' ? 8 : 0, type: int('int8_t', 1, true) };
    if (legacy[5]) return { base: `r${legacy[5]}`, size: 1, shift: 0, type: int('int8_t', 1, true) };
  }
  const ext = /^r(8|9|1[0-5])([dwbl])$/.exec(n);
  if (ext) {
    const size = ext[2] === 'd' ? 4 : ext[2] === 'w' ? 2 : 1;
    const type = size === 4 ? T.int : size === 2 ? T.short : int('int8_t', 1, true);
    return { base: `r${ext[1]}`, size, shift: 0, type };
  }
  return undefined;
}

// ---- lexer ---------------------------------------------------------------------

type Tok =
  | { t: 'num'; v: bigint }
  | { t: 'str'; v: Buffer }
  | { t: 'id'; v: string }
  | { t: 'dollar'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '(', ')', '{', '}', '[', ']',
  '<', '>', '&', '|', '^', '~', '!', '=', ','];

function unescape(s: string, i: number, out: number[]): number {
  // s[i] is the char after the backslash; returns the next index.
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34 };
  const oct = /^[0-7]{1,3}/.exec(s.slice(i));
  if (oct) { out.push(parseInt(oct[0], 8) & 0xff); return i + oct[0].length; }
  const hex = /^x([0-9a-fA-F]{1,2})/.exec(s.slice(i));
  if (hex) { out.push(parseInt(hex[1]!, 16)); return i + hex[0].length; }
  const c = s[i];
  if (c === undefined) throw new EvalError('Unterminated string in expression.');
  out.push(simple[c] ?? c.charCodeAt(0));
  return i + 1;
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)(?![\w.])/.exec(src.slice(i));
    if (num) {
      const text = num[1]!;
      toks.push({ t: 'num', v: text.length > 1 && text[0] === '0' && text[1] !== 'x' ? BigInt(`0o${text.slice(1)}`) : BigInt(text) });
      i += num[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) throw new EvalError(`Invalid number "${/^[\w.]+/.exec(src.slice(i))![0]}".`);
    if (c === '$') {
      const m = /^\$([A-Za-z_]\w*|\$?\d*)/.exec(src.slice(i))!;
      toks.push({ t: 'dollar', v: m[1]! });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w]*(?:::[A-Za-z_]\w*)*/.exec(src.slice(i))!;
      toks.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const bytes: number[] = [];
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') j = unescape(src, j + 1, bytes);
        else { for (const b of Buffer.from(src[j]!, 'utf8')) bytes.push(b); j++; }
      }
      if (j >= src.length) throw new EvalError(c === '"' ? 'Unterminated string in expression.' : 'Unmatched single quote.');
      if (c === "'") {
        if (bytes.length !== 1) throw new EvalError('Invalid character constant.');
        toks.push({ t: 'num', v: BigInt(bytes[0]!) });
      } else {
        toks.push({ t: 'str', v: Buffer.from(bytes) });
      }
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new EvalError(`Invalid character '${c}' in expression.`);
    toks.push({ t: 'op', v: op });
    i += op.length;
  }
  toks.push({ t: 'end' });
  return toks;
}

// ---- parser (precedence climbing) ---------------------------------------------

export type Node =
  | { k: 'num'; v: bigint }
  | { k: 'str'; v: Buffer }
  | { k: 'sym'; name: string }
  | { k: 'dollar'; name: string }
  | { k: 'unary'; op: string; e: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  | { k: 'cast'; type: CType; e: Node }
  | { k: 'brace'; type: CType; e: Node }       // gdb's {type} addr
  | { k: 'index'; e: Node; i: Node }
  | { k: 'assign'; l: Node; r: Node }
  | { k: 'sizeof'; type: CType };

const BINARY_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok { return this.toks[this.i]!; }
  private isOp(v: string, at = 0): boolean { const t = this.toks[this.i + at]; return t?.t === 'op' && t.v === v; }
  private next(): Tok { return this.toks[this.i++]!; }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new EvalError(this.syntaxError());
    this.i++;
  }
  syntaxError(): string {
    const rest = this.toks.slice(this.i).filter((t) => t.t !== 'end').map(tokText).join(' ');
    return rest ? `A syntax error in expression, near \`${rest}'.` : "A syntax error in expression, near `'.";
  }

  parseTop(): Node {
    if (this.peek().t === 'end') throw new EvalError('Argument required (expression to compute).');
    const n = this.assignment();
    if (this.peek().t !== 'end') throw new EvalError(this.syntaxError());
    return n;
  }

  private assignment(): Node {
    const l = this.binary(1);
    if (this.isOp('=')) { this.i++; return { k: 'assign', l, r: this.assignment() }; }
    return l;
  }

  private binary(minPrec: number): Node {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.t === 'op' ? BINARY_PREC[t.v] : undefined;
      if (prec === undefined || prec < minPrec) return l;
      this.i++;
      l = { k: 'binary', op: (t as { v: string }).v, l, r: this.binary(prec + 1) };
    }
  }

  /** Is a type name starting here (after a '(' or '{')? */
  private typeAhead(): boolean {
    const t = this.peek();
    return t.t === 'id' && (TYPE_WORDS.has(t.v) || t.v === 'struct' || t.v === 'const' || t.v === 'volatile');
  }

  private parseType(): CType {
    const words: string[] = [];
    while (this.peek().t === 'id') {
      const w = (this.peek() as { v: string }).v;
      if (w === 'const' || w === 'volatile') { this.i++; continue; }
      if (w === 'struct' || w === 'union' || w === 'enum') {
        this.i++;
        const tag = this.next();
        throw new EvalError(`No ${w} type named ${tag.t === 'id' ? tag.v : ''}.`);
      }
      if (!TYPE_WORDS.has(w)) break;
      words.push(w);
      this.i++;
    }
    const base = TYPE_NAMES[words.join(' ')];
    if (!base) throw new EvalError(`No symbol "${words.join(' ')}" in current context.`);
    let t = base;
    while (this.isOp('*')) { this.i++; t = { kind: 'ptr', to: t }; }
    while (this.isOp('[')) {
      this.i++;
      const n = this.next();
      if (n.t !== 'num') throw new EvalError(this.syntaxError());
      this.expect(']');
      t = { kind: 'array', of: t, count: Number(n.v) };
    }
    return t;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && ['-', '+', '~', '!', '*', '&'].includes(t.v)) {
      this.i++;
      const e = this.unary();
      return t.v === '+' ? e : { k: 'unary', op: t.v, e };
    }
    if (t.t === 'id' && t.v === 'sizeof') {
      this.i++;
      if (this.isOp('(') && (this.i++, this.typeAhead())) {
        const type = this.parseType();
        this.expect(')');
        return { k: 'sizeof', type };
      }
      throw new EvalError('sizeof needs a type name here (no debug info for expressions).');
    }
    if (this.isOp('(')) {
      this.i++;
      if (this.typeAhead()) {
        const type = this.parseType();
        this.expect(')');
        return { k: 'cast', type, e: this.unary() };
      }
      this.i--;
    }
    if (this.isOp('{')) {
      this.i++;
      const type = this.parseType();
      this.expect('}');
      return { k: 'brace', type, e: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let e = this.primary();
    while (this.isOp('[')) {
      this.i++;
      const i = this.assignment();
      this.expect(']');
      e = { k: 'index', e, i };
    }
    return e;
  }

  private primary(): Node {
    const t = this.next();
    switch (t.t) {
      case 'num': return { k: 'num', v: t.v };
      case 'str': return { k: 'str', v: t.v };
      case 'id': return { k: 'sym', name: t.v };
      case 'dollar': return { k: 'dollar', name: t.v };
      case 'op':
        if (t.v === '(') {
          const e = this.assignment();
          this.expect(')');
          return e;
        }
    }
    this.i--;
    throw new EvalError(this.syntaxError());
  }
}

function tokText(t: Tok): string {
  switch (t.t) {
    case 'num': return t.v.toString();
    case 'str': return JSON.stringify(t.v.toString('latin1'));
    case 'dollar': return `$${t.v}`;
    case 'end': return '';
    default: return t.v;
  }
}

export function parseExpression(src: string): Node {
  return new Parser(lex(src)).parseTop();
}

// ---- evaluation -----------------------------------------------------------------

function intValue(v: bigint, type: CType = T.long): Value {
  return { type, value: fit(v, type) };
}

/** The usual arithmetic conversions, reduced to the 64-bit world of a prompt. */
function arithType(a: CType, b: CType): CType {
  const size = Math.max(sizeOf(a), sizeOf(b), 4);
  const unsigned = (a.kind === 'int' && !a.signed && sizeOf(a) >= size) || (b.kind === 'int' && !b.signed && sizeOf(b) >= size);
  if (size <= 4) return unsigned ? T.uint : T.int;
  return unsigned ? T.ulong : T.long;
}

function scalar(v: Value): bigint {
  if (v.type.kind === 'nodebug') {
    throw new EvalError(`'${(v as Value & { name?: string }).name ?? '?'}' has unknown type; cast it to its declared type`);
  }
  if (v.bytes) throw new EvalError('Value can\'t be converted to integer.');
  return v.value;
}

async function loadFrom(ctx: EvalContext, addr: bigint, type: CType): Promise<Value> {
  if (type.kind === 'void') throw new EvalError('Attempt to take contents of a non-pointer value.');
  if (type.kind === 'array' || type.kind === 'code' || type.kind === 'func' || type.kind === 'nodebug') {
    return { type, value: addr, lval: { kind: 'mem', addr } };
  }
  const size = sizeOf(type);
  const buf = await ctx.readMemory(addr, size);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[i]!);
  return { type, value: fit(v, type), lval: { kind: 'mem', addr } };
}

function encode(v: bigint, size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) { b[i] = Number(x & 0xffn); x >>= 8n; }
  return b;
}

async function store(ctx: EvalContext, target: Value, src: Value): Promise<Value> {
  if (!target.lval) throw new EvalError('Left operand of assignment is not an lvalue.');
  if (target.lval.kind === 'reg') {
    const info = registerInfo(target.lval.name)!;
    const old = (await ctx.readRegister(info.base)) ?? 0n;
    const mask = ((1n << BigInt(info.size * 8)) - 1n) << BigInt(info.shift);
    const merged = info.size === 8 ? scalar(src) : (old & ~mask) | ((scalar(src) << BigInt(info.shift)) & mask);
    await ctx.writeRegister(info.base, BigInt.asUintN(64, merged));
    return { type: target.type, value: fit(scalar(src), target.type), lval: target.lval };
  }
  const addr = target.lval.addr;
  if (target.type.kind === 'array') {
    const size = sizeOf(target.type);
    if (!src.bytes) throw new EvalError('Invalid cast.');
    const data = Buffer.concat([src.bytes, Buffer.alloc(1)]);
    if (data.length > size) throw new EvalError(`String of ${data.length} bytes does not fit in ${typeName(target.type)}.`);
    await ctx.writeMemory(addr, data);
    return target;
  }
  if (target.type.kind === 'nodebug') {
    throw new EvalError(`'${(target as Value & { name?: string }).name ?? '?'}' has unknown type; cast it to its declared type`);
  }
  const size = sizeOf(target.type);
  await ctx.writeMemory(addr, encode(scalar(src), size));
  return { type: target.type, value: fit(scalar(src), target.type), lval: target.lval };
}

async function evalNode(n: Node, ctx: EvalContext): Promise<Value> {
  switch (n.k) {
    case 'num':
      return intValue(n.v, n.v > 0x7fffffffn ? (n.v > 0x7fffffffffffffffn ? T.ulong : T.long) : T.int);
    case 'str':
      return { type: { kind: 'array', of: T.char, count: n.v.length + 1 }, value: 0n, bytes: n.v };
    case 'sizeof':
      return intValue(BigInt(sizeOf(n.type)), T.ulong);
    case 'sym': {
      const s = await ctx.lookupSymbol(n.name);
      if (!s) throw new EvalError(`No symbol "${n.name}" in current context.`);
      const v: Value & { name?: string } = s.kind === 'func'
        ? { type: { kind: 'func' }, value: s.address }
        : { type: { kind: 'nodebug' }, value: s.address, lval: { kind: 'mem', addr: s.address } };
      v.name = n.name;
      return v;
    }
    case 'dollar':
      return evalDollar(n.name, ctx);
    case 'unary':
      return evalUnary(n.op, n.e, ctx);
    case 'binary':
      return evalBinary(n.op, await evalNode(n.l, ctx), await evalNode(n.r, ctx));
    case 'cast': {
      const v = await evalNode(n.e, ctx);
      if (n.type.kind === 'array') throw new EvalError('Invalid cast.');
      if (n.type.kind === 'void') return { type: T.void, value: 0n };
      const raw = v.type.kind === 'nodebug' || v.type.kind === 'func' ? v.value : scalar(v);
      return { type: n.type, value: fit(raw, n.type) };
    }
    case 'brace': {
      const addr = await evalNode(n.e, ctx);
      return loadFrom(ctx, addressOf(addr), n.type);
    }
    case 'index': {
      const base = await evalNode(n.e, ctx);
      const idx = scalar(await evalNode(n.i, ctx));
      if (base.type.kind === 'ptr') return loadFrom(ctx, base.value + idx * BigInt(elemSize(base.type.to)), base.type.to);
      if (base.type.kind === 'array') return loadFrom(ctx, base.value + idx * BigInt(sizeOf(base.type.of)), base.type.of);
      throw new EvalError('cannot subscript something of type `' + typeName(base.type) + "'");
    }
    case 'assign': {
      const l = await evalNode(n.l, ctx);
      return store(ctx, l, await evalNode(n.r, ctx));
    }
  }
}

/** The address a value designates when used as `{type} X` or `x X`. */
export function addressOf(v: Value): bigint {
  if (v.type.kind === 'nodebug') return v.value;
  return BigInt.asUintN(64, scalar(v));
}

const elemSize = (t: CType) => (t.kind === 'void' || t.kind === 'code' || t.kind === 'nodebug' ? 1 : sizeOf(t));

async function evalDollar(name: string, ctx: EvalContext): Promise<Value> {
  if (name === '') return ctx.historyValue({ back: 0 });
  if (/^\d+$/.test(name)) return ctx.historyValue({ absolute: Number(name) });
  if (name === '$') return ctx.historyValue({ back: 1 });
  if (/^\$\d+$/.test(name)) return ctx.historyValue({ back: Number(name.slice(1)) });
  const info = registerInfo(name);
  if (info) {
    const raw = await ctx.readRegister(info.base);
    if (raw === undefined) throw new EvalError('No registers.');
    const v = (raw >> BigInt(info.shift)) & ((1n << BigInt(info.size * 8)) - 1n);
    return { type: info.type, value: fit(v, info.type), lval: { kind: 'reg', name } };
  }
  const conv = ctx.convenience(name);
  if (conv) return conv;
  // gdb: an unset convenience variable is "void".
  return { type: T.void, value: 0n };
}

async function evalUnary(op: string, e: Node, ctx: EvalContext): Promise<Value> {
  if (op === '&') {
    const v = await evalNode(e, ctx);
    if (v.type.kind === 'func') return { ...v, lval: undefined };
    if (!v.lval || v.lval.kind !== 'mem') throw new EvalError('Attempt to take address of value not located in memory.');
    return { type: { kind: 'ptr', to: v.type }, value: v.lval.addr };
  }
  const v = await evalNode(e, ctx);
  if (op === '*') {
    if (v.type.kind === 'ptr') return loadFrom(ctx, v.value, v.type.to);
    if (v.type.kind === 'func') return v;
    if (v.type.kind === 'int') return loadFrom(ctx, fit(v.value, T.ulong), T.long);
    throw new EvalError('Attempt to take contents of a non-pointer value.');
  }
  const x = scalar(v);
  const type = v.type.kind === 'int' ? arithType(v.type, T.int) : T.long;
  switch (op) {
    case '-': return intValue(-x, type);
    case '~': return intValue(~x, type);
    default: return intValue(x === 0n ? 1n : 0n, T.int);
  }
}

function evalBinary(op: string, l: Value, r: Value): Value {
  const a = scalar(l);
  const b = scalar(r);
  // Pointer arithmetic scales by the pointee size, like C.
  if ((op === '+' || op === '-') && isPointer(l.type) && r.type.kind === 'int') {
    const step = BigInt(l.type.kind === 'ptr' ? elemSize(l.type.to) : 1);
    return { type: l.type, value: BigInt.asUintN(64, op === '+' ? a + b * step : a - b * step) };
  }
  if (op === '+' && isPointer(r.type) && l.type.kind === 'int') {
    const step = BigInt(r.type.kind === 'ptr' ? elemSize(r.type.to) : 1);
    return { type: r.type, value: BigInt.asUintN(64, b + a * step) };
  }
  if (op === '-' && isPointer(l.type) && isPointer(r.type)) {
    const step = BigInt(l.type.kind === 'ptr' ? elemSize(l.type.to) : 1);
    return intValue((a - b) / step, T.long);
  }
  const type = arithType(l.type.kind === 'int' ? l.type : T.ulong, r.type.kind === 'int' ? r.type : T.ulong);
  const unsigned = type.kind === 'int' && !type.signed;
  const ua = unsigned ? BigInt.asUintN(64, a) : a;
  const ub = unsigned ? BigInt.asUintN(64, b) : b;
  switch (op) {
    case '+': return intValue(ua + ub, type);
    case '-': return intValue(ua - ub, type);
    case '*': return intValue(ua * ub, type);
    case '/': case '%':
      if (ub === 0n) throw new EvalError('Division by zero');
      return intValue(op === '/' ? ua / ub : ua % ub, type);
    case '<<': return intValue(ua << ub, type);
    case '>>': return intValue(ua >> ub, type);
    case '&': return intValue(ua & ub, type);
    case '|': return intValue(ua | ub, type);
    case '^': return intValue(ua ^ ub, type);
    case '&&': return intValue(ua !== 0n && ub !== 0n ? 1n : 0n, T.int);
    case '||': return intValue(ua !== 0n || ub !== 0n ? 1n : 0n, T.int);
    case '==': return intValue(ua === ub ? 1n : 0n, T.int);
    case '!=': return intValue(ua !== ub ? 1n : 0n, T.int);
    case '<': return intValue(ua < ub ? 1n : 0n, T.int);
    case '>': return intValue(ua > ub ? 1n : 0n, T.int);
    case '<=': return intValue(ua <= ub ? 1n : 0n, T.int);
    case '>=': return intValue(ua >= ub ? 1n : 0n, T.int);
  }
  throw new EvalError(`Unknown operator ${op}.`);
}

/** Signature shared by this evaluator and the DWARF one that will replace it. */
export type Evaluator = (expr: string, ctx: EvalContext) => Promise<Value>;

export const evaluate: Evaluator = async (expr, ctx) => evalNode(parseExpression(expr), ctx);
