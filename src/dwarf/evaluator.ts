/**
 * C expression evaluation over DWARF types, in a stack frame (or with
 * globals only): locals, parameters, globals, registers, history, `*p`,
 * `p->f`, `s.f`, `a[i]`, `&x`, casts, pointer arithmetic, comparisons,
 * assignment. Errors are ExprError with gdb's wording.
 */
import { SIGINFO_TYPE } from './siginfo.js';
import { AT, TAG, X86_64_DWARF_REGS } from './constants.js';
import type { ExprContext } from './expr.js';
import { isFpRegister } from '../target/fpregs.js';
import { parseExpression, parseTypeName, ExprError, evalChain, type Node, type TypeSpec } from './cexpr.js';
import {
  strip, sizeOf, isFloat, isInteger, typeName, C_BASE_TYPES,
  INT, UINT, LONG, ULONG, CHAR, DOUBLE, VOID, noDebugData, unknownTypeError, type CType, type Member,
} from './types.js';
import { Value, aggregateBytes, bytesToBigInt, encodeFloat } from './value.js';
import { memberValue, subLocation, formatTop, formatValue, type FormatOptions } from './format.js';
import { ptype, ptypeOffsets, whatis } from './ptype.js';
import type { DebugInfo } from './debuginfo.js';
import type { CallArg, CallResult } from './call.js';
import type { Die } from './info.js';
import type { ProgramInfo, StackFrame, ReadMemory } from './program.js';
import { normalizeBaseName } from './debuginfo.js';
import { gpRegister } from './gpregs.js';
import { RegisterValues } from './eval-registers.js';
import { evalCall } from './eval-call.js';
import { listArgs, listLocals, lookupVariable, readVariable } from './eval-variables.js';
import { binary, promote, toInt, toNumber, truth } from './eval-arith.js';

export { ExprError };

export interface EvalEnv {
  program: ProgramInfo;
  /** Selected frame; undefined when the process has no stack (globals only). */
  frame?: StackFrame;
  readMemory: ReadMemory;
  writeMemory?: (addr: bigint, data: Buffer) => Promise<void>;
  /** A user_regs_struct field the frame does not unwind ($eflags, $cs, $fs_base, $orig_rax), by ptrace name. */
  readRegister?: (name: string) => Promise<bigint | undefined>;
  /** Write a register of the selected frame (frame 0 only), by ptrace name. */
  writeRegister?: (name: string, value: bigint) => Promise<void>;
  /** Write an x87/SSE register of frame 0 (src/target/fpregs.ts names and byte layout). */
  writeFpRegister?: (name: string, bytes: Buffer) => Promise<void>;
  /** Value history ($1 is history[0]). */
  history?: Value[];
  /** Run a function of the program (callInferior over the Target); without it, calls are refused. */
  callFunction?: (fn: bigint, args: CallArg[], ret: CType) => Promise<CallResult>;
  /** The selected thread's siginfo_t at its last stop ($_siginfo); undefined when there is none. */
  siginfo?: () => Promise<Buffer | undefined>;
  /** Convenience variables ($foo): read, and (re)defined by assignment. */
  convenience?: {
    get(name: string): Value | undefined;
    set(name: string, v: Value): void;
  };
  /** Print gdb's `warning: MESSAGE` (the value is still computed). */
  warn?: (message: string) => void;
  /** The current source file (`list`'s default, a line-table path): with no frame, its unit's statics come first. */
  sourceFile?: string;
}

/** gdb's default `max-value-size`: the largest value it fetches (an artificial array `p *p@N` past it is refused). */
const MAX_VALUE_SIZE = 65536;


export class Evaluator {
  /** Expression context of the selected frame (registers, memory, frame base). */
  readonly ctx: ExprContext;
  /** False while evaluating only for a type (ptype, whatis, sizeof): no calls, no writes. */
  /** (read by eval-call.ts) */
  sideEffects = true;

