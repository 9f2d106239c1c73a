/**
 * The local launcher: programs started or attached through ptrace on this
 * machine (src/target/local.ts).
 */
import type { Launcher, LaunchOptions } from '../../src/commands/session.js';
import type { Target } from '../../src/target/types.js';

interface LocalTargetModule {
  LocalTarget: {
    spawn(path: string, args: string[], opts: LaunchOptions): Promise<Target>;
    attach(pid: number, opts: LaunchOptions): Promise<Target>;
  };
}

// Loaded on first use; the module name is not a literal until src/target/local.ts lands.
const LOCAL = '../../src/target/local.js';
const load = async () => (await import(LOCAL)) as LocalTargetModule;

export const localLauncher: Launcher = {
  spawn: async (path, args, opts) => (await load()).LocalTarget.spawn(path, args, opts),
  attach: async (pid, opts) => (await load()).LocalTarget.attach(pid, opts),
};
