/**
 * gdb's `info frame` (stack.c, info_frame_command_core) for the frames of
 * the DWARF layer's backtrace, inlined calls included:
 *
 *   Stack level 1, frame at 0x7fffffffe5e0:
 *    rip = 0x555555555308 in main (linked_list.c:58); saved rip = 0x7ffff7dfb24a
 *    caller of frame at 0x7fffffffe5b0
 *    source language c.
 *    Arglist at 0x7fffffffe5d0, args:
 *    Locals at 0x7fffffffe5d0, Previous frame's sp is 0x7fffffffe5e0
 *    Saved registers:
 *     rbp at 0x7fffffffe5d0, rip at 0x7fffffffe5d8
 *
 * Where each number comes from, as in gdb 13 on amd64:
 * - "frame at" is the frame id's stack address: the CFA of the real frame
 *   (an inlined call shares the one of the function it was inlined into);
 *   0 for the outermost frame, whose CFI leaves the return address undefined.
 * - "saved rip" is the return address of the real frame, even for main,
 *   whose caller the backtrace does not show.
 * - "Arglist at"/"Locals at" are amd64's frame base (amd64_frame_cache): %rbp
 *   once the prologue's `push %rbp; mov %rsp,%rbp` has run, else %rsp plus
 *   what the prologue pushed so far, minus 8. Inlined calls have none.
 * - "Previous frame's sp" and "Saved registers" are the frame's unwound
 *   registers: the CFA and the registers its CFI row saves in memory. An
 *   inlined call's registers are those of the frame it called (none when
 *   that is the innermost frame: its sp is then still "in rsp").
 * gdb's wrap points (before each argument and saved register) are marked for a terminal's width.
 */
import { frameLayout, unwindStep, type StackFrame } from '../dwarf/index.js';
import { AT } from '../dwarf/constants.js';
import { wrapHint } from '../dwarf/wrap.js';
import { hexWord } from '../util/hex.js';
import { expected } from '../debugger/errors.js';

export interface InfoFrameIo {
  /** The frame's arguments as gdb's frame lines print them: `a=1, b=2`. */
  args(f: StackFrame): Promise<string>;
}

/** amd64 registers that can be saved in a frame, in gdb's register order: [DWARF number, name]. */
const SAVED_ORDER: Array<[number, string]> = [
  [0, 'rax'], [3, 'rbx'], [2, 'rcx'], [1, 'rdx'], [4, 'rsi'], [5, 'rdi'], [6, 'rbp'],
  [8, 'r8'], [9, 'r9'], [10, 'r10'], [11, 'r11'], [12, 'r12'], [13, 'r13'], [14, 'r14'], [15, 'r15'],
  [16, 'rip'],
  ...Array.from({ length: 16 }, (_, i): [number, string] => [17 + i, `xmm${i}`]),
];

const DW_REG_RBP = 6;
const DW_REG_RSP = 7;
const DW_REG_RA = 16;

/** gdb's language_str for a compilation unit's DW_AT_language. */
const LANGUAGES = new Map<number, string>([
  [0x01, 'c'], [0x02, 'c'], [0x0c, 'c'], [0x1d, 'c'], [0x2c, 'c'],
  [0x04, 'c++'], [0x19, 'c++'], [0x1a, 'c++'], [0x21, 'c++'], [0x2a, 'c++'], [0x2b, 'c++'],
  [0x03, 'ada'], [0x0d, 'ada'], [0x2e, 'ada'],
  [0x07, 'fortran'], [0x08, 'fortran'], [0x0e, 'fortran'], [0x22, 'fortran'], [0x23, 'fortran'],
  [0x09, 'pascal'], [0x0a, 'modula-2'], [0x10, 'objective-c'],
  [0x13, 'd'], [0x15, 'opencl'], [0x16, 'go'], [0x1c, 'rust'],
  [0x8001, 'asm'],
]);


/**
 * The lines of `info frame` for frames[level]. `frames` runs from frame 0
 * to at least level + 1 when the stack goes on. `selected`: the frame is
 * the selected one ("Stack level N, frame at"), else it was named by the
 * command's argument ("Stack frame at").
 */
