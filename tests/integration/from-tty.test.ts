/**
 * gdb's from_tty: the commentary gdb prints for a command a person gave
 * (Starting program, Continuing., Run till exit from, Will ignore next N
 * crossings, Continuing with no signal) and leaves out for a script (-ex
 * in batch mode, -x files). Its questions (kill, quit) are asked either way,
 * and answered yes without a terminal. The same commands go to gdb and to
 * tsdbg, as -ex options in batch mode and then on a pipe; the lines of that
 * kind must be the same, in the same order.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const PROG = join(ROOT, 'examples/bin/struct_loop');
const TSDBG = join(ROOT, 'bin/tsdbg.js');
const SCRIPT = ['break tick', 'run', 'continue', 'continue 2', 'continue 3', 'finish', 'signal 0', 'kill', 'start', 'quit'];
const KIND = /^(Starting program|Continuing|Run till exit|Will ignore|Not stopped|Kill the program|Quit anyway|A debugging session|\tInferior 1|\[Inferior 1|Temporary breakpoint 2,)/;

function lines(out: string): string[] {
  return out.split('\n')
    .map((l) => l.replace(/^(\(gdb\) )+/, '').replace(/process \d+/g, 'process N').trimEnd())
    .filter((l) => KIND.test(l));
}

function run(cmd: string[], input?: string): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { input: input ?? '', encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
  return `${r.stdout}${r.stderr}`;
}

describe('commentary for typed commands only, as gdb (from_tty)', () => {
  it('batch mode, -ex: none of it; the questions still show, answered', () => {
    const ex = SCRIPT.flatMap((c) => ['-ex', c]);
    const gdb = lines(run(['gdb', '-nx', '-batch', ...ex, PROG]));
    const ours = lines(run(['node', TSDBG, 'run', '--batch', ...ex, PROG]));
    expect(gdb).toContain('Kill the program being debugged? (y or n) [answered Y; input not from terminal]');
    expect(gdb.some((l) => l.startsWith('Continuing'))).toBe(false);
    expect(ours).toEqual(gdb);
  });

  it('commands on a pipe count as typed: all of it', () => {
    const input = `${SCRIPT.join('\n')}\n`;
    const gdb = lines(run(['gdb', '-nx', '-q', PROG], input));
    const ours = lines(run(['node', TSDBG, 'run', PROG], input));
    expect(gdb).toContain('Continuing.');
    expect(gdb).toContain('Will ignore next crossing of breakpoint 1.  Continuing.');
    expect(gdb).toContain('Will ignore next 2 crossings of breakpoint 1.  Continuing.');
    expect(gdb).toContain('Continuing with no signal.');
    expect(ours).toEqual(gdb);
  });
});
