/**
 * A debugged process seen through its symbols: the ELF images (ProcessImage),
 * the DWARF of those that have it (DebugInfo, loaded once per image), their
 * call frame information, and stack frames built from a register set plus a
 * memory reader — so it works the same over a local or a remote Target.
 */
import { originEntry, tailCallChain } from './tailcall.js';
import { qualifiedName } from './names.js';
import { demangle } from './demangle.js';
import { ProcessImage, LoadedModule, separateDebugFile, type ImageSource } from '../elf/process.js';
import { ElfFile } from '../elf/elf.js';
import type { Registers } from '../target/types.js';
import { isFpRegister, readFpRegister } from '../target/fpregs.js';
import { fpRegisterOfDwarf } from './regtypes.js';
import { AT, TAG, X86_64_DWARF_REGS, DW_REG_RA } from './constants.js';
import { DebugInfo, type FunctionInfo, type SourceLine } from './debuginfo.js';
import { CallFrameInfo, unwindStep, type CfiSource, type UnwindRegs } from './frame.js';
import { evaluateLocation, evaluateValue, type ExprContext } from './expr.js';
import type { Die } from './info.js';
import type { PrintSettings } from './format.js';
import { pushAll } from '../arrays.js';
import { DwarfError } from './reader.js';

export type ReadMemory = (addr: bigint, len: number) => Promise<Buffer>;

interface ModuleSymbols {
  debug?: DebugInfo;
  cfi?: CallFrameInfo;
  error?: string;
  /** A separate debug file was looked for (done only when a pc in the image needs it). */
  separateTried?: boolean;
}

/** gdb's line for DWARF it cannot read: `Dwarf Error: MESSAGE [in module PATH]`. */
export function dwarfErrorLine(message: string, path: string): string {
  return `Dwarf Error: ${message} [in module ${path}]`;
}

export class ProgramInfo {
  private perModule = new Map<LoadedModule, ModuleSymbols>();
  /** gdb's `set print` settings for values of this program (`pretty`), shared by all evaluators. */
  readonly printSettings: PrintSettings = { pretty: false, elements: 200, repeats: 10 };

  constructor(readonly image: ProcessImage) {}

  /**
   * Where a DWARF read error of an image goes (gdb's `Dwarf Error: ... [in
   * module PATH]` line): the image then has no source-level information, and
   * the user is told why instead of seeing "no debug info".
   */
  onDwarfError?: (message: string) => void;

  /**
   * An error met reading the DWARF or CFI of the image at pc: a DwarfError
   * is said (once per line: see onDwarfError) and true returned; anything
   * else (unreadable memory, no registers) is the caller's to handle.
   */
  reportDwarfError(e: unknown, pc: bigint): boolean {
    if (!(e instanceof DwarfError)) return false;
    this.dwarfError(e, this.image.moduleAt(pc)?.path ?? '<unknown>');
    return true;
  }

  private dwarfError(e: unknown, path: string): string {
    const message = (e as Error).message;
    this.onDwarfError?.(dwarfErrorLine(message, path));
    return message;
  }

  static async create(source: ImageSource, exeElf?: ElfFile): Promise<ProgramInfo> {
    return new ProgramInfo(await ProcessImage.create(source, exeElf));
  }

  /**
   * Without a process (before `run`, after it exited): the executable file
   * alone, at its link addresses, as gdb evaluates `print global` then.
   */
  static forFile(elf: ElfFile, debug?: DebugInfo): ProgramInfo {
    let p = FILE_PROGRAMS.get(elf);
    if (!p) {
      p = new ProgramInfo(fileOnlyImage(elf));
      // the file's DWARF, already loaded unrelocated for `break` and `list`
      if (debug && debug.bias === 0n) p.perModule.set(p.image.exe, { debug });
      FILE_PROGRAMS.set(elf, p);
    }
    return p;
  }

  /** No program at all (no file, no process): expressions still have registers, history and convenience variables. */
  static empty(): ProgramInfo {
    return (EMPTY ??= new ProgramInfo(emptyImage()));
  }

