/**
 * The bridge between the commands and src/dwarf: when the program has DWARF,
 * expressions go to the DWARF C evaluator (typed variables, structs, gdb's
 * exact value printing), stops are described as gdb does with debug info
 * (`tick (p=0x404020 <pt>) at struct_loop.c:17` + the source line), bt uses
 * CFI unwinding, and `break FILE:LINE` resolves through the line table.
 * Without DWARF every caller falls back to the built-in evaluator and the
 * symbol-only formats, so both paths produce gdb's output for their case.
 */
import type { Registers, Target } from '../target/types.js';
import { siginfoOf } from '../target/capabilities.js';
import type { ElfFile, ProcessImage } from '../elf/index.js';
import {
  DebugInfo, DwarfError, Evaluator, ExprError, ProgramInfo, frameArgs, frameLine,
  Value as DwarfValue, strip, sizeOf as dwarfSizeOf, type StackFrame,
} from '../dwarf/index.js';
import type { SourceLine } from '../dwarf/debuginfo.js';
import type { EvalEnv } from '../dwarf/evaluator.js';
import type { Die } from '../dwarf/info.js';
import { AT, TAG } from '../dwarf/constants.js';
import { callInferior } from '../dwarf/call.js';
import { returnedBytes, type ReturnRegs } from '../dwarf/abi.js';
import type { PrintSettings } from '../dwarf/format.js';
import { dwarfErrorLine, gdbPrintName } from '../dwarf/program.js';
import { libraryLocations } from './library-locations.js';

const AT_NORETURN = 0x87;
import type { CType, Value } from './expr.js';
import { evaluatorValue } from './convenience.js';
import { EvalError } from './expr.js';
import { expected } from '../debugger/errors.js';
import { hexWord16 } from '../util/hex.js';

/** A value of the C evaluator; `ev`, the evaluator that made it, formats it (a stored variable has none). */
export interface AnyValue {
  dwarf: DwarfValue;
  ev?: Evaluator;
}

export interface BridgeIo {
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;
  regs(): Promise<Registers>;
  history(): AnyValue[];
  /** A register of the selected frame by ptrace name (undefined without a process): what the unwound frame does not have. */
  readRegister(name: string): Promise<bigint | undefined>;
  /** Write a register of frame 0 by ptrace name. */
  writeRegister(name: string, value: bigint): Promise<void>;
  /** The x87/SSE state (FXSAVE area) of the stop, when the target has it. */
  fpState?(): Promise<Buffer | undefined>;
  /** Write one x87/SSE register (src/target/fpregs.ts layout). */
  writeFpRegister?(name: string, bytes: Buffer): Promise<void>;
  /** The current line as the session shows it (a missing file is said once: SourceText). */
  sourceLine(path: string, file: string, line: number): string;
  /** The session's convenience variables ($foo, $_, $_exitcode). */
  convenience: Map<string, AnyValue>;
  /** gdb's `warning: ...` line (a shift past the width). */
  warn?(message: string): void;
  /** One line of gdb's own error text on stderr, as is (`Dwarf Error: ...`); `warn` when absent. */
  error?(line: string): void;
  /** The current source file (`list`'s default): frame-less lookups search its statics first. */
  sourceFile?(): string | undefined;
}

import { isDebugError } from '../debugger/errors.js';

export { isDebugError };

/** An expression that uses an x87/SSE register. */
export const FP_REGISTER_EXPR = /\$(?:[xy]mm\d+|st[0-7]|mxcsr|fctrl|fstat|ftag|fiseg|fioff|foseg|fooff|fop)\b/;
/** A stored value (a convenience variable, a history entry) rebound to the process an evaluator reads. */
export function dwarfValueOf(v: AnyValue, ctx: DwarfValue['ctx']): DwarfValue {
  return new DwarfValue(v.dwarf.type, v.dwarf.loc, ctx);
}

