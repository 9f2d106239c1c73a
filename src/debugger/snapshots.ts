/**
 * Snapshots and checkpoints of the debugged process, without text: the
 * core's operations return values and publish the lists (DebuggerState's
 * snapshots and checkpoints); the gdb console renders them
 * (src/commands/snapshot-console.ts).
 */
import type { MethodChoice } from '../snapshot/dirty.js';
import type { Mapping, Target } from '../target/types.js';
import { snapshotsOf } from '../target/capabilities.js';
import type { SnapshotEngine } from '../snapshot/types.js';
import {
  CheckpointError, CheckpointManager, DEFAULT_BUFFER_LIMIT, parseBufferLimit, type Checkpoint, type RewindResult,
} from '../snapshot/checkpoint.js';
import { CommandError } from './errors.js';
import { hexWord as hex } from '../util/hex.js';
import type { CheckpointInfo, SnapshotInfo } from './state.js';

export interface SnapshotHost {
  /** The live target (gdb's "The program is not being run." without one). */
  live(): Target;
  symbolize: (addr: bigint) => string | undefined;
  /** Memory as the program sees it now. */
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  /** Memory changed under the core's caches (a restore, a rewind). */
  invalidateMemory(): void;
  publish(snapshots: SnapshotInfo[], checkpoints: CheckpointInfo[]): void;
}

/** Where a snapshot's start comes from: an address, or the `[heap]`/`[stack]` mapping. */
export type SnapshotPlace = bigint | 'heap' | 'stack';

export class Snapshots {
  private readonly userSnaps = new Map<bigint, SnapshotInfo>();
  private manager: CheckpointManager | undefined;
  /** `set checkpoint-limit`: bytes older checkpoints may hold in tsdbg's buffers. */
  private limit = DEFAULT_BUFFER_LIMIT;
  /** `set checkpoint-method`: how checkpoints find the pages written (auto, uffd-wp, soft-dirty, full). */
  private method: MethodChoice = 'auto';

  constructor(private readonly host: SnapshotHost) {}

  get bufferLimit(): number { return this.limit; }

  /** `set checkpoint-limit TEXT`. */
  setBufferLimit(text: string): void {
    try {
      this.limit = parseBufferLimit(text);
    } catch (e) {
      throw e instanceof CheckpointError ? new CommandError(e.message) : e;
    }
    if (this.manager) this.manager.bufferLimit = this.limit;
  }

  get methodChoice(): MethodChoice { return this.method; }

  /** `set checkpoint-method auto|uffd-wp|soft-dirty|full` (gdb's enum-setting errors). */
  setMethod(text: string): void {
    const v = text.trim();
    const methods = ['auto', 'uffd-wp', 'soft-dirty', 'full'];
    if (!v) throw new CommandError(`Requires an argument. Valid arguments are ${methods.join(', ')}.`);
    if (!methods.includes(v)) throw new CommandError(`Undefined item: "${v}".`);
    if (this.manager?.checkpoints.length) throw new CommandError('Cannot change checkpoint-method while checkpoints exist; delete them first.');
    this.method = v as MethodChoice;
    if (this.manager) this.manager.methodChoice = this.method;
  }

  /** The method the checkpoints use once one was taken (undefined before). */
  methodInUse(): string | undefined {
    return this.manager?.methodText();
  }

  /** A new process: its engine, when it has one (checkpoints then work). */
  adopt(t: Target): SnapshotEngine | undefined {
    const engine = t.capabilities.snapshots;
    if (!engine) return undefined;
    this.manager = new CheckpointManager(t, engine, () => [...this.userSnaps.values()]);
    this.manager.bufferLimit = this.limit;
    this.manager.methodChoice = this.method;
    return engine;
  }

  /** Detaching: the process keeps running without our snapshots. */
  async release(t: Target): Promise<void> {
    await this.manager?.forget();
    // (a stub that cannot clear leaves its copies to its own end: the process is not ours any more)
    await t.capabilities.snapshots?.clear().catch(() => undefined);
  }

  /** The process is gone. */
  forget(): void {
    this.manager?.forget();
    this.manager = undefined;
    this.userSnaps.clear();
  }

  engine(): SnapshotEngine {
    return snapshotsOf(this.host.live());
  }

  private checkpoints(): CheckpointManager {
    this.engine();
    return this.manager!;
  }

  // ---- snapshots --------------------------------------------------------------------------------

  async mappingNamed(path: string): Promise<Mapping> {
    const t = this.host.live();
    const m = (await t.memoryMap()).find((x) => x.path === path);
    if (!m) throw new CommandError(`No ${path} mapping in process ${t.pid}${path === '[heap]' ? ' (nothing allocated with brk yet)' : ''}.`);
    return m;
  }

  async mapping(index: number): Promise<Mapping> {
    const maps = await this.host.live().memoryMap();
    const m = maps[index];
    if (!m) throw new CommandError(`No mapping number ${index} (see "info proc mappings": 0-${maps.length - 1}).`);
    return m;
  }

  private async regionLabel(start: bigint): Promise<string> {
    const maps = await this.host.live().memoryMap();
    const m = maps.find((x) => start >= x.start && start < x.end);
    if (!m) return '';
    const s = this.host.symbolize(start);
    return s ? `<${s}>` : m.path || 'anonymous';
  }