  private symbolsOf(m: LoadedModule): ModuleSymbols {
    let s = this.perModule.get(m);
    if (!s) {
      s = {};
      const elf = m.elf;
      if (elf) {
        // Bad or unsupported DWARF in one image must not take the others down: that image
        // just has no source-level information (and says why in `error`).
        try {
          if (elf.section('.debug_info')) {
            s.debug = DebugInfo.load(elf);
            s.debug.bias = m.bias;
          }
        } catch (e) {
          s.error = this.dwarfError(e, elf.path);
        }
        try {
          const eh = elf.section('.eh_frame');
          const ehData = elf.sectionData('.eh_frame');
          s.cfi = new CallFrameInfo(eh && ehData ? { data: ehData, addr: eh.addr } : undefined, elf.sectionData('.debug_frame'));
        } catch (e) {
          s.error = this.dwarfError(e, elf.path);
        }
      }
      this.perModule.set(m, s);
    }
    return s;
  }

  /**
   * DWARF of an image at a pc, including a separate debug file (libc6-dbg):
   * those are big, so they load only when a pc in the image needs them.
   */
  private debugOfModule(m: LoadedModule): DebugInfo | undefined {
    const s = this.symbolsOf(m);
    if (!s.debug && !s.separateTried && m.elf) {
      s.separateTried = true;
      const path = separateDebugFile(m.elf);
      if (path) {
        try {
          s.debug = DebugInfo.load(ElfFile.load(path));
          s.debug.bias = m.bias;
        } catch (e) {
          s.error = this.dwarfError(e, path);
        }
      }
    }
    return s.debug;
  }

  /** DWARF of the executable (undefined when it has none). */
  get exeDebug(): DebugInfo | undefined {
    return this.symbolsOf(this.image.exe).debug;
  }

  /** Every loaded image with DWARF, the executable first. */
  debugInfos(): DebugInfo[] {
    const out: DebugInfo[] = [];
    for (const m of this.image.modules) {
      const d = this.symbolsOf(m).debug;
      if (d) out.push(d);
    }
    return out;
  }

  /**
   * The definition of a global in the image whose ELF symbol it is, from that
   * image's DWARF or its separate debug file (libc's `stdout` from libc6-dbg),
   * as gdb types a minimal symbol through the objfile's debug info.
   */
  globalIn(m: LoadedModule, name: string): { die: Die; debug: DebugInfo } | undefined {
    const debug = this.debugOfModule(m);
    const defs = debug?.globalVariables(name) ?? [];
    const die = defs.find((d) => d.inherited((x) => (x.has(AT.external) ? true : undefined))) ?? defs[0]
      ?? debug?.globalDeclarations(name)[0];
    return debug && die ? { die, debug } : undefined;
  }

  debugAt(pc: bigint): DebugInfo | undefined {
    const m = this.image.moduleAt(pc);
    return m ? this.debugOfModule(m) : undefined;
  }

  cfiAt = (pc: bigint): CfiSource | undefined => {
    const m = this.image.moduleAt(pc);
    const cfi = m && this.symbolsOf(m).cfi;
    return m && cfi ? { cfi, bias: m.bias } : undefined;
  };

  functionAt(pc: bigint): { fn: FunctionInfo; debug: DebugInfo } | undefined {
    const debug = this.debugAt(pc);
    const fn = debug?.functionAt(pc);
    return debug && fn ? { fn, debug } : undefined;
  }

  lineForAddress(pc: bigint): SourceLine | undefined {
    return this.debugAt(pc)?.lineForAddress(pc);
  }

  /**
   * The name inside gdb's `<...>` for an address whose minimal symbol is `loc`
   * (build_address_symbolic): the debug-info function there wins, so libc's
   * `malloc` shows as its DWARF linkage name `__GI___libc_malloc`. Only where
   * both start at the same address (elsewhere gdb's choice is the minimal symbol's).
   */
  symbolicName(loc: { symbol: { address: bigint; kind: string }; name: string }): string {
    return symbolicNameIn(this.functionAt(loc.symbol.address), loc);
  }

  functionSymbol(name: string): bigint | undefined {
    const sym = this.image.symbolByName(name)?.symbol;
    return sym !== undefined && sym.kind === 'function' ? sym.address : undefined;
  }

  functionsNamed(name: string): Array<{ fn: FunctionInfo; debug: DebugInfo }> {
    const out: Array<{ fn: FunctionInfo; debug: DebugInfo }> = [];
    for (const debug of this.debugInfos()) for (const fn of debug.functionsNamed(name)) out.push({ fn, debug });
    return out;
  }