/** The DWARF evaluator's access to the session's convenience variables. */
export function convenienceEnv(vars: Map<string, AnyValue>, ctx: () => DwarfValue['ctx']): NonNullable<EvalEnv['convenience']> {
  return {
    get: (name) => {
      const v = vars.get(name);
      return v && dwarfValueOf(v, ctx());
    },
    set: (name, v) => { vars.set(name, { dwarf: v }); },
  };
}

/**
 * The DWARF errors already reported, per session (keyed by its convenience
 * variables, the one object every BridgeIo of a session shares): each is
 * said once, as gdb reads each file once.
 */
const reported = new WeakMap<object, Set<string>>();

function reportDwarfError(io: BridgeIo, line: string): void {
  let seen = reported.get(io.convenience);
  if (!seen) reported.set(io.convenience, (seen = new Set()));
  if (seen.has(line)) return;
  seen.add(line);
  // (the executable is read in the session's constructor, before its output has listeners: say it once they are there)
  queueMicrotask(() => {
    if (io.error) io.error(line);
    else io.warn?.(line);
  });
}

export class DebugBridge {
  private constructor(
    readonly image: ProcessImage | undefined,
    readonly program: ProgramInfo | undefined,
    /** DWARF of the executable file itself, for `break` before the program runs. */
    readonly fileDebug: DebugInfo | undefined,
    private readonly io: BridgeIo,
    /** For calls to the program's functions in expressions (DWARF helper). */
    private readonly target?: Target,
    /** The executable file, for expressions without a process. */
    private readonly fileElf?: ElfFile,
  ) {}

  /** No file and no process (or a stub that cannot say what it runs): expressions only. */
  static bare(io: BridgeIo): DebugBridge {
    return new DebugBridge(undefined, undefined, undefined, io);
  }

  static forFile(elf: ElfFile, io: BridgeIo): DebugBridge {
    if (!elf.section('.debug_info')) return new DebugBridge(undefined, undefined, undefined, io, undefined, elf);
    try {
      return new DebugBridge(undefined, undefined, DebugInfo.load(elf), io, undefined, elf);
    } catch (e) {
      // unreadable DWARF: said once, as gdb does when it reads the file; symbols still work
      reportDwarfError(io, dwarfErrorLine((e as Error).message, elf.path));
      return new DebugBridge(undefined, undefined, undefined, io, undefined, elf);
    }
  }

  static async forTarget(t: Target, elf: ElfFile | undefined, io: BridgeIo): Promise<DebugBridge> {
    const program = await ProgramInfo.create(t, elf);
    program.onDwarfError = (line) => reportDwarfError(io, line);
    return new DebugBridge(program.image, program, program.exeDebug, io, t, elf);
  }

  /** The DWARF of the running program (or of the file before it runs). */
  get exeDebug(): DebugInfo | undefined {
    return this.fileDebug;
  }

  get hasDwarf(): boolean {
    return this.fileDebug !== undefined;
  }

  /**
   * Inlined calls hidden at the stop (gdb's skip_inline_frames): set by the
   * stepping code for the pc it stopped at, forgotten at the next resume.
   */
  private inlineSkip: { pc: bigint; count: number } | undefined;

  setInlineSkip(pc: bigint, count: number): void {
    this.inlineSkip = count > 0 ? { pc, count } : undefined;
  }

  clearInlineSkip(): void {
    this.inlineSkip = undefined;
  }

  /** How many inlined calls are hidden at pc now. */
  inlineSkipAt(pc: bigint): number {
    return this.inlineSkip?.pc === pc ? this.inlineSkip.count : 0;
  }

