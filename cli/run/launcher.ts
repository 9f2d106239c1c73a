/**
 * The local launcher: programs started or attached through ptrace on this
 * machine (src/target/local.ts), with the snapshot engine the kernel offers
 * or the user forced (--engine). A started program's pty gets our
 * terminal's size before its first instruction.
 */
import type { Launcher } from '../../src/commands/session.js';
import { LocalTarget } from '../../src/target/local.js';
import { engineProvider } from '../../src/snapshot/select.js';
import { terminalSize } from './terminal.js';

/** The local launcher, its targets waiting for stops as `wait` says (LocalTarget's blockUs: tsdbg serve). */
export function localLauncherWaiting(wait: { blockUs?: number }): Launcher {
  return {
    spawn: async (path, args, opts) => LocalTarget.spawn(path, {
      args, env: opts.env, aslr: opts.aslr, ptySize: terminalSize(), snapshots: engineProvider(opts.engine ?? 'auto'), ...wait,
    }),
    attach: async (pid, opts) => LocalTarget.attach(pid, { snapshots: engineProvider(opts.engine ?? 'auto'), ...wait }),
  };
}

export const localLauncher: Launcher = localLauncherWaiting({});