  /**
   * Build the stack, innermost first. Functions inlined at a pc get frames of
   * their own, as in gdb. Stops after main (gdb's `backtrace past-main off`)
   * or at `limit`. `skipInline` innermost inlined calls of frame 0 are hidden,
   * as gdb hides those a step stopped at the very start of (its frame 0 is
   * then their caller, at the line of the call).
   */
  async backtrace(regs: Registers, readMemory: ReadMemory, limit = 256, fpState?: () => Promise<Buffer | undefined>, skipInline = 0): Promise<StackFrame[]> {
    try {
      return await this.unwindFrames(regs, readMemory, limit, fpState, skipInline);
    } catch (e) {
      // DWARF we cannot read is said here, whoever catches it (callers that fall back to no frames included)
      this.reportDwarfError(e, regs.rip);
      throw e;
    }
  }

  private async unwindFrames(regs: Registers, readMemory: ReadMemory, limit: number, fpState: (() => Promise<Buffer | undefined>) | undefined, skipInline: number): Promise<StackFrame[]> {
    const frames: StackFrame[] = [];
    let cur: UnwindRegs | undefined = { pc: regs.rip, regs: dwarfRegs(regs), exactPc: true };
    while (cur && frames.length < limit) {
      const real = this.framesAt(cur, frames.length, readMemory, frames[frames.length - 1], frames.length === 0 ? skipInline : 0);
      pushAll(frames, real);
      const outer = real[real.length - 1];
      if (outer.functionName === 'main') break;
      let next: UnwindRegs | undefined;
      try {
        next = await unwindStep(cur, readMemory, this.cfiAt);
      } catch (e) {
        // unreadable stack, or CFI we cannot read (said): the backtrace ends here
        this.reportDwarfError(e, cur.pc);
        next = undefined;
      }
      // No progress (same pc and stack pointer): a corrupt stack would loop forever.
      if (next && next.pc === cur.pc && next.regs.get(7) === cur.regs.get(7)) break;
      if (next) {
        const tails = await this.tailFrames(outer, next, readMemory, frames.length);
        for (const f of real) f.callerRegs = tails[0]?.unwind ?? next;
        frames.push(...tails);
      }
      cur = next;
    }
    if (fpState) {
      // Fetched once, on first use; outer frames see frame 0's values, as gdb's
      // amd64 unwinder does for the registers the CFI does not mention.
      let once: Promise<Buffer | undefined> | undefined;
      // (no x87/SSE state from this target: those registers read as unavailable, as in gdb)
      const shared = () => (once ??= fpState().catch(() => undefined));
      for (const f of frames) f.fpState = shared;
    }
    return frames.slice(0, limit);
  }

  /**
   * The tail-call frames between `callee` (the outermost frame of one set of
   * registers) and its caller's registers (./tailcall.ts): each at the
   * address after its jump, with the caller's registers and the callee's CFA,
   * named by the innermost function at its pc (gdb shows no more for them).
   */
  private async tailFrames(callee: StackFrame, callerRegs: UnwindRegs, readMemory: ReadMemory, level: number): Promise<StackFrame[]> {
    if (!callee.fn || !callee.debug) return [];
    const chain = tailCallChain(this, callee.debug.entryOf(callee.fn), callerRegs.pc);
    if (chain.length === 0) return [];
    const cfa = await callee.cfa();
    const out: StackFrame[] = [];
    let prev = callee;
    for (const t of chain) {
      const regs: UnwindRegs = { pc: t.pc, regs: callerRegs.regs, exactPc: false, cfa };
      const probe = new StackFrame(this, level, regs, readMemory);
      const scope = probe.debug && probe.fn ? probe.debug.scopeAt(probe.lookupPc) : undefined;
      const inlined = scope?.blocks.find((b) => b.tag === TAG.inlined_subroutine);
      const f = new StackFrame(this, level + out.length, regs, readMemory, prev, inlined, undefined, true);
      prev.caller = f;
      out.push(f);
      prev = f;
    }
    out.forEach((f, i) => { f.callerRegs = out[i + 1]?.unwind ?? callerRegs; });
    return out;
  }