  /**
   * gdb's skip_inline_frames at a user breakpoint's stop: the inlined calls
   * starting at pc are hidden, innermost first, up to the one the breakpoint
   * was set on (stopped_by_user_bp_inline_frame), so `break FUNC` stops in
   * FUNC and not in a call FUNC inlined at its first instruction. `funcs`:
   * each hit breakpoint's function, or undefined for a line or an address
   * (whose location is the innermost function: nothing is hidden).
   */
  skipInlinedAtBreakpoint(pc: bigint, funcs: Array<string | undefined>): void {
    const calls = this.inlineCallsStartingAt(pc);
    let skip = calls.length;
    for (const f of funcs) {
      const own = f === undefined ? 0 : calls.findIndex((b) => b.name === f);
      skip = Math.min(skip, own < 0 ? calls.length : own);
    }
    this.setInlineSkip(pc, skip);
  }

  /** gdb's `finish` query: the name of the function at pc when it is marked DW_AT_noreturn. */
  noReturnFunction(pc: bigint): string | undefined {
    const hit = this.program?.functionAt(pc);
    if (!hit || !hit.fn.die.inherited((d) => (d.flag(AT_NORETURN) ? true : undefined))) return undefined;
    return gdbPrintName(hit.fn.die) ?? hit.fn.name;
  }

  /** The inlined calls gdb hides when a step stops at pc, innermost first. */
  inlineCallsStartingAt(pc: bigint): Die[] {
    if (!this.program) return [];
    return this.program.debugAt(pc)?.inlineCallsStartingAt(pc) ?? [];
  }

  /** The frames as the user sees them (hidden inlined calls left out), innermost first. */
  async frameList(limit: number): Promise<StackFrame[]> {
    if (!this.program) return [];
    const regs = await this.io.regs();
    return this.program.backtrace(regs, (a, l) => this.io.readMemory(a, l), limit, this.io.fpState && (() => this.io.fpState!()), this.inlineSkipAt(regs.rip));
  }

  /**
   * gdb's find_pc_line for any pc with DWARF lines (no function needed), in
   * any image: stepping reaches the C library's lines (libc6-dbg) from a
   * program built without -g too, as gdb's does.
   */
  lineForAddress(pc: bigint): SourceLine | undefined {
    return this.program?.lineForAddress(pc);
  }

  /**
   * The program expressions see: the process's (after it exited, as gdb, still
   * at that run's addresses), or before `run` the executable file's.
   */
  private evalProgram(): ProgramInfo {
    if (this.program) return this.program;
    return this.fileElf ? ProgramInfo.forFile(this.fileElf, this.fileDebug) : ProgramInfo.empty();
  }

  private evaluatorFor(frame: StackFrame | undefined, program = this.program!): Evaluator {
    const history: DwarfValue[] = [];
    const ev: Evaluator = new Evaluator({
      program, frame, history,
      readMemory: (a, l) => this.io.readMemory(a, l),
      writeMemory: (a, d) => this.io.writeMemory(a, d),
      readRegister: (n) => this.io.readRegister(n),
      writeRegister: (n, v) => this.io.writeRegister(n, v),
      writeFpRegister: this.io.writeFpRegister && ((n, b) => this.io.writeFpRegister!(n, b)),
      callFunction: this.target ? (fn, args, ret) => callInferior(this.target!, fn, args, ret, (a, d) => this.io.writeMemory(a, d)) : undefined,
      siginfo: () => siginfoOf(this.target),
      convenience: convenienceEnv(this.io.convenience, () => ev.ctx),
      warn: this.io.warn && ((m) => this.io.warn!(m)),
      sourceFile: this.io.sourceFile?.(),
    });
    for (const h of this.io.history()) history.push(dwarfValueOf(h, ev.ctx));
    return ev;
  }

  async evaluate(expr: string, level: number): Promise<AnyValue> {
    const program = this.evalProgram();
    // (no registers or stack: globals only, registers from the session; DWARF errors are said by the backtrace)
    const frames = program === this.program ? await this.frameList(level + 1).catch(expected([])) : [];
    const ev = this.evaluatorFor(frames[level], program);
    return { dwarf: await ev.evaluate(expr), ev };
  }

