/**
 * The one function that changes a stopped tracee's system call: its number
 * (at entry; -1 makes the kernel skip it), its arguments (at entry) or its
 * result (at exit). Through the registers (PTRACE_GETREGS/SETREGS), since
 * the kernels we target (5.10, 6.1) lack PTRACE_SET_SYSCALL_INFO; a kernel
 * with it (6.16+) could do this in one request without the register layout.
 */
import { PTRACE, check, native } from '../target/native.js';
import type { Registers } from '../target/types.js';

export interface SyscallChange {
  nr?: number;
  /** argument index (0..5) -> new value */
  args?: Map<number, bigint>;
  rv?: bigint;
}

/** user_regs_struct offsets of the argument registers rdi, rsi, rdx, r10, r8, r9 and of rax, orig_rax. */
const ARG_OFF = [112, 104, 96, 56, 72, 64];
const RAX = 80;
const ORIG_RAX = 120;

/** The change as register values (orig_rax, the argument registers, rax): for a tracer that writes registers through its Target. */
export function syscallRegisters(c: SyscallChange): Partial<Registers> {
  const r: Partial<Record<(typeof ARG_NAMES)[number] | 'orig_rax' | 'rax', bigint>> = {};
  if (c.nr !== undefined) r.orig_rax = BigInt.asUintN(64, BigInt(c.nr));
  if (c.args) for (const [i, v] of c.args) r[ARG_NAMES[i]!] = BigInt.asUintN(64, v);
  if (c.rv !== undefined) r.rax = BigInt.asUintN(64, c.rv);
  return r;
}

const ARG_NAMES = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'] as const;

export function applyChange(tid: number, c: SyscallChange): void {
  const regs = Buffer.alloc(27 * 8);
  check(native.ptracePtr(PTRACE.GETREGS, tid, 0n, regs), 'cannot read registers');
  if (c.nr !== undefined) regs.writeBigInt64LE(BigInt(c.nr), ORIG_RAX);
  if (c.args) for (const [i, v] of c.args) regs.writeBigUInt64LE(BigInt.asUintN(64, v), ARG_OFF[i]!);
  if (c.rv !== undefined) regs.writeBigUInt64LE(BigInt.asUintN(64, c.rv), RAX);
  check(native.ptracePtr(PTRACE.SETREGS, tid, 0n, regs), 'cannot write registers');
}

/** How far below the stack pointer a rewritten string goes: past the 128-byte red zone and a margin. */
const BELOW_SP = 256n;

/**
 * Write `s` (NUL-terminated) below the stack's red zone of a tracee stopped
 * in a call: no code of the program runs before the kernel has read it, and
 * the bytes it covered are saved to be put back at the call's exit.
 */
export function scratchString(tid: number, sp: bigint, s: string): { addr: bigint; saved: Buffer } {
  const bytes = Buffer.concat([Buffer.from(s), Buffer.from([0])]);
  const addr = (sp - BELOW_SP - BigInt(bytes.length)) & ~15n;
  const saved = Buffer.alloc(bytes.length);
  if (native.peekRead(tid, addr, saved) !== bytes.length || native.pokeWrite(tid, addr, bytes) !== bytes.length) {
    throw new Error(`cannot write the rewritten string below the stack at 0x${addr.toString(16)}`);
  }
  return { addr, saved };
}
scratchString.restore = (tid: number, addr: bigint, saved: Buffer): void => {
  native.pokeWrite(tid, addr, saved);
};
