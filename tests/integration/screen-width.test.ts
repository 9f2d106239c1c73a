/**
 * gdb wraps its console at its width on a pipe too (readline's screen size: the terminal on stdin,
 * else $COLUMNS, else 80; one less where TERM is dumb, unknown or unset), and `set width` changes it.
 * The fixture is built under a long directory so its frame lines pass 80 columns wherever the
 * repository lives (CI clones it under a longer path than a developer's checkout).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './rsp-util.js';
import { mergedLines } from './gdb-compare.js';
import { TSDBG } from './pty-util.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsdbg-a-directory-name-long-enough-to-wrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const src = path.join(dir, 'sub', 'frames.c');
mkdirSync(path.dirname(src));
copyFileSync(path.join(ROOT, 'tests', 'fixtures', 'frames.c'), src);
const prog = path.join(dir, 'frames');
execFileSync('gcc', ['-g', '-O0', '-fno-omit-frame-pointer', '-o', prog, src]);

const noPid = (l: string) => l.replace(/process \d+/g, 'process N');
const tidy = (ls: string[]) => ls.map((l) => noPid(l).replace(/\(gdb\) /g, '').replace(/^(Starting program: \S+) $/, '$1'))
  .filter((l) => l !== '' && !/^Reading symbols from/.test(l));

/** Both on the same stdin pipe, under the environment `env` (VAR=value, or -u VAR). */
function piped(lines: string[], env: string[]): { gdb: string[]; tsdbg: string[] } {
  const input = lines.join('\n') + '\n';
  const run = (cmd: string) => tidy(mergedLines(['env', ...env, 'sh', '-c', `printf '%s' "$1" | ${cmd} ${prog}`, 'sh', input]));
  return { gdb: run(`gdb -q -nx -iex 'set style enabled off'`), tsdbg: run(`node ${TSDBG} run`) };
}

const session = ['show width', 'break inner', 'run', 'bt', 'up 2', 'info breakpoints', 'set width 60', 'show width', 'bt',
  'set width 0', 'show width', 'bt', 'set width unlimited', 'set width -1', 'set width', 'set width 200', 'bt 1', 'kill'];

describe('the console width on a pipe, as gdb', () => {
  for (const [what, env] of [
    ['no TERM: 79 columns', ['-u', 'TERM', '-u', 'COLUMNS']],
    ['TERM=dumb: 79 columns', ['-u', 'COLUMNS', 'TERM=dumb']],
    ['TERM=xterm: 80 columns', ['-u', 'COLUMNS', 'TERM=xterm']],
    ['COLUMNS=100', ['TERM=xterm', 'COLUMNS=100']],
  ] as const) {
    it(`${what}; set width changes it, 0 and unlimited turn it off`, () => {
      const r = piped(session, [...env]);
      // the long frame lines are broken before " at FILE:LINE"
      expect(r.tsdbg.some((l) => /^ {4}at \/.*frames\.c:\d+$/.test(l))).toBe(true);
      expect(r.tsdbg).toContain('Number of characters gdb thinks are in a line is unlimited.');
      expect(r.tsdbg).toContain('integer -1 out of range');
      expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
    });
  }

  it('batch mode never wraps', () => {
    const ex = ['break inner', 'run', 'bt', 'show width', 'kill'].flatMap((c) => ['-ex', c]);
    const g = tidy(mergedLines(['gdb', '-batch', '-nx', '-iex', 'set style enabled off', ...ex, prog]));
    const t = tidy(mergedLines(['node', TSDBG, 'run', '--batch', ...ex, prog]));
    expect(t.some((l) => / in middle \(b=4\) at \/.*frames\.c:18$/.test(l))).toBe(true);
    expect(t.join('\n')).toBe(g.join('\n'));
  });
});

describe('set confirm off', () => {
  it('asks nothing and takes the default, as gdb', () => {
    const r = piped(['show confirm', 'set confirm off', 'show confirm', 'break inner', 'run', 'run', 'kill', 'set confirm maybe'],
      ['-u', 'TERM']);
    expect(r.tsdbg.join('\n')).not.toMatch(/\(y or n\)/);
    expect(r.tsdbg).toContain('Whether to confirm potentially dangerous operations is off.');
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });
});
