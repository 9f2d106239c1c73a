/**
 * Which pages did the program write since we last looked? The answer lets a
 * checkpoint copy, and a rewind write back, only those pages (./incremental.ts).
 * Chosen per kernel at run time, best first:
 *
 *  - 'uffd-wp'    userfaultfd asynchronous write-protect (Linux 6.7+): the
 *                 kernel clears a page's protection on its first write, without
 *                 stopping the program, and PAGEMAP_SCAN on /proc/PID/pagemap
 *                 lists the pages whose protection is gone and sets it again
 *                 (PM_SCAN_WP_MATCHING), in one call per region. The
 *                 userfaultfd must be created by the program itself, so the
 *                 userfaultfd() system call is run inside the stopped tracee;
 *                 tsdbg takes a copy of the descriptor (pidfd_getfd) and closes
 *                 the program's, so the program's descriptor table is as before
 *                 and the registration lives exactly as long as tsdbg's copy.
 *  - 'soft-dirty' CONFIG_MEM_SOFT_DIRTY: writing 4 to /proc/PID/clear_refs
 *                 clears every page's soft-dirty bit, a write sets it again,
 *                 and /proc/PID/pagemap shows it (bit 55). Reading costs 8 bytes
 *                 per page of the regions, and a clear covers the whole process.
 *  - none         the caller falls back to full copies (./checkpoint.ts).
 *
 * A tracker may answer "everything" for a range it cannot account for (a
 * region it could not register): that is always correct, only slower.
 */
import { closeSync, openSync, readFileSync, readlinkSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import type { Target } from '../target/types.js';
import { errnoName, native } from '../target/native.js';
import {
  dirtyNative, O_CLOEXEC, O_NONBLOCK, PAGE_IS_WRITTEN, PM_SCAN_CHECK_WPASYNC, PM_SCAN_WP_MATCHING, SYS,
  UFFD_FEATURE_WP_ASYNC, UFFD_FEATURE_WP_UNPOPULATED, UFFD_USER_MODE_ONLY,
} from './dirty-native.js';

export const PAGE = 4096;

/** Runs as the shim takes them: start, end pairs. */
export function runPairs(runs: PageRange[]): BigUint64Array {
  const a = new BigUint64Array(runs.length * 2);
  runs.forEach((r, i) => { a[2 * i] = BigInt(r.start); a[2 * i + 1] = BigInt(r.end); });
  return a;
}

/** A page-aligned range of addresses (numbers: user addresses fit in 47 bits). */
export interface PageRange {
  start: number;
  end: number;
}

export type DirtyMethodName = 'uffd-wp' | 'soft-dirty';

/** How each method is named to the user. */
export const METHOD_TEXT: Record<DirtyMethodName | 'full', string> = {
  'uffd-wp': 'userfaultfd write-protect + PAGEMAP_SCAN',
  'soft-dirty': 'soft-dirty bits',
  full: 'full copy',
};

export interface DirtyTracker {
  readonly method: DirtyMethodName;
  /**
   * Watch these ranges from now on. With soft-dirty this clears the bits of
   * the whole process: call it after collect() at the same stop.
   */
  track(ranges: PageRange[]): void;
  /** The pages of `ranges` written since they were tracked or last collected, as sorted runs; they are watched afresh. */
  collect(ranges: PageRange[]): PageRange[];
  /** tsdbg itself made these pages equal to what it holds: stop reporting them (where the method can). */
  quiet(runs: PageRange[]): void;
  /** Stop watching: the program keeps running as if it never had been. */
  close(): void;
}

/** A method, or why none of them can be used here. */
export type TrackerChoice = { tracker: DirtyTracker } | { reason: string };

// ---------------------------------------------------------------- uffd-wp

const VEC_REGIONS = 512;

class UffdWpTracker implements DirtyTracker {
  readonly method = 'uffd-wp' as const;
  private readonly vec = new BigUint64Array(VEC_REGIONS * 3);
  /** Ranges that could not be registered: every page of them counts as written. */
  private readonly untracked: PageRange[] = [];
  private closed = false;

  constructor(private readonly uffd: number, private readonly pagemap: number) {}

  track(ranges: PageRange[]): void {
    for (const r of ranges) {
      if (dirtyNative.uffdRegisterWp(this.uffd, r.start, r.end - r.start) < 0) this.untracked.push(r);
    }
  }

  collect(ranges: PageRange[]): PageRange[] {
    const out: PageRange[] = [];
    for (const r of ranges) {
      if (this.untracked.some((u) => u.start < r.end && r.start < u.end)) { out.push(r); continue; }
      let at = r.start;
      while (at < r.end) {
        const { n, walkEnd } = dirtyNative.pagemapScan(this.pagemap, at, r.end, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, PAGE_IS_WRITTEN, this.vec);
        if (n < 0) { out.push({ start: at, end: r.end }); break; }      // no longer registered (the map changed): all of it
        for (let i = 0; i < n; i++) out.push({ start: Number(this.vec[i * 3]!), end: Number(this.vec[i * 3 + 1]!) });
        if (walkEnd <= at) break;
        at = walkEnd;
      }
    }
    return out;
  }

  quiet(runs: PageRange[]): void {
    if (runs.length) dirtyNative.uffdProtectRuns(this.uffd, runPairs(runs));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // the last reference to the userfaultfd: the kernel unregisters every range and drops the protection
    dirtyNative.closeFd(this.uffd);
    closeSync(this.pagemap);
  }
}

/** The address of a `syscall` instruction (0f 05) the tracee can execute without us writing any code: in its vDSO. */
async function syscallInstruction(t: Target): Promise<bigint | undefined> {
  const vdso = (await t.memoryMap()).find((m) => m.path === '[vdso]' && m.perms[2] === 'x');
  if (!vdso) return undefined;
  // (a vDSO that does not read: no syscall instruction to borrow; the caller says so as its reason)
  const text = await t.readMemory(vdso.start, Number(vdso.end - vdso.start)).catch(() => undefined);
  const i = text?.indexOf(Buffer.from([0x0f, 0x05])) ?? -1;
  return i < 0 ? undefined : vdso.start + BigInt(i);
}

function seccompMode(pid: number): number {
  const m = /^Seccomp:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) : 0;
}

