/**
 * `info syscall` (tsdbg's own: gdb has no such command).
 *
 *   info syscall                     at a catch syscall stop: the call, as strace prints it
 *                                    (entry: its arguments; return: them and its result)
 *   info syscall NAME|NUMBER|group:G ...
 *                                    number, name, gdb's groups and the kernel's declaration
 */
import { CommandError } from './parse.js';
import { parseCatchSyscall } from './catch-syscall.js';
import type { SyscallStop } from '../debugger/state.js';
import { callText } from '../syscall/decode.js';
import type { MemReader } from '../syscall/quote.js';
import { SYSCALL_PROTOTYPES } from '../syscall/prototype-data.js';
import { syscallByNr } from '../syscall/table.js';

/** The syscall stop the program is at, and how to read its memory. */
export interface SyscallHere {
  /** the program runs (a process exists) */
  live: boolean;
  stop: SyscallStop | undefined;
  read: MemReader | undefined;
}

export function infoSyscall(arg: string, here: SyscallHere): string[] {
  if (arg.trim()) return describeCalls(arg);
  if (!here.live) throw new CommandError('The program is not being run.');
  const s = here.stop;
  if (!s || !here.read) throw new CommandError('The program is not stopped at a system call.');
  const text = callText(s.number, s.args, here.read, s.entry ? undefined : s.ret);
  return [`${s.entry ? 'Call to' : 'Returned from'} syscall ${s.name} [${s.number}]: ${text}`];
}

/** `Syscall 257: openat (groups: descriptor, file)` and `long openat(int dfd, ...);` for each call named. */
function describeCalls(arg: string): string[] {
  const calls = parseCatchSyscall(arg);
  if (calls === 'any') return [];
  const out: string[] = [];
  for (const nr of new Set(calls)) {
    const def = syscallByNr(nr);
    if (!def) throw new CommandError(`Unknown syscall number '${nr}'.`);
    const groups = def.groups.length ? def.groups.join(', ') : 'none';
    out.push(`Syscall ${nr}: ${def.name} (groups: ${groups})`);
    const proto = SYSCALL_PROTOTYPES[def.name];
    out.push(proto === undefined ? '  not implemented by Linux on x86-64' : `  long ${def.name}(${proto});`);
  }
  return out;
}
