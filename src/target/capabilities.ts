/**
 * The one place that says a target lacks an optional power: every facet of
 * TargetCapabilities is reached through one of these (Delve keeps
 * checkpoints behind RecordingManipulation the same way).
 */
import type { FpRegistersFacet, ProgramTerminalFacet, SnapshotEngine, Target, YmmUpperFacet } from './types.js';
import { TargetError } from './types.js';

export function snapshotsOf(target: Target): SnapshotEngine {
  const engine = target.capabilities.snapshots;
  if (!engine) {
    throw new TargetError('ENOTSUP', `this ${target.kind} target cannot take snapshots`);
  }
  return engine;
}

/** The target's x87/SSE state accessors, or the single clear error when it has none. */
export function fpRegistersOf(target: Target): FpRegistersFacet {
  const fp = target.capabilities.fpRegisters;
  if (!fp) {
    throw new TargetError('ENOTSUP', `this ${target.kind} target cannot access the floating-point and SSE registers`);
  }
  return fp;
}

/** The AVX upper halves' accessors, or the single clear error when the target has none. */
export function ymmUpperOf(target: Target): YmmUpperFacet {
  const ymm = target.capabilities.ymmUpper;
  if (!ymm) throw new TargetError('ENOTSUP', `this ${target.kind} target cannot access the AVX registers`);
  return ymm;
}

/** The stub's monitor commands, or gdb's error on a target without them. */
export function monitorOf(target: Target): (command: string) => Promise<string> {
  const monitor = target.capabilities.monitor;
  if (!monitor) throw new TargetError('ENOTSUP', '"monitor" command not supported by this target.');
  return (command) => monitor.run(command);
}

/** The program's terminal (keyboard input, window size), when the target gave it one. */
export function terminalOf(target: Target | undefined): ProgramTerminalFacet | undefined {
  return target?.capabilities.terminal;
}

/**
 * The last stop's siginfo_t of the selected thread (gdb's $_siginfo), or
 * undefined, which gdb shows as void: no process, a running one, or a back
 * end that cannot say.
 */
export async function siginfoOf(target: Target | undefined): Promise<Buffer | undefined> {
  const siginfo = target?.capabilities.siginfo;
  if (!siginfo || target!.state !== 'stopped') return undefined;
  try {
    return await siginfo.get();
  } catch {
    // gdb's $_siginfo is void when the stop has none to give (a stub that
    // refuses qXfer:siginfo for this thread): that is an answer, not an error
    return undefined;
  }
}
