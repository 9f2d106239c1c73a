/** SourceLevel's `list`: its argument forms and where the next one continues. */
import { sourceLines } from '../../dwarf/present.js';
import { CommandError } from '../parse.js';
import { gdbLineNumber } from '../examine.js';
import { functionEntry } from './info.js';
import type { SourceLevel } from './index.js';

export async function currentFile(s: SourceLevel): Promise<string | undefined> {
  if (s.listPos) return s.listPos.path;
  if (s.program()) {
    const line = (await s.selected()).line;
    if (line) return line.path;
  }
  const debug = s.exeDebug();
  const main = debug?.functionsNamed('main')[0];
  return main ? debug!.lineForAddress(debug!.entryOf(main))?.path : undefined;
}

// ------------------------------------------------------------ list

export function list(s: SourceLevel, arg: string): void {
  const debug = s.exeDebug()!;
  let path: string | undefined;
  let file = '';
  let first: number;
  let lastWanted: number | undefined;
  const a = arg.trim();
  if (a === '-') {
    if (!s.listPos) throw new CommandError('No default source file now selected.');
    ({ path, file } = s.listPos);
    if (s.listPos.first <= 1) throw new CommandError(`Already at the start of ${file}.`);
    first = Math.max(1, s.listPos.first - 10);
  } else if (a === '') {
    if (!s.listPos) {
      const at = s.mainLine();
      if (!at) throw new CommandError('No default source file now selected.');
      path = at.path;
      file = at.file;
      first = Math.max(1, at.line - 4);
    } else {
      ({ path, file } = s.listPos);
      first = s.listPos.fresh ? s.listPos.first : s.listPos.last + 1;
    }
  } else if (a.includes(',')) {
    // `list A,B`, `list A,`, `list ,B`, `list A,+N`: a range of lines.
    const [from, to] = a.split(',', 2).map((x) => x.trim());
    const start = from ? s.listSpec(from) : undefined;
    const end = to && !to.startsWith('+') ? s.listSpec(to, start) : undefined;
    const at = start ?? end!;
    if (!at) throw new CommandError('No default source file now selected.');
    ({ path, file } = at);
    first = start ? start.line : Math.max(1, end!.line - 9);
    lastWanted = end ? end.line : to.startsWith('+') ? first + Number(to.slice(1)) : first + 9;
  } else {
    const at = s.listSpec(a);
    ({ path, file } = at);
    first = Math.max(1, at.line - 5);
  }
  const lines = sourceLines(path!);
  if (!lines) throw new CommandError(`${first}\tin ${path}`);
  if (first > lines.length) {
    // as gdb: the next `list` goes on from there (and says so again)
    s.listPos = { path: path!, file, first, last: first - 1 };
    throw new CommandError(`Line number ${first} out of range; ${file} has ${lines.length} lines.`);
  }
  const last = Math.min(lines.length, lastWanted ?? first + 9);
  const out: string[] = [];
  for (let i = first; i <= last; i++) out.push(`${i}\t${lines[i - 1]}`);
  s.listPos = { path: path!, file, first, last };
  s.host.out(out.join('\n'));
}

/** gdb's default source file before anything was listed or stopped at: main's, at main's line. */
export function mainLine(s: SourceLevel): { path: string; file: string; line: number } | undefined {
  const debug = s.exeDebug()!;
  const main = debug.functionsNamed('main')[0];
  return (main && debug.lineForAddress(debug.entryOf(main))) || undefined;
}

/** A `list` location: LINE (in the current or `near` file), FILE:LINE, FUNCTION, FILE:FUNCTION. */
export function listSpec(s: SourceLevel, spec: string, near?: { path: string; file: string }): { path: string; file: string; line: number } {
  const debug = s.exeDebug()!;
  const m = /^(?:(.+):)?(\d+)$/.exec(spec);
  if (m) {
    if (m[1]) {
      const f = debug.sourceFiles().find((p) => p === m[1] || p.endsWith('/' + m[1]));
      if (!f) throw new CommandError(`No source file named ${m[1]}.`);
      return { path: f, file: debug.displayOf(f) ?? m[1], line: gdbLineNumber(m[2]!) };
    }
    // gdb's default source file before any listing or stop: main's
    const cur = near ?? s.listPos ?? s.mainLine();
    if (!cur) throw new CommandError('No default source file now selected.');
    return { path: cur.path, file: cur.file, line: gdbLineNumber(m[2]!) };
  }
  const fname = spec.includes(':') ? spec.slice(spec.lastIndexOf(':') + 1) : spec;
  const entry = functionEntry(debug, fname);
  if (entry === undefined) throw new CommandError(`Function "${fname}" not defined.`);
  const at = debug.lineForAddress(entry);
  if (!at) throw new CommandError(`No line number known for ${fname}.`);
  return { path: at.path, file: at.file, line: at.line };
}