  constructor(readonly env: EvalEnv) {
    const f = env.frame;
    this.ctx = f ? f.exprContext(f.fn?.die.unit) : { readMemory: env.readMemory, reg: () => undefined, bias: 0n };
    this.regs = new RegisterValues(env, this.ctx, () => this.sideEffects);
  }

  isTypeName = (name: string): boolean => {
    if (this.findVariable(name)) return false;
    return this.env.program.debugInfos().some((d) => d.lookupType(name)?.kind === 'typedef');
  };

  async evaluate(src: string): Promise<Value> {
    if (src.trim() === '') throw new ExprError('Argument required (expression to compute).');
    return this.eval(parseExpression(src, this.isTypeName));
  }

  /** `print` text of a value (without `$N = `). */
  format(v: Value, opts: FormatOptions = {}): Promise<string> {
    return formatTop(v, { symbolize: this.symbolize, ...this.env.program.printSettings, ...opts });
  }

  formatNested(v: Value, opts: FormatOptions = {}): Promise<string> {
    return formatValue(v, { symbolize: this.symbolize, ...this.env.program.printSettings, ...opts });
  }

  /** `<sym+off>` text for an address in a loaded image's symbols (what gdb appends to pointers). */
  symbolize = (addr: bigint): string | undefined => {
    const loc = this.env.program.image.symbolAt(addr);
    if (!loc) return undefined;
    // gdb only names addresses inside a symbol's extent (or at it) for data pointers.
    if (loc.symbol.size > 0n && loc.offset >= loc.symbol.size) return undefined;
    const name = this.env.program.symbolicName(loc);
    return loc.offset === 0n ? name : `${name}+${loc.offset}`;
  };

  /** `ptype EXPR|TYPE`. */
  async ptype(src: string): Promise<string> {
    const t = this.typeFromName(src);
    if (t) return ptype(t);
    return ptype((await this.typeOnly(src)).type);
  }

  /**
   * Evaluate for the type alone, like gdb's EVAL_AVOID_SIDE_EFFECTS: calls are
   * not made and assignments not written (`whatis f(x)`, `ptype x = 3`, sizeof).
   */
  private async typeOnly(src: string): Promise<Value> {
    const saved = this.sideEffects;
    this.sideEffects = false;
    try {
      return await this.evaluate(src);
    } finally {
      this.sideEffects = saved;
    }
  }

  /** `ptype/o EXPR|TYPE`: offsets, sizes and holes. */
  async ptypeOffsets(src: string): Promise<string> {
    const t = this.typeFromName(src) ?? (await this.typeOnly(src)).type;
    return ptypeOffsets(t);
  }

  /** `whatis EXPR|TYPE`. */
  async whatis(src: string): Promise<string> {
    const t = this.typeFromName(src);
    if (t) return whatis(t, true);
    return whatis((await this.typeOnly(src)).type, false);
  }

  typeFromName(src: string): CType | undefined {
    const spec = parseTypeName(src, (n) => this.env.program.debugInfos().some((d) => d.lookupType(n)?.kind === 'typedef') && !this.findVariable(n));
    return spec ? this.resolveTypeSpec(spec) : undefined;
  }

  resolveTypeSpec(spec: TypeSpec): CType {
    const name = normalizeBaseName(spec.base);
    let t: CType | undefined;
    for (const d of this.env.program.debugInfos()) {
      t = d.lookupType(name);
      if (t) break;
    }
    t ??= C_BASE_TYPES[name] ?? (name === 'void' ? VOID : undefined);
    if (!t) {
      const tagged = /^(struct|union|enum) (.+)$/.exec(spec.base);
      throw new ExprError(tagged ? `No ${tagged[1]} type named ${tagged[2]}.` : `No symbol "${spec.base}" in current context.`);
    }
    for (let i = 0; i < spec.pointers; i++) t = { kind: 'pointer', size: 8, target: t };
    if (spec.array) for (let i = spec.array.length - 1; i >= 0; i--) t = { kind: 'array', element: t, count: spec.array[i] };
    return t;
  }

