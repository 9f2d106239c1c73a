/**
 * `finish` out of a function marked noreturn (DW_AT_noreturn): gdb asks
 * "does not return normally" first for a typed command (answered yes
 * without a terminal), not for a script's (-ex in batch mode).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';
import { build, compareWithGdb } from './gdb-compare.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');

function lines(cmd: string[], input: string): string[] {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { input, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
  return `${r.stdout}${r.stderr}`.split('\n')
    .map((l) => l.replace(/^(\(gdb\) )+/, '').replace(/process \d+/g, 'process N').trimEnd())
    .filter((l) => /^(warning|Try to finish|Run till exit|\[Inferior 1|giving up)/.test(l));
}

describe('finish out of a noreturn function', () => {
  it('typed: the question, answered, then Run till exit; batch -ex: neither', () => {
    const prog = build('tests/fixtures/noreturn_finish.c', 'noreturn_finish-O0', '-O0');
    const input = 'break give_up\nrun\nfinish\n';
    const gdb = lines(['gdb', '-nx', '-q', prog], input);
    const ours = lines(['node', TSDBG, 'run', prog], input);
    expect(gdb).toContain('Try to finish anyway? (y or n) [answered Y; input not from terminal]');
    expect(ours).toEqual(gdb);
    compareWithGdb(prog, /^giving up/, ['break give_up', 'run', 'finish']);
  });
});
