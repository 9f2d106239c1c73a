/**
 * What every local snapshot engine shares with the kernel ABI
 * (kernel-patch/0001-ptrace-add-selective-memory-snapshots.patch): the limits
 * and where they live, the range rule, and how a new snapshot replaces the
 * ones it overlaps.
 */
import { readFileSync } from 'node:fs';
import type { Mapping, StopEvent, TargetState } from '../target/types.js';
import { taskState } from '../target/procfs.js';
import { SnapshotError, type SnapshotInfo, type SnapshotLimits } from './types.js';
import { hexWord } from '../util/hex.js';

/** TASK_SIZE of x86-64 with 4-level page tables: the end of user space. */
export const TASK_SIZE = 0x7ffffffff000n;

/** tsdbg_ptrace.h: the sysctls and their defaults. */
export const SYSCTL_MAX_LEN = '/proc/sys/kernel/ptrace_snapshot_max_len';
export const SYSCTL_MAX_TOTAL = '/proc/sys/kernel/ptrace_snapshot_max_total';
export const DEFAULT_MAX_LEN = 16 * 1024 * 1024;
export const DEFAULT_MAX_TOTAL = 64 * 1024 * 1024;

/** The part of a target an engine needs: the tracee, and word of its stops. */
export interface SnapshotHost {
  readonly pid: number;
  /**
   * A live thread of the stopped program (Target.selectedThread). Requests
   * go through it: once the main thread has exited before the others, its
   * pid names a zombie without memory.
   */
  readonly selectedThread?: number;
  readonly state: TargetState;
  /** Bumped on every resume (LocalTarget.resumeCount): maps are cached per value. */
  readonly resumeCount?: number;
  on(event: 'stop', listener: (ev: StopEvent) => void): unknown;
}

/**
 * Sysctls this kernel does not have: it will not grow them while we run, and
 * a failed read costs an exception (a checkpoint asks for the limits each time).
 */
const absent = new Set<string>();

function sysctl(path: string, fallback: number): number {
  if (absent.has(path)) return fallback;
  try {
    const v = Number(readFileSync(path, 'latin1').trim());
    return Number.isSafeInteger(v) && v >= 0 ? v : fallback;
  } catch (e) {
    // (no such /proc limit on this kernel: the default)
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') absent.add(path);
    return fallback;
  }
}

/** The kernel's limits when it has them, else the patch's defaults. */
export function readLimits(): SnapshotLimits {
  return { maxLen: sysctl(SYSCTL_MAX_LEN, DEFAULT_MAX_LEN), maxTotal: sysctl(SYSCTL_MAX_TOTAL, DEFAULT_MAX_TOTAL) };
}

/** The thread to address requests to (see SnapshotHost.selectedThread). */
export const liveTid = (host: SnapshotHost): number => host.selectedThread ?? host.pid;

/** Whether thread tid of process pid is still a live task (not a zombie, not gone). */
export function taskAlive(pid: number, tid: number): boolean {
  const state = taskState(pid, tid);
  return state !== 'Z' && state !== 'X';
}


/** ptrace_check_attach(): requests need a live, stopped tracee. */
export function checkStopped(host: Pick<SnapshotHost, 'state'>): void {
  if (host.state === 'exited') throw new SnapshotError('ESRCH', 'the program is not being run');
  if (host.state !== 'stopped') throw new SnapshotError('ESRCH', 'the program is running: stop it first');
}

/** snapshot_check_range(): 1..maxLen bytes, no wrap, inside user space. */
export function checkRange(start: bigint, length: number, maxLen: number): void {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new SnapshotError('EINVAL', `invalid snapshot length ${length}`);
  }
  if (length > maxLen) {
    throw new SnapshotError('EINVAL', `snapshot of ${length} bytes exceeds the limit of ${maxLen} (kernel.ptrace_snapshot_max_len)`);
  }
  if (start < 0n || start + BigInt(length) > TASK_SIZE) {
    throw new SnapshotError('EINVAL', `range ${hexWord(start)}+${length} is outside user space`);
  }
}

/** snapshot_check_vmas(): every byte in one of `writable` (sorted, disjoint mappings with VM_WRITE). */
export function checkWritable(writable: Mapping[], start: bigint, length: number): void {
  const end = start + BigInt(length);
  let at = start;
  // walk the mappings from the one holding `start`
  let i = lowerBound(writable, at);
  while (at < end) {
    const m = writable[i];
    if (!m || m.start > at) throw new SnapshotError('EFAULT', `${hexWord(at)} is not in a writable mapping`);
    at = m.end;
    i++;
  }
}

/** Index of the first mapping that ends after addr. */
function lowerBound(maps: Mapping[], addr: bigint): number {
  let lo = 0;
  let hi = maps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (maps[mid]!.end <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The snapshots a new one at [start, start+length) replaces. */
export function overlapping<T extends SnapshotInfo>(snaps: Iterable<T>, start: bigint, length: number): T[] {
  const end = start + BigInt(length);
  const out: T[] = [];
  for (const s of snaps) if (s.start < end && start < s.start + BigInt(s.length)) out.push(s);
  return out;
}

/** snapshot_admit(): what the tracee holds once the overlapped ones are gone must fit. */
export function checkAdmit(held: number, replaced: number, length: number, maxTotal: number): void {
  if (held - replaced + length > maxTotal) {
    throw new SnapshotError('ENOSPC',
      `snapshot of ${length} bytes would hold ${held - replaced + length} bytes, over the limit of ${maxTotal} (kernel.ptrace_snapshot_max_total)`);
  }
}

export function sortedInfo(snaps: Iterable<SnapshotInfo>): SnapshotInfo[] {
  return [...snaps].map(({ start, length }) => ({ start, length })).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export function noSnapshot(start: bigint): SnapshotError {
  return new SnapshotError('ENOENT', `no snapshot starts at ${hexWord(start)}`);
}

/** Snapshots die with the address space (exec) and the process (exit), as in the kernel. */
export function endsAddressSpace(ev: StopEvent): boolean {
  return ev.reason.kind === 'exec' || ev.reason.kind === 'exited' || ev.reason.kind === 'killed';
}
