/**
 * gdb 13's CLI styles on a terminal (`set style enabled on`): function names
 * yellow, file names green, addresses blue, a frame's argument names cyan,
 * with gdb's escapes (`ESC[33m` ... `ESC[m`). Applied to the console's
 * standard output as it is shown, by the shapes of gdb's lines (frame lines,
 * breakpoint lines, `x` and `print` addresses), so every front end styles
 * the same way. Off by default where gdb would not colour: not a terminal,
 * `TERM=dumb`; and with `NO_COLOR` set (no-color.org).
 */
import { CommandError } from '../commands/parse.js';
import { booleanWord } from '../commands/screen.js';

const FUNCTION = '\x1b[33m';
const FILE = '\x1b[32m';
const ADDRESS = '\x1b[34m';
const VARIABLE = '\x1b[36m';
const OFF = '\x1b[m';

const paint = (style: string, text: string) => `${style}${text}${OFF}`;

/** Whether styling starts on: a terminal that is not dumb, and no NO_COLOR. */
export function styleByDefault(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && env.TERM !== 'dumb' && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export class StyleSettings {
  constructor(public enabled: boolean) {}

  /** `set style enabled on|off`; false for other style settings (accepted elsewhere). */
  set(sub: string, value: string): boolean {
    if (!'enabled'.startsWith(sub) || !sub) return false;
    const b = value.trim() === '' ? true : booleanWord(value);
    if (b === undefined) throw new CommandError('"on" or "off" expected.');
    this.enabled = b;
    return true;
  }

  show(): string {
    return `CLI output styling is ${this.enabled ? 'enabled' : 'disabled'}.`;
  }
}

/** A function name (C, C++ qualified, templates, `@plt`). */
const FN = String.raw`[A-Za-z_~][\w:~<>,.@\[\]]*`;
/** Wrap hints (src/dwarf/wrap.ts) may sit between a frame line's parts. */
const H = String.raw`[\ue000-\ue0ff]*`;

/** One line of the console's output, styled as gdb 13 styles it. */
export function styleLine(line: string): string {
  let l = line;
  // a frame: `#N  [ADDR in ]FUNC (ARGS) at FILE:LINE` / `Breakpoint N, FUNC (...)` / `Run till exit from #0 ...` / `FUNC (...) at F:L`
  const frame = new RegExp(String.raw`^((?:Run till exit from )?#\d+\s+|Breakpoint \d+, |Temporary breakpoint \d+, |Thread \d+ "[^"]*" hit Breakpoint \d+, |)(?:(0x[0-9a-f]+)( in ))?(${FN})( \()`).exec(l);
  if (frame && (frame[1] || / at \S+:\d+$| from \S+$|\)$/.test(l))) {
    const [all, head, addr, inWord, fn, paren] = frame as unknown as [string, string, string | undefined, string | undefined, string, string];
    const rest = l.slice(all.length);
    l = `${head}${addr ? `${paint(ADDRESS, addr)}${inWord}` : ''}${paint(FUNCTION, fn)}${paren}${styleArgs(rest)}`;
  }
  // `Breakpoint N at ADDR: file FILE, line L.`
  l = l.replace(/^((?:Temporary b|Hardware watchpoint \d+ at |B)reakpoint \d+ at )(0x[0-9a-f]+)(: file )(.+)(, line \d+\.)$/, (_m, a: string, addr: string, b: string, file: string, c: string) => `${a}${paint(ADDRESS, addr)}${b}${paint(FILE, file)}${c}`);
  // info breakpoints: `... ADDR in FUNC at FILE:LINE`
  l = l.replace(new RegExp(String.raw`^(\d+(?:\.\d+)?\s+.*\s)(0x[0-9a-f]{16})( in )(${FN})( at )(\S+)(:\d+)$`), (_m, a: string, addr: string, b: string, fn: string, c: string, file: string, d: string) => `${a}${paint(ADDRESS, addr)}${b}${paint(FUNCTION, fn)}${c}${paint(FILE, file)}${d}`);
  // `x`: `ADDR <sym+off>:` at the start; `print`: `ADDR <sym>` in a value
  l = l.replace(/^(0x[0-9a-f]+)((?: <[^>]+>)?:)/, (_m, addr: string, rest: string) => `${paint(ADDRESS, addr)}${symbolIn(rest)}`);
  l = l.replace(/(^\$\d+ = .*?)(0x[0-9a-f]+)( <)([^>]+)(>)/, (_m, a: string, addr: string, b: string, sym: string, c: string) => `${a}${paint(ADDRESS, addr)}${b}${paint(FUNCTION, sym)}${c}`);
  // `Starting program: PATH ARGS`
  l = l.replace(/^(Starting program: )(\S+)/, (_m, a: string, p: string) => `${a}${paint(FILE, p)}`);
  return l;
}

/** The rest of a frame line after `FUNC (`: argument names, and ` at FILE:LINE` / ` from LIB`. */
function styleArgs(rest: string): string {
  let r = rest.replace(new RegExp(String.raw`(^|, ${H}|,${H} )([A-Za-z_]\w*)(=)`, 'g'), (_m, a: string, name: string, eq: string) => `${a}${paint(VARIABLE, name)}${eq}`);
  r = r.replace(new RegExp(String.raw`(${H} at ${H})(\S+?)(:\d+)$`), (_m, a: string, file: string, b: string) => `${a}${paint(FILE, file)}${b}`);
  r = r.replace(new RegExp(String.raw`(${H} from ${H})(\S+)$`), (_m, a: string, lib: string) => `${a}${paint(FILE, lib)}`);
  return r;
}

function symbolIn(text: string): string {
  return text.replace(/^( <)([^>+]+)/, (_m, a: string, sym: string) => `${a}${paint(FUNCTION, sym)}`);
}

/** Style a chunk of output line by line (a chunk may end mid-line: that part is styled as it stands). */
export function styleText(text: string): string {
  return text.split('\n').map(styleLine).join('\n');
}
