/**
 * Choosing the snapshot engine for a local target: the kernel's when the
 * running kernel has PTRACE_SNAPSHOT, else the user-space one; the user may
 * force either (`--engine kernel|userspace`), and forcing the kernel engine
 * on a kernel without the requests is a clear error, not a silent fallback.
 */
import { release } from 'node:os';
import { PTRACE, errnoName, native } from '../target/native.js';
import type { SnapshotHost } from './common.js';
import { KernelEngine } from './kernel.js';
import { UserspaceEngine } from './userspace.js';
import { SnapshotError, type SnapshotEngine } from './types.js';

export type EngineChoice = 'auto' | 'kernel' | 'userspace';

let kernelHasSnapshots: boolean | undefined;

/**
 * Ask the kernel: GETSNAPSHOT of a size (iov_len 0) at an address where no
 * snapshot can start. ENOENT: it knows the request; EIO (unknown request)
 * or EINVAL: it does not. Needs a stopped tracee (else ESRCH, no answer).
 */
export function probeKernel(host: SnapshotHost): boolean {
  if (kernelHasSnapshots !== undefined) return kernelHasSnapshots;
  if (host.state !== 'stopped') {
    throw new SnapshotError('ESRCH', 'cannot probe the kernel for PTRACE_SNAPSHOT: the program is not stopped');
  }
  const { r } = native.getSnapshot(host.pid, 0n, null, 0);
  if (r < 0 && errnoName(-r) === 'ESRCH') {
    throw new SnapshotError('ESRCH', 'cannot probe the kernel for PTRACE_SNAPSHOT: the program is not traced');
  }
  kernelHasSnapshots = r < 0 && errnoName(-r) === 'ENOENT';
  return kernelHasSnapshots;
}

/** The engine for `host` (a stopped LocalTarget), as `choice` says. */
export function selectEngine(host: SnapshotHost, choice: EngineChoice = 'auto'): SnapshotEngine {
  if (choice === 'userspace') return new UserspaceEngine(host);
  const kernel = probeKernel(host);
  if (kernel) return new KernelEngine(host);
  if (choice === 'kernel') {
    throw new SnapshotError('ENOTSUP',
      `the kernel engine needs PTRACE_SNAPSHOT (request 0x${PTRACE.SNAPSHOT.toString(16)}), which this kernel (${release()}) does not have: run in the patched guest (tsdbg vm run) or use --engine userspace`);
  }
  return new UserspaceEngine(host);
}

/**
 * For LocalTarget.spawn/attach({ snapshots: engineProvider(choice) }): the
 * target calls it once stopped and exposes the result as
 * capabilities.snapshots.
 */
export function engineProvider(choice: EngineChoice = 'auto'): (host: SnapshotHost) => Promise<SnapshotEngine> {
  return async (host) => selectEngine(host, choice);
}
