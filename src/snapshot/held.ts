/**
 * What the engines that keep a snapshot's bytes in tsdbg share (the userspace
 * engine over process_vm_readv/writev, the rsp engine over a stub's memory
 * packets): the held snapshots by start, their byte count, and the requests
 * that only look at them (read, list, held, discard, clear). The kernel
 * engine keeps its snapshots in the kernel and has none of this.
 */
import type { TargetState } from '../target/types.js';
import { checkAdmit, checkStopped, noSnapshot, overlapping, sortedInfo } from './common.js';
import type { SnapshotInfo } from './types.js';

export interface Held extends SnapshotInfo {
  data: Buffer;
}

export abstract class HeldSnapshots<H extends { readonly state: TargetState }> {
  protected readonly snaps = new Map<bigint, Held>();
  protected bytes = 0;

  constructor(protected readonly host: H) {}

  async read(start: bigint): Promise<Buffer> {
    this.checkAlive();
    return Buffer.from(this.get(start).data);
  }

  async list(): Promise<SnapshotInfo[]> {
    this.checkAlive();
    return sortedInfo(this.snaps.values());
  }

  async held(): Promise<number> {
    return this.host.state === 'exited' ? 0 : this.bytes;
  }

  async discard(start: bigint): Promise<void> {
    this.checkAlive();
    this.remove(this.get(start));
  }

  async clear(): Promise<void> {
    this.drop();
  }

  /**
   * The snapshots a new one of [start, start+length) replaces, once admitted
   * under maxTotal. Taking the same region again (a checkpoint loop) is the
   * common case: snapshots never overlap, so an exact match is the only one it replaces.
   */
  protected replacedBy(start: bigint, length: number, maxTotal: number): Held[] {
    const same = this.snaps.get(start);
    const victims = same && same.length === length ? [same] : overlapping(this.snaps.values(), start, length);
    let replaced = 0;
    for (const v of victims) replaced += v.length;
    checkAdmit(this.bytes, replaced, length, maxTotal);
    return victims;
  }

  /** The new snapshot, once its copy succeeded: it replaces `victims`. */
  protected replace(victims: Held[], snap: Held): void {
    for (const v of victims) this.remove(v);
    this.add(snap);
  }

  /** The snapshot starting at `start`, or ENOENT. */
  protected get(start: bigint): Held {
    const snap = this.snaps.get(start);
    if (!snap) throw noSnapshot(start);
    return snap;
  }

  protected add(snap: Held): void {
    this.snaps.set(snap.start, snap);
    this.bytes += snap.length;
  }

  protected remove(snap: Held): void {
    this.snaps.delete(snap.start);
    this.bytes -= snap.length;
    this.released(snap.data);
  }

  /** Everything goes (exit, exec, clear). */
  protected drop(): void {
    this.snaps.clear();
    this.bytes = 0;
    this.dropped();
  }

  /** A removed snapshot's buffer (the userspace engine reuses them). */
  protected released(_data: Buffer): void { /* kept by no one */ }

  /** After drop(). */
  protected dropped(): void { /* nothing more to drop */ }

  protected checkAlive(): void {
    if (this.host.state === 'exited') this.drop();
    checkStopped(this.host);
  }
}
