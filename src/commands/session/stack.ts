/** Session's stack and threads: frames, backtrace, frame/up/down, thread selection. */
import type { Target } from '../../target/types.js';
import { CommandError } from '../parse.js';
import { hex16 } from '../format.js';
import { frameOfDwarf, frameOfPc } from '../../debugger/publish.js';
import { expected } from '../../debugger/errors.js';
import { type Frame } from '../unwind.js';
import { relativeFrame } from '../source/index.js';
import type { Session } from '../session.js';
import { MAX_FRAMES } from './types.js';

export function fromLibrary(s: Session, pc: bigint): string {
  const m = s.image?.moduleAt(pc);
  return m && m !== s.image!.exe && m.path.startsWith('/') ? ` from ${m.path}` : '';
}

export async function frames(s: Session, max = MAX_FRAMES, pastMain = false): Promise<Frame[]> {
  const regs = await s.regs();
  // the CFI of every image (and its inlined calls), as gdb: frame-pointer walks miss frameless callers
  const cfi = s.debug && !pastMain ? await s.debug.frameList(max).catch(expected(undefined)) : undefined;
  if (cfi?.length) {
    return Promise.all(cfi.map(async (f, level) => ({ level, pc: f.pc, sp: f.reg(7) ?? regs.rsp, cfa: await f.cfa().catch(expected(undefined)) })));
  }
  const frames = await s.unwinder.unwind(regs, {
    readMemory: (a, l) => s.readMemory(a, l),
    functionStart: (pc) => s.functionStart(pc),
  }, max);
  if (pastMain) return frames;
  // gdb stops the backtrace at main (backtrace past-main off).
  const mainIdx = frames.findIndex((f) => s.funcName(f.level === 0 ? f.pc : f.pc - 1n) === 'main');
  return mainIdx >= 0 ? frames.slice(0, mainIdx + 1) : frames;
}

export function frameText(s: Session, f: Frame): string {
  // Callers' pcs are return addresses: name the function of the call (pc - 1), like gdb.
  const callSite = f.level === 0 ? f.pc : f.pc - 1n;
  return `#${f.level}  ${hex16(f.pc)} in ${s.funcName(callSite)} ()${fromLibrary(s, callSite)}`;
}

/** `#1  0x... in main () at f.c:26` with DWARF, else the symbol-only line. */
export async function frameTextAt(s: Session, level: number, fallback: Frame): Promise<string> {
  const bt = await s.debug?.backtrace(level + 1).catch(expected(undefined));
  return bt?.lines[level] ?? frameText(s, fallback);
}

export async function cmdBacktrace(s: Session, limit: number | undefined): Promise<void> {
  s.withStack();
  // One frame more than asked: gdb says more follow only when there is one (main's caller is none).
  const ask = limit === undefined ? MAX_FRAMES : limit + 1;
  const bt = await s.debug?.backtrace(ask).catch(expected(undefined));
  if (bt) {
    s.store.update({ frames: bt.frames.map((f, level) => frameOfDwarf(f, level, undefined, (pc) => s.place(pc))) });
    s.outLines(limit === undefined ? bt.lines : bt.lines.slice(0, limit));
    if (limit !== undefined && bt.lines.length > limit) s.chatter('(More stack frames follow...)');
    return;
  }
  const frames = await s.frames(ask);
  s.store.update({ frames: frames.map((f) => frameOfPc(f.level, f.pc, f.cfa, (pc) => s.place(pc))) });
  s.outLines((limit === undefined ? frames : frames.slice(0, limit)).map((f) => frameText(s, f)));
  if (limit !== undefined && frames.length > limit) s.chatter('(More stack frames follow...)');
}

/**
 * `frame [N]`, `up [N]`, `down [N]` (`text`: N as typed): select a frame and
 * show it, with its source line where the program's symbols give the frames.
 */
export async function cmdFrame(s: Session, index: number | undefined, relative: 'up' | 'down' | undefined, text: string): Promise<void> {
  // gdb's `frame N` starts from the current frame: without a process, "No registers."
  if (index !== undefined && !relative && (!s.target || s.target.state === 'exited')) throw new CommandError('No registers.');
  const symbolic = s.source.hasFrames;
  let frames: Frame[] = [];
  if (!symbolic) {
    s.withStack();
    frames = await s.frames();
  }
  const count = symbolic ? await s.source.frameCount() : frames.length;
  let sel = s.store.state.selectedFrame;
  if (relative) sel = relativeFrame(sel, index ?? (relative === 'up' ? 1 : -1), index !== undefined, count);
  else if (index !== undefined) {
    if (index < 0 || index >= count) throw new CommandError(`No frame at level ${text}.`);
    sel = index;
  }
  s.store.update({ selectedFrame: sel });
  if (symbolic) await s.source.showFrame(sel);
  else s.out(frameText(s, frames[sel]!));
}

// ---- threads ---------------------------------------------------------------------------------

/** `info threads [ID...]`: gdb's table, each stopped thread's innermost frame. */
export function selectThread(s: Session, t: Target, tid: number): void {
  t.selectThread(tid);
  s.registers.invalidate();
  s.store.update({ selectedFrame: 0 });
}

/** Run fn with tid selected, then put the selection (thread, frame) back. */
export async function withThread<T>(s: Session, t: Target, tid: number, fn: () => Promise<T>): Promise<T> {
  const sel = t.selectedThread;
  const frame = s.store.state.selectedFrame;
  const lastFunction = s.lastFunction;
  if (tid === sel) return fn();
  s.selectThread(t, tid);
  try {
    return await fn();
  } finally {
    s.selectThread(t, sel);
    s.store.update({ selectedFrame: frame });
    s.lastFunction = lastFunction;
  }
}

/** The innermost frame in one line, as `info threads` shows it. */
export async function frameSummary(s: Session): Promise<string> {
  const pc = (await s.regs()).rip;
  const d = await s.debug?.describe('frame', undefined).catch(expected(undefined));
  if (d?.head) return d.head;
  return `${hex16(pc)} in ${s.funcName(pc)} ()${fromLibrary(s, pc)}`;
}
