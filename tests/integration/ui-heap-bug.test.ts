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
