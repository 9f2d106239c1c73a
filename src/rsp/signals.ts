/**
 * Signal numbers on the wire are GDB's target-independent numbers
 * (include/gdb/signals.def), not Linux's: SIGBUS is 10 on the wire and 7 on
 * Linux, SIGUSR1 is 30 vs 10, SIGCHLD 20 vs 17, realtime 33..63 are 45..75.
 * Both directions go through this table so a stub never leaks host numbers.
 * gdb's table of its signals (names, descriptions) is here too: the console
 * (src/commands/signals.ts) and the RSP wire share it.
 */
import { constants as os } from 'node:os';


/**
 * gdb's own signals (include/gdb/signals.def), in its order and numbering
 * (index + 1): what `info signals` lists and `handle` names. Linux's aliases
 * (SIGIOT, SIGCLD, SIGPOLL as SIGIO's number, SIGUNUSED) are not among them:
 * a Linux signal shows under gdb's name for its number (SIGABRT, SIGCHLD,
 * SIGIO, SIGSYS); gdb's SIGPOLL is a signal of its own no Linux stop reports.
 */
export const GDB_SIGNALS: Array<[string, string]> = [
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

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const GDB_NUMBER = new Map(GDB_SIGNALS.map(([n], i) => [n, i < 142 ? i + 1 : i + 3]));

/** gdb's number of one of its signal names (the wire's numbering). */
export function gdbSignalNumber(name: string): number | undefined {
  return GDB_NUMBER.get(name);
}

/**
 * Linux's numbers of gdb's signals, from the host's table (this is Linux
 * x86-64 only). SIGPOLL is Linux's alias of SIGIO; gdb's SIGPOLL is a signal
 * of its own no Linux stop reports.
 */
const LINUX_NUMBER = os.signals as Record<string, number | undefined>;
const linuxNumberOf = (name: string): number | undefined => (name === 'SIGPOLL' ? undefined : LINUX_NUMBER[name]);

const GDB_REALTIME_32 = 77;
const GDB_REALTIME_64 = 78;
/** GDB_SIGNAL_UNKNOWN: what gdbserver sends for a host signal GDB has no name for. */
const GDB_UNKNOWN = 143;

const toGdb = new Map<number, number>();
const fromGdb = new Map<number, number>();
for (const [name] of GDB_SIGNALS) {
  const linux = linuxNumberOf(name);
  const gdb = GDB_NUMBER.get(name)!;
  if (linux === undefined || linux >= 32) continue;
  toGdb.set(linux, gdb);
  fromGdb.set(gdb, linux);
}

/** Linux signal number to the number sent on the wire. */
export function linuxToGdbSignal(sig: number): number {
  if (sig === 0) return 0;
  const known = toGdb.get(sig);
  if (known !== undefined) return known;
  if (sig === 32) return GDB_REALTIME_32;
  if (sig >= 33 && sig <= 63) return sig + 12;
  if (sig === 64) return GDB_REALTIME_64;
  return GDB_UNKNOWN;
}

/** Wire signal number to Linux; undefined for signals Linux does not have. */
export function gdbToLinuxSignal(sig: number): number | undefined {
  if (sig === 0) return 0;
  const known = fromGdb.get(sig);
  if (known !== undefined) return known;
  if (sig === GDB_REALTIME_32) return 32;
  if (sig >= 45 && sig <= 75) return sig - 12;
  if (sig === GDB_REALTIME_64) return 64;
  return undefined;
}

/** gdb's name for Linux signal n: SIGABRT for 6 (not SIGIOT), SIGIO for 29, SIG34, `?` for SIGSTKFLT. */
export function linuxSignalName(sig: number): string {
  const g = linuxToGdbSignal(sig);
  return g >= 1 && g <= 142 ? GDB_SIGNALS[g - 1]![0] : '?';
}
