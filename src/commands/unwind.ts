/**
 * The frame-pointer walk the session falls back to when it has no process
 * image whose CFI the DWARF layer can read (a stub without an executable,
 * and `step` out of main, past where the DWARF backtrace stops).
 */
import type { Registers } from '../target/types.js';
import { rethrowUnexpected } from '../debugger/errors.js';

export interface Frame {
  level: number;
  pc: bigint;
  /** Stack pointer in this frame (for frame 0, rsp). */
  sp: bigint;
  /** Canonical frame address: rsp just before the call that made this frame. */
  cfa: bigint | undefined;
}

export interface UnwindContext {
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  /** Start of the function containing pc, if a symbol covers it. */
  functionStart(pc: bigint): bigint | undefined;
}

export interface Unwinder {
  unwind(regs: Registers, ctx: UnwindContext, maxFrames: number): Promise<Frame[]>;
}

/** Where in a `push %rbp; mov %rsp,%rbp` prologue pc is: 0 before the push, 1 after it, 2 done. */
async function prologueState(pc: bigint, ctx: UnwindContext): Promise<0 | 1 | 2> {
  const start = ctx.functionStart(pc);
  if (start === undefined || pc - start > 16n) return 2;
  let code: Buffer;
  try {
    code = await ctx.readMemory(start, Number(pc - start) + 4);
  } catch (e) {
    rethrowUnexpected(e);
    return 2;   // (unreadable code: no prologue to be in, the frame is set up)
  }
  let off = 0;
  if (code.subarray(0, 4).equals(Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]))) off = 4;  // endbr64
  const at = Number(pc - start);
  if (code[off] !== 0x55) return 2;                       // no push %rbp: assume frame is set
  if (at <= off) return 0;
  const mov = code.subarray(off + 1, off + 4);
  if (at === off + 1 && (mov.equals(Buffer.from([0x48, 0x89, 0xe5])) || mov.equals(Buffer.from([0x48, 0x8b, 0xec])))) return 1;
  return 2;
}

/**
 * The classic rbp chain, with the two prologue positions where rbp still
 * belongs to the caller handled by looking at the code (like gdb's
 * amd64_analyze_prologue when there is no CFI).
 */
export class FramePointerUnwinder implements Unwinder {
  async unwind(regs: Registers, ctx: UnwindContext, maxFrames: number): Promise<Frame[]> {
    const frames: Frame[] = [];
    const read64 = async (a: bigint) => (await ctx.readMemory(a, 8)).readBigUInt64LE(0);
    let pc = regs.rip;
    let sp = regs.rsp;
    let fp = regs.rbp;
    const state = await prologueState(pc, ctx);
    try {
      if (state < 2) {
        // Return address on top of the stack (or just under the saved rbp).
        const retSlot = state === 0 ? sp : sp + 8n;
        frames.push({ level: 0, pc, sp, cfa: retSlot + 8n });
        pc = await read64(retSlot);
        sp = retSlot + 8n;
      } else {
        frames.push({ level: 0, pc, sp, cfa: fp + 16n });
        if (fp === 0n) return frames;
        pc = await read64(fp + 8n);
        sp = fp + 16n;
        fp = await read64(fp);
      }
      while (frames.length < maxFrames && pc !== 0n) {
        const level = frames.length;
        frames.push({ level, pc, sp, cfa: fp !== 0n ? fp + 16n : undefined });
        if (fp === 0n || fp < sp) break;                   // end of chain, or garbage
        const nextPc = await read64(fp + 8n);
        const nextFp = await read64(fp);
        sp = fp + 16n;
        pc = nextPc;
        fp = nextFp;
      }
    } catch (e) {
      // An unreadable frame ends the walk: gdb shows what it has.
      rethrowUnexpected(e);
    }
    return frames.slice(0, maxFrames);
  }
}
