/**
 * The ways a `tsdbg serve` ends that the other tests do not take (they stop
 * it with SIGTERM or a vanished client): SIGHUP, as a dropped SSH session
 * sends, and SIGKILL, which no handler sees. What it started must die with it
 * (PTRACE_O_EXITKILL); what it attached to must go on running, untraced.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alive, example, hasRun, ROOT, startListening, stopChild, until, type Spawned } from './rsp-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function serve(args: string[]): Promise<Spawned> {
  const s = await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', ...args]);
  cleanup.push(() => s.stop());
  return s;
}

/** utime + stime of `pid`, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const tracer = (pid: number) => Number(/TracerPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]);

describe('tsdbg serve ends', () => {
  for (const sig of ['SIGHUP', 'SIGKILL'] as const) {
    it(`by ${sig}: the program it started dies with it`, async () => {
      const s = await serve([example('hot_loop'), '100000000000']);
      const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
      expect(await alive(pid)).toBe(true);
      s.child.kill(sig);
      await stopChild(s.child);
      expect(s.child.signalCode ?? s.child.exitCode).toBe(sig === 'SIGKILL' ? 'SIGKILL' : 129);
      await until(async () => !(await alive(pid)), `process ${pid} to die with its tracer`);
    });
  }

  it('by SIGKILL with a program it attached to: that one runs on, traced by no one', async () => {
    const victim = spawn(example('hot_loop'), ['100000000000'], { stdio: 'ignore' });
    cleanup.push(() => { victim.kill('SIGKILL'); });
    await until(() => hasRun(victim.pid!, example('hot_loop')), 'the program to run its loop');
    const s = await serve(['--attach', String(victim.pid)]);
    expect(tracer(victim.pid!)).toBe(s.child.pid);
    s.child.kill('SIGKILL');
    await stopChild(s.child);
    await until(() => tracer(victim.pid!) === 0, `process ${victim.pid} to be untraced`);
    expect(await alive(victim.pid!)).toBe(true);
    const t0 = cpuTicks(victim.pid!);
    await until(() => cpuTicks(victim.pid!) > t0, `process ${victim.pid} to run on (not left stopped)`);
  });
});
