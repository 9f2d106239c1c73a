/**
 * Source-level stepping as gdb 13 does it, so that `step`, `next`, `stepi`,
 * `nexti` and `finish` out of an inlined call stop where gdb stops and are
 * reported as gdb reports them, at -O0 and on optimized code alike.
 *
 * The model is infrun.c's: a step has a pc range (the current line's
 * [start, end) from the line table), the frame it steps in (gdb's
 * step_frame_id) and the line it steps away from. Instructions are stepped
 * one by one while the pc stays in the range; a call is stepped over (`next`)
 * or into (`step`, when the callee has line info: stopping past its
 * prologue); outside the range process_event_stop_test decides: an inlined
 * call entered at its start is hidden (the stop shows its call site),
 * `step` stops there and `next` runs through it; a new line reached at its
 * start stops the step; the middle of a line (or a non-statement row) makes
 * that line the range and stepping goes on.
 */
import type { Registers } from '../target/types.js';
import type { StackFrame } from '../dwarf/index.js';
import { analyzePrologue } from '../dwarf/debuginfo.js';
import { disassemble } from './disasm.js';
import type { DebugBridge } from './debug.js';
import { expected } from '../debugger/errors.js';

/** A temporary breakpoint; `spAbove`: only when the stack pointer is above it (the frame returned). */
export interface StepStop {
  addr: bigint;
  spAbove?: bigint;
}

/** What the stepping code needs from the session. */
export interface StepHost {
  readonly debug: DebugBridge;
  regs(): Promise<Registers>;
  readCode(addr: bigint, len: number): Promise<Buffer>;
  /** One instruction; false when something else stopped the program (already reported). */
  stepInstruction(): Promise<boolean>;
  /** Run to a temporary breakpoint; false when something else stopped the program (already reported). */
  runTo(stop: StepStop): Promise<boolean>;
}

/**
 * How a step ended: `stopped` (to report; `srcLine`: only the source line, as
 * gdb prints when the step stayed in the frame and function it started in),
 * `other` (another event stopped the program and was reported), `nolines`
 * (nothing done: the pc has no line info).
 */
export type StepEnd = { kind: 'stopped'; srcLine: boolean } | { kind: 'other' } | { kind: 'nolines' };


const OTHER: StepEnd = { kind: 'other' };
const FRAMES = 16;

export class SourceStepper {
  private stepFrame = '';
  private line = 0;
  private path: string | undefined;
  /** Entry of the real function the command started in (gdb's step_start_function). */
  private startFn: bigint | undefined;

  constructor(private readonly host: StepHost) {}

  private get debug(): DebugBridge {
    return this.host.debug;
  }

  /** One `step` (over=false) or `next` (over=true). */
  async sourceLine(over: boolean): Promise<StepEnd> {
    const pc = (await this.host.regs()).rip;
    const hidden = this.debug.inlineSkipAt(pc);
    // `step` at a hidden inlined call enters it without running (gdb: like `down`).
    if (!over && hidden > 0) {
      this.debug.setInlineSkip(pc, hidden - 1);
      return { kind: 'stopped', srcLine: false };
    }
    const frames = await this.debug.frameList(FRAMES);
    const sal = this.debug.lineForAddress(pc);
    if (!sal || !frames[0]?.fn) return { kind: 'nolines' };
    await this.setStepFrame(frames);
    let end = sal.end;
    if (over && hidden > 0) {
      // `next` at a hidden inlined call: the range ends with the call's code at the latest.
      const outer = this.debug.inlineCallsStartingAt(pc)[hidden - 1];
      const callEnd = outer && frames[0].debug ? frames[0].debug.blockEnd(outer) : end;
      if (callEnd < end) end = callEnd;
    }
    return this.steps(over, [sal.address, end]);
  }

  /**
   * `until` without argument (gdb's until_next_command): `next`, but the
   * range starts at the function's entry, so a jump back (a loop) does not
   * stop it; it ends past trailing non-statement rows of the line.
   */
  async until1(): Promise<StepEnd> {
    const pc = (await this.host.regs()).rip;
    const frames = await this.debug.frameList(FRAMES);
    const f0 = frames[0];
    const sal = this.debug.lineForAddress(pc);
    const entry = f0 && realEntry(f0);
    if (!sal || entry === undefined) return { kind: 'nolines' };
    await this.setStepFrame(frames);
    let end = sal.end;
    for (let next = this.debug.lineForAddress(end); next && next.line === sal.line && next.path === sal.path && !next.isStmt;
      next = this.debug.lineForAddress(end)) end = next.end;
    return this.steps(true, [entry, end]);
  }

