/**
 * The expression language of `print`, `x`, `break *ADDR`, `set`...: the C subset
 * gdb users type at a prompt when a program has no debug info.
 *
 *   numbers (0x1f, 31, 017, 'a'), "strings", $registers ($rax, $eax, $al, $pc, $sp,
 *   $fp), value history ($, $$, $N), convenience variables ($_), symbols (functions
 *   evaluate to their address, data symbols have unknown type like in gdb), unary
 *   - ~ ! * &, binary * / % + - << >> < > <= >= == != & ^ | && ||, casts to C
 *   scalar and pointer types `(long*)`, gdb's `{type} ADDR`, `?:`, `,`, and
 *   assignment (`=`, `op=`, `++`, `--`).
 *
 * Parsing is src/dwarf/cexpr.ts's, the same parser the DWARF evaluator uses;
 * this file only gives its nodes their meaning without debug info.
 *
 * There is one entry point, `evaluate(expr, ctx)`; the session sends what
 * the DWARF evaluator cannot take here (commands/debug.ts decides).
 */

import { callConvenienceFunction, isConvenienceFunction } from './conv-functions.js';
import { ExprError, evalChain, parseExpression as parseC, type Node, type TypeSpec } from '../dwarf/cexpr.js';

export type CType =
  | { kind: 'int'; size: 1 | 2 | 4 | 8; signed: boolean; name: string }
  | { kind: 'ptr'; to: CType }
  | { kind: 'array'; of: CType; count: number }
  | { kind: 'void' }
  | { kind: 'func' }            // a text symbol without debug info
  | { kind: 'nodebug' }         // a data symbol without debug info
  | { kind: 'code' }            // what $pc points to: `void ()`
  | { kind: 'flags' };          // $eflags

/** `conv`: a convenience variable ($foo), which an assignment (re)defines. */
export type Location = { kind: 'mem'; addr: bigint } | { kind: 'reg'; name: string } | { kind: 'conv'; name: string };

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
  convenience(name: string): Promise<Value | undefined>;
  /** Define or redefine $name (gdb gives it the assigned value's type). */
  setConvenience(name: string, v: Value): void;
}

import { EvalError } from '../debugger/errors.js';

export { EvalError };

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

// ---- parsing: the shared C expression parser ---------------------------------------

/** Type words this evaluator knows besides C's keywords: they make `(size_t)x` a cast. */
const TYPEDEF_WORDS = new Set(Object.keys(TYPE_NAMES).filter((n) => !n.includes(' ')));

/**
 * Parse with the parser the DWARF evaluator uses; only the meaning of the
 * nodes differs here. Its errors become EvalErrors for the prompt.
 */
export function parseExpression(src: string): Node {
  if (src.trim() === '') throw new EvalError('Argument required (expression to compute).');
  try {
    return parseC(src, (name) => TYPEDEF_WORDS.has(name));
  } catch (e) {
    if (e instanceof ExprError) throw new EvalError(e.message);
    throw e;
  }
}

