/**
 * x/sh and x/sw (strings of char16_t and char32_t) beside gdb 13, line for
 * line, on the file before the run and on the live process: escapes (\205,
 * \xffff, a hex digit after a hex escape), UTF-16 surrogate pairs, repeats,
 * `print elements`, the next address, x/sg's warning, unreadable memory.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const STRINGS = ['x/sw a', 'x/sh b', 'x/sh r', 'x/sh e', 'x/2sh hello', 'x/sw wide', 'x/sh 0', 'x/sw 8'];
const SCRIPT = [
  ...STRINGS, 'set print elements 4', 'x/sh r', 'x/sw a', 'x', 'x/2xh b', 'x/sh', 'x/sg a', 'set print elements 200',
  'break main', 'run', ...STRINGS, 'kill',
];

function session(argv: string[]): string[] {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT, env: { ...process.env, LANG: 'C.UTF-8' } });
  // the lines x prints (an address, a tab), the warning, and the breakpoint stop
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^0x[0-9a-f]+( <[^>]+>)?:\t|^warning: |^Breakpoint 1, /.test(l));
}

describe('x/sh and x/sw, as gdb', () => {
  it('char16_t and char32_t strings, before the run and on the live process', () => {
    const prog = fixture('wide_strings');
    const ex = SCRIPT.flatMap((c) => ['-ex', c]);
    const gdb = session(['gdb', '-nx', '-batch', ...ex, prog]);
    const ours = session([process.execPath, TSDBG, 'run', '--batch', ...ex, prog]);
    // (the reference shows what the test is about)
    expect(gdb.some((l) => l.endsWith(':\tu\'A\' <repeats 12 times>, "B"'))).toBe(true);
    expect(gdb.some((l) => l.endsWith(':\tu"😀\\xd800\\101\\xdc00\\205"'))).toBe(true);
    expect(gdb.length).toBeGreaterThan(20);
    expect(ours).toEqual(gdb);
  });
});