  // ------------------------------------------------------------ variables

  /** The DIE of a visible variable: innermost block outwards, then globals (own unit first). */
  findVariable(name: string): { die: Die; debug: DebugInfo; local: boolean } | undefined {
    return lookupVariable(this.env, name);
  }

  /** Value of a variable DIE in the selected frame. */
  variableValue(die: Die, debug: DebugInfo, local: boolean): Promise<Value> {
    return readVariable(this.env, this.ctx, die, debug, local);
  }

  private async identifier(name: string): Promise<Value> {
    const scoped = /^'(.+)'::(\w+)$/.exec(name);
    if (scoped) return this.scopedIdentifier(scoped[1]!, scoped[2]!);
    const hit = this.findVariable(name);
    if (hit) return this.variableValue(hit.die, hit.debug, hit.local);
    const member = await this.memberOfThis(name);
    if (member) return member;
    const fns = this.env.program.functionsNamed(name);
    if (fns.length) {
      const { fn, debug } = fns[0];
      return new Value(debug.typeOf(fn.die), { kind: 'memory', address: debug.entryOf(fn) }, this.ctx);
    }
    // Enumerators are constants of their enum type.
    for (const d of this.env.program.debugInfos()) {
      const e = d.enumerator(name);
      if (e) return Value.fromBigInt(d.typeOf(e.type), e.value, this.ctx);
    }
    const sym = this.env.program.image.symbolByName(name);
    if (sym) {
      if (sym.symbol.kind === 'function') {
        // gdb's minimal symbol -> the function at its address: printf is __printf in libc's DWARF
        const hit = this.env.program.functionAt(sym.symbol.address);
        if (hit && hit.debug.entryOf(hit.fn) === sym.symbol.address) {
          return new Value(hit.debug.typeOf(hit.fn.die), { kind: 'memory', address: sym.symbol.address }, this.ctx);
        }
        const t: CType = { kind: 'function', ret: INT, params: [], varargs: false, prototyped: false, nodebug: true };
        return new Value(t, { kind: 'memory', address: sym.symbol.address }, this.ctx);
      }
      const typed = this.env.program.globalIn(sym.module, name);
      if (typed) return this.variableValue(typed.die, typed.debug, false);
      return new Value(noDebugData(name), { kind: 'memory', address: sym.symbol.address }, this.ctx);
    }
    // (with no DWARF anywhere and no process gdb says "No symbol table is loaded.": SourceLevel.noSymbolTable, which knows the process)
    throw new ExprError(`No symbol "${name}" in current context.`);
  }

  /** In a C++ member function, a member of *this named by itself (`v` for `this->v`), as gdb finds it. */
  private async memberOfThis(name: string): Promise<Value | undefined> {
    const self = name === 'this' ? undefined : this.findVariable('this');
    if (!self?.local) return undefined;
    const ptr = await this.variableValue(self.die, self.debug, true);
    const pointee = strip(ptr.type);
    if (pointee.kind !== 'pointer') return undefined;
    const cls = strip(pointee.target);
    if ((cls.kind !== 'struct' && cls.kind !== 'union') || !cls.members.some((m) => m.name === name)) return undefined;
    return this.member(await this.deref(ptr), name);
  }

  /** $rax, $eax, $eflags, $xmm0...: the frame's registers as values, and assignments to them. */
  private readonly regs: RegisterValues;

  /** Values read from convenience variables, by name: what an assignment to them redefines. */
  private readonly convenienceOf = new WeakMap<Value, string>();

  /** $foo: its value (a copy, as in gdb), or void while unset. */
  private convenienceVar(name: string): Value {
    const stored = this.env.convenience?.get(name);
    const v = stored ? new Value(stored.type, stored.loc, this.ctx) : Value.fromBytes(VOID, Buffer.alloc(0), this.ctx);
    this.convenienceOf.set(v, name);
    return v;
  }