/** The CType a written type names, in gdb's words when there is none. */
function resolveType(spec: TypeSpec): CType {
  const tagged = /^(struct|union|enum) (.*)$/.exec(spec.base);
  if (tagged) throw new EvalError(`No ${tagged[1]} type named ${tagged[2]}.`);
  let t = TYPE_NAMES[spec.base];
  if (!t) throw new EvalError(`No symbol "${spec.base}" in current context.`);
  for (let i = 0; i < spec.pointers; i++) t = { kind: 'ptr', to: t };
  for (const count of spec.array ?? []) t = { kind: 'array', of: t, count };
  return t;
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
  if (target.lval.kind === 'conv') {
    const v = { type: src.type, value: src.value, bytes: src.bytes };
    ctx.setConvenience(target.lval.name, v);
    return v;
  }
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

function evalNode(n: Node, ctx: EvalContext): Promise<Value> {
  return evalChain(n, (leaf) => evalLeaf(leaf, ctx), (node, first) => evalStep(node, first, ctx));
}

/** A node with no first operand to chain through (see firstOperand). */
async function evalLeaf(n: Node, ctx: EvalContext): Promise<Value> {
  switch (n.k) {
    case 'int':
      return intValue(n.v, n.v > 0x7fffffffn ? (n.v > 0x7fffffffffffffffn ? T.ulong : T.long) : T.int);
    case 'char':
      return intValue(BigInt(n.v), T.int);
    case 'float':
      // No floating-point type without debug info.
      throw new EvalError(`Invalid number "${n.text}".`);
    case 'string': {
      const bytes = Buffer.from(n.v, 'latin1');
      return { type: { kind: 'array', of: T.char, count: bytes.length + 1 }, value: 0n, bytes };
    }
    case 'sizeof':
      if (!n.type) throw new EvalError('sizeof needs a type name here (no debug info for expressions).');
      return intValue(BigInt(sizeOf(resolveType(n.type))), T.ulong);
    case 'ident':
      return evalSymbol(n.name, ctx);
    case 'dollar':
      return evalDollar(n.name, ctx);
    case 'call':
      throw new EvalError('Calling functions needs debug info (no debug info for this program).');
    case 'entry':
      throw new EvalError(`No symbol "${n.name}" in current context.`);
    default:
      throw new EvalError('A syntax error in expression.');
  }
}

/** A node's value from the value `v` of its first operand (see firstOperand). */
async function evalStep(n: Node, v: Value, ctx: EvalContext): Promise<Value> {
  switch (n.k) {
    case 'unary':
      if (n.op === '+') return v;
      return evalUnary(n.op, v, ctx);
    case 'binary':
      if (n.op === ',') return evalNode(n.r, ctx);
      if (n.op === '@') throw new EvalError("Artificial arrays (x@n) need the element type from debug info.");
      return evalBinary(n.op, v, await evalNode(n.r, ctx));
    case 'cond':
      return scalar(v) !== 0n ? evalNode(n.t, ctx) : evalNode(n.f, ctx);
    case 'cast': {
      const type = resolveType(n.type);
      if (type.kind === 'array') throw new EvalError('Invalid cast.');
      if (type.kind === 'void') return { type: T.void, value: 0n };
      // gdb: casting a data symbol without debug info reads it as that type.
      if (v.type.kind === 'nodebug') return loadFrom(ctx, v.value, type);
      const raw = v.type.kind === 'func' ? v.value : scalar(v);
      return { type, value: fit(raw, type) };
    }
    case 'brace': {
      const type = resolveType(n.type);
      return loadFrom(ctx, addressOf(v), type);
    }
    case 'index': {
      const base = v;
      const idx = scalar(await evalNode(n.i, ctx));
      if (base.type.kind === 'ptr') return loadFrom(ctx, base.value + idx * BigInt(elemSize(base.type.to)), base.type.to);
      if (base.type.kind === 'array') return loadFrom(ctx, base.value + idx * BigInt(sizeOf(base.type.of)), base.type.of);
      throw new EvalError('cannot subscript something of type `' + typeName(base.type) + "'");
    }
    case 'assign': {
      const r = await evalNode(n.r, ctx);
      // `x op= y` (and prefix ++/--, which the parser writes as `x += 1`) stores `x op y`.
      return store(ctx, v, n.op === '=' ? r : evalBinary(n.op.slice(0, -1), v, r));
    }
    case 'postfix': {
      const old: Value = { type: v.type, value: scalar(v) };
      await store(ctx, v, evalBinary(n.op, v, intValue(1n, T.int)));
      return old;
    }
    case 'member':
      scalar(v);   // a symbol without debug info says so first, like gdb
      throw new EvalError(`Attempt to extract a component of a value that is not a structure${n.arrow ? ' pointer' : ''}.`);
    case 'call':
      if (n.f.k === 'dollar' && isConvenienceFunction(n.f.name)) {
        const args: Value[] = [];
        for (const a of n.args) args.push(await evalNode(a, ctx));
        return callConvenienceFunction(n.f.name, args, (a, l) => ctx.readMemory(a, l));
      }
      throw new EvalError('Calling functions needs debug info (no debug info for this program).');
    default:
      return evalLeaf(n, ctx);
  }
}

async function evalSymbol(name: string, ctx: EvalContext): Promise<Value> {
  const scoped = /^'(.+)'::(\w+)$/.exec(name);
  if (scoped) {
    // without DWARF gdb has no file scopes: a symbol's name is a syntax error there, anything else no symbol table
    if (await ctx.lookupSymbol(scoped[1]!)) throw new EvalError(`A syntax error in expression, near \`::${scoped[2]}'.`);
    throw new EvalError('No symbol table is loaded.  Use the "file" command.');
  }
  const s = await ctx.lookupSymbol(name);
  if (!s) throw new EvalError(`No symbol "${name}" in current context.`);
  const v: Value & { name?: string } = s.kind === 'func'
    ? { type: { kind: 'func' }, value: s.address }
    : { type: { kind: 'nodebug' }, value: s.address, lval: { kind: 'mem', addr: s.address } };
  v.name = name;
  return v;
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
  // gdb: an unset convenience variable is "void"; either way it can be assigned
  const conv = await ctx.convenience(name);
  return { ...(conv ?? { type: T.void, value: 0n }), lval: { kind: 'conv', name } };
}

async function evalUnary(op: string, v: Value, ctx: EvalContext): Promise<Value> {
  if (op === '&') {
    if (v.type.kind === 'func') return { ...v, lval: undefined };
    if (!v.lval || v.lval.kind !== 'mem') throw new EvalError('Attempt to take address of value not located in memory.');
    return { type: { kind: 'ptr', to: v.type }, value: v.lval.addr };
  }
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
    // gdb 13: a count below 0 or not below the width gives 0 (BigInt would grow without bound)
    case '<<': return intValue(b < 0n || b >= BigInt(sizeOf(type) * 8) ? 0n : ua << ub, type);
    case '>>': return intValue(b < 0n || b >= BigInt(sizeOf(type) * 8) ? (ua < 0n && b > 0n ? -1n : 0n) : ua >> ub, type);
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
