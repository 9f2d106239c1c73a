/**
 * Signal names, gdb's descriptions and the `handle` table with gdb's defaults
 * (SIGALRM, SIGCHLD, SIGWINCH... pass silently; SIGINT and SIGTRAP are the
 * debugger's own and are not passed).
 */
import { constants } from 'node:os';
import { CommandError } from './parse.js';

const DESCRIPTIONS: Record<string, string> = {
  SIGHUP: 'Hangup', SIGINT: 'Interrupt', SIGQUIT: 'Quit', SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap', SIGABRT: 'Aborted', SIGBUS: 'Bus error', SIGFPE: 'Arithmetic exception',
  SIGKILL: 'Killed', SIGUSR1: 'User defined signal 1', SIGSEGV: 'Segmentation fault', SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe', SIGALRM: 'Alarm clock', SIGTERM: 'Terminated', SIGSTKFLT: 'Stack fault',
  SIGCHLD: 'Child status changed', SIGCONT: 'Continued', SIGSTOP: 'Stopped (signal)', SIGTSTP: 'Stopped (user)',
  SIGTTIN: 'Stopped (tty input)', SIGTTOU: 'Stopped (tty output)', SIGURG: 'Urgent I/O condition',
  SIGXCPU: 'CPU time limit exceeded', SIGXFSZ: 'File size limit exceeded', SIGVTALRM: 'Virtual timer expired',
  SIGPROF: 'Profiling timer expired', SIGWINCH: 'Window size changed', SIGIO: 'I/O possible',
  SIGPWR: 'Power fail/restart', SIGSYS: 'Bad system call',
};

const QUIET = new Set(['SIGALRM', 'SIGURG', 'SIGCHLD', 'SIGWINCH', 'SIGIO', 'SIGVTALRM', 'SIGPROF', 'SIGPOLL']);

const SIGNALS = constants.signals as Record<string, number>;

export interface SignalDisposition {
  stop: boolean;
  print: boolean;
  pass: boolean;
}

export function signalDescription(name: string): string {
  return DESCRIPTIONS[name] ?? (name.startsWith('SIGRT') ? `Real-time event ${name.slice(5)}` : 'Unknown signal');
}

export function signalNumber(name: string): number | undefined {
  return SIGNALS[name];
}

export function signalNameOf(n: number): string {
  return Object.entries(SIGNALS).find(([k, v]) => v === n && k !== 'SIGIOT' && k !== 'SIGPOLL')?.[0] ?? `SIG${n}`;
}

/** Accepts SIGSEGV, segv, SEGV, 11 (gdb: numbers 1-15 only), all. */
export function parseSignal(text: string): string[] {
  if (text.toLowerCase() === 'all') return Object.keys(DESCRIPTIONS).filter((s) => s !== 'SIGINT' && s !== 'SIGTRAP');
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 15) throw new CommandError('Only signals 1-15 are valid as numeric signals.  Use "info signals" for a list of symbolic signals.');
    return [signalNameOf(n)];
  }
  const up = text.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  if (SIGNALS[name] === undefined) throw new CommandError(`Unrecognized or ambiguous flag word: "${text}".`);
  return [name];
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
    return `${name.padEnd(14)}${yn(d.stop)}\t${yn(d.print)}\t${yn(d.pass)}\t\t${signalDescription(name)}`;
  }

  allNames(): string[] {
    return Object.keys(DESCRIPTIONS);
  }
}
