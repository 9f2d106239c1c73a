/**
 * The command line grammar: gdb's command names, its unique-prefix rule and
 * its fixed aliases (b, c, n, s, si, ni, r, p, x, bt, i r, info b...), parsed
 * into a typed Command. Parsing never touches the target, so every syntax
 * error is found here, worded like gdb's, before anything runs.
 */
import type { WatchKind } from '../target/types.js';
import type { PrintFormat, Unit } from './format.js';
import { xCount } from './examine.js';
import { CONSOLE_SPECS } from '../console/specs.js';
import { parseDisassembleArgs, type DisassembleArgs } from './disassemble.js';

export type InfoWhat =
  | 'registers' | 'all-registers' | 'float' | 'breakpoints' | 'watchpoints' | 'proc' | 'symbol' | 'signals'
  | 'snapshots' | 'checkpoints' | 'sharedlibrary' | 'frame' | 'inferiors' | 'display' | 'threads' | 'scope' | 'kstats' | 'syscall'
  /** Source-level (SourceLevel, over DWARF): gdb's message for a program without it otherwise. */
  | 'address' | 'args' | 'functions' | 'line' | 'locals' | 'source' | 'types' | 'variables';

export type SnapshotCommand =
  | { op: 'take'; start: string; length: string }
  | { op: 'heap' } | { op: 'stack' } | { op: 'mapping'; index: number }
  | { op: 'show'; addr: string } | { op: 'diff'; addr: string } | { op: 'drop'; addr: string }
  /** `snapshot EXPR`: the object EXPR designates (address and size from its type). */
  | { op: 'object'; expr: string };

export type Command =
  | { kind: 'nop' }
  | { kind: 'run'; args: string[] | undefined; stopAt: 'main' | 'first-instruction' | undefined }
  | { kind: 'break'; location: string | undefined; temporary: boolean; condition: string | undefined }
  | { kind: 'watch'; expr: string; access: WatchKind; location?: boolean }
  | { kind: 'catch-syscall'; args: string; temporary: boolean }
  | { kind: 'delete'; ids: number[] }
  | { kind: 'clear'; location: string | undefined }
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
  | { kind: 'disassemble'; args: DisassembleArgs }
  | { kind: 'backtrace'; limit: number | undefined }
  /** `text`: the count as typed, for gdb's "No frame at level TEXT." */
  | { kind: 'frame'; index: number | undefined; relative: 'up' | 'down' | undefined; text: string }
  | { kind: 'list'; arg: string }
  | { kind: 'ptype'; expr: string; whatis: boolean; offsets: boolean }
  | { kind: 'display'; expr: string; fmt: string | undefined }
  /** `undisplay` or `delete display` (`viaDelete`: gdb's breakpoint-list error without DWARF). */
  | { kind: 'undisplay'; arg: string; viaDelete: boolean }
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
  | { kind: 'printf'; text: string }
  | { kind: 'syscall'; args: string }
  | { kind: 'snapshot'; cmd: SnapshotCommand }
  | { kind: 'snapshots' }
  | { kind: 'restore'; addr: string }
  | { kind: 'checkpoint'; name: string | undefined }
  | { kind: 'checkpoint-delete'; name: string }
  | { kind: 'checkpoints' }
  | { kind: 'rewind'; name: string | undefined; force: boolean };

import { CommandError } from '../debugger/errors.js';