export async function infoFrameLines(frames: StackFrame[], level: number, selected: boolean, io: InfoFrameIo): Promise<string[]> {
  const f = frames[level]!;
  const caller = frames[level + 1];
  const callee = level > 0 ? frames[level - 1] : undefined;
  const layoutOf = layoutCache();
  const own = await layoutOf(f);
  const lines = [`${selected ? `Stack level ${level}, frame` : 'Stack frame'} at ${hexWord(idOf(f, own))}:`,
    ` rip = ${hexWord(f.pc)}${pcWhere(f)}; ${wrapHint(4)}saved rip = ${await savedPc(frames, level, own, layoutOf)}`];
  lines.push(...await linkLines(f, caller, callee, own, layoutOf));
  const language = f.line && f.fn ? LANGUAGES.get(f.fn.unit.root.num(AT.language) ?? -1) ?? 'minimal' : undefined;
  if (language) lines.push(` source language ${language}.`);
  const base = await argsAddress(f);
  lines.push(base === undefined ? ' Arglist at unknown address.' : ` Arglist at ${hexWord(base)}, args: ${await io.args(f)}`);
  lines.push(`${base === undefined ? ' Locals at unknown address,' : ` Locals at ${hexWord(base)},`}${await previousSp(frames, level, own, layoutOf)}`);
  const saved = await savedRegisters(frames, level, own, layoutOf);
  if (saved.length) lines.push(' Saved registers:', ` ${saved.map((r) => wrapHint(1) + r).join(',')}`);
  return lines;
}

/**
 * ` in push (linked_list.c:18)`: the function and gdb's find_frame_sal line,
 * when known. Without debug info gdb names the symbol at the pc itself, not
 * at the call before it (a signal trampoline is `__restore_rt`).
 */
function pcWhere(f: StackFrame): string {
  const name = f.fn ? f.functionName : f.program.image.symbolAt(f.pc)?.name;
  const line = f.line;
  return `${name ? ` in ${name}` : ''}${line ? ` (${line.file}:${line.line})` : ''}`;
}

/** What a frame's registers say about it: its CFI layout, or amd64's prologue analysis without CFI. */
interface Layout {
  cfa: bigint | undefined;
  saved: Map<number, bigint>;
  outermost: boolean;
}

/** Where frame f keeps its caller's registers (`info frame`'s "Saved registers"): stack address -> register name. */
export async function savedRegisterSlots(f: StackFrame): Promise<Map<bigint, string>> {
  const l = await computeLayout(f);
  return new Map(SAVED_ORDER.filter(([n]) => l.saved.has(n)).map(([n, name]) => [l.saved.get(n)!, name]));
}

/** The layout of the real frame f belongs to (an inlined call shares its function's registers). */
type LayoutOf = (f: StackFrame) => Promise<Layout>;

/** A LayoutOf that works out each real frame's layout once. */
function layoutCache(): LayoutOf {
  const memo = new Map<StackFrame['unwind'], Promise<Layout>>();
  return (f) => {
    let p = memo.get(f.unwind);
    if (!p) {
      p = computeLayout(f);
      memo.set(f.unwind, p);
    }
    return p;
  };
}

async function computeLayout(f: StackFrame): Promise<Layout> {
  const epilogue = await epilogueLayout(f);
  if (epilogue) return epilogue;
  // (no CFI at this pc, or an unreadable stack: the prologue analysis below)
  const cfi = await frameLayout(f.unwind, f.readMemory, f.program.cfiAt).catch(expected(undefined));
  if (cfi) return cfi;
  // No CFI: gdb's amd64 prologue unwinder (rbp saved at the base, the return address above it).
  const a = await amd64Base(f);
  if (!a) return { cfa: undefined, saved: new Map(), outermost: false };
  const saved = new Map<number, bigint>([[DW_REG_RA, a.base + 8n]]);
  if (a.pushedRbp) saved.set(DW_REG_RBP, a.base);
  return { cfa: a.base + 16n, saved, outermost: false };
}

/**
 * gdb's amd64 epilogue unwinder, which comes before the CFI one: at a `ret`
 * in frame 0 of code without debug info (whose CFI gdb does not trust for
 * epilogues), only the return address is saved, on top of the stack.
 */
