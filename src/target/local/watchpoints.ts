/**
 * LocalTarget's hardware watchpoints: the four x86 debug registers
 * (DR0-3, DR7 to enable, DR6 to tell which fired), the same in every thread;
 * only where the machine's debug registers really trap (../debugregs.ts).
 */
import { TargetError, type WatchKind } from '../types.js';
import { PTRACE, check, native } from '../native.js';
import { debugRegistersTrap } from '../debugregs.js';
import { DR6_HIT_MASK, type Watch } from './shared.js';
import { LocalBreakpoints } from './breakpoints.js';

export abstract class LocalWatchpoints extends LocalBreakpoints {
  async insertWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.ensureStopped();
    if (![1, 2, 4, 8].includes(len)) throw new TargetError('EINVAL', `watchpoint length must be 1, 2, 4 or 8, not ${len}`);
    if (addr % BigInt(len) !== 0n) throw new TargetError('EINVAL', `watchpoint address 0x${addr.toString(16)} is not aligned to ${len}`);
    if (!['write', 'read', 'access'].includes(kind)) throw new TargetError('EINVAL', `unknown watchpoint kind ${kind}`);
    if (!debugRegistersTrap()) throw new TargetError('ENOTSUP', 'the debug registers do not trap on this machine');
    if (this.watches.some((w) => w && w.addr === addr && w.len === len && w.kind === kind)) return;
    const slot = this.watches.findIndex((w) => !w);
    if (slot < 0) throw new TargetError('ENOSPC', 'all 4 hardware debug registers are in use');
    this.watches[slot] = { addr, len, kind };
    try {
      for (const t of this.liveThreads()) this.armThread(t.tid, t.tid === this.selTid);
    } catch (e) {
      this.watches[slot] = undefined;
      for (const t of this.liveThreads()) this.armThread(t.tid, false);
      throw new TargetError((e as TargetError).code ?? 'EIO', `cannot set watchpoint at 0x${addr.toString(16)}`);
    }
  }

  /**
   * Program a thread's debug registers with the watchpoints (every thread
   * has its own, and a new thread starts with none). Errors are thrown only
   * when `strict`: a sibling may be exiting under us.
   */
  protected armThread(tid: number, strict: boolean): void {
    for (let i = 0; i < 4; i++) {
      const r = native.ptrace(PTRACE.POKEUSER, tid, BigInt(native.debugregOffset(i)), this.watches[i]?.addr ?? 0n);
      if (strict) check(r, 'cannot program the debug registers');
    }
    const r = native.ptrace(PTRACE.POKEUSER, tid, BigInt(native.debugregOffset(7)), this.dr7());
    if (strict) check(r, 'cannot program the debug registers');
  }

  async removeWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.ensureStopped();
    const slot = this.watches.findIndex((w) => w && w.addr === addr && w.len === len && w.kind === kind);
    if (slot < 0) throw new TargetError('ENOENT', `no ${kind} watchpoint at 0x${addr.toString(16)}`);
    await this.clearSlot(slot);
  }

  protected async clearSlot(slot: number): Promise<void> {
    this.watches[slot] = undefined;
    for (const t of this.liveThreads()) this.armThread(t.tid, t.tid === this.selTid);
  }

  /** DR7: local enable, R/W (01 write, 11 read/write) and LEN per slot. x86 has no read-only watch. */
  protected dr7(): bigint {
    let dr7 = 0n;
    this.watches.forEach((w, i) => {
      if (!w) return;
      const rw = w.kind === 'write' ? 1n : 3n;
      const len = ({ 1: 0n, 2: 1n, 4: 3n, 8: 2n } as Record<number, bigint>)[w.len]!;
      dr7 |= (1n << BigInt(i * 2)) | (rw << BigInt(16 + i * 4)) | (len << BigInt(18 + i * 4));
    });
    return dr7;
  }

  /** Which watchpoint fired in thread tid, from its DR6 (then cleared: the CPU never clears it). */
  protected watchHit(tid: number): Watch | undefined {
    if (!this.watches.some(Boolean)) return undefined;
    const dr6 = native.peek(PTRACE.PEEKUSER, tid, BigInt(native.debugregOffset(6)));
    if (typeof dr6 !== 'bigint' || (dr6 & DR6_HIT_MASK) === 0n) return undefined;
    native.ptrace(PTRACE.POKEUSER, tid, BigInt(native.debugregOffset(6)), 0n);
    for (let i = 0; i < 4; i++) if (dr6 & (1n << BigInt(i))) return this.watches[i];
    return undefined;
  }
}
