/**
 * Snapshot engines: one behaviour, several implementations.
 *
 *  - 'kernel'    PTRACE_SNAPSHOT / PTRACE_RESTORE / PTRACE_GETSNAPSHOT (patched kernel)
 *  - 'userspace' process_vm_readv / process_vm_writev, same limits and errors
 *  - 'remote'    qRcmd monitor commands to a tsdbg server
 *  - 'rsp'       the remote protocol's memory packets, over any stub (rsp-memory.ts)
 *
 * The behaviour every engine must have is the kernel ABI's (kernel-patch/README.md):
 * snapshots are keyed by start address and never overlap — a new snapshot
 * replaces every snapshot it overlaps, only once its own copy succeeded;
 * restore writes the bytes back and deletes the snapshot on success, keeps it
 * on failure; lengths are bounded by maxLen and the total held by maxTotal.
 * tests/snapshot-behaviour runs one suite against every engine.
 */

export type SnapshotErrorCode = 'ESRCH' | 'EINVAL' | 'EFAULT' | 'ENOENT' | 'ENOSPC' | 'ENOMEM' | 'ENOTSUP' | 'EIO';

export class SnapshotError extends Error {
  constructor(
    public readonly code: SnapshotErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

export interface SnapshotInfo {
  start: bigint;
  length: number;
}

export interface SnapshotLimits {
  /** Largest single snapshot in bytes (kernel.ptrace_snapshot_max_len). */
  maxLen: number;
  /** Most bytes held for one tracee (kernel.ptrace_snapshot_max_total). */
  maxTotal: number;
}

export interface SnapshotEngine {
  readonly name: 'kernel' | 'userspace' | 'remote' | 'rsp';
  limits(): Promise<SnapshotLimits>;
  /** Copy [start, start+len) of the stopped tracee; replaces overlapping snapshots. */
  snapshot(start: bigint, length: number): Promise<void>;
  /** Write the snapshot starting at `start` back; deletes it on success. */
  restore(start: bigint): Promise<void>;
  /** The saved bytes of the snapshot starting at `start` (GETSNAPSHOT). */
  read(start: bigint): Promise<Buffer>;
  /** Snapshots currently held, sorted by start. */
  list(): Promise<SnapshotInfo[]>;
  /** Bytes currently held for this tracee. */
  held(): Promise<number>;
  /** Drop one snapshot without restoring it. */
  discard(start: bigint): Promise<void>;
  /** Drop everything (detach, exit, exec). */
  clear(): Promise<void>;
}
