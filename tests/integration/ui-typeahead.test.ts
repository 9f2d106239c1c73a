/**
 * Keys typed before the full-screen UI is up (while tsdbg loads and Ink
 * starts) are not lost: they reach the UI's console in order.
 */
import { afterEach, describe, it } from 'vitest';
import { fixture } from '../fixtures/programs.js';
import { TSDBG } from './pty-util.js';
import { closeScreens, screen } from './ui-util.js';

afterEach(closeScreens);

describe('typed-ahead keys', () => {
  it('lines typed at once, before the UI draws, are run in order', async () => {
    const s = screen([process.execPath, TSDBG, 'run', fixture('frames')], { cols: 100, rows: 30 });
    // at once: tsdbg has not even loaded its modules yet
    s.send('break inner\r');
    s.send('run\r');
    s.send('print c');
    await s.waitRow(/stopped: breakpoint 1 in inner/);
    // the third line was typed without Enter: it waits at the prompt
    await s.waitRow(/^\(tsdbg\) print c\s*$/);
    s.send('\r');
    await s.waitRow(/^\$1 = 14$/);
  });
});
