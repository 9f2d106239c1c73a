/**
 * The local launcher of `tsdbg run`: a started program's pty gets our
 * terminal's size before its first instruction.
 */
import { localLauncher as launcherWith } from '../../src/debugger/local-launcher.js';
import { terminalSize } from './terminal.js';

export const localLauncher = launcherWith(terminalSize);