  /** A scalar the session made itself (`finish` without debug info) as a value of the evaluator, which formats it. */
  valueOf(v: Value): AnyValue {
    const ev = this.evaluatorFor(undefined, this.evalProgram());
    return { dwarf: evaluatorValue(v, ev.ctx), ev };
  }

  /** Scalar view for the commands that need a number, an address or a watch length. */
  static async toScalar(v: AnyValue): Promise<Value> {
    const d = v.dwarf;
    if (d.optimizedOut) throw new EvalError('value has been optimized out');
    const t = strip(d.type);
    const addr = d.address;
    const lval = addr !== undefined ? { kind: 'mem' as const, addr } : undefined;
    switch (t.kind) {
      case 'pointer':
        return { type: { kind: 'ptr', to: { kind: 'void' } }, value: (await d.bigint()) ?? 0n, lval };
      case 'base': case 'enum': {
        const size = dwarfSizeOf(t) as 1 | 2 | 4 | 8;
        const name = t.kind === 'base' ? t.name : `enum ${t.tag ?? ''}`;
        const signed = t.kind === 'enum' ? t.signed : !/unsigned|_Bool/.test(t.name);
        const type: CType = { kind: 'int', size: [1, 2, 4, 8].includes(size) ? size : 8, signed, name };
        const raw = (await d.bigint()) ?? 0n;
        return { type, value: signed ? BigInt.asIntN(size * 8, raw) : BigInt.asUintN(size * 8, raw), lval };
      }
      case 'function':
        return { type: { kind: 'func' }, value: addr ?? 0n };
      default:
        // Structs, unions, arrays: their address, with their size (x, snapshot, watch).
        return { type: { kind: 'array', of: { kind: 'int', size: 1, signed: true, name: 'char' }, count: dwarfSizeOf(t) }, value: addr ?? 0n, lval };
    }
  }

  /** gdb's value_as_address: as addressOf, but a struct or union is not a number (`info symbol`, `x`, `break *`). */
  static async valueAsAddress(v: AnyValue): Promise<bigint> {
    const k = strip(v.dwarf.type).kind;
    if (k === 'struct' || k === 'union') throw new EvalError("Value can't be converted to integer.");
    return DebugBridge.addressOf(v);
  }

  static async addressOf(v: AnyValue): Promise<bigint> {
    const m = await DebugBridge.toScalar(v);
    return BigInt.asUintN(64, m.value);
  }

  /** `print` text of a DWARF value (without `$N = `). */
  static format(v: AnyValue, fmt: string | undefined, settings: Partial<PrintSettings> = {}): Promise<string> {
    return v.ev!.format(v.dwarf, fmt ? { ...settings, format: fmt, wrapHints: true } : { ...settings, wrapHints: true });
  }

  // ---- frames and source lines --------------------------------------------------------

  /** Function and line of pc when both are known from DWARF (of any image). */
  lineAt(pc: bigint): { fn: string; file: string; line: number; address: bigint } | undefined {
    if (!this.program) return undefined;
    const hit = this.program.functionAt(pc);
    const line = this.program.lineForAddress(pc);
    if (!hit || !line) return undefined;
    return { fn: hit.fn.name, file: line.path, line: line.line, address: line.address };
  }

  /** `in tick at struct_loop.c:17`, what `info breakpoints` says of a location with line info. */
  breakpointWhere(pc: bigint, keptLine?: number, spec?: string): string | undefined {
    if (this.noLine.has(pc)) return undefined;
    const debug = this.program ? this.program.functionAt(pc)?.debug : this.fileDebug;
    const scope = debug?.scopeAt(pc);
    const line = debug?.lineForAddress(pc);
    if (!scope || !line) return undefined;
    // the innermost function there: an inlined one where it was inlined (gdb's `in push`); for
    // `break FUNC`, FUNC itself when its inlined call starts where another one inlined in it does
    const named = spec === undefined ? undefined
      : scope.blocks.find((b) => (b.tag === TAG.inlined_subroutine || b === scope.function.die) && b.name === spec);
    const inlined = named ?? scope.blocks.find((b) => b.tag === TAG.inlined_subroutine);
    return `in ${gdbPrintName(inlined ?? scope.function.die) ?? scope.function.name} at ${line.file}:${keptLine ?? line.line}`;
  }

