/** Session's stepping: stepi/nexti, step/next, finish, until/advance. */
import { readReturnRegs } from '../../dwarf/abi.js';
import { CommandError } from '../parse.js';
import { type Value } from '../expr.js';
import { disassemble } from '../disasm.js';
import { expected } from '../../debugger/errors.js';
import { type Frame } from '../unwind.js';
import { DebugBridge } from '../debug.js';
import { stripWrapHints } from '../../dwarf/wrap.js';
import { SourceStepper, type StepEnd } from '../step.js';
import type { Session } from '../session.js';
import { type InternalStop } from './types.js';
import { resolveLocations } from './breakpoints.js';
import { watchScopeExit } from './watchpoints.js';
import { frameLine, hitBreakpoints, resumeAndReport } from './stop.js';
import { frameTextAt } from './stack.js';

export async function cmdStepi(s: Session, count: number, over: boolean): Promise<void> {
  s.live();
  const stepper = s.stepper();
  for (let i = 0; i < count; i++) {
    const end = stepper ? await stepper.instruction(over) : await instructionWithoutDwarf(s, over);
    if (end.kind === 'other') return;
    if (i === count - 1) s.out(await stepStopLine(s, end.kind === 'stopped' && end.srcLine));
  }
}

/** stepi/nexti without DWARF (no program info yet): one instruction, a call stepped over for nexti. */
export async function instructionWithoutDwarf(s: Session, over: boolean): Promise<StepEnd> {
  const regs = await s.regs();
  const [insn] = disassemble(await s.readUpTo(regs.rip, 16), regs.rip, () => undefined, 1);
  if (over && insn?.isCall) {
    const outcome = await resumeAndReport(s, { kind: 'internal', stops: [{ addr: regs.rip + BigInt(insn.length), spAbove: regs.rsp - 8n }] });
    return outcome === 'internal' ? { kind: 'stopped', srcLine: false } : { kind: 'other' };
  }
  return (await stepiOnce(s)) ? { kind: 'stopped', srcLine: false } : { kind: 'other' };
}

/** One instruction, unreported; false when something else stopped the program (reported). */
export async function stepiOnce(s: Session): Promise<boolean> {
  const ev = await s.resume(true);
  if (ev.reason.kind === 'step') {
    // Stepping onto a user breakpoint hits it, as in gdb (bpstat_stop_status at the new pc).
    if (!(await hitBreakpoints(s, ev.reason.pc)).length && !(await watchScopeExit(s, ev.reason.pc))) return true;
    await s.reportStop({ ...ev, reason: { kind: 'breakpoint', pc: ev.reason.pc } }, 'stopped');
    return false;
  }
  const outcome = await s.classify(ev, []);
  await s.reportStop(ev, outcome);
  return false;
}

/** The source-level stepper (src/commands/step.ts) over this session, once the process's images are known. */
export function stepper(s: Session): SourceStepper | undefined {
  const debug = s.debug;
  if (!debug?.program) return undefined;
  return new SourceStepper({
    debug,
    regs: () => s.regs(),
    readCode: (addr, len) => s.readUpTo(addr, len),
    stepInstruction: () => stepiOnce(s),
    runTo: async (stop) => (await resumeAndReport(s, { kind: 'internal', stops: [stop] })) === 'internal',
  });
}

/**
 * How a step's stop is reported (gdb's print_stop_event): the source line
 * alone (`srcLine`, with the pc in front mid-line) or the frame line and the
 * source line; without DWARF at the pc `0x... in f ()`.
 */
export async function stepStopLine(s: Session, srcLine: boolean): Promise<string> {
  const d = await s.debug?.describeStep(srcLine).catch(expected(undefined));
  if (!d) return frameLine(s, (await s.regs()).rip, true);
  s.lastFunction = d.fn;
  const displays = await s.source.afterStop().catch(expected(undefined));
  return displays ? `${d.text}\n${displays}` : d.text;
}

