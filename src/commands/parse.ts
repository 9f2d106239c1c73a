/**
 * The command line grammar: gdb's command names, its unique-prefix rule and
 * its fixed aliases (b, c, n, s, si, ni, r, p, x, bt, i r, info b...), parsed
 * into a typed Command. Parsing never touches the target, so every syntax
 * error is found here, worded like gdb's, before anything runs.
 */
import type { WatchKind } from '../target/types.js';
import type { PrintFormat, Unit } from './format.js';

export type InfoWhat =
  | 'registers' | 'all-registers' | 'float' | 'breakpoints' | 'watchpoints' | 'proc' | 'symbol' | 'signals'
  | 'snapshots' | 'checkpoints' | 'sharedlibrary' | 'frame' | 'inferiors' | 'display' | 'threads';

export type SnapshotCommand =
  | { op: 'take'; start: string; length: string }
  | { op: 'heap' } | { op: 'stack' } | { op: 'mapping'; index: number }
  | { op: 'show'; addr: string } | { op: 'diff'; addr: string } | { op: 'drop'; addr: string };

export type Command =
  | { kind: 'nop' }
  | { kind: 'run'; args: string[] | undefined; stopAt: 'main' | 'first-instruction' | undefined }
  | { kind: 'break'; location: string | undefined; temporary: boolean; condition: string | undefined }
  | { kind: 'watch'; expr: string; access: WatchKind }
  | { kind: 'delete'; ids: number[] }
  | { kind: 'enable'; ids: number[]; enable: boolean; once: boolean }
  | { kind: 'condition'; id: number; expr: string | undefined }
  | { kind: 'ignore'; id: number; count: number }
  | { kind: 'commands'; ids: number[] }
  | { kind: 'continue'; count: number }
  | { kind: 'stepi'; count: number; over: boolean }
  | { kind: 'step'; count: number; over: boolean }
  | { kind: 'finish' }
  | { kind: 'until'; location: string | undefined; advance: boolean }
  | { kind: 'print'; expr: string | undefined; fmt: PrintFormat | undefined; style: 'print' | 'output' | 'call' }
  | { kind: 'x'; expr: string | undefined; count: number | undefined; fmt: PrintFormat | undefined; unit: Unit | undefined }
  | { kind: 'set-expr'; expr: string }
  | { kind: 'setting'; name: string; value: string }
  | { kind: 'show'; name: string }
  | { kind: 'disassemble'; expr: string | undefined; raw: boolean }
  | { kind: 'backtrace'; limit: number | undefined }
  | { kind: 'frame'; index: number | undefined; relative: 'up' | 'down' | undefined }
  | { kind: 'info'; what: InfoWhat; arg: string }
  | { kind: 'thread'; id: string | undefined }
  | { kind: 'handle'; signal: string; actions: string[] }
  | { kind: 'signal'; signal: string }
  | { kind: 'kill' }
  | { kind: 'detach' }
  | { kind: 'monitor'; text: string }
  | { kind: 'attach'; pid: number }
  | { kind: 'quit'; code: string | undefined }
  | { kind: 'help'; topic: string | undefined }
  | { kind: 'echo'; text: string }
  | { kind: 'snapshot'; cmd: SnapshotCommand }
  | { kind: 'snapshots' }
  | { kind: 'restore'; addr: string }
  | { kind: 'checkpoint'; name: string | undefined }
  | { kind: 'checkpoint-delete'; name: string }
  | { kind: 'checkpoints' }
  | { kind: 'rewind'; name: string | undefined; force: boolean };

/** A parse/usage error, worded for the prompt. */
export class CommandError extends Error {
  override name = 'CommandError';
}

interface Spec {
  name: string;
  /** Fixed aliases that win over prefix matching, like gdb's `n` for next. */
  aliases?: string[];
  /** An empty line repeats this command (gdb's dont_repeat() not called). */
  repeats?: boolean;
  help: string;
  parse: (args: string) => Command;
}

// ---- argument helpers ----------------------------------------------------------------

function count(args: string): number {
  if (!args.trim()) return 1;
  const n = Number(args.trim());
  if (!Number.isInteger(n) || n < 0) throw new CommandError(`Invalid number "${args.trim()}".`);
  return n;
}

function ids(args: string): number[] {
  const out: number[] = [];
  for (const tok of args.trim().split(/\s+/).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(tok);
    if (range) {
      for (let i = Number(range[1]); i <= Number(range[2]); i++) out.push(i);
      continue;
    }
    if (!/^\d+$/.test(tok)) throw new CommandError(`Args must be numbers or '$' variables.`);
    out.push(Number(tok));
  }
  return out;
}

