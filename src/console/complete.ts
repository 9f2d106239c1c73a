/**
 * Tab completion by gdb's rules, as ONE function the line editor (readline at
 * the prompt) and a full-screen console both call: the first word completes
 * to commands; `info`/`set`/`show`/`help` to their subcommands; `file` and
 * `source` to file names; `break`/`list`/`until`/`advance`/`clear` to
 * functions and source files (`FILE:`); `rewind` and `checkpoint delete` to
 * checkpoint names; `snapshot` to its subcommands, `snapshot diff|show|drop`
 * and `restore` to the snapshots held; anything else to an expression's names (locals in scope,
 * functions, globals, types), or after `.`/`->` to the members of the left
 * side's struct; `catch syscall`, `tcatch syscall` and `info syscall` to the calls' names and groups.
 * `complete TEXT` prints the same list, as gdb's does.
 */
import { readdirSync, statSync } from 'node:fs';
import { GDB_GROUPS, SYSCALL_NAMES } from '../syscall/table.js';
import { expected } from '../debugger/errors.js';

export interface Completion {
  /** Sorted, unique: what replaces line[replaceFrom, cursor). */
  candidates: string[];
  replaceFrom: number;
}

export interface CompletionSource {
  /** Command names and aliases for the first word (user-defined ones too). */
  commands(): readonly string[];
  /** A command word's full name (alias or unique prefix), or undefined. */
  resolve(word: string): string | undefined;
  /** Subcommands of a prefix command (`info`, `set`, `show`, `set history`...). */
  subcommands(prefix: string): readonly string[];
  symbols(): Promise<string[]>;
  /** Functions, and source file names (completed as `FILE:`). */
  locations(): Promise<{ functions: string[]; files: string[] }>;
  fields(expr: string): Promise<string[] | undefined>;
  checkpoints(): readonly string[];
  /** How the snapshots held are named: `heap`, `stack`, their start addresses. */
  snapshots(): readonly string[];
}

const SNAPSHOT_SUBCOMMANDS = ['diff', 'drop', 'heap', 'mapping', 'show', 'stack'];

const LOCATION_COMMANDS = new Set(['break', 'tbreak', 'list', 'until', 'advance', 'clear']);
const FILE_COMMANDS = new Set(['file', 'source', 'cd', 'exec-file', 'symbol-file']);
const PREFIXES = new Set(['info', 'set', 'show', 'help']);