/** step/next: by source lines with DWARF (src/commands/step.ts); without line info like gdb, run until the function returns. */
export async function cmdStep(s: Session, count: number, over: boolean): Promise<void> {
  s.live();
  const stepper = s.stepper();
  let srcLine = false;
  for (let i = 0; i < count; i++) {
    const end = stepper && s.debug?.lineAt((await s.regs()).rip) ? await stepper.sourceLine(over) : { kind: 'nolines' as const };
    if (end.kind === 'other') return;
    if (end.kind === 'nolines') {
      const pc = (await s.regs()).rip;
      s.out(`Single stepping until exit from function ${s.funcName(pc)},\nwhich has no line number information.`);
      const fn = s.image?.symbolAt(pc)?.symbol;
      if (stepper && fn && fn.size > 0n) {
        const through = await stepper.throughFunction(over, fn.address, fn.address + fn.size);
        if (through.kind !== 'stopped') return;
        srcLine = through.srcLine;
        continue;
      }
      if (!(await runToReturn(s, false, true))) return;   // the stop is reported once, below
      srcLine = false;
      continue;
    }
    srcLine = end.srcLine;
  }
  s.out(await stepStopLine(s, srcLine));
}

/** Run until the selected frame returns to its caller; false if something else stopped us. */
export async function runToReturn(s: Session, announce: boolean, quiet = false): Promise<boolean> {
  const sel = s.store.state.selectedFrame;
  // `finish` out of main is refused like gdb; `step` out of it is allowed.
  const ret = await s.returnOf(sel, !announce);
  if (!ret) throw new CommandError('"finish" not meaningful in the outermost frame.');
  const noReturn = announce && s.fromTty ? s.debug?.noReturnFunction(sel === 0 ? ret.frame.pc : ret.frame.pc - 1n) : undefined;
  if (noReturn && !(await s.confirm(`warning: Function ${noReturn} does not return normally.\nTry to finish anyway? (y or n)`))) throw new CommandError('Not confirmed.');
  if (announce) s.chatter(`Run till exit from ${await frameTextAt(s, sel, ret.frame)}`);
  const outcome = await resumeAndReport(s, { kind: 'internal', stops: [{ addr: ret.pc, spAbove: ret.cfa - 8n }] });
  if (outcome !== 'internal') return false;
  // Inlined calls that start at the return address are hidden, as at any stop of gdb's but a stepi.
  s.debug?.setInlineSkip(ret.pc, s.debug.inlineCallsStartingAt(ret.pc).length);
  if (!quiet) {
    s.lastFunction = undefined;   // a new function: gdb prints the whole frame line
    s.out(await frameLine(s, ret.pc, true));
  }
  return true;
}

/**
 * Where frame `level` returns to and its CFA: from the CFI unwinder of the
 * DWARF layer when it reaches that far (optimized code keeps no frame
 * pointer), else from the session's unwinder (which also goes past main).
 */
export async function returnOf(s: Session, level: number, pastMain: boolean): Promise<{ pc: bigint; cfa: bigint; frame: Frame } | undefined> {
  const frames = await s.frames(level + 2, pastMain);
  const dwarf = await s.debug?.frameList(level + 10).catch(expected([])) ?? [];
  const cfa = await dwarf[level]?.cfa().catch(expected(undefined));
  // (a tail-call frame never gets control back: the return is to the frame above it)
  const back = dwarf.findIndex((f, i) => i > level && !f.tailCall);
  if (back > 0 && cfa !== undefined) {
    return { pc: dwarf[back]!.pc, cfa, frame: frames[level] ?? { level, pc: dwarf[level]!.pc, sp: cfa, cfa } };
  }
  if (pastMain && dwarf[level] && cfa !== undefined) {
    // main (the backtrace ends there): its CFI still says where it returns, the word below its CFA
    const ra = (await s.readMemory(cfa - 8n, 8).catch(expected(undefined)))?.readBigUInt64LE(0);
    if (ra) return { pc: ra, cfa, frame: frames[level] ?? { level, pc: dwarf[level]!.pc, sp: cfa, cfa } };
  }
  const caller = frames[level + 1];
  if (!caller) return undefined;
  return { pc: caller.pc, cfa: frames[level]!.cfa ?? frames[level]!.sp, frame: frames[level]! };
}