  /** Take a snapshot of [start, start+length); `label` names its region (default: the mapping or symbol there). */
  async take(start: bigint, length: number, label?: string): Promise<SnapshotInfo> {
    const engine = this.engine();
    if (length <= 0) throw new CommandError('Snapshot length must be positive.');
    await this.manager?.evictOverlapping(start, length);
    await engine.snapshot(start, length);
    // The engine replaced overlapping snapshots: forget ours that it dropped.
    const end = start + BigInt(length);
    for (const [s, info] of this.userSnaps) if (s < end && start < s + BigInt(info.length)) this.userSnaps.delete(s);
    const info: SnapshotInfo = { start, length, region: label ?? await this.regionLabel(start), owner: undefined };
    this.userSnaps.set(start, info);
    this.publish();
    return info;
  }

  /** A whole mapping: `[heap]`, `[stack]`, or the Nth of `info proc mappings`. */
  async takeMapping(which: 'heap' | 'stack' | number): Promise<SnapshotInfo> {
    const m = typeof which === 'number' ? await this.mapping(which) : await this.mappingNamed(`[${which}]`);
    return this.take(m.start, Number(m.end - m.start), typeof which === 'number' ? m.path || 'anonymous' : m.path);
  }

  /** The start of a user snapshot (checked: one starts there, and no checkpoint owns it). */
  async startOf(place: SnapshotPlace): Promise<bigint> {
    const start = typeof place === 'bigint' ? place : (await this.mappingNamed(`[${place}]`)).start;
    const owner = this.manager?.ownerOf(start);
    if (owner) throw new CommandError(`The snapshot at ${hex(start)} belongs to checkpoint "${owner.name}"; use "rewind" or "checkpoint delete ${owner.name}".`);
    if (!this.userSnaps.has(start)) {
      const held = await this.engine().list();
      if (!held.some((s) => s.start === start)) throw new CommandError(`No snapshot starts at ${hex(start)}.`);
    }
    return start;
  }

  /** The snapshot's bytes and the same bytes now. */
  async compare(start: bigint): Promise<{ old: Buffer; now: Buffer }> {
    const old = await this.engine().read(start);
    return { old, now: await this.host.readMemory(start, old.length) };
  }

  read(start: bigint): Promise<Buffer> {
    return this.engine().read(start);
  }

  async drop(start: bigint): Promise<void> {
    await this.engine().discard(start);
    this.userSnaps.delete(start);
    this.publish();
  }

  /** Put the snapshot's bytes back; it is dropped. What it was, when it was ours. */
  async restore(start: bigint): Promise<SnapshotInfo | undefined> {
    const info = this.userSnaps.get(start);
    await this.engine().restore(start);
    this.userSnaps.delete(start);
    this.host.invalidateMemory();
    this.publish();
    return info;
  }

  /** The snapshots (ours and the checkpoints'), and what the engine holds against its limits. */
  async usage(): Promise<{ engine: SnapshotEngine; held: number; maxTotal: number; maxLen: number }> {
    const engine = this.engine();
    this.publish();
    const [limits, held] = await Promise.all([engine.limits(), engine.held()]);
    return { engine, held, maxTotal: limits.maxTotal, maxLen: limits.maxLen };
  }

  // ---- checkpoints ------------------------------------------------------------------------------

  async checkpoint(name: string | undefined): Promise<Checkpoint> {
    const c = await this.checkpoints().take(name);
    this.publish();
    return c;
  }

  async deleteCheckpoint(name: string): Promise<Checkpoint> {
    const c = await this.checkpoints().delete(name);
    this.publish();
    return c;
  }

  /** The checkpoints, oldest first (none without a process). */
  list(): readonly Checkpoint[] {
    return this.manager?.checkpoints ?? [];
  }

  bytesOf(c: Checkpoint): number {
    return this.checkpoints().bytesOf(c);
  }

  bufferedBytes(): number {
    return this.checkpoints().bufferedBytes();
  }

  /** The name of the checkpoint `name` means (default: the newest). */
  nameOf(name: string | undefined): string {
    return this.checkpoints().find(name).name;
  }

  async rewind(name: string | undefined, force: boolean): Promise<RewindResult> {
    const r = await this.checkpoints().rewind(name, force);
    this.host.invalidateMemory();
    this.publish();
    return r;
  }

  private publish(): void {
    const cps = this.manager?.engineRegions() ?? [];
    const list: SnapshotInfo[] = [...this.userSnaps.values(),
      ...cps.map(({ checkpoint, region }) => ({ start: region.start, length: region.length, region: region.label, owner: checkpoint.name }))];
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const all = this.manager?.checkpoints ?? [];
    this.host.publish(list, all.map((c, i) => ({
      name: c.name, bytes: this.manager!.bytesOf(c), regions: c.regions.length, inEngine: i === all.length - 1, pc: c.regs.rip,
    })));
  }
}

/** How the console names an engine. */
export function engineLabel(e: SnapshotEngine): string {
  switch (e.name) {
    case 'kernel': return 'kernel (PTRACE_SNAPSHOT)';
    case 'userspace': return 'userspace (process_vm_readv/writev)';
    case 'rsp': return 'rsp (the remote protocol\'s memory packets)';
    default: return `${e.name} (qRcmd)`;
  }
}
