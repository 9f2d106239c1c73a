/**
 * Signal names, gdb's descriptions and the `handle` table with gdb's defaults
 * (SIGALRM, SIGCHLD, SIGWINCH... pass silently; SIGINT and SIGTRAP are the
 * debugger's own and are not passed).
 */
import { CommandError } from './parse.js';
import { linuxToGdbSignal, gdbToLinuxSignal } from '../rsp/signals.js';

/**
 * gdb's own signals (include/gdb/signals.def), in its order and numbering
 * (index + 1): what `info signals` lists and `handle` names. Linux's aliases
 * (SIGIOT, SIGCLD, SIGPOLL as SIGIO's number, SIGUNUSED) are not among them:
 * a Linux signal shows under gdb's name for its number (SIGABRT, SIGCHLD,
 * SIGIO, SIGSYS); gdb's SIGPOLL is a signal of its own no Linux stop reports.
 */
const GDB_SIGNALS: Array<[string, string]> = [
  ['SIGHUP', 'Hangup'], ['SIGINT', 'Interrupt'], ['SIGQUIT', 'Quit'], ['SIGILL', 'Illegal instruction'],
  ['SIGTRAP', 'Trace/breakpoint trap'], ['SIGABRT', 'Aborted'], ['SIGEMT', 'Emulation trap'],
  ['SIGFPE', 'Arithmetic exception'], ['SIGKILL', 'Killed'], ['SIGBUS', 'Bus error'], ['SIGSEGV', 'Segmentation fault'],
  ['SIGSYS', 'Bad system call'], ['SIGPIPE', 'Broken pipe'], ['SIGALRM', 'Alarm clock'], ['SIGTERM', 'Terminated'],
  ['SIGURG', 'Urgent I/O condition'], ['SIGSTOP', 'Stopped (signal)'], ['SIGTSTP', 'Stopped (user)'],
  ['SIGCONT', 'Continued'], ['SIGCHLD', 'Child status changed'], ['SIGTTIN', 'Stopped (tty input)'],
  ['SIGTTOU', 'Stopped (tty output)'], ['SIGIO', 'I/O possible'], ['SIGXCPU', 'CPU time limit exceeded'],
  ['SIGXFSZ', 'File size limit exceeded'], ['SIGVTALRM', 'Virtual timer expired'], ['SIGPROF', 'Profiling timer expired'],
  ['SIGWINCH', 'Window size changed'], ['SIGLOST', 'Resource lost'], ['SIGUSR1', 'User defined signal 1'],
  ['SIGUSR2', 'User defined signal 2'], ['SIGPWR', 'Power fail/restart'], ['SIGPOLL', 'Pollable event occurred'],
  ['SIGWIND', 'SIGWIND'], ['SIGPHONE', 'SIGPHONE'], ['SIGWAITING', "Process's LWPs are blocked"], ['SIGLWP', 'Signal LWP'],
  ['SIGDANGER', 'Swap space dangerously low'], ['SIGGRANT', 'Monitor mode granted'],
  ['SIGRETRACT', 'Need to relinquish monitor mode'], ['SIGMSG', 'Monitor mode data available'],
  ['SIGSOUND', 'Sound completed'], ['SIGSAK', 'Secure attention'], ['SIGPRIO', 'SIGPRIO'],
  ...range(33, 63).map((n): [string, string] => [`SIG${n}`, `Real-time event ${n}`]),
  ['SIGCANCEL', 'LWP internal signal'], ['SIG32', 'Real-time event 32'], ['SIG64', 'Real-time event 64'],
  ...range(65, 127).map((n): [string, string] => [`SIG${n}`, `Real-time event ${n}`]),
  ['SIGINFO', 'Information request'],
  // (GDB_SIGNAL_UNKNOWN and GDB_SIGNAL_DEFAULT have no name)
  ['EXC_BAD_ACCESS', 'Could not access memory'], ['EXC_BAD_INSTRUCTION', 'Illegal instruction/operand'],
  ['EXC_ARITHMETIC', 'Arithmetic exception'], ['EXC_EMULATION', 'Emulation instruction'],
  ['EXC_SOFTWARE', 'Software generated exception'], ['EXC_BREAKPOINT', 'Breakpoint'], ['SIGLIBRT', 'librt internal signal'],
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const DESCRIPTIONS = new Map(GDB_SIGNALS);
const GDB_NUMBER = new Map(GDB_SIGNALS.map(([n], i) => [n, i < 142 ? i + 1 : i + 3]));
/** gdb's name of a signal Linux reports but gdb has no name for (SIGSTKFLT). */
const UNKNOWN = '?';

/** Pass silently by default (gdb's signal_stop/print off). */
const QUIET = new Set(['SIGALRM', 'SIGURG', 'SIGCHLD', 'SIGIO', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGPOLL',
  'SIGWAITING', 'SIGLWP', 'SIGPRIO', 'SIGCANCEL', 'SIGLIBRT']);

export interface SignalDisposition {
  stop: boolean;
  print: boolean;
  pass: boolean;
}

export function signalDescription(name: string): string {
  return DESCRIPTIONS.get(name) ?? 'Unknown signal';
}

/** The Linux number of one of gdb's signal names; undefined for one Linux does not have (SIGEMT). */
export function signalNumber(name: string): number | undefined {
  const n = GDB_NUMBER.get(name);
  return n === undefined ? undefined : gdbToLinuxSignal(n);
}

/** gdb's name for Linux signal n: SIGABRT for 6 (not SIGIOT), SIGIO for 29, SIG34, `?` for SIGSTKFLT. */
export function signalNameOf(n: number): string {
  const g = linuxToGdbSignal(n);
  return g <= 142 ? GDB_SIGNALS[g - 1]?.[0] ?? UNKNOWN : UNKNOWN;
}

const NUMERIC_ONLY = 'Only signals 1-15 are valid as numeric signals.\nUse "info signals" for a list of symbolic signals.';

/** gdb's signal for a number 1-15 given in a command: gdb's numbering (7 is SIGEMT, 10 SIGBUS). */
function fromCommand(n: number): string {
  if (n < 1 || n > 15) throw new CommandError(NUMERIC_ONLY);
  return GDB_SIGNALS[n - 1]![0];
}

/**
 * `handle`'s signal words: a gdb name exactly (SIGSEGV; not segv), a number
 * 1-15 or a range N-M of them, or all (every signal but SIGINT and SIGTRAP).
 * Undefined when the word is none of those (then an action, or an error).
 */
export function parseHandleSignal(text: string): string[] | undefined {
  if (text === 'all') return GDB_SIGNALS.map(([n]) => n).filter((s) => s !== 'SIGINT' && s !== 'SIGTRAP');
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    return range(lo, hi).map(fromCommand);
  }
  return DESCRIPTIONS.has(text) ? [text] : undefined;
}