export async function cmdFinish(s: Session): Promise<void> {
  s.live();
  if (await s.finishInline()) return;
  const sel = s.store.state.selectedFrame;
  const frames = await s.debug?.frameList(sel + 1).catch(expected([])) ?? [];
  const fnPc = frames[sel]?.pc ?? (await s.frames(sel + 1))[sel]?.pc ?? (await s.regs()).rip;
  if (!(await runToReturn(s, true))) return;
  s.publisher.detail = { reason: 'finish', breakpoints: [], watch: [] };
  const rax = (await s.regs()).rax;
  const typed = await s.debug?.returnValue(fnPc, await readReturnRegs(s.live(), await s.regs()));
  if (typed === 'void') return;
  if (typed) {
    s.history.push(typed);
    // gdb formats it into a string first (print_return_value_1): no wrap points, a long line is left to the terminal
    s.out(`Value returned is $${s.history.length} = ${stripWrapHints(await DebugBridge.format(typed, undefined))}`);
    return;
  }
  // No debug info: gdb cannot know the type; tsdbg shows rax as a long.
  const v: Value = { type: { kind: 'int', size: 8, signed: true, name: 'long' }, value: BigInt.asIntN(64, rax) };
  const value = s.evalBridge().valueOf(v);
  s.history.push(value);
  s.out(`Value returned is $${s.history.length} = ${stripWrapHints(await DebugBridge.format(value, undefined))}`);
}

/**
 * `finish` in an inlined call (gdb's finish_command): no return to wait
 * for, so step in the caller, over the rest of the call, until a new line
 * of the caller begins. Nothing is returned. False if the frame is not inlined.
 */
export async function finishInline(s: Session): Promise<boolean> {
  const sel = s.store.state.selectedFrame;
  const bt = await s.debug?.backtrace(sel + 2).catch(expected(undefined));
  const stepper = s.stepper();
  if (!bt?.frames[sel]?.inlined || bt.frames[sel]!.tailCall || !bt.frames[sel + 1] || !stepper) return false;
  s.chatter(`Run till exit from ${bt.lines[sel]}`);
  const end = await stepper.finishInline(sel);
  if (end.kind !== 'other') s.out(await stepStopLine(s, end.kind === 'stopped' && end.srcLine));
  return true;
}

export async function cmdUntil(s: Session, location: string | undefined, advance: boolean): Promise<void> {
  s.live();
  if (!location) {
    // Like `next`, without going back into a loop (src/commands/step.ts).
    const end = await stepper(s)?.until1();
    if (!end || end.kind === 'nolines') await untilWithoutLines(s);
    else if (end.kind === 'stopped') s.out(await stepStopLine(s, end.srcLine));
    return;
  }
  const addrs = await resolveLocations(s, location);
  // gdb's until_break_command: `until` stops at LOCATION only in the selected frame, `advance`
  // anywhere; both where that frame returns to (past main too).
  const sel = s.store.state.selectedFrame;
  const here = (await s.frames(sel + 1))[sel];
  // where the function returns (gdb's frame_unwind_caller_id: past the calls inlined at the pc)
  const dwarf = await s.debug?.frameList(sel + 16).catch(expected([])) ?? [];
  let real = sel;
  while (dwarf[real]?.inlined && dwarf[real + 1]) real++;
  const ret = await s.returnOf(real, true);
  const stops: InternalStop[] = addrs.map((addr) => ({ addr, cfa: advance ? undefined : here?.cfa }));
  if (ret) stops.push({ addr: ret.pc, spAbove: ret.cfa - 8n });
  const outcome = await resumeAndReport(s, { kind: 'internal', stops });
  // not the end of a step: the frame line and the source line (print_stop_event's SRC_AND_LOC)
  if (outcome === 'internal') s.out(await stepStopLine(s, false));
}

/**
 * `until` where the pc has no line (gdb's until_next_command without a
 * symtab): instructions, calls stepped over, while the pc stays between the
 * function's start and where it was; a jump back (a loop) keeps going.
 */
async function untilWithoutLines(s: Session): Promise<void> {
  const from = (await s.regs()).rip;
  const start = s.functionStart(from);
  if (start === undefined) throw new CommandError('Execution is not within a known function.');
  for (;;) {
    const end = await instructionWithoutDwarf(s, true);
    if (end.kind !== 'stopped') return;
    const pc = (await s.regs()).rip;
    if (pc < start || pc > from) break;
    await s.checkQuit();
  }
  s.out(await stepStopLine(s, false));
}
