/**
 * Incremental checkpoints: copy and write back only the pages the program
 * wrote, as ./dirty.ts finds them.
 *
 * tsdbg keeps a SHADOW: a copy of every private writable mapping as it was at
 * the last sync (the newest checkpoint). The first checkpoint copies
 * everything once; each later one asks the tracker which pages were written
 * since, reads just those, and for each page whose bytes really changed hands
 * the shadow's old copy to the previous checkpoint (its DELTA) before
 * updating the shadow. So the memory at checkpoint k is: for each page, the
 * copy in the delta of the oldest checkpoint j >= k that has one, else the
 * shadow's.
 *
 * A rewind to checkpoint k writes back the pages written since the last
 * sync (tracker) plus the pages of the deltas from k on: work in proportion
 * to what changed, not to the size of memory. Pages tsdbg wrote that now
 * differ from the shadow (an older checkpoint's copy) are remembered as
 * PENDING, so the next sync or rewind treats them as written.
 */
import type { Mapping, Target } from '../target/types.js';
import { native } from '../target/native.js';
import { bigBuffer, dirtyNative } from './dirty-native.js';
import { liveTid } from './common.js';
import { PAGE, runPairs, type DirtyTracker, type PageRange } from './dirty.js';

/** A checkpoint's copies of the pages that changed after it: page address -> 4 KiB. */
export type Delta = Map<number, Buffer>;

interface ShadowRegion extends PageRange {
  data: Buffer;
}

export interface SyncPlan {
  /** Bytes the delta of the previous checkpoint will gain. */
  deltaBytes: number;
  /** Bytes read from the program for it: the written pages, and regions that appeared. */
  copiedBytes: number;
  /** Bytes the shadow will hold. */
  shadowBytes: number;
  commit(): void;
  abandon(): void;
}

export class IncrementalStore {
  private regions: ShadowRegion[] = [];
  private readonly pending = new Set<number>();
  private flags = new Uint8Array(256);
  /** The bytes a rewind writes, reused from one rewind to the next. */
  private scratch = Buffer.alloc(0);

  constructor(private readonly target: Target, readonly tracker: DirtyTracker) {}

  /** Bytes the shadow holds. */
  get shadowBytes(): number {
    return this.regions.reduce((s, r) => s + r.data.length, 0);
  }

  private get tid(): number {
    return liveTid(this.target);
  }

  private read(start: number, length: number): Buffer {
    const buf = bigBuffer(length);
    let done = native.vmRead(this.tid, BigInt(start), buf);
    if (done === length) return buf;
    // pages that cannot be read (PROT_NONE guard pages): PEEKDATA, else zeros
    if (done < 0) done = 0;
    for (let at = done; at < length; at += PAGE) {
      const page = buf.subarray(at, Math.min(at + PAGE, length));
      if (native.peekRead(this.tid, BigInt(start + at), page) !== page.length) page.fill(0);
    }
    return buf;
  }

  /** The bytes of `parts` one after another: one batch of process_vm_readv, run by run (with read()'s fallbacks) from where it fell short. */
  private readRuns(parts: PageRange[]): Buffer {
    const total = parts.reduce((n, r) => n + r.end - r.start, 0);
    const buf = bigBuffer(total);
    if (!total) return buf;
    let got = dirtyNative.vmReadRuns(this.tid, runPairs(parts), buf);
    if (got === total) return buf;
    if (got < 0) got = 0;
    let off = 0;
    for (const r of parts) {
      const len = r.end - r.start;
      if (off + len > got) this.read(r.start, len).copy(buf, off);
      off += len;
    }
    return buf;
  }

  /** A flags array for pagesDiffer, reused. */
  private scratchFlags(pages: number): Uint8Array {
    if (this.flags.length < pages) this.flags = new Uint8Array(Math.max(pages, this.flags.length * 2));
    return this.flags;
  }

  private shadowPage(page: number): Buffer | undefined {
    const r = findRegion(this.regions, page);
    return r ? r.data.subarray(page - r.start, page - r.start + PAGE) : undefined;
  }

