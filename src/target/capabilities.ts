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
