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

// The engine's interface belongs to the target layer (a capability of a
// Target, as Delve's proc owns RecordingManipulation); the engines here implement it.
export type { SnapshotEngine, SnapshotInfo, SnapshotLimits } from '../target/snapshot-engine.js';
