/**
 * The README's walkthrough, "Debugging a heap bug in the UI", typed into
 * `tsdbg run examples/bin/heap_bug` on an 80x24 pty as a person would: a
 * conditional breakpoint, the source line marked, the stack and locals, the
 * corruption seen in a hexdump that follows the stops and in a snapshot diff
 * naming the field, a checkpoint and a rewind, the value fixed with
 * `set var`, a good exit. Every pane is shown once. Shared by the host's test
 * (tests/integration/ui-heap-bug.test.ts) and the guest's on the kernel
 * engine (tests/in-guest/ui-kernel.test.ts).
 */
import { expect } from 'vitest';
import { uiReady, type Screen } from './ui-util.js';

export { uiReady };

const F6 = '\x1b[17~';
const F8 = '\x1b[19~';
const F9 = '\x1b[20~';
const SHIFT_F9 = '\x1b[20;2~';

/** The row the source pane marks as current, with its line number. */
const current = (line: number) => new RegExp(`^(B\\?|  )>\\s*${line} `);

/** The walkthrough up to a good exit; `engine` is what the status line names (userspace, kernel). */
export async function debugHeapBug(s: Screen, engine: string): Promise<void> {
  await uiReady(s);
  expect(s.rows().length).toBe(24);
  s.type('break push if score == 1815');
  await s.waitRow(/1  b\? push at heap_bug\.c:23/);          // the breakpoints pane
  s.type('run');
  await s.waitRow(new RegExp(`^process \\d+ \\| stopped: breakpoint 1 in push at heap_bug\\.c:23 \\| engine ${engine.slice(0, 6)}`));   // (cut at 80 columns)
  const at23 = await s.waitRow(/^B\?>\s*23 \s+struct player \*p = malloc/);      // the source pane, the line in reverse
  expect(s.cellOf(at23, 'struct')?.isInverse()).toBeTruthy();
  await s.waitRow(/^ #1\s+main at heap_bug\.c:52/);                              // the stack pane
  await s.waitUntil(() => /score = 1815/.test(s.text()) && /name = 0x[0-9a-f]+ "/.test(s.text()), 'the arguments in the locals pane');

  // over the malloc and the two stores, to the strcpy
  for (const line of [25, 29, 30, 31]) {
    s.send(F8);
    await s.waitRow(current(line));
  }
  s.type('snapshot p sizeof(*p)');
  await s.waitRow(/^Snapshot of 24 bytes at 0x[0-9a-f]+ /);
  s.send(F9);                                                                // a checkpoint before the strcpy
  await s.waitRow(/─ Checkpoints/);
  await s.waitRow(/\* c1 /);
  s.type('tui memory p');                                                    // the node as bytes: name[8], then score
  await s.waitRow(/^─ Memory: p /);
  const mem = await s.waitRow(/^[0-9a-f]{12}: 00 00 00 00 00 00 00 00  17 07 00 00 00 00 00 00 /);
  s.send(F8);                                                                // the strcpy
  await s.waitRow(current(32));
  // "lovelace" and its NUL, which took the low byte of score (0x717 -> 0x700): in reverse, changed by the step
  await s.waitRow(/^[0-9a-f]{12}: 6c 6f 76 65 6c 61 63 65  00 07 00 00 00 00 00 00 /);
  const row = s.rows()[mem]!;
  const cell = s.term.buffer.active.getLine(s.term.buffer.active.viewportY + mem)?.getCell(row.indexOf(': ') + 2 + 8 * 3 + 1);
  expect(cell?.getChars()).toBe('0');
  expect(cell?.isInverse()).not.toBe(0);
  s.type('snapshot diff p');                                                 // the diff names the fields
  await s.waitRow(/^score: 1815 -> 1792/);
  await s.waitRow(/^name: "/);                                                // (wrapped at the console's 44 columns)
  s.type('tui memory');
  await s.waitUntil(() => !s.rows().some((r) => /^─ Memory/.test(r)), 'the memory pane gone');

  // the locals tree (the middle third of the info row): p, then *p, expanded down to the corrupted score
  const locals = (re: RegExp) => s.rows().some((r) => re.test(r.slice(26, 52)));
  s.type('focus locals');
  const title = await s.waitRow(/─ Locals/);
  await s.waitUntil(() => Boolean(s.cellOf(title, 'Locals')?.isInverse()), 'the locals pane focused');
  await s.waitUntil(() => locals(/^\+ p = 0x[0-9a-f]+/), 'p, expandable');
  s.send('\x1b[B\x1b[B\x1b[B');                                              // Down past list, name, score to p
  s.send('\x1b[C');                                                          // Right: expand it
  await s.waitUntil(() => locals(/^- p = 0x/), 'p expanded');
  s.send('\x1b[B');                                                          // Down to *p (the pane scrolls)
  await s.waitUntil(() => locals(/^  \+ \*p = \{name = /), '*p under p');
  s.send('\x1b[C');                                                          // expand it
  await s.waitUntil(() => locals(/^  - \*p = \{name = /), '*p expanded');
  s.send('\x1b[B\x1b[B');                                                    // Down to its name, its score
  await s.waitUntil(() => locals(/^\s+\+ name = "lovelace"/) && locals(/^\s+score = 1792\s*$/), "*p's fields, the score corrupted");

  // the other layouts: the disassembly, the registers
  s.type('layout split');
  await s.waitRow(/^─ heap_bug\.c ─/);
  await s.waitRow(/^─ asm: push ─/);
  await s.waitRow(/^  >0x[0-9a-f]+ <push\+\d+>  /);
  s.type('layout regs');
  await s.waitRow(/^─ Registers/);
  await s.waitRow(/rip\s+0x/);
  s.type('layout src');
  await s.waitUntil(() => !s.rows().some((r) => /^─ Registers/.test(r)), 'the source layout again');

  // the threads: no room for them in 80 columns until they have the focus (in the checkpoints' place)
  s.type('focus threads');
  const threads = await s.waitRow(/─ Threads/);
  expect(s.rows()[threads]).not.toMatch(/─ Checkpoints/);
  await s.waitRow(/\* 1 LWP \d+ heap_bug/);
  s.type('focus cmd');
  await s.waitUntil(() => s.rows().some((r) => /─ Checkpoints/.test(r)) && !s.rows().some((r) => /─ Threads/.test(r)), 'the checkpoints back');

  // back before the strcpy, run it again, and put the score back
  s.send(SHIFT_F9);
  await s.waitRow(/stopped: rewind in push at heap_bug\.c:31/);
  await s.waitRow(current(31));
  s.send(F8);
  await s.waitRow(current(32));
  s.type('print p->score');
  await s.waitRow(/^\$\d+ = 1792\s*$/);
  s.type('set var p->score = 1815');
  s.type('print p->score');
  await s.waitRow(/^\$\d+ = 1815\s*$/);
  s.type('delete');
  await s.waitRow(/^Delete all breakpoints\? \(y or n\)/);
  s.type('y');
  await s.waitRow(/^No breakpoints or watchpoints\.|─ Checkpoints/);
  s.send(F6);                                                                // continue
  // the program's output, in its pane on the right of the console (44 columns of 80)
  await s.waitUntil(() => s.rows().some((r) => /^.{44}total 2352, expected 2352\s*$/.test(r)), 'the good total in the output pane');
  await s.waitRow(/^\[Inferior 1 \(process \d+\) exited/);
  await s.waitRow(/^no process \(exited with code 0\)/);
}