function matching(words: Iterable<string>, prefix: string): string[] {
  return [...new Set([...words].filter((w) => w.startsWith(prefix)))].sort(byteOrder);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function complete(line: string, cursor: number, src: CompletionSource): Promise<Completion> {
  const text = line.slice(0, cursor);
  const lead = /^\s*/.exec(text)![0].length;
  const first = /^[^\s/]*/.exec(text.slice(lead))![0];
  if (lead + first.length === text.length) {
    return { candidates: matching(src.commands(), first), replaceFrom: lead };
  }
  // (a command tsdbg lacks, `file`, still completes as gdb's would)
  const command = src.resolve(first) ?? first;
  const restAt = lead + first.length + /^\s*/.exec(text.slice(lead + first.length))![0].length;
  const rest = text.slice(restAt);
  if (command && PREFIXES.has(command) && !(command === 'info' && /^sys\S*\s/.test(rest))) {
    const sub = completeSubcommand(command, rest, restAt, src);
    if (sub) return sub;
  }
  const lastWord = /\S*$/.exec(text)![0];
  const wordAt = text.length - lastWord.length;
  const calls = syscallWords(command, rest);
  if (calls) return { candidates: matching(calls, lastWord), replaceFrom: wordAt };
  if (command && FILE_COMMANDS.has(command)) {
    return { candidates: fileNames(lastWord), replaceFrom: wordAt };
  }
  if (command === 'rewind' || (command === 'checkpoint' && /^delete\s/.test(rest))) {
    const word = lastWord.startsWith('-') ? '' : lastWord;
    return { candidates: matching(src.checkpoints(), word), replaceFrom: text.length - word.length };
  }
  if (command === 'snapshot' || command === 'restore') {
    const words = rest.split(/\s+/);
    const list = command === 'snapshot' && words.length === 1 ? SNAPSHOT_SUBCOMMANDS
      : command === 'restore' || (words.length === 2 && /^(diff|show|drop)$/.test(words[0]!)) ? src.snapshots() : [];
    return { candidates: matching(list, lastWord), replaceFrom: wordAt };
  }
  if (command && LOCATION_COMMANDS.has(command) && !/[.>(]/.test(lastWord) && !/\bif\b/.test(rest)) {
    const { functions, files } = await src.locations();
    return { candidates: matching([...functions, ...files.map((f) => `${f}:`)], lastWord), replaceFrom: wordAt };
  }
  return completeExpression(text, src);
}

/**
 * `catch`/`tcatch` complete to `syscall`, and after it (and after `info syscall`) to the
 * calls' names and gdb's groups (`group:memory`, `g:process`), as gdb's catch syscall does.
 */
function syscallWords(command: string, rest: string): readonly string[] | undefined {
  const words = rest.split(/\s+/);
  if (command === 'catch' || command === 'tcatch') {
    if (words.length === 1) return ['syscall'];
    if (!(words[0]!.length >= 2 && 'syscall'.startsWith(words[0]!))) return undefined;
  } else if (command !== 'info' || words.length < 2 || !(words[0]!.length >= 3 && 'syscall'.startsWith(words[0]!))) {
    return undefined;
  }
  return [...SYSCALL_NAMES, ...GDB_GROUPS.flatMap((g) => [`group:${g}`, `g:${g}`])];
}

/** `info X`, `set X`, `show X`, `help X`, and `set history X` / `show history X` one level down. */
function completeSubcommand(command: string, rest: string, restAt: number, src: CompletionSource): Completion | undefined {
  const words = rest.split(/\s+/);
  if (words.length === 1) {
    const list = command === 'help' ? src.commands() : src.subcommands(command);
    return { candidates: matching(list, words[0]!), replaceFrom: restAt };
  }
  if ((command === 'set' || command === 'show') && words.length === 2) {
    const group = uniquePrefix(src.subcommands(command), words[0]!);
    const subs = group ? src.subcommands(`${command} ${group}`) : [];
    if (subs.length) return { candidates: matching(subs, words[1]!), replaceFrom: restAt + rest.length - words[1]!.length };
  }
  if (command === 'info' || command === 'help') return { candidates: [], replaceFrom: restAt + rest.length };
  return undefined;
}

function uniquePrefix(list: readonly string[], word: string): string | undefined {
  if (list.includes(word)) return word;
  const hits = list.filter((s) => s.startsWith(word));
  return hits.length === 1 ? hits[0] : undefined;
}

/** The names of an expression's last word; after `.` or `->`, the members of what is left of it. */
async function completeExpression(text: string, src: CompletionSource): Promise<Completion> {
  const word = /[A-Za-z_$][\w$]*$/.exec(text)?.[0] ?? '';
  const wordAt = text.length - word.length;
  const before = text.slice(0, wordAt);
  const member = /(\.|->)\s*$/.exec(before);
  if (member) {
    const left = leftOperand(before.slice(0, before.length - member[0].length));
    // (a left side that does not evaluate here has no members to offer, as in gdb)
    const fields = left ? await src.fields(left).catch(expected(undefined)) : undefined;
    return { candidates: fields ? matching(fields, word) : [], replaceFrom: wordAt };
  }
  if (word.startsWith('$')) return { candidates: [], replaceFrom: wordAt };
  return { candidates: matching(await src.symbols(), word), replaceFrom: wordAt };
}

/** The postfix expression that ends `text`: names, `.`/`->` chains, calls and subscripts, a parenthesized group. */
export function leftOperand(text: string): string | undefined {
  let i = text.length;
  for (;;) {
    while (i > 0 && /\s/.test(text[i - 1]!)) i--;
    const c = text[i - 1];
    if (c === ')' || c === ']') {
      const open = c === ')' ? '(' : '[';
      let depth = 0;
      for (i--; i >= 0; i--) {
        if (text[i] === c) depth++;
        else if (text[i] === open && --depth === 0) break;
      }
      if (i < 0) return undefined;
      if (c === ")" && !/[\w$\]]$/.test(text.slice(0, i))) break;   // a group, not a call
      continue;
    }
    const name = /[A-Za-z_$][\w$]*$/.exec(text.slice(0, i));
    if (!name) break;
    i -= name[0].length;
    const link = /(\.|->)\s*$/.exec(text.slice(0, i));
    if (!link) break;
    i -= link[0].length;
  }
  const e = text.slice(i).trim();
  return e || undefined;
}

/** Files and directories whose names start with `word`'s last part (dot files only when asked for). */
export function fileNames(word: string): string[] {
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const base = word.slice(slash + 1);
  const home = process.env.HOME ?? '';
  const dir = dirPart === '' ? '.' : dirPart.replace(/^~(?=\/)/, home);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];   // (no such directory, or unreadable: nothing to offer, as readline)
  }
  const out: string[] = [];
  for (const n of names) {
    if (!n.startsWith(base) || (n.startsWith('.') && !base.startsWith('.'))) continue;
    out.push(`${dirPart}${n}`);
  }
  return out.sort(byteOrder);
}

/** True when `p` names a directory (readline adds `/` to complete into it). */
export function isDirectory(p: string): boolean {
  try {
    return statSync(p.replace(/^~(?=\/)/, process.env.HOME ?? '')).isDirectory();
  } catch {
    return false;   // (no such file: not a directory)
  }
}


/**
 * What goes into the line for `candidates` (readline's completer words): one
 * completion goes in whole, followed by what gdb adds, a space or `/` after a
 * directory (`FILE:` takes nothing); several stay as they are, to be listed.
 */
export function completionWords(candidates: string[]): string[] {
  if (candidates.length !== 1) return candidates;
  const c = candidates[0]!;
  if (c.endsWith(':')) return [c];
  return [isDirectory(c) && c.includes('/') ? `${c}/` : `${c} `];
}

/** The longest start all of `words` share (readline inserts it when several complete). */
export function commonPrefix(words: readonly string[]): string {
  if (!words.length) return '';
  let n = words[0]!.length;
  for (const w of words) {
    let i = 0;
    while (i < n && i < w.length && w[i] === words[0]![i]) i++;
    n = i;
  }
  return words[0]!.slice(0, n);
}
