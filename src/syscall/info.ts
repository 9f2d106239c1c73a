/**
 * A stopped tracee's system call, as PTRACE_GET_SYSCALL_INFO (5.3+) reports
 * it: entry (number, arguments), exit (result) or seccomp stop.
 */
import { SYSINFO_SIZE, native } from '../target/native.js';

export const PTRACE_GET_SYSCALL_INFO = 0x420e;
export const PTRACE_SYSCALL_INFO = { NONE: 0, ENTRY: 1, EXIT: 2, SECCOMP: 3 } as const;

export type SyscallStopInfo =
  | { op: 'entry'; nr: number; args: bigint[]; sp: bigint; pc: bigint }
  | { op: 'exit'; ret: bigint; pc: bigint }
  | { op: 'none' };

/** Decode struct ptrace_syscall_info (x86-64 layout). */
export function decodeSyscallInfo(b: Buffer): SyscallStopInfo {
  const op = b[0];
  const pc = b.readBigUInt64LE(8);
  if (op === PTRACE_SYSCALL_INFO.ENTRY || op === PTRACE_SYSCALL_INFO.SECCOMP) {
    return { op: 'entry', nr: Number(b.readBigUInt64LE(24)), args: [0, 1, 2, 3, 4, 5].map((i) => b.readBigUInt64LE(32 + 8 * i)), sp: b.readBigUInt64LE(16), pc };
  }
  if (op === PTRACE_SYSCALL_INFO.EXIT) return { op: 'exit', ret: b.readBigInt64LE(24), pc };
  return { op: 'none' };
}

/** The system call tid is stopped in (a syscall stop of PTRACE_O_TRACESYSGOOD). */
export function syscallInfo(tid: number): SyscallStopInfo {
  const b = Buffer.alloc(SYSINFO_SIZE);
  const n = native.ptracePtr(PTRACE_GET_SYSCALL_INFO, tid, BigInt(SYSINFO_SIZE), b);
  return n > 0 ? decodeSyscallInfo(b) : { op: 'none' };
}

