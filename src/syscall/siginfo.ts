/** strace's `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---` from a raw siginfo_t. */
import { linuxSignalName } from '../rsp/signals.js';
import { hex0x, ptr } from './quote.js';

export const sigName = (n: number): string => {
  if (n === 16) return 'SIGSTKFLT';
  const g = linuxSignalName(n);
  return g === '?' ? `SIG${n}` : g;
};

const SI_CODES: Record<number, string> = {
  0: 'SI_USER', 0x80: 'SI_KERNEL', [-1]: 'SI_QUEUE', [-2]: 'SI_TIMER', [-3]: 'SI_MESGQ', [-4]: 'SI_ASYNCIO',
  [-5]: 'SI_SIGIO', [-6]: 'SI_TKILL',
};
const CLD = ['', 'CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'];
const FAULT: Record<number, string[]> = {
  11: ['', 'SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR'],
  7: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  4: ['', 'ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC', 'ILL_BADSTK'],
  8: ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  5: ['', 'TRAP_BRKPT', 'TRAP_TRACE', 'TRAP_BRANCH', 'TRAP_HWBKPT'],
};

/** The braces part of strace's signal line, from the 128-byte siginfo_t. */
export function formatSiginfo(b: Buffer): string {
  const signo = b.readInt32LE(0);
  const code = b.readInt32LE(8);
  const head = `si_signo=${sigName(signo)}`;
  if (code <= 0 || code === 0x80) {
    const codeName = SI_CODES[code] ?? String(code);
    if (code === 0x80 && FAULT[signo]) return `{${head}, si_code=${codeName}, si_addr=${ptr(b.readBigUInt64LE(16))}}`;
    if (code === 0x80) return `{${head}, si_code=${codeName}}`;
    let s = `{${head}, si_code=${codeName}, si_pid=${b.readInt32LE(16)}, si_uid=${b.readUInt32LE(20)}`;
    if (code === -1 || code === -2) s += `, si_int=${b.readInt32LE(24)}, si_ptr=${hex0x(b.readBigUInt64LE(24))}`;
    return s + '}';
  }
  if (signo === 17) {
    const status = b.readInt32LE(24);
    const st = code === 1 ? String(status) : sigName(status);
    return `{${head}, si_code=${CLD[code] ?? code}, si_pid=${b.readInt32LE(16)}, si_uid=${b.readUInt32LE(20)}, ` +
      `si_status=${st}, si_utime=${b.readBigInt64LE(32)}, si_stime=${b.readBigInt64LE(40)}}`;
  }
  const names = FAULT[signo];
  if (names) return `{${head}, si_code=${names[code] ?? code}, si_addr=${ptr(b.readBigUInt64LE(16))}}`;
  return `{${head}, si_code=${code}}`;
}