  /**
   * gdb's stop text with debug info. `frame`: `tick (p=...) at f.c:17\n17\t...`;
   * `step`: just the source line (with the pc in front when mid-line), the
   * frame line too when the function changed.
   */
  async describe(mode: 'frame' | 'step', lastFunction: string | undefined): Promise<{ text: string; fn: string; head?: string } | undefined> {
    // any image's DWARF will do: a program built without -g stops in libc (libc6-dbg) as in gdb
    if (!this.program) return undefined;
    // (no registers or stack: no line to describe; DWARF errors are said by the backtrace)
    const [f0] = await this.frameList(1).catch(expected([]));
    const line = f0?.line;
    if (!f0 || !f0.fn || !line) return undefined;
    const src = this.io.sourceLine(line.path, line.file, line.line);
    const midLine = line.address !== f0.pc || !line.isStmt;
    if (mode === 'step' && lastFunction === f0.fn.name) {
      return { text: midLine ? `${hexWord16(f0.pc)}\t${src}` : src, fn: f0.fn.name };
    }
    const head = (await frameLine(f0, this.evaluatorFor(f0), true)).replace(/^#0\s+/, '');
    return { text: `${head}\n${src}`, fn: f0.fn.name, head };
  }

  /**
   * gdb's report of a stop that ended a step (print_stop_event): the source
   * line alone when the step stayed in its frame and function (`srcLine`), with
   * the pc in front when mid-line; else the frame line (`0x... in ` when
   * mid-line) and the source line.
   */
  async describeStep(srcLine: boolean): Promise<{ text: string; fn: string } | undefined> {
    if (!this.program) return undefined;
    // (no registers or stack: no line to describe; DWARF errors are said by the backtrace)
    const [f0] = await this.frameList(1).catch(expected([]));
    const line = f0?.line;
    if (!f0 || !f0.fn || !line) return undefined;
    const src = this.io.sourceLine(line.path, line.file, line.line);
    const fn = f0.functionName ?? f0.fn.name;
    if (srcLine) {
      // gdb's frame_show_address: mid-line, or at a row that is not a statement.
      const midLine = !f0.inlinedCallee && (line.address !== f0.pc || !line.isStmt);
      return { text: midLine ? `${hexWord16(f0.pc)}\t${src}` : src, fn };
    }
    const head = (await frameLine(f0, this.evaluatorFor(f0), true)).replace(/^#0\s+/, '');
    return { text: `${head}\n${src}`, fn };
  }

  /** bt lines with arguments and file:line, or undefined when no frame has DWARF. */
  async backtrace(limit: number): Promise<{ lines: string[]; frames: StackFrame[] } | undefined> {
    if (!this.program) return undefined;
    const frames = await this.frameList(limit);
    if (!frames.some((f) => f.fn)) return undefined;
    const lines: string[] = [];
    for (const f of frames) lines.push(await frameLine(f, this.evaluatorFor(f), true));
    return { lines, frames };
  }

  /** A frame's arguments as its frame line prints them: `a=1, b=2`. */
  frameArgs(f: StackFrame): Promise<string> {
    return frameArgs(f, this.evaluatorFor(f), true);
  }

  /** The line gdb reports for each address of the last `break FILE:LINE` (see DebugInfo.addressesForLine). */
  keptLines = new Map<bigint, number>();

  /** `break FILE:LINE` / `break LINE` addresses. */
  addressesForLine(file: string | undefined, line: number, currentPc: bigint | undefined): bigint[] {
    const d = this.fileDebug;
    if (!d) throw new EvalError(`No symbol table is loaded.  Use the "file" command.`);
    let f = file;
    if (!f) {
      const here = currentPc !== undefined ? this.program?.lineForAddress(currentPc) : undefined;
      const main = d.functionsNamed('main')[0];
      f = here?.file ?? (main ? d.lineForAddress(main.low + d.bias)?.file : undefined);
      if (!f) throw new EvalError('No default source file.');
    }
    const found = line > 0 ? d.addressesForLine(f, line) : [];
    this.keptLines = new Map(found.map((a) => [a.address, a.line]));
    if (found.length === 0) {
      // a bare LINE is in the current source file, whichever image's it is (gdb's default symtab)
      if (!file) throw new EvalError(`No line ${line} in the current file.`);
      const known = d.sourceFiles().some((p) => p === f || p.endsWith(`/${f}`));
      if (!file) throw new EvalError(`No line ${line} in the current file.`);
      throw new EvalError(known ? `No line ${line} in file "${f}".` : `No source file named ${f}.`);
    }
    return found.map((a) => a.address);
  }

  /**
   * What `finish` prints for the function containing pc: 'void' (nothing),
   * the value of its declared return type taken from the registers the SysV
   * ABI returns it in (./dwarf/abi.ts), or undefined without DWARF for it.
   */
  async returnValue(pc: bigint, regs: ReturnRegs): Promise<AnyValue | 'void' | undefined> {
    const hit = this.program?.functionAt(pc);
    if (!hit) return undefined;
    // (a C++ definition keeps its return type on the in-class declaration)
    if (!hit.fn.die.inherited((d) => (d.has(AT.type) ? true : undefined))) return 'void';
    // The subprogram's type is its function type: the value has its return type.
    const fnType = strip(hit.debug.typeOf(hit.fn.die));
    const type = fnType.kind === 'function' ? fnType.ret : fnType;
    if (strip(type).kind === 'void') return 'void';
    const ev = this.evaluatorFor(undefined);
    // (a value in memory that cannot be read: `finish` prints no value, as gdb without one)
    const bytes = await returnedBytes(type, regs, (a, l) => this.io.readMemory(a, l)).catch(expected(undefined));
    if (!bytes) return undefined;
    return { dwarf: DwarfValue.fromBytes(type, bytes, ev.ctx), ev };
  }

  /** `break FUNC` past the prologue, as gdb picks it with line info. */
  functionBreakpoint(name: string): bigint | undefined {
    const d = this.fileDebug;
    const fn = d?.functionsNamed(name)[0];
    return fn && d ? d.breakpointAddress(fn) : undefined;
  }

  /**
   * Every location of `break FUNCTION`, lowest first, as gdb has them: the
   * out-of-line copy past its prologue and each place the function was
   * inlined. Empty when the executable's DWARF does not know the function.
   */
  functionBreakpoints(name: string): bigint[] {
    const d = this.fileDebug;
    const own = this.functionBreakpoint(name);
    const all = new Set([...(own === undefined ? [] : [own]), ...(d ? d.inlinedEntries(name) : [])]);
    // a running program's libraries too, as gdb's linespec searches every objfile; but not for a function
    // the program's own DWARF has (reading libc's debug file costs a second and more at each `run`,
    // for the rare libc or ld.so inline function of the same name: a deliberate difference)
    const libs = this.program && this.image && all.size === 0 ? libraryLocations(this.program, this.image, name) : undefined;
    for (const a of libs?.addresses ?? []) all.add(a);
    for (const a of libs?.noLine ?? []) this.noLine.add(a);
    return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Whether a loaded library has a function ELF symbol of that name (gdb's minimal symbol, not a PLT trampoline). */
  libraryDefines(name: string): boolean {
    return !!this.image?.libraries.some((m) => m.symbols?.all.some((x) => x.name === name && x.kind === 'function'));
  }

  /** Library locations of `break FUNCTION` that gdb shows without a file and line (see library-locations.ts). */
  readonly noLine = new Set<bigint>();
}