  /**
   * `step`/`next` in a function without line info (gdb: "Single stepping
   * until exit from function..."): the range is the whole function, so the
   * step ends in the first code with lines it reaches — the function a PLT
   * stub jumps to, or the caller's next line.
   */
  async throughFunction(over: boolean, start: bigint, end: bigint): Promise<StepEnd> {
    await this.setStepFrame(await this.debug.frameList(FRAMES));
    return this.steps(over, [start, end]);
  }

  /** `finish` out of the inlined call shown as frame `level`: step in its caller until out of it. */
  async finishInline(level: number): Promise<StepEnd> {
    const frames = await this.debug.frameList(level + FRAMES);
    const caller = frames[level + 1];
    if (!caller) return { kind: 'nolines' };
    const ids = await frameIds(frames, level + 1);
    this.stepFrame = ids.id;
    this.line = 0;
    this.path = undefined;
    this.startFn = undefined;
    const pc = (await this.host.regs()).rip;
    return this.steps(true, [pc, pc]);
  }

  /** One `stepi`/`nexti`: inlined calls starting at the new pc are shown (gdb does not hide them then). */
  async instruction(over: boolean): Promise<StepEnd> {
    await this.setStepFrame(await this.debug.frameList(FRAMES));
    const regs = await this.host.regs();
    const insn = await this.decode(regs.rip);
    if (over && insn?.isCall) {
      if (!(await this.host.runTo({ addr: regs.rip + BigInt(insn.length), spAbove: regs.rsp - 8n }))) return OTHER;
    } else if (!(await this.host.stepInstruction())) {
      return OTHER;
    }
    return this.stopped();
  }

  /** gdb's set_step_frame: the frame, line and function a command steps from. */
  private async setStepFrame(frames: StackFrame[]): Promise<void> {
    const f0 = frames[0];
    if (!f0) return;
    const ids = await frameIds(frames, 0);
    this.stepFrame = ids.id;
    const line = f0.line;
    this.line = line?.line ?? 0;
    this.path = line?.path;
    this.startFn = realEntry(f0);
  }

  /** The stepping loop: infrun.c's process_event_stop_test after each instruction. */
  private async steps(over: boolean, range: [bigint, bigint]): Promise<StepEnd> {
    /** Where the call into a lazily bound PLT entry returns, while `step` follows it through the resolver. */
    let resolving: StepStop | undefined;
    for (;;) {
      const before = await this.host.regs();
      const insn = await this.decode(before.rip);
      if (!(await this.host.stepInstruction())) return OTHER;
      let now = await this.host.regs();
      // `step` goes through the dynamic linker resolving a PLT entry (gdb's in_solib_dynsym_resolve_code).
      // (A call into a PLT stub from the program is a call like others: see functionBody.)
      if (!over && this.inSymbolResolver(now.rip) && (!insn?.isCall || this.inSymbolResolver(before.rip))) {
        const end = await this.throughResolver(resolving);
        if (end) return end;
        resolving = undefined;
        now = await this.host.regs();
      } else if (insn?.isCall && now.rsp === before.rsp - 8n) {
        // Stepped into a subroutine.
        const ret = { addr: before.rip + BigInt(insn.length), spAbove: before.rsp - 8n };
        if (!over) {
          const body = await this.functionBody(now.rip);
          if (body === 'lazy') {
            // A PLT entry not bound yet: on through the dynamic linker to the function it binds.
            resolving = ret;
            continue;
          }
          if (body !== undefined) {
            if (body !== now.rip && !(await this.host.runTo({ addr: body }))) return OTHER;
            this.hideInlineCalls((await this.host.regs()).rip);
            return this.stopped();
          }
        }
        if (!(await this.host.runTo(ret))) return OTHER;
        now = await this.host.regs();
      }
      const verdict = await this.atStop(over, now.rip, range);
      if (verdict !== 'step') return verdict;
    }
  }