  /** gdb's $_siginfo: the last stop's siginfo_t as a value (not in memory); void without a process. */
  private async siginfo(): Promise<Value> {
    const bytes = await this.env.siginfo?.();
    return bytes ? Value.fromBytes(SIGINFO_TYPE, bytes, this.ctx) : Value.fromBytes(VOID, Buffer.alloc(0), this.ctx);
  }

  /** a[i] of an array held in registers or bytes ($xmm0.v4_float[1]): a sub-location, not an address. */
  private elementNotInMemory(base: Value, t: CType & { kind: 'array' }, i: bigint): Value {
    if (i < 0n || (t.count !== undefined && i >= BigInt(t.count))) throw new ExprError(`no such vector element`);
    return new Value(t.element, subLocation(base, Number(i) * sizeOf(t.element)), this.ctx);
  }

  private history(name: string): Value {
    const h = this.env.history ?? [];
    // `$` `$$` `$$N` count back from the last value, `$N` from the first ($0 is the last).
    const back = name === '' ? 0 : name === '$' ? 1 : name.startsWith('$') ? Number(name.slice(1)) : undefined;
    const abs = back === undefined ? Number(name) : undefined;
    const at = historyIndex(h.length, abs, back);
    if (typeof at === 'string') throw new ExprError(at);
    return h[at - 1]!;
  }

  // ------------------------------------------------------------ evaluation

  /** One node's value (eval-call.ts evaluates arguments with it). */
  eval(n: Node): Promise<Value> {
    return evalChain(n, (leaf) => this.leaf(leaf), (node, first) => this.step(node, first));
  }

  /** A node with no first operand to chain through (see firstOperand). */
  private async leaf(n: Node): Promise<Value> {
    switch (n.k) {
      case 'int': {
        const fitsInt = n.v <= 0x7fffffffn;
        const t = n.unsigned ? (n.long || n.v > 0xffffffffn ? ULONG : UINT) : n.long || !fitsInt ? (n.v > 0x7fffffffffffffffn ? ULONG : LONG) : INT;
        return Value.fromBigInt(t, n.v, this.ctx);
      }
      case 'float': return Value.fromNumber(DOUBLE, n.v, this.ctx);
      case 'char': return Value.fromBigInt(CHAR, BigInt(n.v), this.ctx);
      case 'string': {
        const bytes = Buffer.concat([Buffer.from(n.v, 'latin1'), Buffer.alloc(1)]);
        return Value.fromBytes({ kind: 'array', element: CHAR, count: bytes.length }, bytes, this.ctx);
      }
      case 'ident': return this.identifier(n.name);
      case 'dollar': {
        if (n.name === '' || /^\$?\d*$/.test(n.name)) return this.history(n.name);
        if (isFpRegister(n.name)) return this.regs.fpRegister(n.name);
        if (n.name === '_siginfo') return this.siginfo();
        return gpRegister(n.name) ? this.regs.register(n.name) : this.convenienceVar(n.name);
      }
      case 'sizeof': {
        let t: CType;
        if (n.type) t = this.resolveTypeSpec(n.type);
        else {
          // C does not evaluate sizeof's operand: no calls, no writes.
          const saved = this.sideEffects;
          this.sideEffects = false;
          try {
            t = (await this.eval(n.e!)).type;
          } finally {
            this.sideEffects = saved;
          }
        }
        const unknown = unknownTypeError(t);
        if (unknown) throw new ExprError(unknown);
        // gdb's evaluate_subexp_for_sizeof: an object of an array type without a bound (`extern int v[];`)
        const st = strip(t);
        // (gdb types sizeof as int: `p sizeof(int) - 5` is -1)
        if (!n.type && st.kind === 'array' && st.count === undefined) return new Value(INT, { kind: 'optimized' }, this.ctx);
        return Value.fromBigInt(INT, BigInt.asIntN(32, BigInt(sizeOf(t))), this.ctx);
      }
      case 'call': return this.call(n.f, n.args);
      case 'entry': return this.entryValueOf(n.name);
      default: throw new ExprError('A syntax error in expression.');
    }
  }