async function epilogueLayout(f: StackFrame): Promise<Layout | undefined> {
  const rsp = f.unwind.regs.get(DW_REG_RSP);
  if (f.level !== 0 || f.fn || rsp === undefined) return undefined;
  // (an unreadable pc: not at a ret)
  const insn = await f.readMemory(f.pc, 1).catch(expected(Buffer.alloc(0)));
  if (insn[0] !== 0xc3) return undefined;
  return { cfa: rsp + 8n, saved: new Map([[DW_REG_RA, rsp]]), outermost: false };
}

/** The stack address of gdb's frame id: the CFA, 0 for the outermost frame (outer_frame_id). */
function frameId(l: Layout): bigint {
  return l.outermost ? 0n : l.cfa ?? 0n;
}

/** frameId, but a tail-call frame has the id of the frame it jumped to (the CFA it was given). */
function idOf(f: StackFrame, l: Layout): bigint {
  return f.tailCall ? f.unwind.cfa ?? 0n : frameId(l);
}

/**
 * The real frame's return address, read where its layout saved it (which
 * covers code without CFI, like gdb's prologue unwinder), or gdb's `<not
 * saved>` when the CFI leaves it undefined.
 */
async function savedPc(frames: StackFrame[], level: number, own: Layout, layoutOf: LayoutOf): Promise<string> {
  let f = frames[level]!;
  // gdb's frame_unwind_caller_pc: a tail-call frame answers for the first real frame above it,
  // a frame that a tail-call frame called has that frame's pc.
  if (f.tailCall) {
    let i = level;
    while (frames[i]?.tailCall || frames[i]?.inlined) i++;
    if (!frames[i]) return '<not saved>';
    f = frames[i]!;
    own = await layoutOf(f);
  } else if (frames[level + 1]?.tailCall) return hexWord(frames[level + 1]!.pc);
  if (own.outermost) return '<not saved>';
  const at = own.saved.get(DW_REG_RA);
  if (at !== undefined) {
    // (an unreadable slot: gdb's <error: Cannot access memory ...>, next line)
    const b = await f.readMemory(at, 8).catch(expected(Buffer.alloc(0)));
    return b.length === 8 ? hexWord(b.readBigUInt64LE(0)) : `<error: Cannot access memory at address ${hexWord(at)}>`;
  }
  const probe = { ...f.unwind, regs: new Map(f.unwind.regs) };
  // (no caller to unwind to: gdb's <not saved>)
  const next = await unwindStep(probe, f.readMemory, f.program.cfiAt).catch(expected(undefined));
  return next ? hexWord(next.pc) : '<not saved>';
}

/**
 * ` called by frame at X, caller of frame at Y` (or ` inlined into frame N`),
 * with gdb's ` Outermost frame: outermost` line for the outermost frame.
 * main has no caller line: the backtrace stops there (backtrace past-main off).
 */
async function linkLines(f: StackFrame, caller: StackFrame | undefined, callee: StackFrame | undefined, own: Layout, layoutOf: LayoutOf): Promise<string[]> {
  const lines: string[] = [];
  let text = '';
  if (!caller) {
    if (own.outermost) lines.push(' Outermost frame: outermost');
  } else if (f.tailCall) text = ' tail call frame';
  else if (f.inlined) text = ` inlined into frame ${caller.level}`;
  else text = ` called by frame at ${hexWord(idOf(caller, await layoutOf(caller)))}`;
  if (callee) text += `${caller ? ',' : ''} caller of frame at ${hexWord(idOf(callee, await layoutOf(callee)))}`;
  if (callee || caller) lines.push(text);
  return lines;
}

/**
 * gdb's amd64 frame base (amd64_frame_cache): %rbp once the prologue set it
 * up, else %rsp plus what the prologue pushed (-8 before `push %rbp`, 0 after).
 * Inlined calls and signal frames have none (get_frame_args_address is 0).
 */
async function argsAddress(f: StackFrame): Promise<bigint | undefined> {
  if (f.inlined || f.tailCall || f.unwind.signalTrampoline) return undefined;
  return (await amd64Base(f))?.base;
}

async function amd64Base(f: StackFrame): Promise<{ base: bigint; pushedRbp: boolean } | undefined> {
  const prologue = await analyzePrologue(f);
  const reg = f.unwind.regs.get(prologue.frameless ? DW_REG_RSP : DW_REG_RBP);
  if (reg === undefined) return undefined;
  return { base: BigInt.asUintN(64, reg + BigInt(prologue.spOffset)), pushedRbp: prologue.pushedRbp };
}