  /**
   * In the PLT or the dynamic linker after one instruction: step on, over
   * the calls the resolver makes (_dl_fixup, which runs the IFUNC resolver),
   * until the pc leaves them. Then, when `step` called a lazily bound
   * function (`resolving`: the call's return), stop past the prologue of the
   * function it reached, or, without line info there, return to the caller.
   * Undefined: go on deciding at the new pc.
   */
  private async throughResolver(resolving: StepStop | undefined): Promise<StepEnd | undefined> {
    for (;;) {
      const before = await this.host.regs();
      if (!this.inSymbolResolver(before.rip)) break;
      const insn = await this.decode(before.rip);
      if (!(await this.host.stepInstruction())) return OTHER;
      const now = await this.host.regs();
      if (insn?.isCall && now.rsp === before.rsp - 8n
        && !(await this.host.runTo({ addr: before.rip + BigInt(insn.length), spAbove: before.rsp - 8n }))) return OTHER;
    }
    if (!resolving) return undefined;
    const pc = (await this.host.regs()).rip;
    const body = await this.functionBody(pc);
    if (body !== undefined && body !== 'lazy') {
      if (body !== pc && !(await this.host.runTo({ addr: body }))) return OTHER;
      this.hideInlineCalls((await this.host.regs()).rip);
      return this.stopped();
    }
    if (!(await this.host.runTo(resolving))) return OTHER;
    return undefined;
  }

  /** Decide at a stop: go on stepping or end the step. */
  private async atStop(over: boolean, pc: bigint, range: [bigint, bigint]): Promise<'step' | StepEnd> {
    const hidden = this.hideInlineCalls(pc);
    if (pc >= range[0] && pc < range[1]) return 'step';
    const sal = this.debug.lineForAddress(pc);
    const frames = await this.debug.frameList(FRAMES);
    const f0 = frames[0];
    // No line info here (a jump to a PLT stub, a return into code without DWARF): gdb stops.
    if (!sal || !f0) return this.stopped();
    const ids = await frameIds(frames, 0);
    // Inlined calls starting here, made by the frame we step in: stop at the call site unless
    // it is on the line we step from, where `step` enters the call and `next` goes through it.
    if (ids.id === this.stepFrame && hidden > 0) {
      const call = f0.line;
      const sameLine = call !== undefined && call.line === this.line && call.path === this.path;
      if (!over) {
        if (sameLine) this.debug.setInlineSkip(pc, hidden - 1);
        return this.stopped();
      }
      return sameLine ? 'step' : this.stopped();
    }
    // Deeper in an inlined call made by the frame we step in: `next` goes through it.
    if (f0.inlined && ids.id !== this.stepFrame && (await steppedInFrom(frames, this.stepFrame))) {
      return over ? 'step' : this.stopped();
    }
    let refresh = true;
    let line = sal.line;
    if (pc === sal.address && (sal.line !== this.line || sal.path !== this.path)) {
      if (sal.isStmt) return this.stopped();
      // Not a statement: ignore this row, but note a change of frame.
      if (ids.id === this.stepFrame) refresh = false;
      else line = 0;
    }
    // The middle of a line (or a row to ignore): step through that line.
    range[0] = sal.address;
    range[1] = sal.end;
    if (refresh) {
      this.stepFrame = ids.id;
      this.line = line;
      this.path = sal.path;
    }
    return 'step';
  }

  /** gdb's skip_inline_frames at a stop: hide the inlined calls that start at pc. */
  private hideInlineCalls(pc: bigint): number {
    const n = this.debug.inlineCallsStartingAt(pc).length;
    this.debug.setInlineSkip(pc, n);
    return n;
  }

  /** The end of a step: report the source line alone when still in the frame and function it started in. */
  private async stopped(): Promise<StepEnd> {
    // (no registers or stack: the step ended where no frame is known; DWARF errors are said by the backtrace)
    const frames = await this.debug.frameList(FRAMES).catch(expected([]));
    const f0 = frames[0];
    if (!f0) return { kind: 'stopped', srcLine: false };
    const ids = await frameIds(frames, 0);
    return { kind: 'stopped', srcLine: ids.id === this.stepFrame && realEntry(f0) === this.startFn };
  }

