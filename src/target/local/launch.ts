/**
 * Starting a program under LocalTarget: the spawn and attach options and
 * execvp's program lookup (so errors name the file that is wrong).
 */
import { realpathSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TargetError, type SnapshotEngine } from '../types.js';
import { describeErrno } from '../native.js';
import type { LocalTarget } from '../local.js';

/** Measured (bench/target.ts): most breakpoint and stepi stops arrive within it. */
export const DEFAULT_SPIN_US = 100;

export interface SpawnOptions {
  /** argv[1..] (argv[0] is the program as given). */
  args?: string[];
  /** Environment; defaults to ours. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep address-space randomisation on (gdb's `set disable-randomization off`). */
  aslr?: boolean;
  /** Run the program on a new pty (default) or on our own stdio. */
  pty?: boolean;
  /** The pty's window size from the start (the user's terminal's). */
  ptySize?: { rows: number; cols: number };
  /** Microseconds to busy-poll for a stop before waiting for its SIGCHLD in the event loop. */
  spinUs?: number;
  /**
   * Microseconds to sleep in waitpid for a stop (after the spin, which is
   * then skipped while no CPU is free) before waiting in the event loop;
   * 0 (default): no such wait. The event loop is held meanwhile: tsdbg serve's choice.
   */
  blockUs?: number;
  /**
   * Snapshot engine for capabilities.snapshots, chosen once the tracee is
   * stopped: pass engineProvider(choice) from src/snapshot/select.ts (the
   * target layer does not import the snapshot layer above it).
   */
  snapshots?: SnapshotProvider;
}

export interface AttachOptions {
  spinUs?: number;
  blockUs?: number;
  snapshots?: SnapshotProvider;
}

export type SnapshotProvider = (target: LocalTarget) => Promise<SnapshotEngine>;


/** Resolve a program name like execvp does, so errors say which file is wrong. */
export function resolveProgram(prog: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = prog.includes('/')
    ? [prog]
    : (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean).map((d) => join(d, prog));
  let firstError: TargetError | undefined;
  for (const c of candidates) {
    try {
      const st = statSync(c);
      if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EACCES' });
      accessSync(c, fsConstants.X_OK);
      return realpathSync(c);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'ENOENT';
      firstError ??= new TargetError(code, `${prog}: ${describeErrno(code)}`);
      if (code !== 'ENOENT') break;
    }
  }
  throw firstError ?? new TargetError('ENOENT', `${prog}: no such file or directory`);
}
