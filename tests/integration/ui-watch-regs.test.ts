/**
 * The full screen's watch pane, register groups, syscalls and kernel-stats
 * panes, and keys typed before the UI is up: `tsdbg run` on a real pty,
 * the screen read from a headless xterm (./ui-util.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { TSDBG } from './pty-util.js';
import { ROOT } from './rsp-util.js';
import { closeScreens, screen, type Screen, uiReady, uiStopAt } from './ui-util.js';

afterEach(closeScreens);

const ui = (args: string[], size?: { cols?: number; rows?: number; env?: Record<string, string | undefined> }) =>
  screen([process.execPath, TSDBG, 'run', ...args], size);

describe('the watch pane', () => {
  it('tui watch EXPR expands a struct through its pointer; display EXPR is listed too; both follow the stops', async () => {
    const s = ui([path.join(ROOT, 'examples/bin/linked_list')], { cols: 120, rows: 30 });
    await uiStopAt(s, 'print_list');
    s.type('tui watch n');
    await s.waitRow(/─ Watch/);
    await s.waitUntil(() => /\+ n = 0x[0-9a-f]+/.test(s.text()) && /─ Locals.*─ Watch/.test(s.text()), 'n in the watch pane, next to the locals');
    s.type('display round');
    await s.waitUntil(() => /  round = 0/.test(s.text()), 'the display in the watch pane');
    s.type('focus watch');
    const title = await s.waitRow(/─ Watch/);
    await s.waitUntil(() => Boolean(s.cellOf(title, 'Watch')?.isInverse()), 'the watch pane focused');
    s.send('\x1b[B');                                 // Down: from round (the display, first) to n
    s.send('\x1b[C');                                 // Right: expand n
    await s.waitUntil(() => /- n = 0x/.test(s.text()) && /\+ \*n = \{value = 5, next/.test(s.text()), '*n under n');
    s.send('\x1b[B');
    s.send('\x1b[C');                                 // and *n: its members
    await s.waitUntil(() => / {6}value = 5\b/.test(s.text()) && /\+ next = 0x/.test(s.text()), 'the struct\'s members');
    s.type('continue');
    await s.waitUntil(() => /round = 1/.test(s.text()) && /- \*n = \{value = 10/.test(s.text()) && / {6}value = 10\b/.test(s.text()),
      'the next stop, still expanded');
    s.type('tui unwatch nope');
    await s.waitRow(/^No expression "nope" in the watch pane\.$/);
  });

  it('display/x shows its value in hex in the pane, and what it expands to; display without a format stays decimal', async () => {
    const s = ui([path.join(ROOT, 'examples/bin/linked_list')], { cols: 120, rows: 30 });
    await uiStopAt(s, 'print_list');
    s.type('display/x n->value');
    s.type('display/x *n');
    s.type('display round');
    await s.waitUntil(() => /  n->value = 0x5\b/.test(s.text()) && /\+ \*n = \{value = 0x5, next = 0/.test(s.text()) && /  round = 0\b/.test(s.text()),
      'the display/x values in hex, round in decimal');
    s.type('focus watch');
    const title = await s.waitRow(/─ Watch/);
    await s.waitUntil(() => Boolean(s.cellOf(title, 'Watch')?.isInverse()), 'the watch pane focused');
    s.send('\x1b[B');                                 // Down: from n->value to *n
    s.send('\x1b[C');                                 // Right: expand it
    await s.waitUntil(() => /- \*n = \{value = 0x5/.test(s.text()) && / {4}value = 0x5\b/.test(s.text()), "*n's members in hex");
    s.type('continue');
    await s.waitUntil(() => /  n->value = 0xa\b/.test(s.text()) && / {4}value = 0xa\b/.test(s.text()) && /  round = 1\b/.test(s.text()), 'the next stop, in hex still');
  });
});

describe('adding a watch from the locals pane', () => {
  it("C-x w (or Insert) on the locals pane's selected row adds its expression to the watch pane, a member too", async () => {
    const s = ui([path.join(ROOT, 'examples/bin/linked_list')], { cols: 120, rows: 30 });
    await uiStopAt(s, 'print_list');
    s.type('focus locals');
    const title = await s.waitRow(/─ Locals \(C-x w: watch\) ─/);          // the key, in the title while it has the focus
    await s.waitUntil(() => Boolean(s.cellOf(title, 'Locals')?.isInverse()), 'the locals pane focused');
    await s.waitUntil(() => /\+ n = 0x/.test(s.text()), 'n, expandable');
    s.send('\x1b[2~');                                // Insert on the first row: round
    await s.waitRow(/^\(tsdbg\) tui watch round$/);
    await s.waitRow(/─ Watch/);
    s.send('\x1b[B\x1b[C');                           // Down to n, expand it
    await s.waitUntil(() => /\+ \*n = \{value = 5/.test(s.text()), '*n under n');
    s.send('\x1b[B\x1b[C');                           // *n, expanded
    await s.waitUntil(() => / {6}value = 5\b/.test(s.text()), "*n's members");
    s.send('\x1b[B');                                 // its value
    s.send('\x18w');                                  // C-x w
    await s.waitRow(/^\(tsdbg\) tui watch n->value$/);              // the member's expression, as C is written
    await s.waitUntil(() => /─ Watch/.test(s.text()) && /^.{60}  n->value = 5\b/m.test(s.text()) && /^.{60}  round = 0\b/m.test(s.text()),
      'round and n->value in the watch pane');
    s.type('continue');
    await s.waitUntil(() => /^.{60}  n->value = 10\b/m.test(s.text()) && /^.{60}  round = 1\b/m.test(s.text()), 'both at the next stop');
  });
});

describe('register groups', () => {
  it('tui reg float shows st0-st5; tui reg vector the xmm ones; gdb\'s error for an unknown group', async () => {
    const s = ui([fixture('frames')], { cols: 100, rows: 30 });
    await uiStopAt(s, 'inner');
    s.type('tui reg float');
    await s.waitRow(/^─ Register group: float/);
    await s.waitRow(/^st0\s+\S+\s+\(raw 0x[0-9a-f]{20}\)/);
    await s.waitRow(/^st5\s+/);
    s.type('tui reg vector');
    await s.waitRow(/^─ Register group: vector/);
    await s.waitRow(/^xmm0\s+\{v8_bfloat16 = \{/);
    s.type('tui reg general');
    await s.waitRow(/rip\s+0x/);
    s.type('tui reg foo');
    await s.waitRow(/^unknown register group 'foo'$/);
  });
});

describe('the syscalls and kernel stats panes', () => {
  it('catch syscall write + continue: the call in the syscalls pane, decoded, then its result', async () => {
    const s = ui([fixture('frames')], { cols: 100, rows: 30 });
    await uiReady(s);
    s.type('catch syscall write');
    await s.waitRow(/Catchpoint 1 \(syscall 'write' \[1\]\)/);
    s.type('layout syscalls');
    await s.waitRow(/^─ Syscalls/);
    await s.waitRow(/No system calls caught/);
    s.type('run');
    await s.waitRow(/^write\(1, "inner 42\\n", 9 \.\.\.$/);
    s.type('continue');
    await s.waitRow(/^write\(1, "inner 42\\n", 9\) = 9$/);
  });

  it('layout kstats says clearly that tracer.ko is not loaded', async () => {
    const s = ui([fixture('frames')], { cols: 100, rows: 30 });
    await uiStopAt(s, 'inner');
    s.type('layout kstats');
    await s.waitRow(/^─ Kernel stats/);
    await s.waitRow(/^The kernel tracer is not loaded \(no \/proc\/tracer\)/);
    expect(s.text()).toMatch(/─ frames\.c/);         // the source above it
  });
});

describe('syntax colour in the source pane', () => {
  it('strings and keywords in colour; set style enabled off and NO_COLOR take it away', async () => {
    const s = ui([fixture('frames')], { cols: 100, rows: 30, env: { NO_COLOR: undefined } });
    await uiStopAt(s, 'inner');
    const row = await s.waitRow(/^\s+11\s+printf\("inner %ld\\n", x\);/);
    const str = () => s.cellOf(row, '"inner')!;
    expect(str().isFgPalette() && str().getFgColor()).toBe(1);              // red
    const ret = await s.waitRow(/^\s+12\s+return x \+ 1;/);
    expect(s.cellOf(ret, 'return')!.getFgColor()).toBe(4);                   // blue
    expect(s.cellOf(ret, 'x + 1')!.isFgDefault()).toBeTruthy();
    s.type('set style enabled off');
    await s.waitUntil(() => Boolean(s.cellOf(row, '"inner')?.isFgDefault()), 'the string in the default colour');

    const plain = ui([fixture('frames')], { cols: 100, rows: 30, env: { NO_COLOR: '1' } });
    await uiStopAt(plain, 'inner');
    const r2 = await plain.waitRow(/^\s+11\s+printf\("inner %ld\\n", x\);/);
    expect(plain.cellOf(r2, '"inner')!.isFgDefault()).toBeTruthy();
  });
});
