/**
 * The command history kept across sessions (gdb's `set history save`,
 * `set history filename`, `set history size`, `show history`): lines typed
 * at the prompt, oldest first, written to the history file after each one
 * (so a hangup or a kill loses nothing), read back at the next start.
 * The file is `~/.tsdbg_history` ($HOME) unless `set history filename`
 * names another; relative names are taken from the working directory, as gdb does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandError } from '../commands/parse.js';
import { booleanWord } from '../commands/screen.js';

/** gdb's default history size (without $GDBHISTSIZE or $HISTSIZE). */
const DEFAULT_SIZE = 256;

export class History {
  /** Oldest first. */
  readonly entries: string[] = [];
  save = true;
  filename: string;
  /** undefined: unlimited. */
  size: number | undefined = DEFAULT_SIZE;
  removeDuplicates: number | undefined = 0;
  private loaded = false;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const home = env.HOME || '/';
    this.filename = path.join(home, '.tsdbg_history');
  }

  /** Read the history file once (a missing or unreadable one is an empty history). */
  load(): readonly string[] {
    if (this.loaded) return this.entries;
    this.loaded = true;
    try {
      const lines = readFileSync(this.filename, 'utf8').split('\n').filter((l) => l !== '');
      this.entries.push(...lines);
      this.trim();
    } catch {
      // no history yet
    }
    return this.entries;
  }

  /** A line typed at the prompt (blank ones are not kept; nor one equal to the last, as readline keeps them). */
  add(line: string): void {
    this.load();   // the file's lines first: writing before reading them would drop them
    if (!line.trim() || this.entries[this.entries.length - 1] === line) return;
    if (this.removeDuplicates !== 0) {
      const back = this.removeDuplicates === undefined ? this.entries.length : this.removeDuplicates;
      for (let i = this.entries.length - 1; i >= Math.max(0, this.entries.length - back); i--) {
        if (this.entries[i] === line) { this.entries.splice(i, 1); break; }
      }
    }
    this.entries.push(line);
    this.trim();
    this.write();
  }

  /** Write the file now (when saving is on); a file that cannot be written is left alone, as gdb warns and goes on. */
  write(): void {
    if (!this.save || !this.filename) return;
    try {
      writeFileSync(this.filename, this.entries.map((l) => `${l}\n`).join(''));
    } catch {
      // (gdb: a warning at exit; nothing to lose here)
    }
  }

  private trim(): void {
    if (this.size !== undefined && this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size);
  }

  /** `set history SUB VALUE`; false when SUB is not one of history's. */
  set(sub: string, value: string, integer: (e: string) => Promise<bigint>): Promise<boolean> | boolean {
    const name = subcommand(sub);
    switch (name) {
      case 'save': {
        const b = value.trim() === '' ? true : booleanWord(value);
        if (b === undefined) throw new CommandError('"on" or "off" expected.');
        this.save = b;
        if (b) this.write();
        return true;
      }
      case 'filename':
        // gdb makes a relative name absolute against the working directory
        this.filename = value.trim() ? path.resolve(value.trim().replace(/^~(?=\/|$)/, process.env.HOME ?? '~')) : '';
        return true;
      case 'expansion': {
        const b = value.trim() === '' ? true : booleanWord(value);
        if (b === undefined) throw new CommandError('"on" or "off" expected.');
        if (b) throw new CommandError('History expansion is not supported by tsdbg.');
        return true;
      }
      case 'size': case 'remove-duplicates':
        return this.setNumber(name, value, integer);
      default:
        return false;
    }
  }

  private async setNumber(name: 'size' | 'remove-duplicates', value: string, integer: (e: string) => Promise<bigint>): Promise<boolean> {
    const v = value.trim();
    if (!v) throw new CommandError('Argument required (integer to set it to, or "unlimited").');
    let n: number | undefined;
    if (v === 'unlimited') n = undefined;
    else {
      const b = await integer(v);
      if (b === -1n) n = undefined;
      else if (b < -1n || b > 0x7fffffffn) throw new CommandError(`integer ${b} out of range`);
      else n = Number(b);
    }
    if (name === 'size') { this.size = n; this.trim(); } else this.removeDuplicates = n;
    return true;
  }

  /** `show history [SUB]`: gdb 13's words. */
  show(sub: string): string {
    if (!sub.trim()) return SUBS.map((s) => `history ${s}:  ${this.showOne(s)}`).join('\n');
    return this.showOne(subcommand(sub, 'show history') as typeof SUBS[number]);
  }

  private showOne(s: typeof SUBS[number]): string {
    const num = (n: number | undefined) => (n === undefined ? 'unlimited' : String(n));
    switch (s) {
      case 'expansion': return 'History expansion on command input is off.';
      case 'filename': return this.filename
        ? `The filename in which to record the command history is "${this.filename}".`
        : 'There is no filename currently set for recording the command history in.';
      case 'remove-duplicates': return `The number of history entries to look back at for duplicates is ${num(this.removeDuplicates)}.`;
      case 'save': return `Saving of the history record on exit is ${this.save ? 'on' : 'off'}.`;
      case 'size': return `The size of the command history is ${num(this.size)}.`;
    }
  }
}

export const SUBS = ['expansion', 'filename', 'remove-duplicates', 'save', 'size'] as const;

/** A history subcommand by gdb's rule (unique prefix); errors in gdb's words. */
function subcommand(word: string, context = 'set history'): string {
  const w = word.trim();
  const exact = SUBS.find((s) => s === w);
  if (exact) return exact;
  const hits = SUBS.filter((s) => s.startsWith(w));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) throw new CommandError(`Undefined ${context} command: "${w}".  Try "help ${context}".`);
  throw new CommandError(`Ambiguous ${context} command "${w}": ${hits.join(', ')}.`);
}
