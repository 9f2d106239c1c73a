/**
 * Signal numbers on the wire are GDB's target-independent numbers
 * (include/gdb/signals.def), not Linux's: SIGBUS is 10 on the wire and 7 on
 * Linux, SIGUSR1 is 30 vs 10, SIGCHLD 20 vs 17, realtime 33..63 are 45..75.
 * Both directions go through this table so a stub never leaks host numbers.
 */

/** Linux x86-64 signal number -> [GDB number, name]. */
const LINUX: Array<[number, number, string]> = [
  [1, 1, 'SIGHUP'], [2, 2, 'SIGINT'], [3, 3, 'SIGQUIT'], [4, 4, 'SIGILL'], [5, 5, 'SIGTRAP'],
  [6, 6, 'SIGABRT'], [7, 10, 'SIGBUS'], [8, 8, 'SIGFPE'], [9, 9, 'SIGKILL'], [10, 30, 'SIGUSR1'],
  [11, 11, 'SIGSEGV'], [12, 31, 'SIGUSR2'], [13, 13, 'SIGPIPE'], [14, 14, 'SIGALRM'], [15, 15, 'SIGTERM'],
  [17, 20, 'SIGCHLD'], [18, 19, 'SIGCONT'], [19, 17, 'SIGSTOP'], [20, 18, 'SIGTSTP'], [21, 21, 'SIGTTIN'],
  [22, 22, 'SIGTTOU'], [23, 16, 'SIGURG'], [24, 24, 'SIGXCPU'], [25, 25, 'SIGXFSZ'], [26, 26, 'SIGVTALRM'],
  [27, 27, 'SIGPROF'], [28, 28, 'SIGWINCH'], [29, 23, 'SIGIO'], [30, 32, 'SIGPWR'], [31, 12, 'SIGSYS'],
];

const GDB_REALTIME_32 = 77;
const GDB_REALTIME_64 = 78;
/** GDB_SIGNAL_UNKNOWN: what gdbserver sends for a host signal GDB has no name for. */
const GDB_UNKNOWN = 143;

const toGdb = new Map<number, number>();
const fromGdb = new Map<number, number>();
const names = new Map<number, string>();
for (const [linux, gdb, name] of LINUX) {
  toGdb.set(linux, gdb);
  fromGdb.set(gdb, linux);
  names.set(linux, name);
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

export function linuxSignalName(sig: number): string {
  return names.get(sig) ?? (sig >= 32 && sig <= 64 ? `SIG${sig}` : '?');
}
