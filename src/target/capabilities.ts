/**
 * The one place that says a target lacks an optional power (Delve keeps
 * checkpoints behind RecordingManipulation the same way).
 */
import type { Target } from './types.js';
import { TargetError } from './types.js';
import type { SnapshotEngine } from '../snapshot/types.js';

export function snapshotsOf(target: Target): SnapshotEngine {
  const engine = target.capabilities.snapshots;
  if (!engine) {
    throw new TargetError('ENOTSUP', `this ${target.kind} target cannot take snapshots`);
  }
  return engine;
}

/** The target's x87/SSE state accessors, or the single clear error when it has none. */
export function fpRegistersOf(target: Target): { get(): Promise<Buffer>; set(area: Buffer): Promise<void> } {
  const get = target.getFpRegisters?.bind(target);
  const set = target.setFpRegisters?.bind(target);
  if (!get || !set) {
    throw new TargetError('ENOTSUP', `this ${target.kind} target cannot access the floating-point and SSE registers`);
  }
  return { get, set };
}

/** The stub's monitor commands, or gdb's error on a target without them. */
export function monitorOf(target: Target): (command: string) => Promise<string> {
  const monitor = target.capabilities.monitor;
  if (!monitor) throw new TargetError('ENOTSUP', '"monitor" command not supported by this target.');
  return monitor;
}

/**
 * The last stop's siginfo_t of the selected thread (gdb's $_siginfo), or
 * undefined, which gdb shows as void: no process, a running one, or a back
 * end that cannot say.
 */
export async function siginfoOf(target: Target | undefined): Promise<Buffer | undefined> {
  if (!target?.getSiginfo || target.state !== 'stopped') return undefined;
  return target.getSiginfo().catch(() => undefined);
}