  /** A node's value from the value `v` of its first operand (see firstOperand). */
  private async step(n: Node, v: Value): Promise<Value> {
    switch (n.k) {
      case 'unary': return this.unary(n.op, v, n.e);
      case 'binary': {
        if (n.op === ',') return this.eval(n.r);
        if (n.op === '&&' || n.op === '||') {
          const l = await truth(v);
          if (n.op === '&&' ? !l : l) return Value.fromBigInt(INT, l ? 1n : 0n, this.ctx);
          const r = await truth(await this.eval(n.r));
          return Value.fromBigInt(INT, r ? 1n : 0n, this.ctx);
        }
        if (n.op === '@') return this.artificialArray(v, await this.eval(n.r));
        return binary(n.op, v, await this.eval(n.r), this.ctx, this.env.warn);
      }
      case 'cond': return (await truth(v)) ? this.eval(n.t) : this.eval(n.f);
      case 'index': {
        const base = v;
        const idx = await this.eval(n.i);
        const bt = strip(base.type);
        if (bt.kind !== 'array' && bt.kind !== 'pointer') {
          throw new ExprError(`cannot subscript something of type \`${typeName(base.type)}'`);
        }
        if (bt.kind === 'array' && base.loc.kind !== 'memory') return this.elementNotInMemory(base, bt, await toInt(idx));
        return this.deref(await binary('+', base, idx, this.ctx, this.env.warn));
      }
      case 'member': {
        // gdb accepts `s->f` on a struct value too; only pointers are dereferenced.
        if (n.arrow && strip(v.type).kind === 'pointer') v = await this.deref(v);
        return this.member(v, n.name, n.arrow);
      }
      case 'cast': return this.cast(v, this.resolveTypeSpec(n.type));
      case 'brace': {
        // gdb's {type} ADDR: arrays and functions designate their own address, anything else its value.
        const k = strip(v.type).kind;
        const addr = (k === 'array' || k === 'function') && v.address !== undefined ? v.address : await toInt(v);
        return new Value(this.resolveTypeSpec(n.type), { kind: 'memory', address: BigInt.asUintN(64, addr) }, this.ctx);
      }
      case 'assign': {
        const target = v;
        let r = await this.eval(n.r);
        if (n.op !== '=') r = await binary(n.op.slice(0, -1), target, r, this.ctx, this.env.warn);
        return this.assign(target, r);
      }
      case 'call': return this.call(n.f, n.args, v);
      case 'postfix': {
        const target = v;
        // The old value, read before the store: gdb prints `i++` as i was.
        const old = isFloat(target.type) ? Value.fromNumber(target.type, await toNumber(target), this.ctx)
          : Value.fromBigInt(target.type, await toInt(target), this.ctx);
        await this.assign(target, await binary(n.op, target, Value.fromBigInt(INT, 1n, this.ctx), this.ctx, this.env.warn));
        return old;
      }
      default: return this.leaf(n);
    }
  }

  /**
   * gdb's 'FILE'::NAME: NAME in that file's static block, then the globals (a function of any file too);
   * 'FUNCTION'::NAME looks in the static block of the function's file (not its locals).
   */
  private async scopedIdentifier(scope: string, name: string): Promise<Value> {
    const program = this.env.program;
    if (!program.exeDebug) {
      // gdb without the executable's DWARF has no file scopes: a symbol's name is a syntax error there, anything else no symbol table
      if (program.image.symbolByName(scope)) throw new ExprError(`A syntax error in expression, near \`::${name}'.`);
      throw new ExprError('No symbol table is loaded.  Use the "file" command.');
    }
    const infos = program.debugInfos();
    let unit: Die['unit'] | undefined;
    for (const d of infos) {
      const path = d.sourceFiles().find((p) => p === scope || p.endsWith(`/${scope}`));
      unit = path === undefined ? undefined : d.unitOfSource(path);
      if (unit) break;
    }
    unit ??= program.functionsNamed(scope)[0]?.fn.unit;
    if (!unit) throw new ExprError(`No symbol "${scope}" in current context.`);
    for (const d of infos) {
      const hit = [...d.globalVariables(name), ...d.optimizedOutGlobals(name)].find((g) => g.unit === unit);
      if (hit) return this.variableValue(hit, d, false);
    }
    for (const d of infos) {
      const ext = [...d.globalVariables(name), ...d.optimizedOutGlobals(name)].find((g) => g.flag(AT.external));
      if (ext) return this.variableValue(ext, d, false);
    }
    const fn = program.functionsNamed(name)[0];
    if (fn) return new Value(fn.debug.typeOf(fn.fn.die), { kind: 'memory', address: fn.debug.entryOf(fn.fn) }, this.ctx);
    throw new ExprError(`No symbol "${name}" in specified context.`);
  }

