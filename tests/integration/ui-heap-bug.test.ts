/**
 * Issue 12's "done when" on the host: a heap bug in examples/ debugged
 * through every pane of the full-screen UI in 80x24 (tests/integration/ui-heap-bug.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { example } from './rsp-util.js';
import { TSDBG } from './pty-util.js';
import { closeScreens, screen } from './ui-util.js';
import { debugHeapBug } from './ui-heap-bug.js';

afterEach(closeScreens);

describe('the heap bug of examples/heap_bug.c, in the UI at 80x24', () => {
  it('break, look, watch the corruption, checkpoint, rewind, fix it with set var, a good exit', async () => {
    const s = screen([process.execPath, TSDBG, 'run', example('heap_bug')], { cols: 80, rows: 24 });
    await debugHeapBug(s, 'userspace');
    s.type('quit');
    expect((await s.exited).exitCode).toBe(0);
  });
});

describe('a terminal with no size (the guest\'s serial console)', () => {
  it('stty size says 0 0 and no SIGWINCH comes: the UI draws in 24x80, or in $LINES x $COLUMNS', async () => {
    for (const [env, rows, cols] of [['', 24, 80], ['LINES=20 COLUMNS=60 ', 20, 60]] as const) {
      const s = screen(['/bin/sh', '-c', `stty rows 0 cols 0; stty size; ${env}exec ${process.execPath} ${TSDBG} run ${example('heap_bug')}`], { cols: 80, rows: 24 });
      await s.waitRow(/^─ Console/);
      await s.waitUntil(() => /^no process/.test(s.rows()[rows - 1]!), `the status line on row ${rows}`);
      expect(s.rows()[0]).toBe(`─ [ No Assembly Available ] ${'─'.repeat(cols - 28)}`);
      s.type('quit');
      expect((await s.exited).exitCode).toBe(0);
    }
  });

  it('no SIGWINCH comes (a serial line): tui refresh and C-l ask the terminal its size again and lay the panes out in it', async () => {
    // setsid: tsdbg in a session of its own, the pty not its controlling terminal, so the kernel's
    // SIGWINCH at a resize goes to the pty's foreground group (setsid waiting), never to tsdbg
    const s = screen(['/bin/sh', '-c', `stty rows 0 cols 0; exec setsid -w ${process.execPath} ${TSDBG} run ${example('heap_bug')}`], { cols: 80, rows: 24 });
    await s.waitRow(/^─ Console/);
    await s.waitUntil(() => /^no process/.test(s.rows()[23]!), 'the status line on row 24');
    s.resize(100, 30);
    s.type('tui refresh');
    await s.waitUntil(() => /^no process/.test(s.rows()[29] ?? '') && s.rows()[0] === `─ [ No Assembly Available ] ${'─'.repeat(100 - 28)}`,
      'the status line on row 30, the top pane 100 wide, after tui refresh');
    s.resize(90, 26);
    s.send('\x0c');                                                           // C-l
    await s.waitUntil(() => /^no process/.test(s.rows()[25] ?? '') && s.rows()[0] === `─ [ No Assembly Available ] ${'─'.repeat(90 - 28)}`,
      'the status line on row 26, the top pane 90 wide, after C-l');
    s.type('quit');
    expect((await s.exited).exitCode).toBe(0);
  });
});
