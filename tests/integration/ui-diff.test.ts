/**
 * The full-screen UI's snapshot diff pane end to end (issue 12): `snapshot
 * diff` typed at the UI's console opens it; each changed range is named
 * (here a global struct's field), old bytes in red, new in green; it follows
 * the stops. `tui diff heap` names a heap node by the pointer that reaches it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, symbol } from '../fixtures/programs.js';
import { closeScreens, screen, type Screen, uiStopAt } from './ui-util.js';
import { TSDBG } from './pty-util.js';

afterEach(closeScreens);

const RED = 1;
const GREEN = 2;

describe('tsdbg run, full screen: snapshot diff', () => {
  it('names the changed field, old bytes red and new green, in 80x24', async () => {
    const prog = fixture('snap_names');
    const cfg = `0x${symbol(prog, 'cfg').toString(16)}`;
    const s = screen([process.execPath, TSDBG, 'run', prog]);
    await uiStopAt(s, 'checkpoint_here');
    s.type(`snapshot ${cfg} 24`);
    await s.waitRow(/Snapshot of 24 bytes at/);
    s.type(`snapshot diff ${cfg}`);
    await s.waitRow(new RegExp(`^─ Snapshot diff: ${cfg}, 0 bytes changed`));
    await s.waitRow(/^No changes\.\s*$/);
    s.type('continue');
    await s.waitRow(/stopped: breakpoint 1 in checkpoint_here/);
    // the pane follows the stop: cfg.flags went from 1 to 7, cfg.name from "start" to "stop"
    const row = await s.waitRow(new RegExp(`^cfg\\.flags  01 → 07  at ${cfg}\\s*$`));
    await s.waitRow(new RegExp(`^─ Snapshot diff: ${cfg}, 4 bytes changed`));
    // "start" -> "stop": the changed chars in one row, named by the first
    await s.waitRow(new RegExp(`^cfg\\.name\\[2\\]  61 72 74 → 6f 70 00  at 0x${(symbol(prog, 'cfg') + 18n).toString(16)}\\s*$`));
    expect(s.cellOf(row, '01')?.getFgColor()).toBe(RED);
    expect(s.cellOf(row, '07')?.getFgColor()).toBe(GREEN);
    expect(s.cellOf(row, 'cfg.flags')?.getFgColor()).not.toBe(GREEN);
  });

  it('tui diff heap: a malloc\'d node named by the pointer that reaches it', async () => {
    const prog = fixture('snap_names');
    const s = screen([process.execPath, TSDBG, 'run', prog], { cols: 140, rows: 40 });
    await uiStopAt(s, 'checkpoint_here');
    s.type('snapshot heap');
    await s.waitRow(/Snapshot of \d+ bytes at 0x[0-9a-f]+ \(\[heap\]\)/);
    s.type('continue');
    await s.waitRow(/stopped: breakpoint 1 in checkpoint_here/);
    s.type('tui diff heap');
    await s.waitRow(/^─ Snapshot diff: heap, 3 bytes changed/);
    await s.waitRow(/^frame #1 main: \*list->next \(struct node, 16 bytes\) \.value, heap chunk 0x[0-9a-f]+ \(24 bytes\) \+0  01 → 63  at 0x/);
    await s.waitRow(/^heap chunk 0x[0-9a-f]+ \(24 bytes\) \+0  00 → 4d  at 0x/);
  });
});