function required(args: string, msg: string): string {
  const a = args.trim();
  if (!a) throw new CommandError(msg);
  return a;
}

const FORMATS = new Set('xduotcazsif');
const UNITS = new Set('bhwg');

/** `/NFU` after print or x: returns the pieces and the rest of the line. */
export function parseSlashFormat(args: string, allowCount: boolean): { count?: number; fmt?: PrintFormat; unit?: Unit; rest: string } {
  const m = /^\/(\S*)\s*(.*)$/s.exec(args.trim());
  if (!m) return { rest: args.trim() };
  const spec = m[1]!;
  const rest = m[2]!;
  const out: { count?: number; fmt?: PrintFormat; unit?: Unit; rest: string } = { rest };
  const num = /^-?\d+/.exec(spec);
  let i = 0;
  if (num) {
    if (!allowCount) throw new CommandError(`Item count other than 1 is meaningless in "print" command.`);
    out.count = Number(num[0]);
    i = num[0].length;
  }
  for (; i < spec.length; i++) {
    const c = spec[i]!;
    if (UNITS.has(c)) out.unit = c as Unit;
    else if (FORMATS.has(c)) out.fmt = c as PrintFormat;
    else throw new CommandError(`Undefined output format "${c}".`);
  }
  if (!allowCount && out.unit) throw new CommandError(`Size letters are meaningless in "print" command.`);
  return out;
}

// ---- sub-parsers ---------------------------------------------------------------------

function parseBreak(args: string, temporary: boolean): Command {
  const a = args.trim();
  const m = /^(.*?)\s+if\s+(.+)$/.exec(a) ?? (a.startsWith('if ') ? ['', '', a.slice(3)] : null);
  if (m) return { kind: 'break', location: m[1] || undefined, temporary, condition: m[2] };
  return { kind: 'break', location: a || undefined, temporary, condition: undefined };
}

function parseWatch(args: string, access: WatchKind): Command {
  let expr = required(args, 'Argument required (expression to compute).');
  expr = expr.replace(/^-l(ocation)?\s+/, '');
  return { kind: 'watch', expr, access };
}

const INFO: Array<{ name: string; what: InfoWhat; aliases?: string[] }> = [
  { name: 'registers', what: 'registers', aliases: ['r'] },
  { name: 'all-registers', what: 'all-registers' },
  { name: 'float', what: 'float' },
  { name: 'breakpoints', what: 'breakpoints', aliases: ['b', 'br', 'break'] },
  { name: 'watchpoints', what: 'watchpoints' },
  { name: 'proc', what: 'proc' },
  { name: 'symbol', what: 'symbol' },
  { name: 'signals', what: 'signals', aliases: ['handle'] },
  { name: 'snapshots', what: 'snapshots' },
  { name: 'checkpoints', what: 'checkpoints' },
  { name: 'sharedlibrary', what: 'sharedlibrary', aliases: ['dll'] },
  { name: 'frame', what: 'frame', aliases: ['f'] },
  { name: 'inferiors', what: 'inferiors' },
  { name: 'display', what: 'display' },
  { name: 'threads', what: 'threads' },
];

function parseInfo(args: string): Command {
  const a = args.trim();
  if (!a) {
    throw new CommandError(`List of info subcommands:\n\n${INFO.map((i) => `info ${i.name}`).join('\n')}`);
  }
  const [word, ...restWords] = a.split(/\s+/);
  const rest = a.slice(word!.length).trim();
  void restWords;
  const hit = resolve(word!, INFO.map((i) => ({ name: i.name, aliases: i.aliases })), 'info');
  return { kind: 'info', what: INFO.find((i) => i.name === hit)!.what, arg: rest };
}

