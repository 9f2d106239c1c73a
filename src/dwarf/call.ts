/**
 * Calling a function in the stopped program (`print sum_list(head)`), the
 * System V x86-64 way gdb does it: integer and pointer arguments in rdi, rsi,
 * rdx, rcx, r8, r9, a return address at the program's entry point (code that
 * never runs again) with a breakpoint on it, run, take rax/rdx, and put every
 * register back. Whatever stops the call early, the registers are restored.
 */
import type { Registers, Target } from '../target/types.js';
import { ExprError } from './cexpr.js';

const AT_ENTRY = 9n;
const ARG_REGS = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'] as const;
/** Below the 128-byte red zone of the interrupted function, with room to spare. */
const STACK_GAP = 256n;

export interface CallResult {
  rax: bigint;
  rdx: bigint;
}

/**
 * @param write how to write the return address (a session passes its own
 *   writer so that its memory caches are dropped before the callee runs)
 */
export async function callInferior(
  t: Target, fn: bigint, args: bigint[],
  write: (addr: bigint, data: Buffer) => Promise<void> = (a, d) => t.writeMemory(a, d),
): Promise<CallResult> {
  if (args.length > ARG_REGS.length) throw new ExprError('Calls with more than 6 arguments are not supported.');
  const entry = (await t.auxv()).find(([k]) => k === AT_ENTRY)?.[1];
  if (entry === undefined) throw new ExprError('Cannot call functions: the program entry point is unknown.');
  const saved = await t.getRegisters();
  // At the callee's first instruction rsp + 8 must be 16-byte aligned.
  const sp = ((saved.rsp - STACK_GAP) & ~0xfn) - 8n;
  const ret = Buffer.alloc(8);
  ret.writeBigUInt64LE(entry);
  await write(sp, ret);
  const regs: Partial<Registers> = { rip: fn, rsp: sp, rax: 0n, orig_rax: 0xffffffffffffffffn };
  args.forEach((a, i) => {
    regs[ARG_REGS[i]] = BigInt.asUintN(64, a);
  });
  await t.setRegisters(regs);
  await t.insertBreakpoint(entry);
  let result: CallResult | undefined;
  let failure: string | undefined;
  try {
    const ev = await t.cont();
    const r = ev.reason;
    if (r.kind === 'breakpoint' && r.pc === entry) {
      const now = await t.getRegisters();
      result = { rax: now.rax, rdx: now.rdx };
    } else if (r.kind === 'exited' || r.kind === 'killed') {
      failure = 'The program being debugged exited while in a function called from tsdbg.';
    } else if (r.kind === 'signal') {
      failure = `The program being debugged was signaled (${r.signame}) while in a function called from tsdbg; its registers were restored.`;
    } else {
      failure = 'The program being debugged stopped while in a function called from tsdbg; its registers were restored.';
    }
  } finally {
    if (t.state !== 'exited') {
      await t.removeBreakpoint(entry);
      await t.setRegisters(saved);
    }
  }
  if (!result) throw new ExprError(failure!);
  return result;
}
