/**
 * Watchpoints on objects of every kind, line for line with gdb 13: the old
 * and new values printed with the expression's type (pointers, doubles,
 * chars, enums, bools, structs, arrays, fields, `*p`), objects of other sizes
 * than 1/2/4/8 (several debug registers, or a software watchpoint past four),
 * the fifth watch that does not fit (gdb's error at the resume), and
 * `watch p->x` firing when p changes. Both kinds: software everywhere
 * (`set can-use-hw-watchpoints 0`, and the probe forced to "does not trap"),
 * hardware where the debug registers trap (gdb told to use the kind tsdbg
 * should). Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { debugRegistersTrap } from '../../src/target/debugregs.js';
import { mergedLines } from './gdb-compare.js';
import { fixture } from '../fixtures/programs.js';
import { ROOT, requireFreshServerBuild, startListening } from './rsp-util.js';

const tsdbg = `${ROOT}/bin/tsdbg.js`;
const exArgs = (cmds: string[]) => cmds.flatMap((c) => ['-ex', c]);
const pids = (lines: string[]) => lines.map((l) => l.replace(/\(process \d+\)/, '(process PID)'));
const gdbLines = (cmds: string[], prog: string) => pids(mergedLines(['gdb', '-batch', '-nx', ...exArgs(cmds), prog]));
const ourLines = (cmds: string[], prog: string, env: Record<string, string> = {}) =>
  pids(mergedLines(['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'node', tsdbg, 'run', '--batch', ...exArgs(cmds), prog]));

/** Both kinds: [our setting, gdb's setting, our environment]. */
const KINDS = (): [string, string, Record<string, string>][] => [
  ['1', debugRegistersTrap() ? '1' : '0', {}],
  ['0', '0', {}],
  ['1', '0', { TSDBG_DEBUG_REGS: 'notrap' }],
];

describe('watched values print with their type, as gdb', () => {
  const prog = fixture('watch_types');
  const cases: [string, string[]][] = [
    ['d', ['Old value = 1.5', 'New value = 2.25']],
    ['ch', ["Old value = 65 'A'", "New value = 66 'B'"]],
    ['col', ['Old value = RED', 'New value = BLUE']],
    ['flag', ['Old value = false', 'New value = true']],
    ['s', ['Old value = {a = 1, b = 2}', 'New value = {a = 1, b = 5}', 'Old value = {a = 1, b = 5}', 'New value = {a = 7, b = 5}']],
    ['s.b', ['Old value = 5', 'New value = 8']],
    ['arr', ['Old value = {1, 2, 3, 4}', 'New value = {1, 2, 3, 40}', 'New value = {1, 20, 3, 40}']],
    ['arr[3]', ['Old value = 4', 'New value = 40']],
    ['p', ['Old value = (struct node *) 0x404020 <n1>', 'New value = (struct node *) 0x404030 <n2>']],
    ['*p', ['Old value = {next = 0x0, x = 1}', 'New value = {next = 0x0, x = 10}', 'New value = {next = 0x0, x = 2}']],
  ];
  for (const [expr, expected] of cases) {
    it(`watch ${expr}`, () => {
      for (const [mine, gdbs, env] of KINDS()) {
        const session = ['break main', 'run', `watch ${expr}`, 'continue', 'continue'];
        const ours = ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog, env);
        expect(ours).toEqual(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog));
        for (const line of expected) expect(ours).toContain(line);
      }
    });
  }
});

describe('objects of other sizes, the debug registers they take, and the fifth watch', () => {
  const prog = fixture('watch_types');

  it('16 bytes and an unaligned int are hardware (several registers); 40 bytes is a software watchpoint', () => {
    for (const [expr, hw, expected] of [['wide', true, 'New value = 3'], ['un.v', true, 'New value = 6'],
      ['bigs', false, 'New value = {w = {0, 0, 0, 0, 9}}']] as const) {
      for (const [mine, gdbs, env] of KINDS()) {
        const session = ['break main', 'run', `watch ${expr}`, 'continue', 'info watchpoints'];
        const ours = ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog, env);
        // `info watchpoints` is compared by its rows (its header width is not this helper's)
        const strip = (l: string[]) => l.filter((x) => !x.startsWith('Num '));
        expect(strip(ours)).toEqual(strip(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog)));
        expect(ours).toContain(expected);
        const hardware = hw && gdbs === '1';
        expect(ours).toContain(`${hardware ? 'Hardware watchpoint' : 'Watchpoint'} 2: ${expr}`);
      }
    }
  });

  it('more watches than the four debug registers: accepted, then each resume refused naming the one gdb names', () => {
    // five one-register watches; then 2 + 2 (wide; p->x watches p too) + 1, where wide is the one left out
    for (const [watches, failing] of [[['d', 'ch', 'col', 'counter', 'flag'], 5], [['wide', 'p->x', 'flag'], 2]] as const) {
      for (const [mine, gdbs, env] of KINDS()) {
        const session = ['break main', 'run', ...watches.map((w) => `watch ${w}`), 'continue', 'delete 3', 'continue', 'continue'];
        const ours = ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog, env);
        expect(ours).toEqual(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog));
        const refused = ['Warning:', `Could not insert hardware watchpoint ${failing}.`, 'Could not insert hardware breakpoints:',
          'You may have requested too many hardware breakpoints/watchpoints.', '', 'Command aborted.'].join('\n');
        expect(ours.join('\n').includes(refused)).toBe(gdbs === '1');
      }
    }
  });
});