  /**
   * Where `step` stops in a function it called (handle_step_into_function):
   * past `push %rbp; mov %rsp,%rbp`, and to the end of that line when the
   * prologue ends mid-line. A PLT stub leads to the function its GOT slot
   * holds (gdb's find_solib_trampoline_target), the IFUNC's choice
   * (__strcmp_evex) once bound; 'lazy' when the slot still leads to the
   * dynamic linker. Undefined when the function has no line info (then
   * `step` steps over it).
   */
  private async functionBody(pc: bigint): Promise<bigint | 'lazy' | undefined> {
    const program = this.debug.program;
    let target = pc;
    if (this.inSymbolResolver(pc)) {
      const slot = await this.pltTarget(pc);
      if (slot === undefined) return undefined;
      if (this.inSymbolResolver(slot)) return 'lazy';
      target = slot;
    }
    const hit = program?.functionAt(target);
    if (!hit) return undefined;
    const entry = hit.debug.entryOf(hit.fn);
    if (!this.debug.lineForAddress(entry)) return undefined;
    let start = entry + BigInt(analyzePrologue(await this.host.readCode(entry, 16)));
    const sal = this.debug.lineForAddress(start);
    const fnEnd = hit.fn.high + hit.debug.bias;
    if (sal && sal.address !== start && sal.end < fnEnd) start = sal.end;
    return start;
  }

  /** What a PLT stub jumps to: the contents of the GOT slot of its `jmp *slot(%rip)`. */
  private async pltTarget(stub: bigint): Promise<bigint | undefined> {
    // (unreadable stub code: not a PLT jump we can follow)
    const code = await this.host.readCode(stub, 16).catch(expected(undefined));
    if (!code) return undefined;
    for (let i = 0; i + 6 <= code.length; i++) {
      if (code[i] !== 0xff || code[i + 1] !== 0x25) continue;
      const slot = stub + BigInt(i + 6) + BigInt(code.readInt32LE(i + 2));
      // (an unreadable GOT slot: no target known)
      const value = await this.host.readCode(slot, 8).catch(expected(undefined));
      return value?.readBigUInt64LE(0);
    }
    return undefined;
  }

  /** A PLT section or the dynamic linker: where a lazily bound call goes before reaching its function. */
  private inSymbolResolver(pc: bigint): boolean {
    const m = this.debug.program?.image.moduleAt(pc);
    if (!m) return false;
    if (/\/ld-linux[^/]*\.so[^/]*$/.test(m.path)) return true;
    const elf = m.elf;
    return ['.plt', '.plt.sec', '.plt.got'].some((name) => {
      const sec = elf?.section(name);
      return sec !== undefined && pc >= sec.addr + m.bias && pc < sec.addr + m.bias + BigInt(sec.size);
    });
  }

  private async decode(pc: bigint) {
    const [insn] = disassemble(await this.host.readCode(pc, 16), pc, () => undefined, 1);
    return insn;
  }
}

/** Entry of the real function of a frame (gdb's find_pc_function), or undefined without DWARF. */
function realEntry(f: StackFrame): bigint | undefined {
  return f.fn && f.debug ? f.debug.entryOf(f.fn) : undefined;
}

/**
 * gdb's frame_id of frames[i]: the CFA and function entry of its real frame,
 * plus, for an inlined call, the call's entry and how deep it sits in it.
 */
async function frameIds(frames: StackFrame[], i: number): Promise<{ id: string }> {
  const f = frames[i]!;
  let r = i;
  while (frames[r]?.inlined && r + 1 < frames.length) r++;
  const real = frames[r]!;
  // (no CFA: the frame is identified by its stack pointer)
  const cfa = (await f.cfa().catch(expected(undefined))) ?? f.unwind.regs.get(7) ?? 0n;
  const code = realEntry(real)?.toString(16) ?? `?${real.functionName ?? ''}`;
  const real0 = `${cfa.toString(16)}:${code}`;
  if (!f.inlined || !f.debug) return { id: real0 };
  return { id: `${real0}:${f.debug.blockEntry(f.inlined).toString(16)}:${r - i}` };
}

/** gdb's stepped_in_from: a caller of frames[0], through inlined frames only, is the stepping frame. */
async function steppedInFrom(frames: StackFrame[], stepFrame: string): Promise<boolean> {
  for (let i = 1; i < frames.length; i++) {
    if ((await frameIds(frames, i)).id === stepFrame) return true;
    if (!frames[i]!.inlined) break;
  }
  return false;
}
