/**
 * The local launcher: programs started or attached through ptrace on this
 * machine (src/target/local.ts).
 */
import type { Launcher } from '../../src/commands/session.js';
import { LocalTarget } from '../../src/target/local.js';

export const localLauncher: Launcher = {
  spawn: async (path, args, opts) => LocalTarget.spawn(path, { args, aslr: opts.aslr }),
  attach: async (pid) => LocalTarget.attach(pid),
};
