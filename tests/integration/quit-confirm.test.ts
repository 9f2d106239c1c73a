/**
 * `quit` with a live program asks at a terminal, like gdb:
 *   A debugging session is active. ... Quit anyway? (y or n)
 * and never in batch mode or at end of input. The terminal is a real pty
 * (util-linux `script`), typed into as a person would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { testHome } from './pty-util.js';
import { SESSION_MS, waitFor } from '../setup/wait.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => { for (const c of children.splice(0)) c.kill('SIGKILL'); });

function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

const until = waitFor;

/** tsdbg run on a pty; type() sends a line once `after` has appeared (counted from the last wait). */
function terminal(prog: string) {
  const child = spawn('script', ['-qfec', `node ${TSDBG} run ${prog}`, '/dev/null'], { env: { ...process.env, TERM: 'dumb', HOME: testHome(), TSDBG_TUI: 'off' } });
  children.push(child);
  let out = '';
  let seen = 0;
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    output: () => out,
    exited,
    async waitFor(text: string): Promise<void> {
      await until(() => out.indexOf(text, seen) >= 0, () => `${JSON.stringify(text)} in:\n${out}`);
      seen = out.indexOf(text, seen) + text.length;
    },
    send(keys: string): void { child.stdin.write(keys); },
  };
}

const pidOf = (out: string) => Number(/Inferior 1 \[process (\d+)\] will be killed\./.exec(out)?.[1]);

/** A session at a terminal, stopped at a breakpoint in inner(). */
async function stoppedInInner(): Promise<ReturnType<typeof terminal>> {
  const t = terminal(fixture('frames'));
  await t.waitFor('(tsdbg) ');
  t.send('break inner\r');
  await t.waitFor('(tsdbg) ');
  t.send('run\r');
  await t.waitFor('Breakpoint 1, inner');
  await t.waitFor('(tsdbg) ');
  return t;
}

describe('quit with a live program', () => {
  it('asks at a terminal; n keeps the session, y kills the program and quits', async () => {
    const t = await stoppedInInner();
    t.send('quit\r');
    await t.waitFor('Quit anyway? (y or n) ');
    expect(t.output()).toMatch(/A debugging session is active\.\r?\n\r?\n\tInferior 1 \[process \d+\] will be killed\.\r?\n\r?\nQuit anyway\? \(y or n\) $/);
    const pid = pidOf(t.output());
    t.send('maybe\r');
    await t.waitFor('Please answer y or n.');
    await t.waitFor('Quit anyway? (y or n) ');
    t.send('n\r');
    await t.waitFor('Not confirmed.');
    await t.waitFor('(tsdbg) ');
    expect(alive(pid)).toBe(true);
    t.send('p c\r');
    await t.waitFor('$1 = 14');
    t.send('quit\r');
    await t.waitFor('Quit anyway? (y or n) ');
    t.send('y\r');
    expect(await t.exited).toBe(0);
    await until(() => !alive(pid), `process ${pid} to be gone`);
  });

  it('does not ask at end of input (Ctrl-D) or without a program', async () => {
    const t = await stoppedInInner();
    t.send('info proc\r');
    await t.waitFor('cmdline');
    const pid = Number(/^process (\d+)/m.exec(t.output())?.[1]);
    t.send('\x04');
    expect(await t.exited).toBe(0);
    expect(t.output()).not.toContain('Quit anyway');
    await until(() => !alive(pid), `process ${pid} to be gone`);

    const idle = terminal(fixture('frames'));
    await idle.waitFor('(tsdbg) ');
    idle.send('quit\r');
    expect(await idle.exited).toBe(0);
    expect(idle.output()).not.toContain('Quit anyway');
  });

  it('never waits for an answer in batch mode: answers yes and says so, as gdb -batch does', () => {
    const r = spawnSync('node', [TSDBG, 'run', '--batch', fixture('frames')], {
      input: 'break inner\nrun\nquit\n', encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL',
    });
    expect(r.stdout).toContain('Breakpoint 1, inner');
    expect(r.stdout).toMatch(/^A debugging session is active\.\n\n\tInferior 1 \[process \d+\] will be killed\.\n\nQuit anyway\? \(y or n\) \[answered Y; input not from terminal\]$/m);
    expect(r.status).toBe(0);
  });
});