const ENDBR64 = Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]);
/** `mov %rsp,%rbp` (both encodings) and `mov %esp,%ebp`. */
const MOV_RSP_RBP = [Buffer.from([0x48, 0x89, 0xe5]), Buffer.from([0x48, 0x8b, 0xec]), Buffer.from([0x89, 0xe5]), Buffer.from([0x8b, 0xec])];

/**
 * gdb's amd64_analyze_prologue from the function's entry to the frame's pc:
 * after an optional endbr64, `push %rbp` (the sp moved by 8) then `mov
 * %rsp,%rbp` (a frame: its base is %rbp). Anything else is "frameless".
 */
async function analyzePrologue(f: StackFrame): Promise<{ frameless: boolean; spOffset: number; pushedRbp: boolean }> {
  const frameless = { frameless: true, spOffset: -8, pushedRbp: false };
  const start = functionEntry(f);
  const pc = f.pc;
  if (start === undefined || pc <= start) return frameless;
  // (unreadable code: no prologue to recognize, frameless)
  const code = await f.readMemory(start, 8).catch(expected(Buffer.alloc(0)));
  let at = code.subarray(0, 4).equals(ENDBR64) ? 4 : 0;
  if (pc <= start + BigInt(at) || code[at] !== 0x55) return frameless;
  const pushed = { frameless: true, spOffset: 0, pushedRbp: true };
  at += 1;
  if (pc <= start + BigInt(at)) return pushed;
  const rest = code.subarray(at);
  if (!MOV_RSP_RBP.some((m) => rest.subarray(0, m.length).equals(m))) return pushed;
  return { frameless: false, spOffset: 0, pushedRbp: true };
}

/** gdb's get_frame_func: the entry of the function (DWARF) or of the symbol containing the pc. */
function functionEntry(f: StackFrame): bigint | undefined {
  if (f.fn && f.debug) return f.fn.low + f.debug.bias;
  const sym = f.program.image.symbolAt(f.lookupPc);
  return sym && sym.symbol.kind === 'function' ? sym.symbol.address : undefined;
}

/**
 * The frame whose unwinding gives frame `level`'s registers: the frame
 * itself, or for an inlined call the first real frame below it (undefined
 * when there is none: the registers are still the machine's).
 */
function registerSource(frames: StackFrame[], level: number): StackFrame | undefined {
  if (frames[level]!.tailCall) return undefined;   // (gdb: its registers are unwound from nothing of its own)
  if (!frames[level]!.inlined) return frames[level];
  for (let i = level - 1; i >= 0; i--) if (!frames[i]!.inlined) return frames[i];
  return undefined;
}

/** ` Previous frame's sp is X` (unwound), or ` in rsp` where nothing unwound it yet. */
async function previousSp(frames: StackFrame[], level: number, own: Layout, layoutOf: LayoutOf): Promise<string> {
  const src = registerSource(frames, level);
  const l = src === frames[level] ? own : src && await layoutOf(src);
  if (!l) return ' Previous frame\'s sp in rsp';
  const at = l.saved.get(DW_REG_RSP);
  if (at !== undefined) return ` Previous frame's sp at ${hexWord(at)}`;
  return l.cfa === undefined ? '' : ` Previous frame's sp is ${hexWord(l.cfa)}`;
}

/** `rbp at 0x..., rip at 0x...` in gdb's register order. */
async function savedRegisters(frames: StackFrame[], level: number, own: Layout, layoutOf: LayoutOf): Promise<string[]> {
  const src = registerSource(frames, level);
  const l = src === frames[level] ? own : src && await layoutOf(src);
  if (!l) return [];
  // The pc of a tail-call frame above is not read from memory: no `rip at`.
  const tailAbove = frames.slice(level + 1).find((x) => !x.inlined || x.tailCall)?.tailCall;
  return SAVED_ORDER.filter(([n]) => l.saved.has(n) && !(tailAbove && n === DW_REG_RA)).map(([n, name]) => ` ${name} at ${hexWord(l.saved.get(n)!)}`);
}
