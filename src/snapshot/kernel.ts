/**
 * The kernel snapshot engine: PTRACE_SNAPSHOT / PTRACE_RESTORE /
 * PTRACE_GETSNAPSHOT of the patched kernel (native-shim/tsdbg_ptrace.h),
 * through the shim, from the tracer thread.
 *
 * The kernel has no request to list or delete snapshots, so the engine keeps
 * its own index of what it created, applying the kernel's rules to it:
 * a successful SNAPSHOT replaces every indexed snapshot it overlaps, a
 * successful RESTORE deletes one, exec/exit/detach drop them all.
 *
 * The kernel keeps snapshots per (tracer, address space): any traced thread of
 * the program reaches them, whichever took them, and a thread's exit keeps
 * them; exec, exit and detach drop them.
 */
import { PTRACE, errnoName, native } from '../target/native.js';
import {
  endsAddressSpace, liveTid, noSnapshot, overlapping, readLimits, sortedInfo, type SnapshotHost,
} from './common.js';
import {
  SnapshotError, type SnapshotEngine, type SnapshotErrorCode, type SnapshotInfo, type SnapshotLimits,
} from './types.js';
import { hexWord } from '../util/hex.js';

const CODES = new Set<SnapshotErrorCode>(['ESRCH', 'EINVAL', 'EFAULT', 'ENOENT', 'ENOSPC', 'ENOMEM', 'EIO']);

/** One line per errno, in the words of the ABI (kernel-patch/README.md). */
function kernelError(r: number, what: string, start: bigint, length?: number): SnapshotError {
  const name = errnoName(-r);
  const code: SnapshotErrorCode = CODES.has(name as SnapshotErrorCode) ? (name as SnapshotErrorCode) : 'EIO';
  const range = length === undefined ? hexWord(start) : `${hexWord(start)}+${length}`;
  const why: Record<string, string> = {
    ESRCH: 'the program is not stopped or not traced',
    EINVAL: 'invalid range or length (kernel.ptrace_snapshot_max_len, user-space end)',
    EFAULT: 'not entirely in writable memory',
    ENOENT: 'no snapshot starts there',
    ENOSPC: 'over a limit (kernel.ptrace_snapshot_max_count, _max_total or _max_tracer)',
    ENOMEM: 'the kernel is out of memory',
    EIO: 'this kernel does not have PTRACE_SNAPSHOT',
    ESTALE: 'the memory there was unmapped and mapped again since the snapshot',
    EPERM: 'the program is no longer dumpable (setuid?)',
  };
  return new SnapshotError(code, `${what} ${range}: ${why[name] ?? name}`);
}

export class KernelEngine implements SnapshotEngine {
  readonly name = 'kernel' as const;
  private readonly index = new Map<bigint, SnapshotInfo>();
  private bytes = 0;

  constructor(private readonly host: SnapshotHost) {
    host.on('stop', (ev) => { if (endsAddressSpace(ev)) this.forget(); });
  }

  async limits(): Promise<SnapshotLimits> {
    return readLimits();
  }

  async snapshot(start: bigint, length: number): Promise<void> {
    this.sync();
    // BigInt() of a fraction or a huge number throws: give the kernel's answer instead.
    if (!Number.isSafeInteger(length) || length < 0) throw kernelError(-22, 'cannot snapshot', start, length);
    const r = native.snapshotRequest(PTRACE.SNAPSHOT, this.tid(), BigInt.asUintN(64, start), BigInt(length));
    if (r < 0) throw kernelError(r, 'cannot snapshot', start, length);
    for (const v of overlapping(this.index.values(), start, length)) this.unindex(v);
    this.index.set(start, { start, length });
    this.bytes += length;
  }

  async restore(start: bigint): Promise<void> {
    this.sync();
    const r = native.snapshotRequest(PTRACE.RESTORE, this.tid(), BigInt.asUintN(64, start));
    if (r < 0) throw kernelError(r, 'cannot restore', start);
    const snap = this.index.get(start);
    if (snap) this.unindex(snap);
  }

  async read(start: bigint): Promise<Buffer> {
    this.sync();
    const addr = BigInt.asUintN(64, start);
    // The index knows the length of what we took: one call. Otherwise, or if
    // the kernel says it holds more, ask for the size first (len 0).
    const known = this.index.get(start)?.length;
    if (known !== undefined) {
      const buf = Buffer.allocUnsafe(known);
      const got = native.getSnapshot(this.tid(), addr, buf, known);
      if (got.r < 0) throw kernelError(got.r, 'cannot read snapshot', start);
      if (got.len <= known) return got.len === known ? buf : buf.subarray(0, got.len);
    }
    const size = native.getSnapshot(this.tid(), addr, null, 0);
    if (size.r < 0) throw kernelError(size.r, 'cannot read snapshot', start);
    const buf = Buffer.allocUnsafe(size.len);
    const got = native.getSnapshot(this.tid(), addr, buf, buf.length);
    if (got.r < 0) throw kernelError(got.r, 'cannot read snapshot', start);
    return buf.subarray(0, Math.min(got.len, buf.length));
  }

  async list(): Promise<SnapshotInfo[]> {
    this.sync();
    return sortedInfo(this.index.values());
  }

  async held(): Promise<number> {
    this.sync();
    return this.bytes;
  }

  /**
   * The kernel cannot delete without restoring, so replace the snapshot by a
   * 1-byte one at its start (SNAPSHOT replaces what it overlaps) and restore
   * that: one byte written back over itself while the tracee is stopped.
   */
  async discard(start: bigint): Promise<void> {
    this.sync();
    const snap = this.index.get(start);
    if (!snap) throw noSnapshot(start);
    const tid = this.tid();
    let r = native.snapshotRequest(PTRACE.SNAPSHOT, tid, start, 1n);
    if (r === 0) r = native.snapshotRequest(PTRACE.RESTORE, tid, start);
    if (r < 0) throw kernelError(r, 'cannot discard snapshot', start);
    this.unindex(snap);
  }

  async clear(): Promise<void> {
    if (this.host.state !== 'stopped') {
      // Running: the kernel keeps them until exec/exit/detach; exited: they are gone.
      if (this.host.state === 'exited') this.forget();
      return;
    }
    for (const snap of [...this.index.values()]) await this.discard(snap.start);
  }

  private unindex(snap: SnapshotInfo): void {
    this.index.delete(snap.start);
    this.bytes -= snap.length;
  }

  private forget(): void {
    this.index.clear();
    this.bytes = 0;
  }

  /** Any stopped thread of the program reaches its snapshots: the selected one. */
  private tid(): number {
    return liveTid(this.host);
  }

  /** Detach or exit dropped the kernel's copies: drop the index too. */
  private sync(): void {
    if (this.host.state === 'exited') this.forget();
  }
}
