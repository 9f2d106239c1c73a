/**
 * gdb's `print [[OPTION]... --] [/FMT] [EXP]` options (print_command_parse_format
 * with gdb::option): `p -elements 3 -- arr`, `p -pretty -- s`. Options count
 * only when `--` ends them; without it the text is the expression (`p -x`).
 * Unique prefixes are accepted (`-elem`), as in gdb.
 */
import { CommandError, parseSlashFormat } from './parse.js';
import type { PrintFormat } from './format.js';
import type { PrintSettings } from '../dwarf/format.js';

/** Every option gdb 13's print takes: a prefix must name one of them alone. */
const OPTIONS: Record<string, 'uint' | 'bool'> = {
  address: 'bool', array: 'bool', 'array-indexes': 'bool', elements: 'uint', 'max-depth': 'uint',
  'memory-tag-violations': 'bool', 'null-stop': 'bool', object: 'bool', pretty: 'bool', 'raw-values': 'bool',
  repeats: 'uint', 'static-members': 'bool', symbol: 'bool', union: 'bool', vtbl: 'bool',
};
const BOOL_WORDS: Record<string, boolean> = { on: true, off: false, yes: true, no: false, enable: true, disable: false, '1': true, '0': false };

export interface PrintOptions {
  settings: Partial<PrintSettings>;
  /** The expression after `--` (undefined: the last history value). */
  expr: string | undefined;
  fmt: PrintFormat | undefined;
}

/** The options before `--`, or undefined when the text is an expression. */
export function parsePrintOptions(text: string): PrintOptions | undefined {
  let rest = text.trimStart();
  if (!/^-[A-Za-z-]/.test(rest) || !/(^|\s)--(\s|$)/.test(rest)) return undefined;
  const settings: Partial<PrintSettings> = {};
  for (;;) {
    rest = rest.trimStart();
    const end = /^--(\s|$)/.exec(rest);
    if (end) {
      const f = parseSlashFormat(rest.slice(2), false);
      return { settings, expr: f.rest || undefined, fmt: f.fmt };
    }
    const m = /^-([A-Za-z][\w-]*)/.exec(rest);
    if (!m) return undefined;
    const word = m[1]!;
    const names = word in OPTIONS ? [word] : Object.keys(OPTIONS).filter((o) => o.startsWith(word));
    if (names.length === 0) return undefined;   // unknown: the text is an expression (`p -x -- y` too)
    if (names.length > 1) throw new CommandError(`Ambiguous option at: ${rest}`);
    const name = names[0]!;
    rest = rest.slice(m[0].length).trimStart();
    if (OPTIONS[name] === 'uint') {
      const v = /^(unlimited|\d+)(?=\s|$)/.exec(rest);
      if (!v) throw new CommandError(`Expected integer at: ${rest}`);
      rest = rest.slice(v[0].length);
      const n = v[1] === 'unlimited' || v[1] === '0' ? Infinity : Number(v[1]);
      if (name === 'elements' || name === 'repeats') settings[name] = n;
    } else {
      const v = /^(\S+)(?=\s|$)/.exec(rest);
      const on = v && v[1]! in BOOL_WORDS ? BOOL_WORDS[v[1]!] : undefined;
      if (on !== undefined) rest = rest.slice(v![0].length);
      if (name === 'pretty') settings.pretty = on ?? true;
    }
  }
}