  /** The frames one set of registers stands for: inlined calls innermost first, then the function. */
  private framesAt(regs: UnwindRegs, level: number, readMemory: ReadMemory, callee: StackFrame | undefined, skip = 0): StackFrame[] {
    const probe = new StackFrame(this, level, regs, readMemory, callee);
    const scope = probe.debug && probe.fn ? probe.debug.scopeAt(probe.lookupPc) : undefined;
    const all = scope ? scope.blocks.filter((b) => b.tag === TAG.inlined_subroutine) : [];
    const inlined = all.slice(Math.min(skip, all.length));
    // The call this frame's innermost shown function made: a hidden inlined call, if any.
    const hidden = skip > 0 ? all[Math.min(skip, all.length) - 1] : undefined;
    if (all.length === 0) {
      if (callee) callee.caller = probe;
      return [probe];
    }
    const out: StackFrame[] = [];
    let prev = callee;
    const shown = [...inlined, undefined];
    for (const [i, die] of shown.entries()) {
      const f = new StackFrame(this, level + out.length, regs, readMemory, prev, die, i > 0 ? shown[i - 1] : hidden);
      if (prev) prev.caller = f;
      out.push(f);
      prev = f;
    }
    return out;
  }
}

/** ptrace register set -> DWARF-numbered registers (0..16). */
export function dwarfRegs(regs: Registers): Map<number, bigint> {
  const m = new Map<number, bigint>();
  X86_64_DWARF_REGS.forEach((name, i) => m.set(i, regs[name]));
  return m;
}

export class StackFrame {
  readonly pc: bigint;
  readonly fn?: FunctionInfo;
  readonly debug?: DebugInfo;
  /** Registers of the caller, once unwound (used for entry values). */
  callerRegs?: UnwindRegs;
  /** The calling frame, when the backtrace went that far (entry values chain through it). */
  caller?: StackFrame;
  private fbCache?: Promise<bigint | undefined>;
  /** The FXSAVE area of the stop (src/target/fpregs.ts), when the target has one. */
  fpState?: () => Promise<Buffer | undefined>;

  constructor(
    readonly program: ProgramInfo,
    readonly level: number,
    readonly unwind: UnwindRegs,
    readonly readMemory: ReadMemory,
    /** The frame this one called (level - 1), if any. */
    readonly callee?: StackFrame,
    /** The DW_TAG_inlined_subroutine this frame stands for (an inlined call), if any. */
    readonly inlined?: Die,
    /** The inlined call this frame made at its pc (its callee is that inline frame). */
    readonly inlinedCallee?: Die,
    /** A tail-call frame (./tailcall.ts): a function that jumped to its callee, known from call sites alone. */
    readonly tailCall = false,
  ) {
    this.pc = unwind.pc;
    const hit = program.functionAt(this.lookupPc);
    this.fn = hit?.fn;
    this.debug = hit?.debug;
  }

  /** The DIE whose parameters this frame shows: the inlined subroutine or the function. */
  get functionDie(): Die | undefined {
    return this.inlined ?? this.fn?.die;
  }

  /** Lexical blocks visible in this frame, innermost first (an inlined call's own blocks excluded). */
  scopeBlocks(): Die[] {
    if (!this.fn || !this.debug) return [];
    const blocks = this.debug.scopeAt(this.lookupPc)?.blocks ?? [];
    let start = 0;
    if (this.inlinedCallee) start = blocks.indexOf(this.inlinedCallee) + 1;
    let end = blocks.length;
    if (this.inlined) end = blocks.indexOf(this.inlined) + 1;
    return blocks.slice(start, end);
  }

  /** pc used for symbol and line lookups: inside the call instruction for caller frames. */
  get lookupPc(): bigint {
    return this.unwind.exactPc ? this.pc : this.pc - 1n;
  }

  /** The function's name as gdb shows it (see gdbFunctionName). */
  get functionName(): string | undefined {
    const die = this.inlined ?? this.fn?.die;
    if (die) return gdbFunctionName(die) ?? this.fn?.name;
    return this.program.image.symbolAt(this.lookupPc)?.name;
  }

  /** Source line: of the pc, or for a frame that made an inlined call, the call's line. */
  get line(): SourceLine | undefined {
    if (this.inlinedCallee && this.debug) return this.debug.callSite(this.inlinedCallee, this.pc);
    return this.debug?.lineForAddress(this.lookupPc);
  }

