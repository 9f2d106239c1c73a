/**
 * A stopped tracee's system call, as PTRACE_GET_SYSCALL_INFO (5.3+) reports
 * it: entry (number, arguments), exit (result) or seccomp stop.
 */
import { PTRACE, SYSINFO_SIZE, native } from '../target/native.js';

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

/** Tests set it to take the register path a kernel without PTRACE_GET_SYSCALL_INFO (before 5.3) takes. */
export const syscallInfoOptions = { registersOnly: false };

/**
 * The system call tid is stopped in (a syscall stop of PTRACE_O_TRACESYSGOOD).
 * Without PTRACE_GET_SYSCALL_INFO the registers say it, and only the caller
 * knows whether this is an entry or an exit (`inSyscall`: an entry was seen).
 */
export function syscallInfo(tid: number, inSyscall: boolean): SyscallStopInfo {
  const b = Buffer.alloc(SYSINFO_SIZE);
  if (!syscallInfoOptions.registersOnly) {
    const n = native.ptracePtr(PTRACE_GET_SYSCALL_INFO, tid, BigInt(SYSINFO_SIZE), b);
    if (n > 0) return decodeSyscallInfo(b);
  }
  const r = Buffer.alloc(27 * 8);
  if (native.ptracePtr(PTRACE.GETREGS, tid, 0n, r) < 0) return { op: 'none' };
  const q = (off: number) => r.readBigUInt64LE(off);
  const pc = q(128);
  // user_regs_struct: rdi 112, rsi 104, rdx 96, r10 56, r8 72, r9 64; rax 80, orig_rax 120, rsp 152
  if (inSyscall) return { op: 'exit', ret: r.readBigInt64LE(80), pc };
  return { op: 'entry', nr: Number(r.readBigInt64LE(120)), args: [112, 104, 96, 56, 72, 64].map(q), sp: q(152), pc };
}