function parseSnapshot(args: string): Command {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const usage = 'usage: snapshot ADDR|SYMBOL LEN | heap | stack | mapping N | show ADDR | diff ADDR | drop ADDR';
  const [w0, ...rest] = words;
  if (!w0) throw new CommandError(usage);
  const addrArg = () => {
    if (rest.length === 0) throw new CommandError(`Argument required (snapshot start address).`);
    return rest.join(' ');
  };
  switch (w0) {
    case 'heap': return { kind: 'snapshot', cmd: { op: 'heap' } };
    case 'stack': return { kind: 'snapshot', cmd: { op: 'stack' } };
    case 'mapping': {
      if (rest.length !== 1 || !/^\d+$/.test(rest[0]!)) throw new CommandError('usage: snapshot mapping N (N from "info proc mappings")');
      return { kind: 'snapshot', cmd: { op: 'mapping', index: Number(rest[0]) } };
    }
    case 'show': return { kind: 'snapshot', cmd: { op: 'show', addr: addrArg() } };
    case 'diff': return { kind: 'snapshot', cmd: { op: 'diff', addr: addrArg() } };
    case 'drop': case 'delete': return { kind: 'snapshot', cmd: { op: 'drop', addr: addrArg() } };
    case 'list': return { kind: 'snapshots' };
  }
  // ADDR LEN: the length is the last word so the address may be an expression with spaces.
  if (words.length < 2) throw new CommandError(usage);
  return { kind: 'snapshot', cmd: { op: 'take', start: words.slice(0, -1).join(' '), length: words[words.length - 1]! } };
}

function parseCheckpoint(args: string): Command {
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (words[0] === 'delete') {
    if (words.length !== 2) throw new CommandError('usage: checkpoint delete NAME');
    return { kind: 'checkpoint-delete', name: words[1]! };
  }
  if (words[0] === 'list') return { kind: 'checkpoints' };
  if (words.length > 1) throw new CommandError('usage: checkpoint [NAME]');
  if (words[0] && !/^[\w.-]+$/.test(words[0])) throw new CommandError(`Invalid checkpoint name "${words[0]}".`);
  return { kind: 'checkpoint', name: words[0] };
}

function parseRewind(args: string): Command {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const force = words.includes('-f') || words.includes('--force') || words.includes('force');
  const names = words.filter((w) => !['-f', '--force', 'force'].includes(w));
  if (names.length > 1) throw new CommandError('usage: rewind [-f] [NAME]');
  return { kind: 'rewind', name: names[0], force };
}

/** gdb's `set` is both assignment (`set $rax = 1`, `set var x = 2`) and settings (`set confirm off`). */
function parseSet(args: string): Command {
  const a = required(args, 'Argument required (expression to compute).');
  const varMatch = /^var(?:iable)?\s+(.*)$/s.exec(a);
  if (varMatch) return { kind: 'set-expr', expr: varMatch[1]! };
  const setting = /^(confirm|pagination|height|width|disassembly-flavor|print\s+\S+|listsize|verbose|logging|step-mode|style\s+\S+|startup-with-shell|disable-randomization|can-use-hw-watchpoints|args)\b\s*(.*)$/s.exec(a);
  if (setting && !a.includes('=')) return { kind: 'setting', name: setting[1]!.replace(/\s+/g, ' '), value: setting[2]!.trim() };
  if (setting && setting[1] === 'args') return { kind: 'setting', name: 'args', value: setting[2]!.trim() };
  return { kind: 'set-expr', expr: a };
}

function parseHandle(args: string): Command {
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new CommandError('Argument required (signal to handle).');
  const [signal, ...actions] = words;
  const valid = ['stop', 'nostop', 'print', 'noprint', 'pass', 'nopass', 'ignore', 'noignore'];
  for (const a of actions) if (!valid.includes(a)) throw new CommandError(`Unrecognized or ambiguous flag word: "${a}".`);
  return { kind: 'handle', signal: signal!, actions };
}

function parseRunArgs(args: string): string[] | undefined {
  const a = args.trim();
  if (!a) return undefined;
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(a); m; m = re.exec(a)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]!);
  return out;
}

function parseFrameIndex(args: string): number | undefined {
  const a = args.trim();
  if (!a) return undefined;
  if (!/^\d+$/.test(a)) throw new CommandError(`Invalid number "${a}".`);
  return Number(a);
}

// ---- the table ------------------------------------------------------------------------

