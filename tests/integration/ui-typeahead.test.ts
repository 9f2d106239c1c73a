/**
 * Keys typed before the full-screen UI is up (while tsdbg loads and Ink
 * starts) are not lost: they reach the UI's console in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/programs.js';
import { TSDBG } from './pty-util.js';
import { closeScreens, screen } from './ui-util.js';
import { execFileSync } from 'node:child_process';
import { waitFor } from '../setup/wait.js';

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

  it('keys typed once tsdbg has started are not echoed on the main screen either (the terminal is raw from its start)', async () => {
    const s = screen([process.execPath, TSDBG, 'run', fixture('frames')], { cols: 100, rows: 30 });
    const pts = (s.pty as unknown as { ptsName: string }).ptsName;
    // tsdbg turned echo off (run's start, before the UI: the terminal echoed anything typed earlier itself)
    await waitFor(() => / -echo /.test(execFileSync('stty', ['-a', '-F', pts], { encoding: 'utf8' })), () => `echo off on ${pts}`);
    s.send('break inner\r');
    s.send('run\r');
    await s.waitRow(/stopped: breakpoint 1 in inner/);
    s.type('kill');
    await s.waitRow(/Kill the program being debugged\? \(y or n\)/);
    s.type('y');
    await s.waitRow(/^no process/);
    s.type('quit');
    await s.exited;
    // the main screen again, with the one summary line and no echo of what was typed
    expect(s.text()).toMatch(/tsdbg: no process/);
    expect(s.rows().filter((r) => /break inner|^run$/.test(r.trim()))).toEqual([]);
  });
});