/** The program's own userfaultfds: with one, our registration could make its UFFDIO_REGISTER fail (EBUSY). */
function ownUserfaultfd(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[userfaultfd]'; } catch { return false; }
    });
  } catch {
    return false;   // (no fd directory: the process is gone, it holds nothing)
  }
}

async function openUffdWp(t: Target): Promise<TrackerChoice> {
  const pid = t.pid;
  if (seccompMode(pid) !== 0) return { reason: 'the program runs under seccomp, which may forbid userfaultfd()' };
  if (ownUserfaultfd(pid)) return { reason: 'the program uses userfaultfd itself' };
  const insn = await syscallInstruction(t);
  if (insn === undefined) return { reason: 'no syscall instruction in the program\'s vDSO to run userfaultfd() with' };
  const tid = t.selectedThread;
  const made = dirtyNative.injectSyscall(tid, insn, SYS.userfaultfd, [BigInt(UFFD_USER_MODE_ONLY | O_CLOEXEC | O_NONBLOCK)]);
  if (made.r < 0) return { reason: `cannot run userfaultfd() in the program: ${errnoName(-made.r)}` };
  if (made.ret < 0n) return { reason: `userfaultfd() failed in the program: ${errnoName(Number(-made.ret))}` };
  const theirs = Number(made.ret);
  const ours = dirtyNative.pidfdGetfd(pid, theirs);
  const closed = dirtyNative.injectSyscall(tid, insn, SYS.close, [BigInt(theirs)]);
  if (ours < 0) return { reason: `cannot take the userfaultfd from the program: ${errnoName(-ours)}` };
  if (closed.r < 0 || closed.ret !== 0n) {
    dirtyNative.closeFd(ours);
    return { reason: 'cannot close the userfaultfd in the program' };
  }
  const api = dirtyNative.uffdApi(ours);
  const want = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
  if (api.r < 0 || (api.features & want) !== want) {
    dirtyNative.closeFd(ours);
    return { reason: `this kernel (${release()}) has no asynchronous userfaultfd write-protect (Linux 6.7+)` };
  }
  let pagemap: number;
  try {
    pagemap = openSync(`/proc/${pid}/pagemap`, 'r');
  } catch (e) {
    dirtyNative.closeFd(ours);
    return { reason: `cannot open /proc/${pid}/pagemap: ${(e as NodeJS.ErrnoException).code}` };
  }
  // PAGEMAP_SCAN itself (6.7+): a scan of nothing answers 0, an older kernel ENOTTY
  const probe = dirtyNative.pagemapScan(pagemap, 0, 0, 0n, PAGE_IS_WRITTEN, new BigUint64Array(3));
  if (probe.n < 0) {
    dirtyNative.closeFd(ours);
    closeSync(pagemap);
    return { reason: `this kernel (${release()}) has no PAGEMAP_SCAN (Linux 6.7+)` };
  }
  return { tracker: new UffdWpTracker(ours, pagemap) };
}