  /** `x@entry`: a parameter's value on entry to the function (from the caller's call site). */
  private async entryValueOf(name: string): Promise<Value> {
    const hit = this.findVariable(name);
    if (!hit || !hit.local || hit.die.tag !== TAG.formal_parameter) {
      throw new ExprError(`@entry can be used only for function parameters, not for "${name}"`);
    }
    const f = this.env.frame!;
    const v = await f.parameterEntryValue(hit.die);
    if (v === undefined) {
      const ret = f.callerRegs?.pc;
      const caller = f.caller?.functionName;
      throw new ExprError(ret !== undefined && caller
        ? `DW_OP_entry_value resolving cannot find DW_TAG_call_site 0x${ret.toString(16)} in ${caller}`
        : `Cannot resolve DW_OP_entry_value for "${name}"`);
    }
    return Value.fromBigInt(hit.debug.typeOf(hit.die.type), v, this.ctx);
  }

  /**
   * `f(a, b)`: integer and pointer arguments and results, like gdb's
   * infcall on x86-64; the prototype's argument count is checked.
   */
  /** A call in an expression: a convenience function, a function of the program, a C++ method (eval-call.ts). */
  private call(fnNode: Node, argNodes: Node[], fn?: Value): Promise<Value> {
    return evalCall(this, fnNode, argNodes, fn);
  }

  async deref(v: Value): Promise<Value> {
    const t = strip(v.type);
    if (t.kind === 'array') {
      if (v.address === undefined) throw new ExprError('Attempt to take address of value not located in memory.');
      return new Value(t.element, { kind: 'memory', address: v.address }, this.ctx);
    }
    if (t.kind === 'function') return v;
    if (t.kind !== 'pointer' && !isInteger(t)) throw new ExprError('Attempt to take contents of a non-pointer value.');
    if (t.kind === 'pointer' && strip(t.target).kind === 'void') throw new ExprError('Attempt to dereference a generic pointer.');
    const addr = await toInt(v);
    const target = t.kind === 'pointer' ? t.target : LONG;
    return new Value(target, { kind: 'memory', address: BigInt.asUintN(64, addr) }, this.ctx);
  }

  private member(v: Value, name: string, arrow = false): Value {
    const t = strip(v.type);
    if (t.kind !== 'struct' && t.kind !== 'union') {
      // a symbol without debug info says so first, as gdb
      const unknown = unknownTypeError(t);
      if (unknown) throw new ExprError(unknown);
      // gdb's value_struct_elt names what `->` wants: "structure pointer"
      throw new ExprError(`Attempt to extract a component of a value that is not a structure${arrow ? ' pointer' : ''}.`);
    }
    const path = findMember(t, name);
    if (!path) throw new ExprError(`There is no member named ${name}.`);
    let cur = v;
    for (const m of path) cur = memberValue(cur, m);
    return cur;
  }

