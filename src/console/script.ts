/**
 * gdb's command scripts: blocks that span lines (`define` ... `end`, `if` ...
 * `else` ... `end`, `while` ... `end`, `document` ... `end`) are collected a
 * line at a time, then run. Lines typed at the prompt, lines of a `source`d
 * file and the body of a user-defined command all go through the same feed,
 * so a block nests the same way everywhere.
 */
import { CommandError } from '../commands/parse.js';

/** The first word of a command line. */
export function firstWord(line: string): string {
  return /^\s*([^\s/]*)/.exec(line)![1]!;
}

/** A line that opens a block closed by `end` (gdb's multi-line commands). */
function opens(line: string): boolean {
  const w = firstWord(line);
  if (w === 'if' || w === 'while' || w === 'commands' || w === 'python' || w === 'guile') return true;
  return (w === 'define' || w === 'document') && line.trim() !== w;
}

/** Lines up to the `end` that closes a block (nested blocks kept whole). */
export class BlockCollector {
  readonly lines: string[] = [];
  private depth = 0;
  /** `raw`: documentation text, where only `end` matters and lines are kept as typed. */
  constructor(private readonly raw = false) {}

  /** Take a line; true when it was the closing `end` (not kept). */
  push(line: string): boolean {
    const t = line.trim();
    if (t === 'end') {
      if (this.depth === 0) return true;
      this.depth--;
    } else if (!this.raw && opens(t)) {
      this.depth++;
    }
    this.lines.push(this.raw ? line : t);
    return false;
  }
}

export class LoopBreak extends Error {}
export class LoopContinue extends Error {}

/** The `else` of an if-block's own level (or the body's length). */
export function topLevelElse(body: readonly string[]): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const t = body[i]!.trim();
    if (t === 'end') depth--;
    else if (opens(t)) depth++;
    else if (t === 'else' && depth === 0) return i;
  }
  return body.length;
}

/**
 * gdb's user_args: words split at blanks, except inside quotes; quotes
 * are kept (`foo "a b" c`: `"a b"` and `c`); parentheses do not group.
 */
export function userArgs(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    let quote: string | undefined;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length) { i++; continue; }
      if (quote) { if (c === quote) quote = undefined; continue; }
      if (c === '"' || c === "'") { quote = c; continue; }
      if (/\s/.test(c)) break;
    }
    out.push(s.slice(start, i));
  }
  return out;
}

/** $argc and $argN in a user command's line, as gdb's insert_user_defined_cmd_args. */
export function substituteArgs(line: string, args: readonly string[]): string {
  return line.replace(/\$arg(c|\d+)\b/g, (_m, n: string) => {
    if (n === 'c') return String(args.length);
    const i = Number(n);
    if (i >= args.length) throw new CommandError(`Missing argument ${i} in user function.`);
    return args[i]!;
  });
}
