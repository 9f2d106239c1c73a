/**
 * One frame of a backtrace: its pc and unwound registers, the function (or
 * inlined call) it is in, its frame base and CFA, and the expression
 * context its variables are read in, entry values through the caller's
 * call sites included.
 */
import { originEntry } from './tailcall.js';
import { gdbFunctionName } from './names.js';
import { isFpRegister, readFpRegister } from '../target/fpregs.js';
import { fpRegisterOfDwarf } from './regtypes.js';
import { AT, TAG, DW_REG_RA } from './constants.js';
import type { DebugInfo, FunctionInfo, SourceLine } from './debuginfo.js';
import { unwindStep, type UnwindRegs } from './frame.js';
import { evaluateLocation, evaluateValue, type ExprContext } from './expr.js';
import type { Die } from './info.js';
import { pushAll } from '../arrays.js';
import type { ProgramInfo, ReadMemory } from './program.js';

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
    // An inlined call in an outer frame: gdb takes the call site at its own return address in
    // the frame that holds it (same registers), as its get_prev_frame is that frame.
    if (this.inlined && !this.unwind.exactPc && !this.tailCall && this.caller && !this.caller.tailCall) {
      return this.callSiteValueIn(this.caller, this.pc, which);
    }
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
    return this.callSiteValueIn(caller, callerRegs.pc, which);
  }

  /** The call_value for one of our parameters at the call site of `caller` that returns to `returnPc`. */
  private async callSiteValueIn(caller: StackFrame, returnPc: bigint, which: { reg: number } | { param: number }): Promise<bigint | undefined> {
    if (!caller.fn || !caller.debug) return undefined;
    const ret = returnPc - caller.debug.bias;
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