// ---------------------------------------------------------------- soft-dirty

const PM_SOFT_DIRTY = 1n << 55n;

/** Exported for its unit test (a pagemap file it is given); openTracker() is the way in. */
export class SoftDirtyTracker implements DirtyTracker {
  readonly method = 'soft-dirty' as const;

  constructor(private readonly pid: number, private readonly pagemap: number) {}

  track(): void {
    writeFileSync(`/proc/${this.pid}/clear_refs`, '4');
  }

  collect(ranges: PageRange[]): PageRange[] {
    const out: PageRange[] = [];
    for (const r of ranges) {
      const pages = (r.end - r.start) / PAGE;
      const buf = Buffer.allocUnsafe(pages * 8);
      const got = readSync(this.pagemap, buf, 0, buf.length, (r.start / PAGE) * 8);
      for (let i = 0; i < pages; i++) {
        // a page we could not read the entry of counts as written
        if (i * 8 + 8 > got || (buf.readBigUInt64LE(i * 8) & PM_SOFT_DIRTY) !== 0n) {
          const start = r.start + i * PAGE;
          const last = out[out.length - 1];
          if (last && last.end === start) last.end += PAGE;
          else out.push({ start, end: start + PAGE });
        }
      }
    }
    this.track();
    return out;
  }

  quiet(): void {}

  close(): void {
    closeSync(this.pagemap);
  }
}

/** Does a write set the soft-dirty bit here? Clear, rewrite 8 bytes of the stack with themselves, look. */
async function openSoftDirty(t: Target): Promise<TrackerChoice> {
  const pid = t.pid;
  let pagemap: number;
  try {
    pagemap = openSync(`/proc/${pid}/pagemap`, 'r');
    writeFileSync(`/proc/${pid}/clear_refs`, '4');
  } catch (e) {
    return { reason: `cannot use /proc/${pid}/clear_refs: ${(e as NodeJS.ErrnoException).code}` };
  }
  const sp = (await t.getRegisters()).rsp & ~7n;
  const word = Buffer.alloc(8);
  const ok = native.vmRead(t.selectedThread, sp, word) === 8 && native.vmWrite(t.selectedThread, sp, word) === 8;
  const entry = Buffer.alloc(8);
  const got = readSync(pagemap, entry, 0, 8, Number(sp / BigInt(PAGE)) * 8);
  if (!ok || got !== 8 || (entry.readBigUInt64LE(0) & PM_SOFT_DIRTY) === 0n) {
    closeSync(pagemap);
    return { reason: `this kernel (${release()}) has no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY)` };
  }
  return { tracker: new SoftDirtyTracker(pid, pagemap) };
}

// ---------------------------------------------------------------- the choice

export type MethodChoice = 'auto' | DirtyMethodName | 'full';

/** Only a local tracee of ours has /proc files we may use. */
function localTracee(t: Target): string | undefined {
  try {
    const m = /^TracerPid:\s*(\d+)/m.exec(readFileSync(`/proc/${t.pid}/status`, 'latin1'));
    if (m && Number(m[1]) === process.pid) return undefined;
  } catch { /* not here */ }
  return 'the program is not a local process traced by tsdbg';
}

/**
 * The best method this kernel and program allow (`choice` 'auto'), or the
 * one asked for; { reason } says why there is none (the caller copies all).
 */
export async function openTracker(t: Target, choice: MethodChoice = 'auto'): Promise<TrackerChoice> {
  if (choice === 'full') return { reason: 'set checkpoint-method full' };
  const notLocal = localTracee(t);
  if (notLocal) return { reason: notLocal };
  const reasons: string[] = [];
  if (choice === 'auto' || choice === 'uffd-wp') {
    const r = await openUffdWp(t);
    if ('tracker' in r || choice === 'uffd-wp') return r;
    reasons.push(r.reason);
  }
  const r = await openSoftDirty(t);
  if ('tracker' in r || choice === 'soft-dirty') return r;
  reasons.push(r.reason);
  return { reason: reasons.join('; ') };
}
