/**
 * Checkpoints: go back in time inside the live process.
 *
 * Where the kernel can say which pages the program wrote (./dirty.ts:
 * userfaultfd write-protect + PAGEMAP_SCAN, or soft-dirty bits), checkpoints
 * are INCREMENTAL (./incremental.ts): one copy of memory in tsdbg, brought up
 * to date at each checkpoint by reading only the written pages, and per
 * checkpoint the old copies of the pages that changed after it. Taking and
 * rewinding then cost in proportion to the pages written. Elsewhere (no such
 * kernel, a remote target, `set checkpoint-method full`) every checkpoint is
 * a FULL COPY kept as described below, and a rewind writes back only the
 * pages that differ from memory now.
 *
 * A checkpoint is the full register set (fs_base included: it is the thread
 * pointer glibc's TLS lives behind) plus a copy of every private writable
 * mapping: the program's and its libraries' .data/.bss, [heap], [stack] and
 * anonymous mmap regions. Text and read-only data are not copied: they cannot
 * have changed (breakpoints live in text and are the target's business).
 *
 * Where full copies live. The snapshot engine keeps ONE snapshot per start
 * address (a new snapshot replaces every one it overlaps), so two checkpoints
 * of the same heap cannot both live in the engine. The design:
 *  - the NEWEST checkpoint lives in the engine (kernel memory with the kernel
 *    engine: taking it is one PTRACE_SNAPSHOT per region, rewinding one
 *    PTRACE_RESTORE per region, no copy through the debugger);
 *  - when a newer checkpoint is taken, the previous newest is first moved out
 *    to user-space buffers (engine.read() then discard()), and rewinding to an
 *    older checkpoint writes its buffers back with target.writeMemory();
 *  - regions that overlap a snapshot the user took by hand are kept in
 *    buffers from the start, so a checkpoint never destroys a user snapshot;
 *    and when the user takes a snapshot over a checkpoint's engine region the
 *    session calls evictOverlapping() first, which moves that region out.
 * PTRACE_RESTORE deletes the snapshot it restores, so after rewinding to the
 * newest checkpoint its regions are snapshotted again (memory now equals the
 * checkpoint) to keep it rewindable any number of times.
 *
 * A rewind cannot undo changes to the memory map itself (brk moved, mmap,
 * munmap, mprotect): the checkpoint records the writable map and rewind
 * compares it with the current one, lists exactly what changed and refuses
 * unless forced (then it restores what is still mapped and leaves the rest).
 *
 * Threads: the registers of every thread are saved, and rewinding puts back
 * each one. A thread cannot be brought back to life nor one that appeared be
 * taken away, so a changed set of threads is listed and refused like a
 * changed map (forced: the threads that still exist are restored).
 */
import type { Mapping, Registers, Target } from '../target/types.js';
import type { SnapshotEngine, SnapshotLimits } from './types.js';
import { SnapshotError } from './types.js';
import { endsAddressSpace } from './common.js';
import { METHOD_TEXT, openTracker, type DirtyMethodName, type MethodChoice, type PageRange } from './dirty.js';
import { IncrementalStore, type Delta } from './incremental.js';
import { diffRuns } from './rewrite.js';
import { hexWord } from '../util/hex.js';

export interface ThreadRegisters {
  tid: number;
  regs: Registers;
  fpregs?: Buffer;
  ymmUpper?: Buffer;
}

export interface CheckpointRegion {
  start: bigint;
  length: number;
  /** Mapping the region came from, for messages: `[heap]`, `/usr/lib/.../libc.so.6`, `anon`. */
  label: string;
  /** Copy held in user space; undefined while the engine holds it. */
  buffer: Buffer | undefined;
}

export interface Checkpoint {
  id: number;
  name: string;
  /** The selected thread's registers (where the checkpoint was taken). */
  regs: Registers;
  /** Every thread's registers, the selected one included; x87/SSE (FXSAVE area) and AVX upper halves when the target has them. */
  threads: ThreadRegisters[];
  regions: CheckpointRegion[];
  /** Writable mappings when the checkpoint was taken. */
  maps: Mapping[];
  /**
   * Incremental checkpoints (./incremental.ts): this checkpoint's copies of
   * the pages written after it, up to the next checkpoint. Its regions then
   * have no buffer and are not the engine's.
   */
  delta?: Delta;
  /** Bytes read to take it (incremental: the pages written since the previous one). */
  copiedBytes: number;
}

