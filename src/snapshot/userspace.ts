/**
 * The user-space snapshot engine: the kernel ABI's behaviour (limits,
 * errors, replace-on-overlap, restore-deletes) built from process_vm_readv /
 * process_vm_writev, for kernels without PTRACE_SNAPSHOT.
 *
 * The kernel checks that every byte lies in a VM_WRITE mapping under the same
 * mmap_lock as the copy; here the check reads /proc/PID/maps. The map only
 * changes while the tracee runs, so it is parsed once per stop (keyed by the
 * target's resume count) and a snapshot costs little more than the copy
 * itself. (Untraced threads of the tracee still run and could change the map
 * meanwhile; the copy then fails with EFAULT or succeeds, like the kernel
 * before or after such a change.)
 */
import { readFileSync } from 'node:fs';
import { native } from '../target/native.js';
import { parseMaps } from '../util/maps.js';
import type { Mapping } from '../target/types.js';
import {
  checkRange, checkWritable, endsAddressSpace, liveTid, readLimits, type SnapshotHost,
} from './common.js';
import { HeldSnapshots } from './held.js';
import { bigBuffer } from './dirty-native.js';
import { SnapshotError, type SnapshotEngine, type SnapshotLimits } from './types.js';
import { hexWord } from '../util/hex.js';

/** Buffers of replaced or restored snapshots, reused by the next snapshot of that size. */
const SPARE_BYTES = 32 * 1024 * 1024;

export class UserspaceEngine extends HeldSnapshots<SnapshotHost> implements SnapshotEngine {
  readonly name = 'userspace' as const;
  private maps: { key: number; writable: Mapping[] } | undefined;
  private limitsCache: { key: number; limits: SnapshotLimits } | undefined;
  private readonly spare = new Map<number, Buffer[]>();
  private spareBytes = 0;

  constructor(host: SnapshotHost) {
    super(host);
    host.on('stop', (ev) => { if (endsAddressSpace(ev)) this.drop(); });
  }

  async limits(): Promise<SnapshotLimits> {
    return readLimits();
  }

  async snapshot(start: bigint, length: number): Promise<void> {
    this.checkAlive();
    const { maxLen, maxTotal } = this.currentLimits();
    checkRange(start, length, maxLen);
    const victims = this.replacedBy(start, length, maxTotal);
    this.checkWritable(start, length);
    const data = this.take(length);
    try {
      this.copyIn(start, data);
    } catch (e) {
      this.give(data);
      throw e;
    }
    // Only now that the copy succeeded: replace what it overlaps.
    this.replace(victims, { start, length, data });
  }

  async restore(start: bigint): Promise<void> {
    this.checkAlive();
    const snap = this.get(start);
    this.checkWritable(snap.start, snap.length);    // the map may have changed since
    const r = native.vmWrite(liveTid(this.host), snap.start, snap.data);
    if (r !== snap.length) {
      // The snapshot stays, so the caller can fix the map and try again.
      throw new SnapshotError('EFAULT', `cannot write the snapshot back at ${hexWord(snap.start)}: memory not accessible`);
    }
    this.remove(snap);
  }

  /** The sysctls, read once per stop (they are a few file reads: dearer than a small copy). */
  private currentLimits(): SnapshotLimits {
    const key = this.host.resumeCount ?? -1;
    if (!this.limitsCache || this.limitsCache.key !== key || key < 0) this.limitsCache = { key, limits: readLimits() };
    return this.limitsCache.limits;
  }

  /** Every byte in a mapping the tracee may write (VM_WRITE), as snapshot_check_vmas(). */
  private checkWritable(start: bigint, length: number): void {
    checkWritable(this.writableMaps(), start, length);
  }

  private writableMaps(): Mapping[] {
    const key = this.host.resumeCount ?? -1;
    if (!this.maps || this.maps.key !== key || key < 0) {
      let text: string;
      try {
        text = readFileSync(`/proc/${this.host.pid}/task/${liveTid(this.host)}/maps`, 'latin1');
      } catch {
        throw new SnapshotError('ESRCH', 'the program is not being run');
      }
      this.maps = { key, writable: parseMaps(text).filter((m) => m.perms[1] === 'w') };
    }
    return this.maps.writable;
  }

  /** process_vm_readv; PEEKDATA (FOLL_FORCE) for the rare writable page without read permission. */
  private copyIn(start: bigint, data: Buffer): void {
    const tid = liveTid(this.host);
    let done = native.vmRead(tid, start, data);
    if (done === data.length) return;
    if (done < 0) done = 0;
    const rest = data.subarray(done);
    if (native.peekRead(tid, start + BigInt(done), rest) !== rest.length) {
      throw new SnapshotError('EFAULT', `cannot read ${hexWord(start + BigInt(done))}: memory not accessible`);
    }
  }

  protected override released(data: Buffer): void {
    this.give(data);
  }

  protected override dropped(): void {
    this.spare.clear();
    this.spareBytes = 0;
  }

  private take(length: number): Buffer {
    const list = this.spare.get(length);
    const buf = list?.pop();
    if (buf) {
      this.spareBytes -= length;
      return buf;
    }
    return bigBuffer(length);
  }

  private give(buf: Buffer): void {
    if (this.spareBytes + buf.length > SPARE_BYTES) return;
    const list = this.spare.get(buf.length) ?? [];
    list.push(buf);
    this.spare.set(buf.length, list);
    this.spareBytes += buf.length;
  }
}