  reg(n: number): bigint | undefined {
    if (n === DW_REG_RA) return this.pc;
    return this.unwind.regs.get(n);
  }

  /** CFA of this frame (its caller's stack pointer before the call). */
  async cfa(): Promise<bigint | undefined> {
    if (this.unwind.cfa === undefined) {
      const probe: UnwindRegs = { ...this.unwind, regs: new Map(this.unwind.regs) };
      try {
        await unwindStep(probe, this.readMemory, this.program.cfiAt);
      } catch (e) {
        this.program.reportDwarfError(e, this.pc);   // else an unreadable stack: no CFA, as gdb's <not saved>
        return undefined;
      }
      this.unwind.cfa = probe.cfa;
    }
    return this.unwind.cfa;
  }

  /** DW_AT_frame_base of the function, evaluated in this frame. */
  frameBase(): Promise<bigint | undefined> {
    if (!this.fbCache) {
      this.fbCache = (async () => {
        const die = this.fn?.die;
        const fb = die && this.locationExpr(die, AT.frame_base);
        if (!fb) return undefined;
        return evaluateValue(fb, this.exprContext(die.unit));
      })();
    }
    return this.fbCache;
  }

  /** The location expression of a DIE attribute valid at this frame's pc (exprloc or location list). */
  locationExpr(die: Die, at: number): Buffer | undefined {
    const block = die.block(at);
    if (block) return block;
    if (!die.has(at) || !this.debug) return undefined;
    const pc = this.lookupPc - this.debug.bias;
    for (const e of this.debug.locationList(die, at)) {
      if (e.low === undefined || (pc >= e.low && pc < e.high!)) return e.expr;
      // An empty range at the function's entry holds there only (gdb's dwarf2_find_location_expression).
      if (e.low === e.high && pc === e.low && pc === this.fn?.low) return e.expr;
    }
    return undefined;
  }

  /** An x87/SSE register's bytes (gdb's layout), or undefined when the target cannot say. */
  async fpRegister(name: string): Promise<Buffer | undefined> {
    const area = await this.fpState?.();
    if (!area || !isFpRegister(name)) return undefined;
    try {
      return readFpRegister(area, name);
    } catch {
      return undefined;   // $ymm0 without AVX
    }
  }

  exprContext(unit?: Die['unit']): ExprContext {
    return {
      readMemory: this.readMemory,
      reg: (n) => this.reg(n),
      regBytes: async (n) => {
        const name = fpRegisterOfDwarf(n);
        return name ? this.fpRegister(name) : undefined;
      },
      frameBase: () => this.frameBase(),
      cfa: () => this.cfa(),
      entryValue: (expr) => this.entryValue(expr),
      parameterRef: async (off) => (unit ? this.callSiteValue({ param: unit.offset + off }) : undefined),
      unit,
      bias: this.debug?.bias ?? 0n,
    };
  }

  /**
   * The value a parameter had on entry (`x@entry`), found the way gdb's
   * value_of_dwarf_reg_entry does: the parameter's location at the
   * function's entry must be a register, whose value the caller's call site
   * records. Inlined calls have no call site of their own.
   */
  async parameterEntryValue(param: Die): Promise<bigint | undefined> {
    if (!this.fn || !this.debug || this.inlined || !param.has(AT.location)) return undefined;
    const entryPc = this.fn.low;
    let expr = param.block(AT.location);
    if (!expr) {
      for (const e of this.debug.locationList(param)) {
        if (e.low === undefined || (entryPc >= e.low && entryPc < e.high!)) {
          expr = e.expr;
          break;
        }
      }
    }
    if (!expr || expr.length !== 1 || expr[0] < 0x50 || expr[0] > 0x6f) return undefined;
    return this.entryValue(expr);
  }

