/**
 * The local launcher: programs started or attached through ptrace on this
 * machine (src/target/local.ts), with the snapshot engine the kernel offers
 * or the one asked for (--engine).
 */
import type { Launcher } from '../commands/session.js';
import { LocalTarget } from '../target/local.js';
import { engineProvider } from '../snapshot/select.js';

/**
 * How long a resume sleeps in waitpid for its stop before the event loop takes
 * over (LocalTarget's blockUs). A step or a breakpoint hit is then waited for
 * as gdb waits, in the kernel, not by a busy-wait that takes the CPU the
 * program needs when none is free, nor through SIGCHLD and the event loop
 * (measured with `stepi` and `continue` to a breakpoint through the console, 1,000 each, 3 alternating
 * rounds at load 8 on the 2 CPUs: wall 0.60-1.07x, 5 of 6 under 0.9x, and CPU 0.59-0.84x the
 * spin-then-event-loop wait's; while a CPU is free it spins first, as before). A run that goes on longer
 * is waited for in the event loop, where
 * Ctrl-C and the UI are served; the loop is held at most this long.
 */
export const LOCAL_BLOCK_US = 20_000;

/**
 * `ptySize`: the size a started program's terminal gets before its first instruction;
 * `wait`: how its targets wait for stops (LocalTarget's blockUs).
 */
export function localLauncher(
  ptySize?: () => { rows: number; cols: number } | undefined, wait: { blockUs?: number } = { blockUs: LOCAL_BLOCK_US },
): Launcher {
  return {
    spawn: async (path, args, opts) => LocalTarget.spawn(path, {
      args, env: opts.env, cwd: opts.cwd, aslr: opts.aslr, ptySize: ptySize?.(), snapshots: engineProvider(opts.engine ?? 'auto'), ...wait,
    }),
    attach: async (pid, opts) => LocalTarget.attach(pid, { snapshots: engineProvider(opts.engine ?? 'auto'), ...wait }),
  };
}
