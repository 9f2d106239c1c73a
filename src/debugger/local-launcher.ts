/**
 * The local launcher: programs started or attached through ptrace on this
 * machine (src/target/local.ts), with the snapshot engine the kernel offers
 * or the one asked for (--engine).
 */
import type { Launcher } from '../commands/session.js';
import { LocalTarget } from '../target/local.js';
import { engineProvider } from '../snapshot/select.js';

/** `ptySize`: the size a started program's terminal gets before its first instruction. */
export function localLauncher(ptySize?: () => { rows: number; cols: number } | undefined): Launcher {
  return {
    spawn: async (path, args, opts) => LocalTarget.spawn(path, {
      args, env: opts.env, cwd: opts.cwd, aslr: opts.aslr, ptySize: ptySize?.(), snapshots: engineProvider(opts.engine ?? 'auto'),
    }),
    attach: async (pid, opts) => LocalTarget.attach(pid, { snapshots: engineProvider(opts.engine ?? 'auto') }),
  };
}