  /**
   * gdb only trusts a call site for entry values when it provably called this
   * function: its target is our entry point. gdb's read_call_site_scope takes
   * the target from DW_AT_call_origin only when that DIE is a declaration
   * (resolved by name to a symbol) or has code (its low pc); an origin that
   * is an abstract instance (a function also inlined elsewhere) gives no
   * target ("DW_AT_call_target is not specified"), so no entry value.
   * Otherwise DW_AT_call_target evaluates, in the caller, to the address;
   * indirect calls through clobbered registers give nothing, as in gdb.
   */
  private async isCallTarget(site: Die, caller: StackFrame): Promise<boolean> {
    const fn = this.fn!;
    const debug = this.debug;
    if (!debug) return false;
    const origin = site.ref(AT_CALL_ORIGIN) ?? site.ref(AT.abstract_origin);
    if (origin) {
      // A function of another image (`printf` called through the PLT, defined as `__printf`):
      // gdb resolves a declaration's name to the global symbol's address.
      if (!caller.debug) return false;
      const entry = originEntry(origin, caller.debug, (name) => this.program.functionSymbol(name));
      return entry !== undefined && entry === debug.entryOf(fn);
    }
    const target = site.block(AT_CALL_TARGET) ?? site.block(AT_GNU_CALL_SITE_TARGET);
    if (!target) return false;
    // (a target that needs registers the caller no longer has: not a tail call gdb can prove)
    const loc = await evaluateLocation(target, caller.exprContext(caller.fn!.die.unit))
      .catch((e: unknown) => { this.program.reportDwarfError(e, caller.pc); return undefined; });
    let addr: bigint | undefined;
    if (loc?.kind === 'memory') addr = loc.address;
    else if (loc?.kind === 'register') addr = caller.reg(loc.reg);
    else if (loc?.kind === 'value') addr = loc.value;
    return addr !== undefined && this.debug !== undefined && addr === this.debug.entryOf(fn);
  }

  /**
   * DW_OP_entry_value: the value a register had when this function was
   * entered, found like gdb does through the caller's DW_TAG_call_site whose
   * return address is our return address, and its DW_AT_call_value.
   */
  async entryValue(expr: Buffer): Promise<bigint | undefined> {
    // Only the simplest (and by far most common) form: DW_OP_regN.
    if (expr.length !== 1 || expr[0] < 0x50 || expr[0] > 0x6f) return undefined;
    return this.callSiteValue({ reg: expr[0] - 0x50 });
  }

  /**
   * The DW_AT_call_value the caller's call site gives for one of our
   * parameters, named by the register it arrives in or (DW_OP_GNU_parameter_ref,
   * a parameter an optimized clone no longer takes) by its DIE, which the call
   * site parameter's DW_AT_call_parameter names: gdb's
   * dwarf_expr_reg_to_entry_parameter.
   */
  async callSiteValue(which: { reg: number } | { param: number }): Promise<bigint | undefined> {
    // A frame made for a selected frame (or for a caller below) may not know its caller's
    // registers yet: they are unwound here, on demand. main has no caller (gdb's backtrace
    // past-main off: "DW_OP_entry_value resolving requires caller of ... (main)").
    if (!this.callerRegs && !this.inlined && this.fn?.name !== 'main') {
      // (an unreadable caller: no entry values, as gdb; CFI we cannot read is said)
      this.callerRegs = await unwindStep(this.unwind, this.readMemory, this.program.cfiAt)
        .catch((e: unknown) => { this.program.reportDwarfError(e, this.pc); return undefined; });
    }
    const callerRegs = this.callerRegs;
    if (!callerRegs) return undefined;
    // The caller's values may themselves be entry values (recursion): they chain through
    // the caller's own caller, so use the linked frame when the backtrace built one.
    const caller = this.caller ?? new StackFrame(this.program, this.level + 1, callerRegs, this.readMemory, this);
    caller.fpState ??= this.fpState;   // call values in xmm registers (same values as ours, as gdb unwinds them)
    if (!caller.fn || !caller.debug) return undefined;
    const ret = callerRegs.pc - caller.debug.bias;
    const site = findCallSite(caller.fn.die, ret);
    if (!site || !this.fn || !(await this.isCallTarget(site, caller))) return undefined;
    for (const p of site.children) {
      if (p.tag !== TAG.call_site_parameter && p.tag !== TAG.GNU_call_site_parameter) continue;
      if ('reg' in which) {
        const loc = p.block(AT.location);
        if (!loc || loc.length !== 1 || loc[0] !== 0x50 + which.reg) continue;
      } else if ((p.ref(AT_CALL_PARAMETER) ?? p.ref(AT.abstract_origin))?.offset !== which.param) continue;
      const value = p.block(0x7e /* call_value */) ?? p.block(0x2111 /* GNU_call_site_value */);
      if (!value) return undefined;
      return evaluateValue(value, caller.exprContext(caller.fn.die.unit));
    }
    return undefined;
  }
}