  /** `op v`, where v is the value of the operand `e`. */
  private async unary(op: string, v: Value, e: Node): Promise<Value> {
    if (op === '&') {
      const t = strip(v.type);
      if (v.bits) throw new ExprError('Attempt to take address of value not located in memory.');
      // for a type only (whatis, ptype, sizeof) gdb takes a variable's address wherever it lives: `whatis &p` in a register
      if (v.address === undefined && !this.sideEffects && e.k === 'ident') {
        // (not a constant, DW_AT_const_value: gdb's LOC_CONST)
        if (this.findVariable(e.name)?.die.has(AT.const_value)) throw new ExprError('Attempt to take address of register or constant.');
        return Value.fromBigInt({ kind: 'pointer', size: 8, target: v.type }, 0n, this.ctx);
      }
      if (v.address === undefined) {
        throw new ExprError(v.optimizedOut ? "Can't take address of \"" + (e.k === 'ident' ? e.name : 'value') + '" which isn\'t an lvalue.'
          : 'Attempt to take address of value not located in memory.');
      }
      const pt: CType = { kind: 'pointer', size: 8, target: t.kind === 'function' ? v.type : v.type };
      return Value.fromBigInt(pt, v.address, this.ctx);
    }
    const vt = strip(v.type).kind;
    if (vt === 'struct' || vt === 'union') throw new ExprError(`Structure has no component named operator${op}.`);
    switch (op) {
      case '*': return this.deref(v);
      case '-': {
        if (isFloat(v.type)) return Value.fromNumber(DOUBLE, -(await toNumber(v)), this.ctx);
        const t = promote(v.type);
        return Value.fromBigInt(t, -(await toInt(v)), this.ctx);
      }
      case '+': return isFloat(v.type) ? v : Value.fromBigInt(promote(v.type), await toInt(v), this.ctx);
      case '~': return Value.fromBigInt(promote(v.type), ~(await toInt(v)), this.ctx);
      case '!': return Value.fromBigInt(INT, (await truth(v)) ? 0n : 1n, this.ctx);
      default: throw new ExprError(`Unsupported operator ${op}.`);
    }
  }

  private async artificialArray(first: Value, count: Value): Promise<Value> {
    const c = await toInt(count);
    if (c > 0x7fffffffn || c < -0x80000000n) throw new ExprError('Value out of range.');
    const n = Number(c);
    if (first.address === undefined) throw new ExprError('Only values in memory can be extended with \'@\'.');
    if (n <= 0) throw new ExprError(`Invalid number ${n} of repetitions.`);
    const bytes = n * sizeOf(first.type);
    if (bytes > MAX_VALUE_SIZE) throw new ExprError(`value requires ${bytes} bytes, which is more than max-value-size`);
    return new Value({ kind: 'array', element: first.type, count: n }, first.loc, this.ctx);
  }

