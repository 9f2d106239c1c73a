/**
 * Calling a function in the stopped program (`print sum_list(head)`), the
 * System V x86-64 way gdb does it: each argument placed by its class
 * (./abi.ts: INTEGER eightbytes in rdi, rsi, rdx, rcx, r8, r9, SSE ones in
 * xmm0-7, the rest and whatever no longer fits copied onto the stack), a
 * hidden pointer in rdi to room for a MEMORY result, al = the vector
 * registers used, a return address at the program's entry point (code that
 * never runs again) with a breakpoint on it; run, take the return registers,
 * and put every register back. Whatever stops the call early, the registers
 * are restored.
 */
import type { Registers, Target } from '../target/types.js';
import { writeFpRegister } from '../target/fpregs.js';
import { ExprError } from './cexpr.js';
import { alignOf, classify, readReturnRegs, type ReturnRegs } from './abi.js';
import { sizeOf, type CType } from './types.js';

const AT_ENTRY = 9n;
const INT_REGS = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'] as const;
const SSE_REGS = 8;
/** Below the 128-byte red zone of the interrupted function, with room to spare. */
const STACK_GAP = 256n;

/** One argument as the callee takes it: its (promoted) type and contents. */
export interface CallArg {
  type: CType;
  bytes: Buffer;
}

/** What the call returned: the return registers (a MEMORY result's address in rax). */
export type CallResult = ReturnRegs;

interface Placement {
  ints: bigint[];
  sses: Buffer[];
  /** Arguments on the stack: offset from the first argument slot, and bytes. */
  stack: Array<{ offset: number; bytes: Buffer }>;
  stackSize: number;
}

const eightbyte = (b: Buffer, i: number): Buffer => {
  const out = Buffer.alloc(8);
  b.copy(out, 0, i * 8, Math.min(b.length, i * 8 + 8));
  return out;
};

/** Where each argument goes, in the psABI's order (a MEMORY result's pointer first). */
export function placeArguments(args: CallArg[], hiddenReturn: bigint | undefined): Placement {
  const p: Placement = { ints: hiddenReturn === undefined ? [] : [hiddenReturn], sses: [], stack: [], stackSize: 0 };
  for (const a of args) {
    const c = classify(a.type);
    if (c.kind === 'regs') {
      const nInt = c.parts.filter((x) => x === 'INTEGER').length;
      const nSse = c.parts.length - nInt;
      if (p.ints.length + nInt <= INT_REGS.length && p.sses.length + nSse <= SSE_REGS) {
        c.parts.forEach((cls, i) => {
          const e = eightbyte(a.bytes, i);
          if (cls === 'INTEGER') p.ints.push(e.readBigUInt64LE(0));
          else p.sses.push(Buffer.concat([e, Buffer.alloc(8)]));
        });
        continue;
      }
    }
    // MEMORY, X87, or out of registers: on the stack, eightbyte-aligned (16 for 16-aligned types).
    const align = Math.max(8, Math.min(alignOf(a.type), 16));
    const offset = Math.ceil(p.stackSize / align) * align;
    p.stack.push({ offset, bytes: a.bytes });
    p.stackSize = offset + Math.ceil(Math.max(a.bytes.length, 1) / 8) * 8;
  }
  return p;
}

/**
 * @param ret the function's return type (MEMORY results get room on the stack)
 * @param write how to write memory (a session passes its own writer so that
 *   its memory caches are dropped before the callee runs)
 */
export async function callInferior(
  t: Target, fn: bigint, args: CallArg[], ret?: CType,
  write: (addr: bigint, data: Buffer) => Promise<void> = (a, d) => t.writeMemory(a, d),
): Promise<CallResult> {
  const entry = (await t.auxv()).find(([k]) => k === AT_ENTRY)?.[1];
  if (entry === undefined) throw new ExprError('Cannot call functions: the program entry point is unknown.');
  const saved = await t.getRegisters();
  let top = (saved.rsp - STACK_GAP) & ~0xfn;
  let hidden: bigint | undefined;
  if (ret && classify(ret).kind === 'memory') {
    top = (top - BigInt(sizeOf(ret))) & ~0xfn;
    hidden = top;
  }
  const place = placeArguments(args, hidden);
  // At the callee's first instruction rsp + 8 must be 16-byte aligned: arguments from rsp + 8.
  const argBase = (top - BigInt(place.stackSize)) & ~0xfn;
  const sp = argBase - 8n;
  const frame = Buffer.alloc(8 + place.stackSize);
  frame.writeBigUInt64LE(entry);
  for (const s of place.stack) s.bytes.copy(frame, 8 + s.offset);
  await write(sp, frame);
  // The callee may change any SSE register: all of them are put back afterwards.
  // (a target without x87/SSE access: fine unless an argument needs them, checked next)
  const fpRegs = t.capabilities.fpRegisters;
  const savedFp = await fpRegs?.get().catch(() => undefined);
  if (place.sses.length > 0) {
    if (!savedFp || !fpRegs) throw new ExprError('Cannot pass floating-point arguments: this target cannot write the SSE registers.');
    let area = savedFp;
    place.sses.forEach((x, i) => { area = writeFpRegister(area, `xmm${i}`, x); });
    await fpRegs.set(area);
  }
  const regs: Partial<Registers> = { rip: fn, rsp: sp, rax: BigInt(place.sses.length), orig_rax: 0xffffffffffffffffn };
  place.ints.forEach((a, i) => {
    regs[INT_REGS[i]!] = BigInt.asUintN(64, a);
  });
  await t.setRegisters(regs);
  await t.insertBreakpoint(entry);
  let result: CallResult | undefined;
  let failure: string | undefined;
  try {
    const ev = await t.cont();
    const r = ev.reason;
    if (r.kind === 'breakpoint' && r.pc === entry) {
      result = await readReturnRegs(t);
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
      if (savedFp && fpRegs) await fpRegs.set(savedFp);
    }
  }
  if (!result) throw new ExprError(failure!);
  return result;
}