/** DW_AT_call_origin / call_target (DWARF 5) and their GNU forms. */
const AT_CALL_ORIGIN = 0x7f;
const AT_CALL_TARGET = 0x83;
const AT_CALL_PARAMETER = 0x80;
const AT_GNU_CALL_SITE_TARGET = 0x2113;

function findCallSite(fnDie: Die, ret: bigint): Die | undefined {
  const stack = [...fnDie.children];
  while (stack.length) {
    const d = stack.pop()!;
    if (d.tag === TAG.call_site || d.tag === TAG.GNU_call_site) {
      const pc = d.addr(0x7d /* call_return_pc */) ?? d.addr(AT.low_pc);
      if (pc === ret) return d;
    } else if (d.tag === TAG.lexical_block || d.tag === TAG.inlined_subroutine) pushAll(stack, d.children);
  }
  return undefined;
}

/**
 * A function's name as gdb shows it: for C its linkage name when it has one
 * (`__GI__IO_fflush`), else its name. (A mangled C++ name would need
 * demangling: those keep their DW_AT_name.)
 */
/**
 * A function's symbol as gdb prints it where it names the symbol itself
 * (`info breakpoints`): C++ functions demangled with their parameters,
 * `ns::S::get(int) const`; otherwise as gdbFunctionName.
 */
export function gdbPrintName(die: Die): string | undefined {
  const linkage = die.inherited((d) => d.str(AT.linkage_name));
  return (linkage ? demangle(linkage) : undefined) ?? gdbFunctionName(die);
}

/** ProgramDebug.symbolicName's rule, given the debug-info function at the symbol's address (also without a process). */
export function symbolicNameIn(hit: { fn: FunctionInfo; debug: DebugInfo } | undefined, loc: { symbol: { address: bigint; kind: string }; name: string }): string {
  if (loc.symbol.kind !== 'function') return loc.name;
  if (!hit || hit.fn.low + hit.debug.bias !== loc.symbol.address) return loc.name;
  return gdbFunctionName(hit.fn.die) ?? loc.name;
}

export function gdbFunctionName(die: Die): string | undefined {
  const linkage = die.inherited((d) => d.str(AT.linkage_name));
  return (linkage && !linkage.startsWith('_Z') ? linkage : undefined) ?? qualifiedName(die);
}

const FILE_PROGRAMS = new WeakMap<ElfFile, ProgramInfo>();
let EMPTY: ProgramInfo | undefined;

/** An image with no modules (ProgramInfo.empty): its `exe` has no ELF, so no symbols and no DWARF. */
function emptyImage(): ProcessImage {
  const image: Pick<ProcessImage, 'exe' | 'libraries' | 'modules' | 'symbolByName' | 'moduleAt' | 'symbolAt' | 'refresh'> = {
    exe: {} as LoadedModule,
    libraries: [],
    modules: [],
    symbolByName: () => undefined,
    moduleAt: () => undefined,
    symbolAt: () => undefined,
    refresh: async () => undefined,
  };
  return image as ProcessImage;
}

function fileOnlyImage(elf: ElfFile): ProcessImage {
  const exe = LoadedModule.fromElf(elf, elf.path, elf.firstLoadVaddr, elf.firstLoadVaddr + BigInt(elf.data.length), 0n);
  const image: Pick<ProcessImage, 'exe' | 'libraries' | 'modules' | 'symbolByName' | 'moduleAt' | 'symbolAt' | 'refresh'> = {
    exe,
    libraries: [],
    modules: [exe],
    symbolByName: (name: string) => {
      const sym = exe.symbols?.symbolByName(name);
      return sym ? { symbol: sym, module: exe } : undefined;
    },
    moduleAt: (addr: bigint) => (exe.contains(addr) ? exe : undefined),
    symbolAt: (addr: bigint) => {
      const loc = exe.symbols?.symbolAt(addr);
      return loc ? { ...loc, module: exe } : undefined;
    },
    refresh: async () => undefined,
  };
  return image as ProcessImage;
}
