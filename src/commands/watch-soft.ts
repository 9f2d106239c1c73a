/**
 * Software watchpoints: gdb's answer when hardware ones cannot be used
 * (`set can-use-hw-watchpoints 0`, debug registers that accept DR7 but never
 * trap, a remote stub without Z2). The program is single-stepped and the
 * watched bytes compared after each instruction that can change memory: a
 * memory write (push and call included), a system call, or anything that does
 * not decode. Other instructions cannot change the value, so the memory is
 * not read after them. Decoding is cached per address.
 *
 * A continue becomes steps until a breakpoint address is reached (reported
 * as the breakpoint stop the target would have given), the value changes
 * (reported as a 'watchpoint' stop at the pc after the writing instruction,
 * where a hardware watchpoint reports it), or any other stop (signal, exit,
 * a stop of another thread). A single step is checked the same way, so
 * continue, next, step and finish all honour the watchpoint.
 *
 * Threads: the target steps the selected thread alone, releasing the others
 * while it sleeps in a system call (see Target); a change they make is seen
 * when that step returns, which is what gdb's software watchpoints do too.
 */
import type { InstructionInfoFactory } from 'iced-x86';
import { iced } from '../util/iced.js';
import type { StopEvent, Target } from '../target/types.js';
import { expected } from '../debugger/errors.js';

export interface WatchedRange {
  addr: bigint;
  length: number;
}

export interface SoftResume {
  /** One instruction (stepi and the source stepper) rather than a continue. */
  step: boolean;
  signal: number;
  watches: WatchedRange[];
  /** A breakpoint (user or internal) at pc: a continue ends there. */
  stopsAt: (pc: bigint) => boolean;
  /** A watched expression that cannot be read: gdb evaluates it after the first step, and stops there. */
  unreadable?: boolean;
}

let WRITES: Set<number> | undefined;
let SYSCALLS: Set<number> | undefined;

let infoFactory: InstructionInfoFactory | undefined;

/** Whether the instruction in `code` (at pc) may change memory. */
export function mayChangeMemory(code: Buffer | undefined, pc: bigint): boolean {
  if (!code?.length) return true;
  const { Decoder, DecoderOptions, InstructionInfoFactory, Mnemonic, OpAccess } = iced();
  WRITES ??= new Set<number>([OpAccess.Write, OpAccess.CondWrite, OpAccess.ReadWrite, OpAccess.ReadCondWrite]);
  SYSCALLS ??= new Set<number>([Mnemonic.Syscall, Mnemonic.Sysenter, Mnemonic.Int, Mnemonic.Int1, Mnemonic.Int3, Mnemonic.Into]);
  const decoder = new Decoder(64, code, DecoderOptions.None);
  decoder.ip = pc;
  const insn = decoder.decode();
  try {
    if (insn.isInvalid || SYSCALLS.has(insn.mnemonic)) return true;
    infoFactory ??= new InstructionInfoFactory();
    const info = infoFactory.info(insn);
    const used = info.usedMemory();
    let writes = false;
    for (const m of used) {
      if (WRITES.has(m.access)) writes = true;
      m.free();
    }
    info.free();
    return writes;
  } finally {
    insn.free();
    decoder.free();
  }
}

export class SoftwareWatcher {
  /** pc -> may the instruction there change memory (code rarely changes under a debugger). */
  private readonly decoded = new Map<bigint, boolean>();
  private interruptRequested = false;
  /** Instructions stepped, for the benchmark. */
  steps = 0;

  /** A new program image: forget the decoded code. */
  reset(): void {
    this.decoded.clear();
  }

  /** Ctrl-C while stepping: end the continue at the next instruction. */
  interrupt(): void {
    this.interruptRequested = true;
  }

  private async changesMemory(t: Target, pc: bigint): Promise<boolean> {
    let v = this.decoded.get(pc);
    if (v === undefined) {
      v = mayChangeMemory(await readCode(t, pc), pc);
      this.decoded.set(pc, v);
    }
    return v;
  }

  async resume(t: Target, o: SoftResume): Promise<StopEvent> {
    this.interruptRequested = false;
    const old = await Promise.all(o.watches.map((w) => t.readMemory(w.addr, w.length)));
    let pc = (await t.getRegisters()).rip;
    let signal = o.signal;
    for (;;) {
      const check = await this.changesMemory(t, pc);
      const ev = await t.step(signal);
      this.steps++;
      signal = 0;
      if (ev.reason.kind !== 'step') return ev;
      pc = ev.reason.pc;
      if (check) {
        for (let i = 0; i < o.watches.length; i++) {
          const w = o.watches[i]!;
          // (an unreadable watched range has not changed)
          const now = await t.readMemory(w.addr, w.length).catch(expected(old[i]!));
          if (!now.equals(old[i]!)) return { ...ev, reason: { kind: 'watchpoint', pc, address: w.addr, access: 'write' } };
        }
      }
      if (o.unreadable) return { ...ev, reason: { kind: 'watchpoint', pc, address: 0n, access: 'write' } };
      if (o.step) return ev;
      if (o.stopsAt(pc)) return { ...ev, reason: { kind: 'breakpoint', pc } };
      if (this.interruptRequested) return { ...ev, reason: { kind: 'interrupted', pc } };
    }
  }
}

/** Up to 16 bytes of code at pc (less at the end of a mapping). */
async function readCode(t: Target, pc: bigint): Promise<Buffer | undefined> {
  for (const n of [16, 8, 4, 1]) {
    // (try shorter reads near the end of a mapping; none: no code)
    const b = await t.readMemory(pc, n).catch(expected(undefined));
    if (b) return b;
  }
  return undefined;
}
