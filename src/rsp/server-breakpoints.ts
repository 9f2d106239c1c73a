/**
 * The stub's breakpoint packets (Z0-Z4, z0-z4) and what they leave in the
 * process: software breakpoints (removed lazily), hardware ones (int3s
 * reported as hwbreak) and watchpoints split over debug registers.
 */
import { chunksOf } from '../target/debugregs.js';
import type { Target, WatchKind } from '../target/types.js';
import { PacketError } from './packet-error.js';
import { parseHexBig, parseHexInt } from './packet.js';

const Z_WATCH: Record<number, WatchKind> = { 2: 'write', 3: 'read', 4: 'access' };

export class ServerBreakpoints {
  private readonly hardware = new Set<bigint>();
  /** Addresses of gdb's Z0 breakpoints (inserted, or removed lazily and reinserted). */
  private readonly software = new Set<bigint>();
  /**
   * Software breakpoints gdb removed but we left in place: gdb removes and
   * re-inserts its breakpoints around every resume (z0 then Z0 at the same
   * address), so the removal waits for the next resume and a re-insert in
   * between costs nothing. Invisible to gdb: reads hide int3 bytes anyway.
   */
  private readonly lazyRemoved = new Set<bigint>();

  /** `log`: one line for the server's log (a removal that failed). */
  constructor(private readonly log: (line: string) => void) {}

  /** A new process: nothing of ours is in it. */
  clear(): void {
    this.hardware.clear();
    this.software.clear();
    this.lazyRemoved.clear();
  }

  /** True when a breakpoint at `pc` came from a Z1 (its stop is reported as hwbreak). */
  isHardware(pc: bigint): boolean {
    return this.hardware.has(pc);
  }

  /** Removals are held back: true when the next resume must carry some out. */
  get pendingRemovals(): boolean {
    return this.lazyRemoved.size > 0;
  }

  /** Z or z TYPE,ADDR,KIND over the stopped process `t`. */
  packet(t: Target, s: string): string | Promise<string> {
    const insert = s[0] === 'Z';
    const [type, a, k] = s.slice(1).split(/[,;]/);
    const addr = parseHexBig(a ?? '');
    if (type !== '0') return this.other(t, insert, type, addr, parseHexInt(k ?? ''));
    if (!insert) {
      // none there: gdbserver's E01, and nothing for the next resume to undo
      if (!this.software.delete(addr)) throw new PacketError(1, `no breakpoint at 0x${addr.toString(16)}`);
      this.lazyRemoved.add(addr);
      return 'OK';
    }
    if (this.lazyRemoved.delete(addr)) {
      this.software.add(addr);
      return 'OK';
    }
    return t.insertBreakpoint(addr).then(() => { this.software.add(addr); return 'OK'; });
  }

  /** Carry out the breakpoint removals held back (see lazyRemoved). */
  async flushRemovals(t: Target): Promise<void> {
    for (const addr of this.lazyRemoved) {
      this.lazyRemoved.delete(addr);
      // one already gone (a Z1 at the same address took the int3 away) has nothing to undo
      await t.removeBreakpoint(addr).catch((e: unknown) => this.log(`z0 ${addr.toString(16)}: ${(e as Error).message}`));
    }
  }

  /** Z1-Z4 and their removals. */
  private async other(t: Target, insert: boolean, type: string | undefined, addr: bigint, kind: number): Promise<string> {
    switch (type) {
      case '1':
        // a hardware breakpoint is an int3 too: same stop, reported as hwbreak
        if (insert) await t.insertBreakpoint(addr);
        else await t.removeBreakpoint(addr);
        if (insert) this.hardware.add(addr);
        else this.hardware.delete(addr);
        return 'OK';
      case '2':
      case '3':
      case '4': {
        const watch = Z_WATCH[Number(type)]!;
        // no working debug registers: say "unsupported", so the client falls back to software watchpoints
        if (insert && !t.capabilities.hardwareBreakpoints) return '';
        // any length, as gdbserver: aligned pieces of one debug register each, all or none
        if (kind > 32) return 'E01';      // more than the four 8-byte debug registers can ever cover
        const pieces = chunksOf({ addr, length: kind });
        if (!insert) {
          for (const c of pieces) await t.removeWatchpoint(c.addr, c.length, watch);
          return 'OK';
        }
        const done: typeof pieces = [];
        try {
          for (const c of pieces) { await t.insertWatchpoint(c.addr, c.length, watch); done.push(c); }
        } catch (e) {
          // undo the pieces already set; a piece that will not come out leaves nothing more to do, and
          // the insert's own error is the one the client gets
          for (const c of done) await t.removeWatchpoint(c.addr, c.length, watch).catch(() => undefined);
          throw e;
        }
        return 'OK';
      }
      default:
        return '';
    }
  }
}
