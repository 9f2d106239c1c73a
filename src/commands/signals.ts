/**
 * Signal names, gdb's descriptions and the `handle` table with gdb's defaults
 * (SIGALRM, SIGCHLD, SIGWINCH... pass silently; SIGINT and SIGTRAP are the
 * debugger's own and are not passed).
 */
import { CommandError } from './parse.js';
import { GDB_SIGNALS, gdbSignalNumber, gdbToLinuxSignal, linuxSignalName, range } from '../rsp/signals.js';

const DESCRIPTIONS = new Map(GDB_SIGNALS);
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
  const n = gdbSignalNumber(name);
  return n === undefined ? undefined : gdbToLinuxSignal(n);
}

/** gdb's name for Linux signal n (one table: src/rsp/signals.ts). */
export const signalNameOf = linuxSignalName;

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
