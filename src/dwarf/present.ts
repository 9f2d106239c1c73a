/**
 * gdb's text for frames and variables: backtrace lines with arguments
 * (including `x=x@entry=5` entry values), `info locals`/`info args` lines,
 * and the source line shown at each stop.
 */
import { readFileSync } from 'node:fs';
import { TAG } from './constants.js';
import { Evaluator } from './evaluator.js';
import { Value } from './value.js';
import { isScalar } from './types.js';
import type { StackFrame } from './program.js';
import type { Die } from './info.js';
import { wrapHint } from './wrap.js';
import { hexWord16 } from '../util/hex.js';

/** `#1  0x0000555555555232 in recurse (depth=0, cfg=0x555555558060 <config>) at prog.c:87` */
export async function frameLine(frame: StackFrame, ev: Evaluator, hints = false): Promise<string> {
  // gdb's wrap_here points (print_frame): after the name, before each argument, before ` at `/` from `.
  const hint = (n: number) => (hints ? wrapHint(n) : '');
  const pad = frame.level < 10 ? '  ' : ' ';
  if (frame.unwind.signalTrampoline) return `#${frame.level}${pad}<signal handler called>`;
  const line = frame.line;
  // gdb shows the pc unless it is exactly at the start of a statement line (frame 0 after a
  // breakpoint) or the frame's line is that of an inlined call it made (frame_show_address).
  const showAddr = !frame.inlinedCallee && (!frame.unwind.exactPc || !line || line.address !== frame.pc || !line.isStmt);
  const addr = showAddr ? `${hexWord16(frame.pc)} in ` : '';
  const name = frame.functionName ?? '??';
  if (!frame.fn) {
    const mod = frame.program.image.moduleAt(frame.lookupPc);
    const from = mod && mod !== frame.program.image.exe ? `${hint(2)} from ${mod.path}` : '';
    return `#${frame.level}${pad}${addr}${name}${hint(3)} ()${from}`;
  }
  const args = await frameArgs(frame, ev, hints);
  const at = line ? `${hint(3)} at ${line.file}:${line.line}` : '';
  return `#${frame.level}${pad}${addr}${name}${hint(3)} (${args})${at}`;
}

/** `depth=0, cfg=0x555555558060 <config>`: scalars printed, aggregates as `...`. */
export async function frameArgs(frame: StackFrame, ev: Evaluator, hints = false): Promise<string> {
  const hint = hints ? wrapHint(4) : '';
  if (!frame.fn || !frame.debug) return '';
  const parts: string[] = [];
  for (const p of frame.functionDie!.children) {
    if (p.tag !== TAG.formal_parameter) continue;
    const name = p.name ?? '';
    // an unreadable argument prints <error> in its place (DWARF we cannot read is also said)
    const v = await ev.variableValue(p, frame.debug, true).catch((e: unknown) => { frame.program.reportDwarfError(e, frame.pc); return undefined; });
    const text = v ? await argText(v, ev) : '<error>';
    const entry = await entryValue(frame, p, ev);
    if (!entry) parts.push(`${hint}${name}=${text}`);
    else {
      const entryText = await argText(entry, ev);
      const same = v && !v.optimizedOut && (await sameContents(v, entry));
      parts.push(same ? `${hint}${name}=${name}@entry=${text}` : `${hint}${name}=${text}, ${hint}${name}@entry=${entryText}`);
    }
  }
  return parts.join(', ');
}

async function argText(v: Value, ev: Evaluator): Promise<string> {
  if (!v.optimizedOut && !isScalar(v.type)) return '...';
  return ev.formatNested(v).catch((e: Error) => `<error: ${e.message}>`);
}

async function sameContents(a: Value, b: Value): Promise<boolean> {
  const x = await a.bytes();
  const y = await b.bytes();
  return !!x && !!y && x.equals(y);
}

/** The value a parameter had on entry, when the caller's call site records it (see StackFrame). */
export async function entryValue(frame: StackFrame, param: Die, ev: Evaluator): Promise<Value | undefined> {
  // no value the caller's call site can give: no @entry, as in gdb (DWARF we cannot read is said)
  const v = await frame.parameterEntryValue(param).catch((e: unknown) => { frame.program.reportDwarfError(e, frame.pc); return undefined; });
  return v === undefined || !frame.debug ? undefined : Value.fromBigInt(frame.debug.typeOf(param.type), v, ev.ctx);
}

/** `info locals` lines (`name = value`), or `No locals.` */
export async function infoLocals(ev: Evaluator, wrapHints = false): Promise<string[]> {
  const locals = await ev.locals();
  if (locals.length === 0) return ['No locals.'];
  const out: string[] = [];
  for (const l of locals) out.push(`${l.name} = ${await ev.formatNested(l.value, { wrapHints }).catch((e: Error) => `<error: ${e.message}>`)}`);
  return out;
}

/** `info args` lines, or `No arguments.` */
export async function infoArgs(ev: Evaluator, wrapHints = false): Promise<string[]> {
  const args = await ev.args();
  if (args.length === 0) return ['No arguments.'];
  const out: string[] = [];
  for (const a of args) out.push(`${a.name} = ${await ev.formatNested(a.value, { wrapHints }).catch((e: Error) => `<error: ${e.message}>`)}`);
  return out;
}

const sourceCache = new Map<string, string[] | null>();

/** Lines of a source file (cached), or undefined when it cannot be read. */
export function sourceLines(path: string): string[] | undefined {
  let c = sourceCache.get(path);
  if (c === undefined) {
    try {
      c = readFileSync(path, 'utf8').split('\n');
      if (c.length && c[c.length - 1] === '') c.pop();
    } catch {
      // (an unreadable source file: gdb's line without its text, said by the caller)
      c = null;
    }
    sourceCache.set(path, c);
  }
  return c ?? undefined;
}

/** `80\t  int z = x * y + counter;` as gdb prints the current line; gdb's message when unreadable. */
export function sourceLineText(path: string, file: string, line: number, missingAgain = false): string {
  const lines = sourceLines(path);
  if (!lines) return missingAgain ? `${line}\tin ${file}` : `${line}\t${file}: No such file or directory.`;
  if (line < 1 || line > lines.length) return `Line number ${line} out of range; "${file}" has ${lines.length} lines.`;
  return `${line}\t${lines[line - 1]}`;
}

/**
 * The current line as a debugging session shows it, one file after another:
 * gdb says a file is missing once, then, while the same file is shown
 * again, just `LINE\tin FILE`.
 */
export class SourceText {
  private lastPath: string | undefined;
  /** The "FILE: No such file or directory." line last returned, until it is printed: gdb says it on stderr. */
  private errorLine: string | undefined;

  line(path: string, file: string, line: number): string {
    const again = path === this.lastPath;
    this.lastPath = path;
    const text = sourceLineText(path, file, line, again);
    this.errorLine = !again && !sourceLines(path) ? text : undefined;
    return text;
  }

  /** Whether `text` is that error line (then it is forgotten): the caller prints it on stderr. */
  takeError(text: string): boolean {
    if (this.errorLine === undefined || text !== this.errorLine) return false;
    this.errorLine = undefined;
    return true;
  }
}

