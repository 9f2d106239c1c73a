/**
 * The RSP-memory snapshot engine: the kernel ABI's behaviour (limits, errors,
 * replace-on-overlap, restore-deletes; see ./types.ts) built on nothing but
 * the target's memory reads and writes, so it works over any stub: gdbserver
 * (`m`/`x` to copy, `X`/`M` to put back), QEMU's gdbstub, or any other. The
 * copies live in tsdbg's memory, as with the user-space engine.
 *
 * Which bytes may be taken is the kernel's rule (every byte in a VM_WRITE
 * mapping) when the stub can say what is mapped (`maps`: /proc/PID/maps
 * through vFile, or qXfer:memory-map). A stub that cannot (QEMU's gdbstub:
 * no process, a kernel's address space) gets snapshots of explicit ranges,
 * anywhere in the 64-bit space, and a range the stub cannot read or write
 * fails with EFAULT. The map only changes while the program runs, so it is
 * fetched once per stop.
 */
import type { Mapping, StopEvent, TargetState } from '../target/types.js';
import {
  DEFAULT_MAX_LEN, DEFAULT_MAX_TOTAL, checkRange, checkWritable, endsAddressSpace,
} from './common.js';
import { HeldSnapshots } from './held.js';
import { hexWord } from '../util/hex.js';
import { SnapshotError, type SnapshotEngine, type SnapshotLimits } from './types.js';

/** The part of a target this engine needs (RemoteTarget, or any Target). */
export interface MemoryHost {
  readonly state: TargetState;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;
  on(event: 'stop', listener: (ev: StopEvent) => void): unknown;
}

export interface MemoryEngineOptions {
  /**
   * The writable mappings (sorted), or undefined when the stub cannot say
   * (then any range is accepted and only the copy itself can fail).
   */
  writableMaps?: () => Promise<Mapping[] | undefined>;
  /** Bulk read, when faster than host.readMemory (pipelined packets); same errors. */
  read?: (addr: bigint, len: number) => Promise<Buffer>;
  limits?: SnapshotLimits;
}

const ADDRESS_SPACE_END = 1n << 64n;

export class RspMemoryEngine extends HeldSnapshots<MemoryHost> implements SnapshotEngine {
  readonly name = 'rsp' as const;
  /** Bumped at every stop: the map is fetched once per stop. */
  private stops = 0;
  private maps: { key: number; writable: Mapping[] | undefined } | undefined;
  private readonly lim: SnapshotLimits;

  constructor(host: MemoryHost, private readonly opts: MemoryEngineOptions = {}) {
    super(host);
    this.lim = opts.limits ?? { maxLen: DEFAULT_MAX_LEN, maxTotal: DEFAULT_MAX_TOTAL };
    host.on('stop', (ev) => {
      this.stops++;
      if (endsAddressSpace(ev)) this.drop();
    });
  }

  async limits(): Promise<SnapshotLimits> {
    return { ...this.lim };
  }

  async snapshot(start: bigint, length: number): Promise<void> {
    this.checkAlive();
    const writable = await this.writableMaps();
    this.checkRange(start, length, writable !== undefined);
    const victims = this.replacedBy(start, length, this.lim.maxTotal);
    if (writable) checkWritable(writable, start, length);
    const data = await this.copyIn(start, length);
    this.checkAlive();                                  // still the same process
    // Only now that the copy succeeded: replace what it overlaps.
    this.replace(victims, { start, length, data });
  }

  async restore(start: bigint): Promise<void> {
    this.checkAlive();
    const snap = this.get(start);
    const writable = await this.writableMaps();       // the map may have changed since
    if (writable) checkWritable(writable, snap.start, snap.length);
    try {
      await this.host.writeMemory(snap.start, snap.data);
    } catch (e) {
      // The snapshot stays, so the caller can fix the map and try again.
      throw this.failure(e, `cannot write the snapshot back at ${hexWord(snap.start)}`);
    }
    this.remove(snap);
  }

  /** User space's bounds with a process map; without one (a kernel), the whole 64-bit space. */
  private checkRange(start: bigint, length: number, userSpace: boolean): void {
    if (userSpace) return checkRange(start, length, this.lim.maxLen);
    checkRange(0n, length, this.lim.maxLen);           // the length rules alone
    if (start < 0n || start + BigInt(length) > ADDRESS_SPACE_END) {
      throw new SnapshotError('EINVAL', `range ${hexWord(start)}+${length} wraps around the address space`);
    }
  }

  private async writableMaps(): Promise<Mapping[] | undefined> {
    const provider = this.opts.writableMaps;
    if (!provider) return undefined;
    if (this.maps?.key !== this.stops) {
      const key = this.stops;
      let writable: Mapping[] | undefined;
      try {
        writable = await provider();
      } catch (e) {
        throw this.failure(e, 'cannot read the memory map');
      }
      this.maps = { key, writable };
    }
    return this.maps.writable;
  }

  private async copyIn(start: bigint, length: number): Promise<Buffer> {
    try {
      const data = await (this.opts.read ?? ((a, n) => this.host.readMemory(a, n)))(start, length);
      if (data.length !== length) throw new SnapshotError('EFAULT', `cannot read ${hexWord(start)}: memory not accessible`);
      return data;
    } catch (e) {
      throw this.failure(e, `cannot read ${hexWord(start)}`);
    }
  }

  /** A stub's failure as the ABI's error: the program gone is ESRCH, anything else EFAULT. */
  private failure(e: unknown, what: string): SnapshotError {
    if (e instanceof SnapshotError) return e;
    if (this.host.state === 'exited') return new SnapshotError('ESRCH', 'the program is not being run');
    const code = (e as { code?: string }).code;
    if (code === 'EIO' || code === 'ETIMEDOUT') return new SnapshotError('EIO', `${what}: ${(e as Error).message}`);
    return new SnapshotError('EFAULT', `${what}: memory not accessible`);
  }

}