  async cast(v: Value, to: CType): Promise<Value> {
    const t = strip(to);
    const from = strip(v.type);
    // A symbol without debug info: the cast says what its memory holds.
    if (from.kind === 'base' && from.nodebug) return new Value(to, v.loc, v.ctx);
    if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'array') {
      if (sizeOf(t) !== sizeOf(from)) throw new ExprError('Invalid cast.');
      return new Value(to, v.loc, v.ctx, v.bits);
    }
    if (t.kind === 'void') return new Value(to, { kind: 'optimized' }, this.ctx);
    if (isFloat(t)) return Value.fromNumber(to, await toNumber(v), this.ctx);
    const n = await toInt(v);
    return Value.fromBigInt(to, n, this.ctx);
  }

  private async assign(target: Value, v: Value): Promise<Value> {
    if (!this.sideEffects) return target;
    const reg = this.regs.nameOf(target);
    if (reg !== undefined) return this.regs.assignRegister(reg, v);
    const conv = this.convenienceOf.get(target);
    if (conv !== undefined && this.env.convenience) {
      // gdb copies the contents: `set $n = *list` keeps the struct as it was then
      const bytes = await v.bytes();
      if (!bytes) throw new ExprError(v.optimizedOut ? 'value has been optimized out' : 'value is not available');
      const copy = Value.fromBytes(v.type, bytes, this.ctx);
      this.env.convenience.set(conv, copy);
      return copy;
    }
    const t = strip(target.type);
    if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'array') {
      const whole = await aggregateBytes(t, v, (m) => new ExprError(m));
      if (target.loc.kind !== 'memory' || target.bits) throw new ExprError('Left operand of assignment is not an lvalue.');
      await this.write(target.loc.address, whole);
      return new Value(target.type, target.loc, this.ctx);
    }
    const size = sizeOf(t);
    let bytes: Buffer;
    if (isFloat(t)) {
      bytes = encodeFloat(await toNumber(v), t);
    } else {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, await toInt(v)));
      bytes = b.subarray(0, size);
    }
    if (target.bits && target.loc.kind === 'memory') {
      const nbytes = Math.ceil((target.bits.offset + target.bits.size) / 8);
      const old = await this.env.readMemory(target.loc.address, nbytes);
      let raw = bytesToBigInt(old, false);
      const mask = ((1n << BigInt(target.bits.size)) - 1n) << BigInt(target.bits.offset);
      raw = (raw & ~mask) | ((bytesToBigInt(bytes, false) << BigInt(target.bits.offset)) & mask);
      const out = Buffer.alloc(nbytes);
      for (let i = 0; i < nbytes; i++) out[i] = Number((raw >> BigInt(8 * i)) & 0xffn);
      await this.write(target.loc.address, out);
      return new Value(target.type, target.loc, this.ctx, target.bits);
    }
    if (target.loc.kind === 'memory') {
      await this.write(target.loc.address, bytes);
      return new Value(target.type, target.loc, this.ctx);
    }
    if (await this.regs.assignFpRegister(target.loc, bytes)) return Value.fromBytes(target.type, bytes, this.ctx);
    if (target.loc.kind === 'register' && this.env.writeRegister && (this.env.frame?.level ?? 0) === 0) {
      const name = X86_64_DWARF_REGS[target.loc.reg];
      if (name) {
        await this.env.writeRegister(name, bytesToBigInt(bytes, false));
        return Value.fromBytes(target.type, bytes, this.ctx);
      }
    }
    throw new ExprError('Left operand of assignment is not an lvalue.');
  }

  private async write(addr: bigint, data: Buffer): Promise<void> {
    if (!this.env.writeMemory) throw new ExprError('Cannot write memory in this session.');
    await this.env.writeMemory(addr, data);
  }

  // ------------------------------------------------------------ frame listings

  /** `info locals`: innermost block first, each block's variables in declaration order. */
  locals(): Promise<Array<{ name: string; value: Value }>> {
    return listLocals(this.env, (die, debug, local) => this.variableValue(die, debug, local));
  }

  /** `info args`: the function's formal parameters. */
  args(): Promise<Array<{ name: string; value: Value }>> {
    return listArgs(this.env, (die, debug, local) => this.variableValue(die, debug, local));
  }
}

/** Path to a member, looking through anonymous structs/unions like C does. */
function findMember(t: CType & { kind: 'struct' | 'union' }, name: string): Member[] | undefined {
  for (const m of t.members) {
    if (m.name === name) return [m];
    const inner = strip(m.type);
    if (!m.name && (inner.kind === 'struct' || inner.kind === 'union')) {
      const sub = findMember(inner, name);
      if (sub) return [m, ...sub];
    }
  }
  return undefined;
}


/**
 * The 1-based index of a value-history reference, or gdb's error for it:
 * `abs` for `$N`, `back` for `$`, `$$` and `$$N`.
 */
export function historyIndex(length: number, abs: number | undefined, back: number | undefined): number | string {
  if (abs !== undefined && abs > 0) return abs > length ? `History has not yet reached $${abs}.` : abs;
  const k = back ?? 0;
  if (k === 0 && length === 0) return 'The history is empty.';
  return length - k < 1 ? `History does not go back to $$${k}.` : length - k;
}