  /**
   * Bring the shadow up to the memory of now (writable private mappings
   * `maps`). Pages whose bytes changed since the last sync are copied into
   * `delta` (the previous newest checkpoint's) first. Nothing changes until
   * commit(): the caller can refuse on deltaBytes.
   */
  plan(maps: Mapping[], delta: Delta | undefined): SyncPlan {
    const now = maps.map((m) => ({ start: Number(m.start), end: Number(m.end) }));
    const same = (r: PageRange) => now.some((m) => m.start === r.start && m.end === r.end);
    const kept = this.regions.filter(same);
    const gone = this.regions.filter((r) => !same(r));
    const fresh = now.filter((m) => !kept.some((r) => r.start === m.start));
    const runs = mergeRuns([...this.tracker.collect(kept), ...pageRuns(this.pending)]);
    // the written pages of the kept regions, read in one batch, compared with the shadow in C
    const parts = clip(runs, kept);
    const bytes = this.readRuns(parts);
    const updates: Array<{ page: number; bytes: Buffer }> = [];
    let copiedBytes = 0;
    for (const part of parts) {
      const len = part.end - part.start;
      const cur = bytes.subarray(copiedBytes, copiedBytes + len);
      const flags = this.scratchFlags(len / PAGE);
      if (dirtyNative.pagesDiffer(cur, part.region.data.subarray(part.start - part.region.start, part.end - part.region.start), flags) > 0) {
        for (let i = 0; i < len / PAGE; i++) if (flags[i]) updates.push({ page: part.start + i * PAGE, bytes: cur.subarray(i * PAGE, i * PAGE + PAGE) });
      }
      copiedBytes += len;
    }
    // regions that appeared (or changed shape) are read whole; what vanished goes to the delta where it differs
    const freshRegions: ShadowRegion[] = fresh.map((m) => ({ ...m, data: this.read(m.start, m.end - m.start) }));
    const vanished: Array<{ page: number; bytes: Buffer }> = [];
    for (const r of delta ? gone : []) {
      for (let at = r.start; at < r.end; at += PAGE) {
        const old = r.data.subarray(at - r.start, at - r.start + PAGE);
        const nr = findRegion(freshRegions, at);
        if (nr && nr.end >= at + PAGE && old.equals(nr.data.subarray(at - nr.start, at - nr.start + PAGE))) continue;
        vanished.push({ page: at, bytes: Buffer.from(old) });     // a copy: the old region's buffer can go
      }
    }
    let updateBytes = 0;
    let deltaBytes = 0;
    if (delta) {
      for (const u of updates) if (!delta.has(u.page)) updateBytes += PAGE;
      deltaBytes = updateBytes;
      for (const v of vanished) if (!delta.has(v.page)) deltaBytes += PAGE;
    }
    for (const r of freshRegions) copiedBytes += r.data.length;
    return {
      deltaBytes,
      copiedBytes,
      shadowBytes: [...kept, ...freshRegions].reduce((n, r) => n + r.data.length, 0),
      commit: () => {
        // the previous checkpoint's copies of the pages that changed: one allocation for all of them
        const slab = delta && updateBytes ? Buffer.allocUnsafeSlow(updateBytes) : undefined;
        let used = 0;
        for (const { page, bytes } of updates) {
          const region = findRegion(kept, page)!;
          const slot = region.data.subarray(page - region.start, page - region.start + PAGE);
          if (delta && !delta.has(page)) {
            const copy = slab!.subarray(used, used + PAGE);
            used += PAGE;
            slot.copy(copy);
            delta.set(page, copy);
          }
          bytes.copy(slot);
        }
        if (delta) for (const v of vanished) if (!delta.has(v.page)) delta.set(v.page, v.bytes);
        this.regions = [...kept, ...freshRegions].sort((a, b) => a.start - b.start);
        this.pending.clear();
        this.tracker.track(freshRegions);
      },
      // the tracker already forgot the pages it reported: keep them
      abandon: () => { for (const run of runs) for (let p = run.start; p < run.end; p += PAGE) this.pending.add(p); },
    };
  }

  /**
   * Write back the memory of the checkpoint whose delta is chain[0] (chain:
   * its delta and every newer checkpoint's, oldest first) within `where`
   * (what it had mapped and is mapped still); `now` is every writable
   * private mapping of now. Returns the bytes written.
   */
  rewind(chain: Delta[], now: PageRange[], where: PageRange[]): number {
    const same = (r: PageRange) => now.some((m) => m.start === r.start && m.end === r.end);
    const pages = new Set<number>(this.pending);
    for (const run of this.tracker.collect(this.regions.filter(same))) for (let p = run.start; p < run.end; p += PAGE) pages.add(p);
    // a region whose shape changed is not tracked as it is: all of it counts as written
    for (const r of this.regions) if (!same(r)) for (let p = r.start; p < r.end; p += PAGE) pages.add(p);
    for (const d of chain) for (const p of d.keys()) pages.add(p);
    const inside = (p: number) => where.some((w) => w.start <= p && p + PAGE <= w.end);
    this.pending.clear();
    // runs of pages that can be restored (inside `where`, with a copy); the rest is left as it is
    const restorable: PageRange[] = [];
    for (const run of pageRuns(pages)) {
      let start = run.start;
      for (let p = run.start; p < run.end; p += PAGE) {
        if (inside(p) && (chain.some((d) => d.has(p)) || this.shadowPage(p))) continue;
        if (p > start) restorable.push({ start, end: p });
        if (this.shadowPage(p)) this.pending.add(p);      // it may differ from the shadow
        start = p + PAGE;
      }
      if (run.end > start) restorable.push({ start, end: run.end });
    }
    return this.writeRuns(chain, restorable);
  }