const SPECS: Spec[] = [
  { name: 'run', aliases: ['r'], help: 'Start the debugged program (restart it if it is running). Arguments replace the program\'s arguments.',
    parse: (a) => ({ kind: 'run', args: parseRunArgs(a), stopAt: undefined }) },
  { name: 'start', help: 'Start the debugged program and stop at the beginning of main.',
    parse: (a) => ({ kind: 'run', args: parseRunArgs(a), stopAt: 'main' }) },
  { name: 'starti', help: 'Start the debugged program and stop at its first instruction (in the dynamic loader, for a dynamic program).',
    parse: (a) => ({ kind: 'run', args: parseRunArgs(a), stopAt: 'first-instruction' }) },
  { name: 'break', aliases: ['b', 'br', 'bre', 'brea'], help: 'Set a breakpoint: break FUNCTION | *ADDRESS | FILE:LINE [if COND]. Without argument, at the current pc.',
    parse: (a) => parseBreak(a, false) },
  { name: 'tbreak', help: 'Set a temporary breakpoint (deleted when hit). Arguments like "break".',
    parse: (a) => parseBreak(a, true) },
  { name: 'watch', help: 'Set a hardware watchpoint that stops when EXPR is written: watch *(int*)0x404040 | watch VAR.',
    parse: (a) => parseWatch(a, 'write') },
  { name: 'rwatch', help: 'Set a hardware watchpoint that stops when EXPR is read.', parse: (a) => parseWatch(a, 'read') },
  { name: 'awatch', help: 'Set a hardware watchpoint that stops when EXPR is read or written.', parse: (a) => parseWatch(a, 'access') },
  { name: 'delete', aliases: ['d'], help: 'Delete breakpoints: delete [N...]. Without argument, all of them.',
    parse: (a) => ({ kind: 'delete', ids: ids(a.replace(/^breakpoints?\b/, '')) }) },
  { name: 'clear', help: 'Delete all breakpoints (same as "delete" without argument).', parse: () => ({ kind: 'delete', ids: [] }) },
  { name: 'disable', aliases: ['dis', 'disa'], help: 'Disable breakpoints: disable [N...].',
    parse: (a) => ({ kind: 'enable', ids: ids(a.replace(/^breakpoints?\b/, '')), enable: false, once: false }) },
  { name: 'enable', aliases: ['en'], help: 'Enable breakpoints: enable [once] [N...].',
    parse: (a) => {
      const once = /^once\b/.test(a.trim());
      return { kind: 'enable', ids: ids(a.trim().replace(/^(once|breakpoints?)\b/, '')), enable: true, once };
    } },
  { name: 'condition', help: 'condition N [EXPR]: stop at breakpoint N only when EXPR is non-zero.',
    parse: (a) => {
      const m = /^\s*(\d+)\s*(.*)$/s.exec(a);
      if (!m) throw new CommandError('Argument required (breakpoint number).');
      return { kind: 'condition', id: Number(m[1]), expr: m[2]!.trim() || undefined };
    } },
  { name: 'ignore', help: 'ignore N COUNT: pass breakpoint N COUNT times before stopping.',
    parse: (a) => {
      const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(a);
      if (!m) throw new CommandError('Argument required (a breakpoint number).');
      return { kind: 'ignore', id: Number(m[1]), count: Number(m[2]) };
    } },
  { name: 'commands', help: 'commands [N...]: lines to run when breakpoint N (default: the last one set) stops the program, up to "end"; "silent" first hides the stop.',
    parse: (a) => ({ kind: 'commands', ids: ids(a) }) },
  { name: 'continue', aliases: ['c', 'cont', 'fg'], repeats: true, help: 'Continue the program. continue N: ignore the current breakpoint N-1 more times.',
    parse: (a) => ({ kind: 'continue', count: count(a) }) },
  { name: 'stepi', aliases: ['si'], repeats: true, help: 'Step one machine instruction (N times), into calls.',
    parse: (a) => ({ kind: 'stepi', count: count(a), over: false }) },
  { name: 'nexti', aliases: ['ni'], repeats: true, help: 'Step one machine instruction (N times), over calls.',
    parse: (a) => ({ kind: 'stepi', count: count(a), over: true }) },
  { name: 'step', aliases: ['s'], repeats: true, help: 'Step one source line, into calls (one instruction-level function exit without line info).',
    parse: (a) => ({ kind: 'step', count: count(a), over: false }) },
  { name: 'next', aliases: ['n'], repeats: true, help: 'Step one source line, over calls.',
    parse: (a) => ({ kind: 'step', count: count(a), over: true }) },
  { name: 'finish', aliases: ['fin'], repeats: true, help: 'Run until the current function returns; print the value in rax.',
    parse: () => ({ kind: 'finish' }) },
  { name: 'until', aliases: ['u'], repeats: true, help: 'until [LOCATION]: run until LOCATION or until the current frame returns.',
    parse: (a) => ({ kind: 'until', location: a.trim() || undefined, advance: false }) },
  { name: 'advance', help: 'advance LOCATION: run until LOCATION (or the current frame returns).',
    parse: (a) => ({ kind: 'until', location: required(a, 'Argument required (a location).'), advance: true }) },
  { name: 'print', aliases: ['p', 'inspect'], help: 'print[/FMT] EXPR: evaluate and print. FMT is one of x d u o t c a z s.',
    parse: (a) => { const f = parseSlashFormat(a, false); return { kind: 'print', expr: f.rest || undefined, fmt: f.fmt, style: 'print' }; } },
  { name: 'output', help: 'output[/FMT] EXPR: like print, without history and newline.',
    parse: (a) => { const f = parseSlashFormat(a, false); return { kind: 'print', expr: required(f.rest, 'Argument required (expression to compute).'), fmt: f.fmt, style: 'output' }; } },
  { name: 'call', help: 'call EXPR: print EXPR unless it is void (no inferior calls yet).',
    parse: (a) => ({ kind: 'print', expr: required(a, 'The history is empty.'), fmt: undefined, style: 'call' }) },
  { name: 'x', repeats: true, help: 'x/NFU ADDR: examine memory. N count, F format (x d u o t c a z s i), U unit (b h w g).',
    parse: (a) => { const f = parseSlashFormat(a, true); return { kind: 'x', expr: f.rest || undefined, count: f.count, fmt: f.fmt, unit: f.unit }; } },
  { name: 'set', help: 'set $REG = V | set *(long*)ADDR = V | set {int} ADDR = V | set {char[4]} ADDR = "abc" | set var X = V.',
    parse: parseSet },
  { name: 'show', help: 'show SETTING.', parse: (a) => ({ kind: 'show', name: a.trim() }) },
  { name: 'disassemble', help: 'disassemble [/r] [ADDR | FUNC]: AT&T disassembly of a function, "=>" at the pc.',
    parse: (a) => { const raw = /^\/r\b/.test(a.trim()); const rest = a.trim().replace(/^\/[rms]+\s*/, ''); return { kind: 'disassemble', expr: rest || undefined, raw }; } },
  { name: 'backtrace', aliases: ['bt', 'where'], help: 'backtrace [N]: print the call stack.',
    parse: (a) => { const t = a.trim().replace(/^-?full\b/, '').trim(); return { kind: 'backtrace', limit: t ? count(t) : undefined }; } },
  { name: 'frame', aliases: ['f'], help: 'frame [N]: select and print stack frame N.',
    parse: (a) => ({ kind: 'frame', index: parseFrameIndex(a), relative: undefined }) },
  { name: 'up', help: 'up [N]: select the frame N levels up (the caller).', parse: (a) => ({ kind: 'frame', index: count(a), relative: 'up' }) },
  { name: 'down', help: 'down [N]: select the frame N levels down.', parse: (a) => ({ kind: 'frame', index: count(a), relative: 'down' }) },
  { name: 'info', aliases: ['i', 'inf'], help: 'info registers [REG|float|vector|all] | all-registers | float | breakpoints | watchpoints | proc mappings | symbol ADDR | signals | snapshots | checkpoints | sharedlibrary | frame | threads.',
    parse: parseInfo },
  { name: 'thread', aliases: ['t'], help: 'thread [N]: show the current thread, or switch to thread N (registers and frames follow it). thread apply all|ID... COMMAND: run COMMAND in each thread.',
    parse: (a) => ({ kind: 'thread', id: a.trim() || undefined }) },
  { name: 'handle', help: 'handle SIGNAL [stop|nostop] [print|noprint] [pass|nopass]: what to do when the program gets SIGNAL.',
    parse: parseHandle },
  { name: 'signal', help: 'signal SIG: continue the program giving it signal SIG (0 for none).',
    parse: (a) => ({ kind: 'signal', signal: required(a, 'Argument required (signal number).') }) },
  { name: 'kill', aliases: ['k'], help: 'Kill the program being debugged.', parse: () => ({ kind: 'kill' }) },
  { name: 'detach', help: 'Detach the process: it goes on running without the debugger.', parse: () => ({ kind: 'detach' }) },
  { name: 'monitor', help: 'monitor COMMAND: send COMMAND to the remote stub (tsdbg serve: `monitor help`; gdbserver; QEMU\'s monitor).',
    parse: (a) => ({ kind: 'monitor', text: a.trim() }) },
  { name: 'attach', help: 'attach PID: debug a running process.',
    parse: (a) => {
      const t = required(a, 'Argument required (process-id to attach).');
      if (!/^\d+$/.test(t)) throw new CommandError(`Illegal process-id: ${t}.`);
      return { kind: 'attach', pid: Number(t) };
    } },
  { name: 'quit', aliases: ['q', 'exit'], help: 'Exit tsdbg, killing the program it started (detaching one it attached to).',
    parse: (a) => ({ kind: 'quit', code: a.trim() || undefined }) },
  { name: 'help', aliases: ['h'], help: 'help [COMMAND]: list commands, or describe one.', parse: (a) => ({ kind: 'help', topic: a.trim() || undefined }) },
  { name: 'echo', help: 'echo TEXT: print TEXT (C escapes like \\n are understood).', parse: (a) => ({ kind: 'echo', text: a.replace(/^ /, '') }) },
  { name: 'snapshot', help: 'snapshot ADDR|SYMBOL LEN | heap | stack | mapping N | show ADDR | diff ADDR | drop ADDR: memory snapshots.',
    parse: parseSnapshot },
  { name: 'snapshots', help: 'List the snapshots held (start, length, engine, bytes against the limit).', parse: () => ({ kind: 'snapshots' }) },
  { name: 'restore', help: 'restore ADDR: write the snapshot starting at ADDR back into the program (and drop it).',
    parse: (a) => ({ kind: 'restore', addr: required(a, 'Argument required (snapshot start address).') }) },
  { name: 'checkpoint', help: 'checkpoint [NAME] | checkpoint delete NAME: save registers and all writable memory of the program.',
    parse: parseCheckpoint },
  { name: 'checkpoints', help: 'List checkpoints with their sizes.', parse: () => ({ kind: 'checkpoints' }) },
  { name: 'rewind', help: 'rewind [-f] [NAME]: go back to a checkpoint (default: the latest); -f even if the memory map changed.',
    parse: parseRewind },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/**
 * gdb's lookup: an exact name or fixed alias wins; otherwise a prefix that
 * names exactly one command.
 */
function resolve(word: string, table: Array<{ name: string; aliases?: string[] }>, context?: string): string {
  const w = word.toLowerCase();
  for (const s of table) if (s.name === w || s.aliases?.includes(w)) return s.name;
  const hits = table.filter((s) => s.name.startsWith(w)).map((s) => s.name);
  if (hits.length === 1) return hits[0]!;
  const ctx = context ? `${context} ` : '';
  if (hits.length === 0) {
    if (context) throw new CommandError(`Undefined ${context} command: "${word}".  Try "help ${context}".`);
    throw new CommandError(`Undefined command: "${word}".  Try "help".`);
  }
  throw new CommandError(`Ambiguous ${ctx}command "${word}": ${hits.sort().join(', ')}.`);
}

export interface ParsedLine {
  command: Command;
  /** Name of the command, after alias/prefix resolution. */
  name: string;
  repeats: boolean;
}

/** Parse one line; throws CommandError with gdb's message on bad input. */
export function parseLine(line: string): ParsedLine {
  const text = line.replace(/^\s+/, '');
  if (!text || text.startsWith('#')) return { command: { kind: 'nop' }, name: '', repeats: false };
  // gdb splits `x/4x`, `p/x` and `disas/r` at the slash; a word is letters, digits, - and _.
  const m = /^([A-Za-z_][\w-]*|!)(.*)$/s.exec(text);
  if (!m) throw new CommandError(`Undefined command: "${text.split(/\s/)[0]}".  Try "help".`);
  const name = resolve(m[1]!, SPECS);
  const spec = BY_NAME.get(name)!;
  const rest = m[2]!;
  if (rest && !/^[\s/]/.test(rest)) throw new CommandError(`Undefined command: "${m[1]}${rest.split(/\s/)[0]}".  Try "help".`);
  return { command: spec.parse(rest.replace(/^ /, '').replace(/\s+$/, '')), name, repeats: spec.repeats ?? false };
}

/** `help` text: the list, or one command's description. */
export function helpText(topic: string | undefined): string[] {
  if (!topic) {
    const width = Math.max(...SPECS.map((s) => s.name.length));
    return [
      'tsdbg commands (gdb names; unique prefixes and gdb\'s aliases work):',
      '',
      ...SPECS.map((s) => `${s.name.padEnd(width)}  ${s.aliases?.length ? `(${s.aliases.join(', ')}) ` : ''}${s.help.split('.')[0]}.`),
      '',
      'Type "help" followed by a command name for its full description.',
    ];
  }
  const name = resolve(topic.split(/\s+/)[0]!, SPECS);
  const s = BY_NAME.get(name)!;
  return [s.help, ...(s.aliases?.length ? [`Aliases: ${s.aliases.join(', ')}.`] : [])];
}

export const COMMAND_NAMES = SPECS.map((s) => s.name);
