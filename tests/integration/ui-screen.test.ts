/**
 * The full-screen UI end to end: `tsdbg run` on a real pty, typed into as a
 * person would, the screen read from a headless xterm (tests/integration/ui-util.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { alive, descendants, TSDBG } from './pty-util.js';
import { ROOT as ROOT_DIR } from './rsp-util.js';
import { closeScreens, screen, type Screen, uiReady, uiStopAt } from './ui-util.js';
import { waitFor } from '../setup/wait.js';

afterEach(closeScreens);

const ui = (args: string[], size?: { cols?: number; rows?: number; home?: string }) => screen([process.execPath, TSDBG, 'run', ...args], size);

describe('tsdbg run, full screen', () => {
  it('a breakpoint stop marks the line in the source pane; the program output goes to its pane', async () => {
    const s = ui([fixture('frames')]);
    await uiStopAt(s, 'inner');
    const row = await s.waitRow(/^B\+>\s*9 \s+long x = c \* 3;/);
    expect(s.cellOf(row, 'long')?.isInverse()).toBeTruthy();
    expect(s.rows().at(-1)).toMatch(/^process \d+ \| stopped: breakpoint 1 in inner at .*frames\.c:9/);
    await s.waitRow(/#3\s+main at/);                 // the stack pane
    s.type('next');
    await s.waitRow(/^  >\s*11 /);
    s.type('next');
    // the console's half is 44 columns of 80: the program's output is in the right-hand pane
    await s.waitUntil(() => s.rows().some((r) => /^.{44}inner 42\s*$/.test(r)), 'inner 42 in the program output pane');
    s.type('kill');
    await s.waitRow(/Kill the program being debugged\? \(y or n\)/);
    s.type('y');
    await s.waitRow(/^no process/);
  });

  it('registers changed by `si` change colour (reverse video), the others do not', async () => {
    const s = ui([fixture('frames')]);
    await uiStopAt(s, 'inner');
    s.type('layout regs');
    await s.waitRow(/^─ Registers/);
    const ripBefore = await s.waitRow(/rip\s+0x/);
    s.type('si');
    await s.waitUntil(() => s.rows().some((r) => /^0x[0-9a-f]+\s+9\s/.test(r.trim())), 'the si report in the console');
    await s.waitUntil(() => s.cellOf(ripBefore, 'rip')?.isInverse() !== 0 && s.cellOf(ripBefore, 'rip') !== undefined, 'rip in reverse');
    const rbx = s.rows().findIndex((r) => /rbx\s+0x/.test(r));
    expect(s.cellOf(rbx, 'rbx')?.isInverse()).toBe(0);
    expect(s.cellOf(ripBefore, 'rip')?.isInverse()).not.toBe(0);
  });

  it('Ctrl-C interrupts a busy loop, not tsdbg', async () => {
    const s = ui([fixture('target_loop')]);
    await uiReady(s);
    s.type('run');
    await s.waitRow(/\| running \|/);
    await s.waitUntil(() => s.rows().some((r) => /pid \d+\s*$/.test(r)), "the program's pid in its pane");
    s.send('\x03');
    await s.waitRow(/stopped: (signal SIGINT|interrupted)/);
    await s.waitRow(/^\(tsdbg\) /);
    s.type('kill');
    await s.waitRow(/\(y or n\)/);
    s.type('y');
    await s.waitRow(/^no process/);
  });

  it('fits 80x24 after a resize, the status line on the last row', async () => {
    const s = ui([fixture('frames')], { cols: 120, rows: 40 });
    await uiStopAt(s, 'inner');
    expect(s.rows()[39]).toMatch(/^process \d+ \| stopped/);
    s.resize(80, 24);
    await s.waitUntil(() => /^process \d+ \| stopped/.test(s.rows()[23]!), 'the status line on row 24');
    await s.waitUntil(() => s.rows().some((r) => /^─ Console/.test(r)) && s.rows().some((r) => /^B\+>\s*9 /.test(r)), 'the panes redrawn');
  });
});

describe('leaving the full screen', () => {
  /** tsdbg under a shell that saves `stty -a` before and after it. */
  function wrapped(dir: string, prog: string): Screen {
    const script = `stty -a > ${dir}/before; ${process.execPath} ${TSDBG} run ${prog}; stty -a > ${dir}/after; echo done-$?`;
    return screen(['/bin/sh', '-c', script]);
  }

  it('quit restores the terminal (stty -a unchanged, main screen) and prints one summary line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-ui-'));
    try {
      const s = wrapped(dir, fixture('frames'));
      await uiStopAt(s, 'inner');
      s.type('quit');
      await s.waitRow(/Quit anyway\? \(y or n\)/);
      s.type('y');
      await s.waitRow(/^done-0/);
      expect(s.term.buffer.active.type).toBe('normal');
      expect(s.text()).toMatch(/^tsdbg: (no process|process \d+)/m);
      expect(readFileSync(`${dir}/after`, 'utf8')).toBe(readFileSync(`${dir}/before`, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM: the terminal restored, no tracee left', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-ui-'));
    try {
      const s = wrapped(dir, fixture('frames'));
      await uiStopAt(s, 'inner');
      const tracee = Number(/^process (\d+)/.exec(s.rows().at(-1)!)![1]);
      const node = descendants(s.pty.pid).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('tsdbg.js'))!;
      process.kill(node, 'SIGTERM');
      await s.waitRow(/^done-\d+/);
      await waitFor(() => !alive(tracee), `tracee ${tracee} gone`);
      expect(s.term.buffer.active.type).toBe('normal');
      expect(readFileSync(`${dir}/after`, 'utf8')).toBe(readFileSync(`${dir}/before`, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keys and switches', () => {
  it('the locals pane expands a pointer to its struct, and follows the next stop', async () => {
    const s = ui([path.join(ROOT_DIR, 'examples/bin/linked_list')]);
    await uiStopAt(s, 'print_list');
    await s.waitRow(/^#0 .{22}  round = 0|\s{2}round = 0/);
    await s.waitUntil(() => /\+ n = 0x[0-9a-f]+/.test(s.text()), 'n, expandable');
    s.type('focus locals');
    const title = await s.waitRow(/─ Locals/);
    await s.waitUntil(() => Boolean(s.cellOf(title, 'Locals')?.isInverse()), 'the locals pane focused (its title in reverse)');
    s.send('\x1b[B');                                 // Down: to n
    s.send('\x1b[C');                                 // Right: expand it
    await s.waitUntil(() => /- n = 0x/.test(s.text()) && /\+ \*n = \{value = 5, next/.test(s.text()), '*n under n');
    s.type('continue');
    await s.waitUntil(() => /round = 1/.test(s.text()) && /- n = 0x/.test(s.text()) && /\+ \*n = \{value = 10/.test(s.text()), 'the next stop, n still expanded');
  });

  it('tui memory EXPR: a hexdump that follows the stops, the bytes that changed in reverse', async () => {
    const s = ui([path.join(ROOT_DIR, 'examples/bin/linked_list')]);
    await uiStopAt(s, 'print_list');
    s.type('tui memory n');
    await s.waitRow(/^─ Memory: n /);
    const row = await s.waitRow(/^[0-9a-f]{12}: 05 00 00 00 00 00 00 00 /);
    expect(s.cellOf(row, '05')?.isInverse()).toBe(0);
    s.type('continue');
    await s.waitRow(/^[0-9a-f]{12}: 0a 00 00 00 00 00 00 00 /);
    expect(s.cellOf(row, '0a')?.isInverse()).not.toBe(0);
    s.type('tui memory nope');
    await s.waitRow(/^No symbol "nope" in current context\.$/);
  });

  it('the mouse wheel scrolls the pane under the pointer', async () => {
    const s = ui([fixture('frames')]);
    await uiStopAt(s, 'inner');
    s.type('info registers');
    await s.waitRow(/^gs\s+0x0\s+0/);
    const title = s.rows().findIndex((r) => /^─ Console/.test(r));
    s.send(`\x1b[<64;5;${title + 3}M`);               // wheel up over the console (1-based cell)
    await s.waitRow(/^─ Console \(3 up\)/);
    s.send(`\x1b[<65;5;${title + 3}M`);               // and down again
    await s.waitRow(/^─ Console ─/);
  });

  it('F9 takes a checkpoint (its pane shows it), Shift-F9 rewinds to it: the marked line goes back', async () => {
    const s = ui([fixture('frames')]);
    await uiStopAt(s, 'inner');
    s.type('next');
    await s.waitRow(/^  >\s*11 /);
    s.type('next');                                   // after the printf: its buffer is on the heap already
    await s.waitRow(/^  >\s*12 /);
    s.send('\x1b[20~');                               // F9
    await s.waitRow(/^─ Stack.*─ Checkpoints/);
    await s.waitRow(/\* c1 /);
    s.type('next');
    await s.waitRow(/^  >\s*13 /);
    s.send('\x1b[20;2~');                             // Shift-F9
    await s.waitRow(/stopped: rewind in inner at .*frames\.c:12/);
    await s.waitRow(/^  >\s*12 /);
  });

  it('F10 is step, F8 next; Ctrl-D at the empty prompt asks gdb\'s question and quits', async () => {
    const s = ui([fixture('frames')]);
    await uiStopAt(s, 'inner');
    s.send('\x1b[21~');                               // F10
    await s.waitRow(/^  >\s*11 /);
    s.send('\x1b[19~');                               // F8: over the printf
    await s.waitRow(/stopped: step in inner at .*frames\.c:12/);
    s.send('\x04');
    await s.waitRow(/Quit anyway\? \(y or n\)/);
    s.type('y');
    const end = await s.exited;
    expect(end.exitCode).toBe(0);
  });

  it('tui disable gives the line prompt on the main screen; tui enable brings the panes back', async () => {
    const s = ui([fixture('frames')]);
    await uiReady(s);
    s.type('break inner');
    await s.waitRow(/1\s+b\+ inner/);
    s.type('tui disable');
    await s.waitUntil(() => s.term.buffer.active.type === 'normal', 'the main screen');
    s.type('info breakpoints');
    await s.waitRow(/^1\s+breakpoint\s+keep y\s+0x[0-9a-f]+ in inner/);
    s.type('tui enable');
    await s.waitRow(/^─ Console/);
    expect(s.term.buffer.active.type).toBe('alternate');
    await s.waitRow(/1\s+b\+ inner/);
    s.type('quit');
    expect((await s.exited).exitCode).toBe(0);
  });

  it('the console is the line prompt\'s: Tab completes, Up recalls the last session\'s lines, and lines are kept', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'tsdbg-ui-home-'));
    try {
      const file = path.join(home, '.tsdbg_history');
      writeFileSync(file, 'print 6 * 7\n');
      const s = ui([fixture('frames')], { home });
      await uiReady(s);
      s.send('info reg');
      s.send('\t');
      await s.waitRow(/^\(tsdbg\) info registers /);   // (the pane pads its rows: what follows is blank)
      s.send('\r');
      await s.waitRow(/^The program has no registers now\.\s*$/);
      expect(readFileSync(file, 'utf8')).toBe('print 6 * 7\ninfo registers \n');
      s.send('\x1b[A');
      await s.waitRow(/^\(tsdbg\) info registers /);
      s.send('\x1b[A');
      await s.waitRow(/^\(tsdbg\) print 6 \* 7\s*$/);
      s.send('\r');
      await s.waitRow(/^\$1 = 42\s*$/);
      s.send('break inn');
      s.send('\t');
      await s.waitRow(/^\(tsdbg\) break inner /);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('--tui=off keeps gdb\'s line prompt; layout in a pipe says why not', async () => {
    const s = ui(['--tui=off', fixture('frames')]);
    await s.waitRow(/^\(tsdbg\) $/);
    expect(s.term.buffer.active.type).toBe('normal');
    s.type('quit');
    await s.exited;
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [TSDBG, 'run', fixture('frames')], { input: 'layout src\ntui enable\nlayout foo\n', encoding: 'utf8' });
    expect(r.stderr).toBe('Cannot enable the TUI when output is not a terminal\nCannot enable the TUI when output is not a terminal\n'
      + 'Undefined tui layout command: "foo".  Try "help tui layout".\n');
    // `layout` and `tui` alone list their subcommands as gdb does (gdb's `tui` has two tsdbg lacks; `memory`, `diff`, `watch`, `unwatch`, layouts `kstats` and `syscalls` are tsdbg's)
    const ours = spawnSync(process.execPath, [TSDBG, 'run', '--batch', '-ex', 'layout', '-ex', 'tui', '-ex', 'tui foo', fixture('frames')], { encoding: 'utf8' });
    const gdbs = spawnSync('gdb', ['-nx', '-batch', '-ex', 'layout', '-ex', 'tui', '-ex', 'tui foo', fixture('frames')], { encoding: 'utf8' });
    const mine = (l: string) => !/^tui (new-layout|window|memory|diff|watch|unwatch) --|^tui layout (kstats|syscalls) --/.test(l);
    expect(ours.stdout.split('\n').filter(mine)).toEqual(gdbs.stdout.split('\n').filter(mine));
    expect(ours.stdout).toContain('tui memory -- ');
    expect(ours.stderr).toBe(gdbs.stderr);
  });
});