export interface MapChange {
  kind: 'appeared' | 'vanished' | 'grew' | 'shrank' | 'protection' | 'thread-exited' | 'thread-appeared';
  label: string;
  text: string;
}

export interface RewindResult {
  checkpoint: Checkpoint;
  restoredBytes: number;
  /** Map changes that were left as they are (only with force). */
  skipped: MapChange[];
  /** Threads whose registers were put back. */
  restoredThreads: number;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(message: string, readonly changes: MapChange[] = []) {
    super(message);
  }
}

const sizeText = (n: number) => (n === Infinity ? 'unlimited' : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** A byte count as `checkpoints` shows the limit. */
export function limitText(n: number): string {
  return sizeText(n);
}

/** Mappings a checkpoint must copy: private and writable, minus kernel-provided ones. */
export function checkpointMappings(maps: Mapping[]): Mapping[] {
  return maps.filter((m) => m.perms[1] === 'w' && m.perms[3] === 'p' && !['[vvar]', '[vdso]', '[vsyscall]', '[vvar_vclock]'].includes(m.path));
}

export function mappingLabel(m: Mapping): string {
  return m.path || 'anonymous';
}

/**
 * Default cap on the bytes older checkpoints hold in tsdbg's own buffers:
 * the kernel engine's `kernel.ptrace_snapshot_max_total` default (64 MiB),
 * so 10,000 checkpoints cannot grow tsdbg to gigabytes. `set checkpoint-limit`.
 */
export const DEFAULT_BUFFER_LIMIT = 64 * 1024 * 1024;

/** `set checkpoint-limit` values: bytes with an optional K/M/G (binary) suffix, or `unlimited`. */
export function parseBufferLimit(text: string): number {
  const t = text.trim();
  if (/^unlimited$/i.test(t)) return Infinity;
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(t);
  if (!m) throw new CheckpointError(`Invalid checkpoint limit "${t}": bytes, with K, M or G, or "unlimited".`);
  const v = Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
  if (!Number.isSafeInteger(v)) throw new CheckpointError(`Invalid checkpoint limit "${t}": bytes, with K, M or G, or "unlimited".`);
  return v;
}

export class CheckpointManager {
  private readonly list: Checkpoint[] = [];
  private nextId = 1;
  /** Most bytes the checkpoints may hold in tsdbg's buffers (the newest lives in the engine). */
  bufferLimit = DEFAULT_BUFFER_LIMIT;
  /** `set checkpoint-method`: how written pages are found; 'auto' picks the best this kernel has. */
  methodChoice: MethodChoice = 'auto';
  /** Set at the first checkpoint: the incremental store, or why there is none (full copies). */
  private store: IncrementalStore | undefined;
  private fullReason: string | undefined;

  constructor(
    private readonly target: Target,
    private readonly engine: SnapshotEngine,
    /** Snapshots the user holds by hand, which checkpoints must not replace. */
    private readonly userSnapshots: () => Array<{ start: bigint; length: number }>,
  ) {
    // exec and exit end the address space: the checkpoints (and the engines' snapshots) go with it
    (target as Target | undefined)?.on('stop', (ev) => { if (endsAddressSpace(ev)) this.forget(); });
  }

  get checkpoints(): readonly Checkpoint[] {
    return this.list;
  }

  /** The checkpoint whose engine snapshot starts at `start`, if any. */
  ownerOf(start: bigint): Checkpoint | undefined {
    const newest = this.list[this.list.length - 1];
    return !newest?.delta && newest?.regions.some((r) => r.start === start && !r.buffer) ? newest : undefined;
  }

  /** Engine-held regions of the newest checkpoint, for `snapshots`. */
  engineRegions(): Array<{ checkpoint: Checkpoint; region: CheckpointRegion }> {
    const newest = this.list[this.list.length - 1];
    return newest && !newest.delta ? newest.regions.filter((r) => !r.buffer).map((region) => ({ checkpoint: newest, region })) : [];
  }

  /** Bytes the checkpoints hold in tsdbg's own buffers. */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.list) {
      for (const r of c.regions) if (r.buffer) n += r.length;
      if (c.delta) for (const b of c.delta.values()) n += b.length;
    }
    return n;
  }

  /** How written pages are found, as the user reads it: 'userfaultfd write-protect + PAGEMAP_SCAN', or 'full copy (why)'. */
  methodText(): string | undefined {
    if (this.store) return METHOD_TEXT[this.store.tracker.method];
    if (this.fullReason === undefined) return undefined;
    return this.methodChoice === 'full' ? METHOD_TEXT.full : `${METHOD_TEXT.full} (${this.fullReason})`;
  }

  /** The method in use once a checkpoint decided it. */
  get method(): DirtyMethodName | 'full' | undefined {
    return this.store ? this.store.tracker.method : this.fullReason === undefined ? undefined : 'full';
  }

  /** Bytes the incremental store's copy of memory holds (the newest checkpoint's memory). */
  shadowBytes(): number {
    return this.store?.shadowBytes ?? 0;
  }

  private async decide(): Promise<void> {
    if (this.store || this.fullReason !== undefined) return;
    const r = await openTracker(this.target, this.methodChoice);
    if ('tracker' in r) this.store = new IncrementalStore(this.target, r.tracker);
    else if (this.methodChoice !== 'auto' && this.methodChoice !== 'full') throw new CheckpointError(`Cannot use checkpoint-method ${this.methodChoice}: ${r.reason}.`);
    else this.fullReason = r.reason;
  }

  private refuseOverLimit(bytes: number): void {
    if (bytes <= this.bufferLimit) return;
    throw new CheckpointError(`Checkpoint limit reached: tsdbg's buffers would hold ${sizeText(bytes)}, over the limit of ${sizeText(this.bufferLimit)}; ` +
      'delete a checkpoint ("checkpoint delete NAME") or raise the limit ("set checkpoint-limit SIZE").');
  }

  bytesOf(c: Checkpoint): number {
    return c.regions.reduce((s, r) => s + r.length, 0);
  }

  find(name: string | undefined): Checkpoint {
    if (this.list.length === 0) throw new CheckpointError('No checkpoints.');
    if (name === undefined) return this.list[this.list.length - 1]!;
    const c = this.list.find((x) => x.name === name || String(x.id) === name);
    if (!c) throw new CheckpointError(`No checkpoint named "${name}".`);
    return c;
  }

  async take(name: string | undefined): Promise<Checkpoint> {
    if (name !== undefined && this.list.some((c) => c.name === name)) {
      throw new CheckpointError(`Checkpoint "${name}" already exists; delete it first ("checkpoint delete ${name}").`);
    }
    const id = this.nextId;
    const [threads, allMaps, limits] = await Promise.all([this.threadRegisters(), this.target.memoryMap(), this.engine.limits()]);
    const regs = threads.find((x) => x.tid === this.target.selectedThread)!.regs;
    const maps = checkpointMappings(allMaps);
    const previous = this.list[this.list.length - 1];
    await this.decide();
    if (this.store) return this.takeIncremental(this.store, id, name, regs, threads, maps, previous, limits);
    // the previous newest moves out of the engine into tsdbg's buffers: refuse before, past the limit
    const held = this.bufferedBytes();
    this.refuseOverLimit(held + (previous ? previous.regions.reduce((s, r) => s + (r.buffer ? 0 : r.length), 0) : 0));
    if (previous) await this.moveToBuffers(previous);
    const cp: Checkpoint = { id, name: name ?? `c${id}`, regs, threads, regions: [], maps, copiedBytes: 0 };
    try {
      for (const m of maps) {
        for (let start = m.start; start < m.end; start += BigInt(limits.maxLen)) {
          const length = Number(m.end - start < BigInt(limits.maxLen) ? m.end - start : BigInt(limits.maxLen));
          cp.regions.push(await this.copyRegion(start, length, mappingLabel(m)));
        }
      }
      // regions the engine could not take are buffered too
      this.refuseOverLimit(this.bufferedBytes() + cp.regions.reduce((s, r) => s + (r.buffer ? r.length : 0), 0));
    } catch (e) {
      await this.dropRegions(cp);
      throw e;
    }
    cp.copiedBytes = this.bytesOf(cp);
    this.nextId++;
    this.list.push(cp);
    return cp;
  }

  private takeIncremental(store: IncrementalStore, id: number, name: string | undefined, regs: Registers, threads: ThreadRegisters[],
    maps: Mapping[], previous: Checkpoint | undefined, limits: SnapshotLimits): Checkpoint {
    const plan = store.plan(joinNeighbours(maps), previous?.delta);
    try {
      this.refuseOverLimit(this.bufferedBytes() + plan.deltaBytes);
      // the copy of memory itself: what the engine and the buffers together could hold for a full copy
      if (plan.shadowBytes > limits.maxTotal + this.bufferLimit) {
        throw new CheckpointError(`Checkpoint limit reached: the writable memory of the program (${sizeText(plan.shadowBytes)}) is over what checkpoints may hold ` +
          `(${sizeText(limits.maxTotal)} of kernel.ptrace_snapshot_max_total and ${sizeText(this.bufferLimit)} of checkpoint-limit); raise the limit ("set checkpoint-limit SIZE").`);
      }
    } catch (e) {
      plan.abandon();
      if (this.list.length === 0) this.closeStore();
      throw e;
    }
    plan.commit();
    const regions = maps.map((m) => ({ start: m.start, length: Number(m.end - m.start), label: mappingLabel(m), buffer: undefined }));
    const cp: Checkpoint = { id, name: name ?? `c${id}`, regs, threads, regions, maps, delta: new Map(), copiedBytes: plan.copiedBytes };
    this.nextId++;
    this.list.push(cp);
    return cp;
  }

  /** Every thread's registers; the selection is left as it was. */
  private async threadRegisters(): Promise<ThreadRegisters[]> {
    const t = this.target;
    const selected = t.selectedThread;
    const out: ThreadRegisters[] = [];
    try {
      for (const { tid } of await t.threads()) {
        t.selectThread(tid);
        const regs = await t.getRegisters();
        // (a target without x87/SSE/AVX access: the checkpoint keeps the general registers only)
        const fpregs = await t.capabilities.fpRegisters?.get().catch(() => undefined);
        const ymmUpper = await t.capabilities.ymmUpper?.get().catch(() => undefined);
        out.push({ tid, regs, fpregs, ymmUpper });
      }
    } finally {
      t.selectThread(selected);
    }
    return out;
  }

  /** Threads that exited or appeared since checkpoint `c`. */
  private threadChanges(c: Checkpoint, now: number[]): MapChange[] {
    const changes: MapChange[] = [];
    for (const { tid } of c.threads) {
      if (!now.includes(tid)) changes.push({ kind: 'thread-exited', label: `LWP ${tid}`, text: `thread LWP ${tid} exited (it cannot be brought back)` });
    }
    for (const tid of now) {
      if (!c.threads.some((x) => x.tid === tid)) changes.push({ kind: 'thread-appeared', label: `LWP ${tid}`, text: `thread LWP ${tid} appeared (it would be left running code of the present)` });
    }
    return changes;
  }

  /** Engine snapshot when possible; user-space buffer when it would replace a user snapshot or the engine is full. */
  private async copyRegion(start: bigint, length: number, label: string): Promise<CheckpointRegion> {
    const end = start + BigInt(length);
    const clash = this.userSnapshots().some((s) => s.start < end && start < s.start + BigInt(s.length));
    if (!clash) {
      try {
        await this.engine.snapshot(start, length);
        return { start, length, label, buffer: undefined };
      } catch (e) {
        if (!(e instanceof SnapshotError) || (e.code !== 'ENOSPC' && e.code !== 'ENOMEM' && e.code !== 'EINVAL')) throw e;
      }
    }
    return { start, length, label, buffer: await this.target.readMemory(start, length) };
  }

  private async moveToBuffers(c: Checkpoint): Promise<void> {
    if (c.delta) return;
    for (const r of c.regions) {
      if (r.buffer) continue;
      r.buffer = await this.engine.read(r.start);
      await this.engine.discard(r.start);
    }
  }

  /** Called before the user snapshots [start, start+length): move our overlapping engine regions out. */
  async evictOverlapping(start: bigint, length: number): Promise<void> {
    const end = start + BigInt(length);
    for (const { region } of this.engineRegions()) {
      if (region.start < end && start < region.start + BigInt(region.length)) {
        region.buffer = await this.engine.read(region.start);
        await this.engine.discard(region.start);
      }
    }
  }

  private async dropRegions(c: Checkpoint): Promise<void> {
    if (c.delta) return;
    for (const r of c.regions) {
      // (a region whose snapshot is already gone, with its process: nothing left to drop)
      if (!r.buffer) await this.engine.discard(r.start).catch(() => undefined);
    }
  }

  async delete(name: string): Promise<Checkpoint> {
    const c = this.find(name);
    await this.dropRegions(c);
    const i = this.list.indexOf(c);
    // the next older checkpoint's memory was found through this one's copies where it has none itself
    const older = this.list[i - 1];
    if (c.delta && older?.delta) for (const [p, b] of c.delta) if (!older.delta.has(p)) older.delta.set(p, b);
    this.list.splice(i, 1);
    if (this.list.length === 0) this.closeStore();
    return c;
  }

  /** The differences between the checkpoint's writable map and now, in words. */
  mapChanges(c: Checkpoint, nowAll: Mapping[]): MapChange[] {
    const now = joinNeighbours(checkpointMappings(nowAll));
    const changes: MapChange[] = [];
    const range = (m: Mapping) => `${hexWord(m.start)}-${hexWord(m.end)}`;
    const before = joinNeighbours(c.maps);
    for (const old of before) {
      const same = now.find((m) => m.start === old.start);
      const label = mappingLabel(old);
      if (!same) {
        const cover = nowAll.find((m) => m.start <= old.start && old.end <= m.end);
        changes.push(cover && cover.perms[1] !== 'w'
          ? { kind: 'protection', label, text: `${label} ${range(old)} is no longer writable (now ${cover.perms})` }
          : { kind: 'vanished', label, text: `${label} ${range(old)} was unmapped` });
      } else if (same.end > old.end) {
        changes.push({ kind: 'grew', label, text: `${label} ${range(old)} grew to ${hexWord(same.end)}${label === '[heap]' ? ' (brk moved)' : ''}` });
      } else if (same.end < old.end) {
        changes.push({ kind: 'shrank', label, text: `${label} ${range(old)} shrank to ${hexWord(same.end)}${label === '[heap]' ? ' (brk moved)' : ''}` });
      }
    }
    for (const m of now) {
      if (!before.some((old) => old.start === m.start)) {
        changes.push({ kind: 'appeared', label: mappingLabel(m), text: `${mappingLabel(m)} ${range(m)} appeared (mmap)` });
      }
    }
    return changes;
  }

  async rewind(name: string | undefined, force: boolean): Promise<RewindResult> {
    const c = this.find(name);
    const tids = (await this.target.threads()).map((x) => x.tid);
    const nowAll = await this.target.memoryMap();
    const mapChanges = this.mapChanges(c, nowAll);
    const threadChanges = this.threadChanges(c, tids);
    const changes = [...mapChanges, ...threadChanges];
    if (changes.length && !force) {
      const what = mapChanges.length && threadChanges.length ? 'The memory map and the threads'
        : mapChanges.length ? 'The memory map' : 'The threads';
      throw new CheckpointError(`${what} changed since checkpoint "${c.name}"; rewinding cannot undo:`, changes);
    }
    const nowMaps = checkpointMappings(nowAll);
    let restored = 0;
    if (c.delta && this.store) {
      const chain = this.list.slice(this.list.indexOf(c)).map((x) => x.delta!);
      const now = joinNeighbours(nowMaps).map(pageRange);
      restored = this.store.rewind(chain, now, intersect(joinNeighbours(c.maps).map(pageRange), now));
    } else {
      restored = await this.rewindFull(c, nowMaps);
    }
    const restoredThreads = await this.restoreThreads(c, tids);
    return { checkpoint: c, restoredBytes: restored, skipped: changes, restoredThreads };
  }

  /**
   * A full-copy checkpoint: each region still mapped is compared with the
   * memory of now and only the pages that differ are written back (the
   * engine keeps its copy: memory equals it again).
   */
  private async rewindFull(c: Checkpoint, nowMaps: Mapping[]): Promise<number> {
    const now = joinNeighbours(nowMaps).map(pageRange);
    let restored = 0;
    for (const r of c.regions) {
      // the parts of the region still mapped
      const parts = intersect([{ start: Number(r.start), end: Number(r.start) + r.length }], now);
      if (!parts.length) continue;
      const saved = r.buffer ?? await this.engine.read(r.start);
      for (const part of parts) {
        const from = part.start - Number(r.start);
        const was = saved.subarray(from, from + part.end - part.start);
        const is = await this.target.readMemory(BigInt(part.start), part.end - part.start);
        for (const run of diffRuns(was, is)) {
          await this.target.writeMemory(BigInt(part.start + run.start), was.subarray(run.start, run.end));
          restored += run.end - run.start;
        }
      }
    }
    return restored;
  }

  private closeStore(): void {
    this.store?.close();
    this.store = undefined;
    this.fullReason = undefined;
  }

  /** Each saved thread that still exists gets its registers back; the checkpoint's thread is selected. */
  private async restoreThreads(c: Checkpoint, live: number[]): Promise<number> {
    const t = this.target;
    let selected = live.includes(t.selectedThread) ? t.selectedThread : undefined;
    let n = 0;
    for (const { tid, regs, fpregs, ymmUpper } of c.threads) {
      if (!live.includes(tid)) continue;
      t.selectThread(tid);
      await t.setRegisters(regs);
      // x87/SSE and AVX state are written only where they differ (the set reads the whole XSAVE area anyway)
      const fp = t.capabilities.fpRegisters;
      if (fpregs && fp && !(await fp.get().catch(() => undefined))?.equals(fpregs)) await fp.set(fpregs);
      const ymm = t.capabilities.ymmUpper;
      if (ymmUpper && ymm && !(await ymm.get().catch(() => undefined))?.equals(ymmUpper)) await ymm.set(ymmUpper);
      n++;
      if (regs === c.regs) selected = tid;
    }
    if (selected !== undefined) t.selectThread(selected);
    return n;
  }

  /** The process is gone (exit, kill, exec): every checkpoint is meaningless now. */
  forget(): void {
    this.list.length = 0;
    this.closeStore();
  }
}

const pageRange = (m: Mapping): PageRange => ({ start: Number(m.start), end: Number(m.end) });

/** The parts of `a` that lie in `b` (both sorted, disjoint). */
function intersect(a: PageRange[], b: PageRange[]): PageRange[] {
  const out: PageRange[] = [];
  for (const x of a) {
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (start < end) out.push({ start, end });
    }
  }
  return out;
}

/**
 * Neighbouring mappings of the same kind as one: registering ranges with
 * userfaultfd changes how the kernel splits and merges them (the .bss
 * merges with [heap]; brk growth stays apart), which is no change to the
 * program's memory.
 */
export function joinNeighbours(maps: Mapping[]): Mapping[] {
  const out: Mapping[] = [];
  for (const m of maps) {
    const last = out[out.length - 1];
    const anon = (p: string) => p === '' || p === '[heap]';
    if (last && last.end === m.start && last.perms === m.perms && last.inode === 0 && m.inode === 0 && (last.path === m.path || (anon(last.path) && anon(m.path)))) {
      out[out.length - 1] = { ...last, end: m.end, path: last.path || m.path };
    } else {
      out.push(m);
    }
  }
  return out;
}