describe('watch p->x watches p as well', () => {
  it('fires when p->x is written and when p is pointed elsewhere, then follows the new p->x', () => {
    const prog = fixture('watch_types');
    for (const [mine, gdbs, env] of KINDS()) {
      const session = ['break main', 'run', 'watch p->x', 'continue', 'continue', 'continue', 'continue'];
      const ours = ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog, env);
      expect(ours).toEqual(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog));
      const text = ours.join('\n');
      expect(text).toMatch(/Old value = 1\nNew value = 10\nmain \(\) at \S*watch_types\.c:44\n/);
      expect(text).toMatch(/Old value = 10\nNew value = 2\nmain \(\) at \S*watch_types\.c:45\n/);
      expect(text).toMatch(/Old value = 2\nNew value = 20\n/);
    }
  });

  it('watch *p and p->x together: one write reports both, and deleting *p keeps p->x (the register for p is shared)', () => {
    const prog = fixture('watch_types');
    for (const [mine, gdbs, env] of KINDS()) {
      const session = ['break main', 'run', 'watch *p', 'watch p->x', 'continue', 'delete 2', 'continue', 'continue'];
      const ours = ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog, env);
      expect(ours).toEqual(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog));
      const text = ours.join('\n');
      expect(text).toMatch(/ 2: \*p\n\nOld value = \{next = 0x0, x = 1\}\nNew value = \{next = 0x0, x = 10\}\n\n(Hardware w|W)atchpoint 3: p->x\n\nOld value = 1\nNew value = 10\n/);
      expect(text).toMatch(/Old value = 2\nNew value = 20\n/);
    }
  });
});

describe('rwatch and awatch, as gdb on x86 (a read watchpoint is an access one; one report per location)', () => {
  it('a write is not a read; awatch p->x reports a write as Old/New then Value; hit counts per location', () => {
    const prog = fixture('watch_types');
    const traps = debugRegistersTrap();
    for (const cmd of ['rwatch d', 'awatch s', 'rwatch p->x', 'awatch p->x', 'rwatch bigs']) {
      const session = ['break main', 'run', cmd, 'continue', 'continue', 'continue', 'info watchpoints'];
      const ours = ourLines(session, prog);
      if (traps) {
        // (`info watchpoints` too: after the exit gdb's Address column is narrow, its Type column fits `read watchpoint`)
        expect(ours).toEqual(gdbLines(session, prog));
      } else {
        // read/access watchpoints need debug registers that trap
        expect(ours).toContain("Can't set read/access watchpoint when hardware watchpoints are disabled.");
      }
    }
    if (traps) {
      const text = ourLines(['break main', 'run', 'awatch p->x', 'continue', 'continue', 'info watchpoints'], prog).join('\n');
      expect(text).toContain('Hardware access (read/write) watchpoint 2: p->x\n\nOld value = 1\nNew value = 10\n\n' +
        'Hardware access (read/write) watchpoint 2: p->x\n\nValue = 10\n');
      expect(text).toContain('breakpoint already hit 4 times');
    }
  });
});

describe('tsdbg serve and a 16-byte watch from gdb', () => {
  it('Z2 of any length is taken as aligned pieces (as gdbserver); gdb sees the write', async () => {
    requireFreshServerBuild();
    const prog = fixture('watch_types');
    const traps = debugRegistersTrap();
    const server = await startListening('node', [tsdbg, 'serve', '--listen', '127.0.0.1:0', '--once', prog]);
    try {
      // where the debug registers do not trap the server refuses Z2: gdb is told to use software ones
      const lines = mergedLines(['gdb', '-batch', '-nx', ...exArgs([`set can-use-hw-watchpoints ${traps ? 1 : 0}`,
        `target remote 127.0.0.1:${server.port}`, 'break main', 'continue', 'watch wide', 'continue', 'kill']), prog]).join('\n');
      expect(lines).toContain(`${traps ? 'Hardware watchpoint' : 'Watchpoint'} 2: wide`);
      expect(lines).toMatch(/Old value = 0\nNew value = 3\n/);
    } finally {
      await server.stop();
    }
  });
});