/** One signal named in `signal SIG` / `handle SIG` / `info signals SIG`. */
export function parseSignal(text: string): string[] {
  const names = parseHandleSignal(text);
  if (!names) throw new CommandError(`Unrecognized or ambiguous flag word: "${text}".`);
  return names;
}

/** `info signals ARG`: a gdb name, else a number 1-15 (gdb evaluates it). */
export function infoSignalsArg(text: string): string {
  if (DESCRIPTIONS.has(text)) return text;
  if (/^\d+$/.test(text)) return fromCommand(Number(text));
  if (/^[A-Za-z_]\w*$/.test(text)) throw new CommandError(`No symbol "${text}" in current context.`);
  throw new CommandError(`A syntax error in expression, near \`${text}'.`);
}

export class SignalTable {
  private readonly table = new Map<string, SignalDisposition>();

  get(name: string): SignalDisposition {
    let d = this.table.get(name);
    if (!d) {
      d = QUIET.has(name)
        ? { stop: false, print: false, pass: true }
        : { stop: true, print: true, pass: name !== 'SIGINT' && name !== 'SIGTRAP' };
      this.table.set(name, d);
    }
    return d;
  }

  /** Apply `handle` actions with gdb's implications (stop implies print, noprint implies nostop). */
  apply(name: string, actions: string[]): SignalDisposition {
    const d = this.get(name);
    for (const a of actions) {
      switch (a) {
        case 'stop': d.stop = true; d.print = true; break;
        case 'nostop': d.stop = false; break;
        case 'print': d.print = true; break;
        case 'noprint': d.print = false; d.stop = false; break;
        case 'pass': case 'noignore': d.pass = true; break;
        case 'nopass': case 'ignore': d.pass = false; break;
      }
    }
    return d;
  }

  static header(): string[] {
    return ['Signal        Stop\tPrint\tPass to program\tDescription'];
  }

  line(name: string): string {
    const d = this.get(name);
    const yn = (b: boolean) => (b ? 'Yes' : 'No');
    return `${name.padEnd(13)} ${yn(d.stop)}\t${yn(d.print)}\t${yn(d.pass)}\t\t${signalDescription(name)}`;
  }

  allNames(): string[] {
    return GDB_SIGNALS.map(([n]) => n);
  }

  /** gdb's footer under the whole table. */
  static footer(): string[] {
    return ['', 'Use the "handle" command to change these tables.'];
  }
}