export { CommandError };

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
export function parseSlashFormat(args: string, allowCount: boolean, command = 'print'): { count?: number; fmt?: PrintFormat; unit?: Unit; rest: string } {
  const m = /^\/(\S*)\s*(.*)$/s.exec(args.trim());
  if (!m) return { rest: args.trim() };
  const spec = m[1]!;
  const rest = m[2]!;
  const out: { count?: number; fmt?: PrintFormat; unit?: Unit; rest: string } = { rest };
  const num = /^-?\d+/.exec(spec);
  let i = 0;
  if (num) {
    if (!allowCount) throw new CommandError(`Item count other than 1 is meaningless in "print" command.`);
    out.count = xCount(num[0]);
    i = num[0].length;
  }
  for (; i < spec.length; i++) {
    const c = spec[i]!;
    if (UNITS.has(c)) out.unit = c as Unit;
    else if (FORMATS.has(c)) {
      if (!allowCount && c === 'i') throw new CommandError(`Format letter "${c}" is meaningless in "${command}" command.`);
      out.fmt = c as PrintFormat;
    }
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

/** `catch syscall ...` / `tcatch syscall ...` (the only catch event tsdbg has). */
function parseCatch(args: string, temporary: boolean): Command {
  const m = /^(\S+)\s*(.*)$/s.exec(args.trim());
  if (!m) throw new CommandError('List of catch subcommands:\n\ncatch syscall -- Catch system calls by their names, groups and/or numbers.');
  if ('syscall'.startsWith(m[1]!) && m[1]!.length >= 2) return { kind: 'catch-syscall', args: m[2]!, temporary };
  throw new CommandError(`Undefined ${temporary ? 'tcatch' : 'catch'} command: "${m[1]}".  Try "help ${temporary ? 'tcatch' : 'catch'}".`);
}

function parseWatch(args: string, access: WatchKind): Command {
  let expr = required(args, 'Argument required (expression to compute).');
  const location = /^-l(ocation)?\s+/.test(expr);
  expr = expr.replace(/^-l(ocation)?\s+/, '');
  return { kind: 'watch', expr, access, location };
}

/** No DWARF for the program: what gdb says to a source-level command then (the source module runs them otherwise). */
export const NO_SYMBOLS = 'No symbol table is loaded.  Use the "file" command.';
export const NO_SYMBOL_INFO = 'No symbol table info available.';

/**
 * The info subcommands, with gdb's one-line help. The source-level ones
 * (address, args, functions, line, locals, source, types, variables) are run
 * by the source module (src/commands/source) over DWARF.
 */
const INFO: Array<{ name: string; what: InfoWhat; aliases?: string[]; help: string }> = [
  { name: 'address', what: 'address', help: 'Describe where symbol SYM is stored.\nUsage: info address SYM' },
  { name: 'all-registers', what: 'all-registers', help: 'List of all registers and their contents, for selected stack frame.' },
  { name: 'args', what: 'args', help: 'All argument variables of current stack frame or those matching REGEXPs.' },
  { name: 'breakpoints', what: 'breakpoints', aliases: ['b', 'br', 'break'], help: 'Status of specified breakpoints (all user-settable breakpoints if no argument).' },
  { name: 'checkpoints', what: 'checkpoints', help: 'IDs of currently known checkpoints.' },
  { name: 'display', what: 'display', help: 'Expressions to display when program stops, with code numbers.' },
  { name: 'float', what: 'float', help: 'Print the status of the floating point unit.' },
  { name: 'frame', what: 'frame', aliases: ['f'], help: 'All about the selected stack frame.' },
  { name: 'functions', what: 'functions', help: 'All function names or those matching REGEXPs.' },
  { name: 'inferiors', what: 'inferiors', help: 'Print a list of inferiors being managed.' },
  { name: 'kstats', what: 'kstats', help: 'Kernel operations of the process, counted by tracer.ko (kernel-patch/tracer).' },
  { name: 'line', what: 'line', help: 'Core addresses of the code for a source line.' },
  { name: 'locals', what: 'locals', help: 'All local variables of current stack frame or those matching REGEXPs.' },
  { name: 'proc', what: 'proc', help: 'Show additional information about a process.\ninfo proc [mappings]: the process\'s command line, cwd and exe, or its memory mappings.' },
  { name: 'registers', what: 'registers', aliases: ['r'], help: 'List of integer registers and their contents, for selected stack frame.\ninfo registers [REG|float|vector|all]' },
  { name: 'scope', what: 'scope', help: 'List the variables local to a scope.' },
  { name: 'sharedlibrary', what: 'sharedlibrary', aliases: ['dll'], help: 'Status of loaded shared object libraries.' },
  { name: 'signals', what: 'signals', aliases: ['handle'], help: 'What debugger does when program gets various signals.' },
  { name: 'snapshots', what: 'snapshots', help: 'List the memory snapshots held.' },
  { name: 'source', what: 'source', help: 'Information about the current source file.' },
  { name: 'symbol', what: 'symbol', help: 'Describe what symbol is at location ADDR.\nUsage: info symbol ADDR' },
  { name: 'syscall', what: 'syscall', help: 'The system call the program is stopped at, or what a system call is.\ninfo syscall: at a catch syscall stop, the call as strace prints it (its result at the return).\ninfo syscall NAME|NUMBER|group:GROUP...: number, name, groups and the kernel\'s declaration.' },
  { name: 'threads', what: 'threads', help: 'Display currently known threads.' },
  { name: 'types', what: 'types', help: 'All type names, or those matching REGEXP.' },
  { name: 'variables', what: 'variables', help: 'All global and static variable names or those matching REGEXPs.' },
  { name: 'watchpoints', what: 'watchpoints', help: 'Status of specified watchpoints (all watchpoints if no argument).' },
];

function parseInfo(args: string): Command {
  const a = args.trim();
  if (!a) {
    throw new CommandError(['List of info subcommands:', '', ...INFO.map((i) => `${title('info ', i)} -- ${summary(i.help)}`)].join('\n'));
  }
  const [word, ...restWords] = a.split(/\s+/);
  const rest = a.slice(word!.length).trim();
  void restWords;
  // `info sy` stays gdb's `info symbol` (the only one so in gdb), beside tsdbg's `info syscall`
  const hit = INFO.find((i) => i.name === resolve(word === 'sy' ? 'symbol' : word!, INFO, 'info'))!;
  return { kind: 'info', what: hit.what, arg: rest };
}

export const SNAPSHOT_USAGE = 'usage: snapshot ADDR|SYMBOL LEN | heap | stack | mapping N | show ADDR | diff ADDR | drop ADDR';

function parseSnapshot(args: string): Command {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const usage = SNAPSHOT_USAGE;
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
  if (words.length === 1 && !['show', 'drop', 'delete', 'mapping', 'diff'].includes(w0)) return { kind: 'snapshot', cmd: { op: 'object', expr: w0 } };
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
  // the value printing settings take an expression: `set print elements n = 2 ? 4 : 8` is one
  const print = /^(print\s+(?:pretty|elements|repeats))\b\s*(.*)$/s.exec(a);
  if (print) return { kind: 'setting', name: print[1]!.replace(/\s+/g, ' '), value: print[2]!.trim() };
  const setting = /^(confirm|pagination|height|width|disassembly-flavor|print\s+\S+|listsize|verbose|logging|step-mode|style\s+\S+|startup-with-shell|disable-randomization|can-use-hw-watchpoints|checkpoint-limit|checkpoint-method|breakpoint\s+pending|args)\b\s*(.*)$/s.exec(a);
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

/**
 * The number of `frame N` / `up N` (`down N`: negated) as gdb has it: a
 * LONGEST cut to an int (`up 4294967296` stays); null when not a number.
 */
export function frameCount(text: string, negate: boolean): number | null {
  const m = /^(-?)(0x[0-9a-f]+|\d+)$/i.exec(text.trim());
  if (!m) return null;
  let v = BigInt(m[2]!);
  if (v > 0xffff_ffff_ffff_ffffn) throw new CommandError('Numeric constant too large.');
  if (m[1]) v = -v;
  if (negate) v = -BigInt.asIntN(64, v);
  return Number(BigInt.asIntN(32, v));
}

/** `frame N`, `up N` / `down N`: levels outward (down: negated already). */
function upDown(args: string, down: boolean): number | undefined {
  if (!args.trim()) return undefined;
  const n = frameCount(args, down);
  if (n === null) throw new CommandError(`Invalid number "${args.trim()}".`);
  return n;
}

/** `display[/FMT] EXP` (FMT as typed: `i`, `x`...). */
function parseDisplay(args: string): Command {
  const m = /^\/(\w+)\s*(.*)$/s.exec(args.trim());
  return m ? { kind: 'display', expr: m[2]!, fmt: m[1] } : { kind: 'display', expr: args.trim(), fmt: undefined };
}

/** `ptype[/o] EXP`, `whatis EXP` (another /FLAG is taken as none, as before). */
function parsePtype(args: string, whatis: boolean): Command {
  const m = /^(\/\w+)?\s*(.*)$/s.exec(args.trim())!;
  const expr = m[2]!;
  if (!expr.trim()) throw new CommandError('Argument required (expression).');
  return { kind: 'ptype', expr, whatis, offsets: !whatis && m[1] === '/o' };
}

/** `delete [breakpoints] N...` or `delete display [N...]`. */
function parseDelete(args: string): Command {
  const display = /^display\b\s*(.*)$/s.exec(args.trim());
  if (display) return { kind: 'undisplay', arg: display[1]!, viaDelete: true };
  return { kind: 'delete', ids: ids(args.replace(/^breakpoints?\b/, '')) };
}

// ---- the table ------------------------------------------------------------------------

const SPECS: Spec[] = [
  { name: 'run', aliases: ['r'], help: 'Start debugged program.\nStart the debugged program (restart it if it is running). Arguments replace the program\'s arguments.',
    parse: (a) => ({ kind: 'run', args: parseRunArgs(a), stopAt: undefined }) },
  { name: 'start', help: 'Start the debugged program stopping at the beginning of the main procedure.\nStart the debugged program and stop at the beginning of main.',
    parse: (a) => ({ kind: 'run', args: parseRunArgs(a), stopAt: 'main' }) },
  { name: 'starti', help: 'Start the debugged program stopping at the first instruction.\nStart the debugged program and stop at its first instruction (in the dynamic loader, for a dynamic program).',
    parse: (a) => ({ kind: 'run', args: parseRunArgs(a), stopAt: 'first-instruction' }) },
  { name: 'break', aliases: ['b', 'br', 'bre', 'brea'], help: 'Set breakpoint at specified location.\nSet a breakpoint: break FUNCTION | *ADDRESS | FILE:LINE [if COND]. Without argument, at the current pc.',
    parse: (a) => parseBreak(a, false) },
  { name: 'tbreak', help: 'Set a temporary breakpoint.\nSet a temporary breakpoint (deleted when hit). Arguments like "break".',
    parse: (a) => parseBreak(a, true) },
  { name: 'watch', help: 'Set a watchpoint for EXPRESSION.\nSet a hardware watchpoint that stops when EXPR is written: watch *(int*)0x404040 | watch VAR.',
    parse: (a) => parseWatch(a, 'write') },
  { name: 'catch', help: 'Set catchpoints to catch events.\ncatch syscall [NAME|NUMBER|group:GROUP]...: stop at the entry and the return of those system calls (all without argument).',
    parse: (a) => parseCatch(a, false) },
  { name: 'tcatch', help: 'Set temporary catchpoints to catch events.\ntcatch syscall ...: as catch syscall, deleted when hit.', parse: (a) => parseCatch(a, true) },
  { name: 'rwatch', help: 'Set a read watchpoint for EXPRESSION.\nSet a hardware watchpoint that stops when EXPR is read.', parse: (a) => parseWatch(a, 'read') },
  { name: 'awatch', help: 'Set an access watchpoint for EXPRESSION.\nSet a hardware watchpoint that stops when EXPR is read or written.', parse: (a) => parseWatch(a, 'access') },
  { name: 'delete', aliases: ['d'], help: 'Delete all or some breakpoints.\nDelete breakpoints: delete [N...]. Without argument, all of them.',
    parse: parseDelete },
  { name: 'clear', help: 'Clear breakpoint at specified location.\nclear [LOCATION]: without argument, the breakpoints at the selected line; with FUNCTION, LINE or FILE:LINE, those there.',
    parse: (a) => ({ kind: 'clear', location: a.trim() || undefined }) },
  { name: 'disable', aliases: ['dis', 'disa'], help: 'Disable all or some breakpoints.\nDisable breakpoints: disable [N...].',
    parse: (a) => ({ kind: 'enable', ids: ids(a.replace(/^breakpoints?\b/, '')), enable: false, once: false }) },
  { name: 'enable', aliases: ['en'], help: 'Enable all or some breakpoints.\nEnable breakpoints: enable [once] [N...].',
    parse: (a) => {
      const once = /^once\b/.test(a.trim());
      return { kind: 'enable', ids: ids(a.trim().replace(/^(once|breakpoints?)\b/, '')), enable: true, once };
    } },
  { name: 'condition', help: 'Specify breakpoint number N to break only if COND is true.\ncondition N [EXPR]: stop at breakpoint N only when EXPR is non-zero.',
    parse: (a) => {
      const m = /^\s*(\d+)\s*(.*)$/s.exec(a);
      if (!m) throw new CommandError('Argument required (breakpoint number).');
      return { kind: 'condition', id: Number(m[1]), expr: m[2]!.trim() || undefined };
    } },
  { name: 'ignore', help: 'Set ignore-count of breakpoint number N to COUNT.\nignore N COUNT: pass breakpoint N COUNT times before stopping.',
    parse: (a) => {
      const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(a);
      if (!m) throw new CommandError('Argument required (a breakpoint number).');
      return { kind: 'ignore', id: Number(m[1]), count: Number(m[2]) };
    } },
  { name: 'commands', help: 'Set commands to be executed when the given breakpoints are hit.\ncommands [N...]: lines to run when breakpoint N (default: the last one set) stops the program, up to "end"; "silent" first hides the stop.',
    parse: (a) => ({ kind: 'commands', ids: ids(a) }) },
  { name: 'continue', aliases: ['c', 'cont', 'fg'], repeats: true, help: 'Continue program being debugged, after signal or breakpoint.\nContinue the program. continue N: ignore the current breakpoint N-1 more times.',
    parse: (a) => ({ kind: 'continue', count: count(a) }) },
  { name: 'stepi', aliases: ['si'], repeats: true, help: 'Step one instruction exactly.\nStep one machine instruction (N times), into calls.',
    parse: (a) => ({ kind: 'stepi', count: count(a), over: false }) },
  { name: 'nexti', aliases: ['ni'], repeats: true, help: 'Step one instruction, but proceed through subroutine calls.\nStep one machine instruction (N times), over calls.',
    parse: (a) => ({ kind: 'stepi', count: count(a), over: true }) },
  { name: 'step', aliases: ['s'], repeats: true, help: 'Step program until it reaches a different source line.\nStep one source line, into calls (one instruction-level function exit without line info).',
    parse: (a) => ({ kind: 'step', count: count(a), over: false }) },
  { name: 'next', aliases: ['n'], repeats: true, help: 'Step program, proceeding through subroutine calls.\nStep one source line, over calls.',
    parse: (a) => ({ kind: 'step', count: count(a), over: true }) },
  { name: 'finish', aliases: ['fin'], repeats: true, help: 'Execute until selected stack frame returns.\nRun until the current function returns; print the value in rax.',
    parse: () => ({ kind: 'finish' }) },
  { name: 'until', aliases: ['u'], repeats: true, help: 'Execute until past the current line or past a LOCATION.\nuntil [LOCATION]: run until LOCATION or until the current frame returns.',
    parse: (a) => ({ kind: 'until', location: a.trim() || undefined, advance: false }) },
  { name: 'advance', help: 'Continue the program up to the given location (same form as args for break command).\nadvance LOCATION: run until LOCATION (or the current frame returns).',
    parse: (a) => ({ kind: 'until', location: required(a, 'Argument required (a location).'), advance: true }) },
  { name: 'print', aliases: ['p', 'inspect'], help: 'Print value of expression EXP.\nprint[/FMT] EXPR: evaluate and print. FMT is one of x d u o t c a z s.',
    parse: (a) => { const f = parseSlashFormat(a, false); return { kind: 'print', expr: f.rest || undefined, fmt: f.fmt, style: 'print' }; } },
  { name: 'output', help: 'Like "print" but don\'t put in value history and don\'t print newline.\noutput[/FMT] EXPR: like print, without history and newline.',
    parse: (a) => { const f = parseSlashFormat(a, false, 'output'); return { kind: 'print', expr: required(f.rest, 'Argument required (expression to compute).'), fmt: f.fmt, style: 'output' }; } },
  { name: 'call', help: 'Call a function in the program.\ncall EXPR: print EXPR unless it is void (no inferior calls yet).',
    parse: (a) => ({ kind: 'print', expr: required(a, 'The history is empty.'), fmt: undefined, style: 'call' }) },
  { name: 'x', repeats: true, help: 'Examine memory: x/FMT ADDRESS.\nx/NFU ADDR: examine memory. N count, F format (x d u o t c a z s i), U unit (b h w g).',
    parse: (a) => { const f = parseSlashFormat(a, true); return { kind: 'x', expr: f.rest || undefined, count: f.count, fmt: f.fmt, unit: f.unit }; } },
  { name: 'set', help: 'Evaluate expression EXP and assign result to variable VAR.\nset $REG = V | set *(long*)ADDR = V | set {int} ADDR = V | set {char[4]} ADDR = "abc" | set var X = V.',
    parse: parseSet },
  { name: 'show', help: 'Generic command for showing things about the debugger.\nshow SETTING.', parse: (a) => ({ kind: 'show', name: a.trim() }) },
  { name: 'disassemble', help: 'Disassemble a specified section of memory.\ndisassemble [/r] [ADDR | FUNC | START,END | START,+LENGTH]: AT&T disassembly of a function or a range, "=>" at the pc.',
    parse: (a) => ({ kind: 'disassemble', args: parseDisassembleArgs(a) }) },
  { name: 'backtrace', aliases: ['bt', 'where'], help: 'Print backtrace of all stack frames, or innermost COUNT frames.\nbacktrace [N]: print the call stack.',
    parse: (a) => { const t = a.trim().replace(/^-?full\b/, '').trim(); return { kind: 'backtrace', limit: t ? count(t) : undefined }; } },
  { name: 'frame', aliases: ['f'], help: 'Select and print a stack frame.\nframe [N]: select and print stack frame N.',
    parse: (a) => ({ kind: 'frame', index: upDown(a, false), relative: undefined, text: a.trim() }) },
  { name: 'up', help: 'Select and print stack frame that called this one.\nup [N]: select the frame N levels up (the caller).', parse: (a) => ({ kind: 'frame', index: upDown(a, false), relative: 'up', text: a.trim() }) },
  { name: 'down', help: 'Select and print stack frame called by this one.\ndown [N]: select the frame N levels down.', parse: (a) => ({ kind: 'frame', index: upDown(a, true), relative: 'down', text: a.trim() }) },
  { name: 'info', aliases: ['i', 'inf'], help: 'Generic command for showing things about the program being debugged.',
    parse: parseInfo },
  { name: 'thread', aliases: ['t'], help: 'Use this command to switch between threads.\nthread [N]: show the current thread, or switch to thread N (registers and frames follow it). thread apply all|ID... COMMAND: run COMMAND in each thread.',
    parse: (a) => ({ kind: 'thread', id: a.trim() || undefined }) },
  { name: 'handle', help: 'Specify how to handle signals.\nhandle SIGNAL [stop|nostop] [print|noprint] [pass|nopass]: what to do when the program gets SIGNAL.',
    parse: parseHandle },
  { name: 'signal', help: 'Continue program with the specified signal.\nsignal SIG: continue the program giving it signal SIG (0 for none).',
    parse: (a) => ({ kind: 'signal', signal: required(a, 'Argument required (signal number).') }) },
  { name: 'kill', aliases: ['k'], help: 'Kill execution of program being debugged.', parse: () => ({ kind: 'kill' }) },
  { name: 'detach', help: 'Detach a process or file previously attached.\nDetach the process: it goes on running without the debugger.', parse: () => ({ kind: 'detach' }) },
  { name: 'monitor', help: 'Send a command to the remote monitor (remote targets only).\nmonitor COMMAND: send COMMAND to the remote stub (tsdbg serve: `monitor help`; gdbserver; QEMU\'s monitor).',
    parse: (a) => ({ kind: 'monitor', text: a.trim() }) },
  { name: 'attach', help: 'Attach to a process or file outside of GDB.\nattach PID: debug a running process.',
    parse: (a) => {
      const t = required(a, 'Argument required (process-id to attach).');
      if (!/^\d+$/.test(t)) throw new CommandError(`Illegal process-id: ${t}.`);
      return { kind: 'attach', pid: Number(t) };
    } },
  { name: 'quit', aliases: ['q', 'exit'], help: 'Exit tsdbg.\nExit tsdbg, killing the program it started (detaching one it attached to).',
    parse: (a) => ({ kind: 'quit', code: a.trim() || undefined }) },
  { name: 'help', aliases: ['h'], help: 'Print list of commands.\nhelp [COMMAND]: list commands, or describe one.', parse: (a) => ({ kind: 'help', topic: a.trim() || undefined }) },
  { name: 'syscall', help: 'Change the system call the program is stopped in (at a catch syscall stop).\nsyscall rewrite path NEWPATH: at its entry, the call\'s path argument.\nsyscall rewrite argN EXPR: at its entry, argument N (0-5).\nsyscall skip [VALUE]: at its entry, the kernel skips it; the program sees VALUE (an errno name such as ENOENT, or a number; 0 by default).\nsyscall rewrite ret VALUE: at its return, the result the program sees.',
    parse: (a) => ({ kind: 'syscall', args: a }) },
  { name: 'printf', help: 'Formatted printing, like the C "printf" function.\nUsage: printf "format string", ARG1, ARG2, ARG3, ..., ARGN\nThis supports most C printf format specifications, like %s, %d, etc.',
    parse: (a) => ({ kind: 'printf', text: a }) },
  { name: 'echo', help: 'Print a constant string.  Give string as argument.\necho TEXT: print TEXT (C escapes like \\n are understood).', parse: (a) => ({ kind: 'echo', text: a.replace(/^ /, '') }) },
  { name: 'list', aliases: ['l'], repeats: true, help: 'List specified function or line.\nlist [LINENUM | FUNCTION | FILE:LINENUM | FIRST,LAST]: ten lines around it; without argument, the ten after the last ones; "list -", the ten before.',
    parse: (a) => ({ kind: 'list', arg: a }) },
  { name: 'ptype', help: 'Print definition of type TYPE.\nptype[/o] TYPE | EXPRESSION: the type, expanded; /o with member offsets and sizes.',
    parse: (a) => parsePtype(a, false) },
  { name: 'whatis', help: 'Print data type of expression EXP.\nwhatis EXPRESSION | TYPE: the type name, one level of typedef unrolled.',
    parse: (a) => parsePtype(a, true) },
  { name: 'display', help: 'Print value of expression EXP each time the program stops.\ndisplay[/FMT] EXP; display/i $pc; without argument, show them all now.',
    parse: parseDisplay },
  { name: 'undisplay', help: 'Cancel some expressions to be displayed when program stops.\nundisplay [NUM]...: without argument, all of them.',
    parse: (a) => ({ kind: 'undisplay', arg: a, viaDelete: false }) },
  { name: 'snapshot', help: 'Take, show, compare or drop a snapshot of memory.\nsnapshot ADDR|SYMBOL LEN | heap | stack | mapping N | show ADDR | diff ADDR | drop ADDR: memory snapshots.',
    parse: parseSnapshot },
  { name: 'snapshots', help: 'List the memory snapshots held.\nList the snapshots held (start, length, engine, bytes against the limit).', parse: () => ({ kind: 'snapshots' }) },
  { name: 'restore', help: 'Write a snapshot back into the program\'s memory.\nrestore ADDR: write the snapshot starting at ADDR back into the program (and drop it).',
    parse: (a) => ({ kind: 'restore', addr: required(a, 'Argument required (snapshot start address).') }) },
  { name: 'checkpoint', help: 'Save the program\'s registers and writable memory.\ncheckpoint [NAME] | checkpoint delete NAME: save registers and all writable memory of the program.',
    parse: parseCheckpoint },
  { name: 'checkpoints', help: 'List the checkpoints.\nList checkpoints with their sizes.', parse: () => ({ kind: 'checkpoints' }) },
  { name: 'rewind', help: 'Go back to a checkpoint.\nrewind [-f] [NAME]: go back to a checkpoint (default: the latest); -f even if the memory map changed.',
    parse: parseRewind },
  // the console's own commands (src/console): run there before this table is looked at
  ...CONSOLE_SPECS.map((c) => ({ ...c, parse: (): Command => ({ kind: 'nop' }) })),
];

const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/**
 * gdb's lookup: an exact name or fixed alias wins; otherwise a prefix that
 * names exactly one command.
 */
function resolve(word: string, table: Array<{ name: string; aliases?: string[] }>, context?: string): string {
  const w = word;   // gdb 13 is case-sensitive: `Q` is an undefined command, not quit
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

const HELP_TRAILER = 'Command name abbreviations are allowed if unambiguous.';

/** gdb's `name, alias, alias` heading of a command. */
const title = (prefix: string, s: { name: string; aliases?: string[] }) =>
  [s.name, ...(s.aliases ?? [])].map((n) => `${prefix}${n}`).join(', ');
const summary = (help: string) => help.split('\n')[0]!;

/**
 * `help` text, gdb's way, all from the command tables: `help` lists every
 * command with its one-line summary, `help info` every info subcommand,
 * `help CMD` / `help info CMD` the whole description under its names.
 */
export function helpText(topic: string | undefined): string[] {
  if (!topic) {
    return [
      'List of commands:',
      '',
      ...SPECS.map((s) => `${title('', s)} -- ${summary(s.help)}`),
      '',
      'Type "help" followed by command name for full documentation.',
      HELP_TRAILER,
    ];
  }
  const [word, ...rest] = topic.trim().split(/\s+/);
  const s = BY_NAME.get(resolve(word!, SPECS))!;
  const heading = s.aliases?.length ? [title('', s)] : [];
  if (s.name !== 'info') return [...heading, ...s.help.split('\n')];
  if (rest.length) {
    const sub = INFO.find((i) => i.name === resolve(rest[0]!, INFO, 'info'))!;
    return [...(sub.aliases?.length ? [title('info ', sub)] : []), ...sub.help.split('\n')];
  }
  return [
    ...heading, s.help, '', 'List of info subcommands:', '',
    ...INFO.map((i) => `${title('info ', i)} -- ${summary(i.help)}`),
    '',
    'Type "help info" followed by info subcommand name for full documentation.',
    HELP_TRAILER,
  ];
}

export const COMMAND_NAMES = SPECS.map((s) => s.name);

/** Names and aliases that completion offers: gdb leaves out the aliases that abbreviate their command (`inf`, `b`). */
const completable = (s: { name: string; aliases?: string[] }) => [s.name, ...(s.aliases ?? []).filter((a) => !s.name.startsWith(a))];
export const COMMAND_WORDS = SPECS.flatMap(completable);
export const INFO_NAMES = INFO.flatMap(completable);

/** A command word's full name by gdb's rule (alias, exact name, unique prefix), or undefined. */
export function commandWord(word: string): string | undefined {
  try {
    return resolve(word, SPECS);
  } catch {
    return undefined;   // (unknown or ambiguous: no one command, as documented)
  }
}