  /**
   * The pages of `runs` as the checkpoint had them, in one batch of
   * process_vm_writev (run by run, PTRACE_POKEDATA as the last resort, from
   * where it fell short). Pages written from the shadow are protected again
   * (memory equals the shadow there); pages not written become pending.
   */
  private writeRuns(chain: Delta[], runs: PageRange[]): number {
    const total = runs.reduce((n, r) => n + r.end - r.start, 0);
    if (!total) return 0;
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafeSlow(Math.max(total, this.scratch.length * 2));
    const buf = this.scratch.subarray(0, total);
    const fromShadow: PageRange[] = [];
    let off = 0;
    for (const run of runs) {
      for (let p = run.start; p < run.end;) {
        const d = chain.find((x) => x.has(p));
        if (d) {
          d.get(p)!.copy(buf, off);
          this.pending.add(p);      // an older checkpoint's bytes: memory differs from the shadow there
          p += PAGE;
          off += PAGE;
          continue;
        }
        // a stretch from the shadow: to the run's end, the region's end or the next page a delta has
        const r = findRegion(this.regions, p)!;
        let q = p + PAGE;
        while (q < run.end && q < r.end && !chain.some((x) => x.has(q))) q += PAGE;
        r.data.copy(buf, off, p - r.start, q - r.start);
        fromShadow.push({ start: p, end: q });
        off += q - p;
        p = q;
      }
    }
    let done = dirtyNative.vmWriteRuns(this.tid, runPairs(runs), buf);
    if (done < 0) done = 0;
    let written = done;
    if (done < total) {
      // from the run that fell short on, one by one
      off = 0;
      for (const run of runs) {
        const len = run.end - run.start;
        if (off + len > done) {
          const part = buf.subarray(off, off + len);
          const ok = native.vmWrite(this.tid, BigInt(run.start), part) === len || native.pokeWrite(this.tid, BigInt(run.start), part) === len;
          if (ok) written += len - Math.max(0, done - off);
          else for (let p = run.start; p < run.end; p += PAGE) this.pending.add(p);
        }
        off += len;
      }
    }
    this.tracker.quiet(fromShadow.filter((r) => !this.pending.has(r.start)));
    return written;
  }

  close(): void {
    this.tracker.close();
    this.regions = [];
    this.pending.clear();
  }
}

/** The parts of `runs` inside `regions` (both sorted), each with its region. */
function clip<T extends PageRange>(runs: PageRange[], regions: T[]): Array<PageRange & { region: T }> {
  const out: Array<PageRange & { region: T }> = [];
  for (const run of runs) {
    for (let at = run.start; at < run.end;) {
      const region = findRegion(regions, at);
      if (!region) { at += PAGE; continue; }
      const end = Math.min(run.end, region.end);
      out.push({ start: at, end, region });
      at = end;
    }
  }
  return out;
}

/** Binary search: the region holding addr. */
function findRegion<T extends PageRange>(regions: T[], addr: number): T | undefined {
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = regions[mid]!;
    if (r.end <= addr) lo = mid + 1;
    else if (r.start > addr) hi = mid;
    else return r;
  }
  return undefined;
}

/** Sorted pages as runs of neighbours. */
export function pageRuns(pages: Iterable<number>): PageRange[] {
  const sorted = [...pages].sort((a, b) => a - b);
  const out: PageRange[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === p) last.end += PAGE;
    else if (!last || last.end < p) out.push({ start: p, end: p + PAGE });
  }
  return out;
}

/** Runs, sorted, overlaps joined. */
export function mergeRuns(runs: PageRange[]): PageRange[] {
  const sorted = [...runs].sort((a, b) => a.start - b.start);
  const out: PageRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}
