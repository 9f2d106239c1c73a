/**
 * The snapshot capability of a Target: what an engine (src/snapshot/: the
 * kernel's PTRACE_SNAPSHOT, user space, a remote tsdbg server's monitor
 * commands) offers. Declared here, in the target layer, so the Target
 * interface names it without importing the layer above it (Delve's proc
 * owns RecordingManipulation the same way; its back ends implement it).
 */

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
