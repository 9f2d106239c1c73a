/**
 * `clear` and `delete` as gdb 13 has them: `clear` deletes the breakpoints
 * at the selected line (`clear FUNCTION`, `clear [FILE:]LINE` those there)
 * and names them when typed; `delete` with no argument asks first when
 * typed, answered at a terminal, auto-answered on a pipe, not asked in batch.
 * Each script runs through gdb and tsdbg for a line-for-line comparison.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { mergedLines } from './gdb-compare.js';
import { ROOT } from './rsp-util.js';
import { BOTH, killTerminals } from './pty-util.js';

afterEach(() => killTerminals());

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const SCRIPT = [
  'clear', 'clear 99', 'clear nosuch', 'break main', 'clear main', 'break 33', 'clear 33',
  'break inner', 'break 9', 'break middle', 'run', 'clear', 'clear', 'clear middle', 'clear frames.c:9', 'info breakpoints',
  'break main', 'break outer', 'delete', 'info breakpoints', 'delete', 'kill',
];

const noPid = (l: string) => l.replace(/process \d+/g, 'process N');
/** Differences outside clear/delete, left to their own fixes: gdb's "Note: breakpoint N also set at pc" and the space after "Starting program: PROG". */
const elsewhere = (lines: string[]) => lines.filter((l) => !/^Note: breakpoints? .* also set at pc/.test(l)).map((l) => l.replace(/^(Starting program: \S+) $/, '$1'));

/** Both on the same stdin pipe (commands count as typed; questions answer themselves). */
function piped(lines: string[]): { gdb: string[]; tsdbg: string[] } {
  const input = lines.join('\n') + '\n';
  const prog = fixture('frames');
  const g = mergedLines(['sh', '-c', `printf '%s' "$1" | gdb -q -nx -iex 'set style enabled off' ${prog}`, 'sh', input])
    .map((l) => l.replace(/\(gdb\) /g, '')).filter((l) => !/^Reading symbols from/.test(l));
  const t = mergedLines(['sh', '-c', `printf '%s' "$1" | node ${TSDBG} run ${prog}`, 'sh', input]);
  return { gdb: g.filter((l) => l !== '').map(noPid), tsdbg: t.filter((l) => l !== '').map(noPid) };
}

describe('clear and delete, against gdb', () => {
  it('typed on a pipe: the same lines', () => {
    const r = piped(SCRIPT);
    expect(r.tsdbg).toContain('Deleted breakpoint 5 ');
    expect(r.tsdbg).toContain('Deleted breakpoints 3 4 ');
    expect(r.tsdbg).toContain('Delete all breakpoints? (y or n) [answered Y; input not from terminal]');
    expect(elsewhere(r.tsdbg).join('\n')).toBe(elsewhere(r.gdb).join('\n'));
  });

  it('in batch mode: deleted silently, nothing asked', () => {
    const prog = fixture('frames');
    const args = SCRIPT.flatMap((c) => ['-ex', c]);
    const g = mergedLines(['gdb', '-batch', '-nx', '-iex', 'set style enabled off', ...args, prog]);
    const t = mergedLines(['node', TSDBG, 'run', '--batch', ...args, prog]);
    // one breakpoint cleared: silent; several: named all the same (gdb: "Always report if deleted more than one")
    expect(t).not.toContain('Deleted breakpoint 3 ');
    expect(t).toContain('Deleted breakpoints 3 4 ');
    expect(t.join('\n')).not.toMatch(/Delete all/);
    expect(elsewhere(t.filter((l) => l !== '').map(noPid)).join('\n')).toBe(elsewhere(g.filter((l) => l !== '').map(noPid)).join('\n'));
  });

  for (const { who, start, prompt } of BOTH) {
    it(`${who} at a terminal: delete asks; n keeps them, y deletes them`, async () => {
      const t = start(fixture('frames'));
      await t.waitFor(prompt);
      t.send('break main\r');
      await t.waitFor(prompt);
      // `delete`, answered; then what `info breakpoints` shows
      const deleteAnswering = async (answer: 'n' | 'y', shows: string | RegExp) => {
        t.send('delete\r');
        await t.waitFor('Delete all breakpoints? (y or n) ');
        t.send(`${answer}\r`);
        await t.waitFor(prompt);
        t.send('info breakpoints\r');
        await t.waitFor(shows);
        await t.waitFor(prompt);
      };
      await deleteAnswering('n', /1\s+breakpoint\s+keep y/);
      await deleteAnswering('y', 'No breakpoints or watchpoints.');
      t.send('delete\r');   // none left: nothing to ask
      await t.waitFor(prompt);
      expect(t.since()).not.toContain('Delete all');
      t.send('quit\r');
      await t.exited;
    });
  }
});
