/**
 * The local launcher of `tsdbg run`: a started program's pty gets our
 * terminal's size before its first instruction.
 */
import { localLauncher as launcherWith } from '../../src/debugger/local-launcher.js';
import { terminalSize } from './terminal.js';
import type { Launcher } from '../../src/commands/session.js';

/** The local launcher, its targets waiting for stops as `wait` says (LocalTarget's blockUs: tsdbg serve). */
export function localLauncherWaiting(wait: { blockUs?: number }): Launcher {
  return launcherWith(terminalSize, wait);
}

export const localLauncher: Launcher = launcherWith(terminalSize);
