/**
 * The suite's leak check (tests/setup/) must itself be able to fail: real
 * `sleep` processes left behind are found, named and killed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER_VAR, findOwned, ownerEnv, reapLeaks, trackPid } from '../setup/leaks.js';
import { ROOT, alive } from './rsp-util.js';
import { SESSION_MS, WAIT_MS } from '../setup/wait.js';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
});

/** A detached `sleep 1000` (it outlives its parent's interest, as an orphaned tracee would). */
function sleeper(env: NodeJS.ProcessEnv, argv = ['sleep', '1000']): number {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

describe('the leak check', () => {
  it('finds a child left running by the current test and kills it', async () => {
    const me = process.env[OWNER_VAR]!;
    expect(me).toMatch(/:tests\/integration\/leak-check\.test\.ts:/);
    const pid = sleeper(process.env);
    expect(findOwned(me, true).map((l) => l.pid)).toContain(pid);
    const leaks = await reapLeaks(me, true, 0);
    expect(leaks).toEqual([{ pid, exe: '/usr/bin/sleep', cmdline: 'sleep 1000', owner: me }]);
    expect(await alive(pid)).toBe(false);
    expect(findOwned(me, true)).toEqual([]);
  });

  it('sees a process with a cleaned environment once registered, or given ownerEnv()', async () => {
    const me = process.env[OWNER_VAR]!;
    const bare = sleeper({});
    expect(findOwned(me, true).map((l) => l.pid)).not.toContain(bare);
    trackPid(bare);
    const marked = sleeper({}, ['env', '-i', ...Object.entries(ownerEnv()).map(([k, v]) => `${k}=${v}`), 'sleep', '1000']);
    await expect.poll(() => findOwned(me, true).map((l) => l.pid).sort(), { timeout: WAIT_MS }).toEqual([bare, marked].sort());
    expect((await reapLeaks(me, true, 0)).map((l) => l.pid).sort()).toEqual([bare, marked].sort());
    expect(await alive(bare)).toBe(false);
    expect(await alive(marked)).toBe(false);
  });

  /** A vitest of its own over tests/setup/fixtures/leaky.test.ts: its exit status, output, and the pids it left. */
  async function leakyRun(args: string[], env: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--root', '.', '--config', 'tests/setup/fixtures/vitest.config.ts', ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL',
      env: { ...process.env, TSDBG_LEAK_GRACE_MS: '500', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    });
    const out = r.stdout + r.stderr;
    const leaked = [...out.matchAll(/LEAKED (\d+)/g)].map((m) => Number(m[1]));
    started.push(...leaked);
    for (const pid of leaked) expect(await alive(pid), `pid ${pid} still running:\n${out}`).toBe(false);
    return { status: r.status, out, leaked };
  }

  it('fails the test, and the file, that leave a process behind: a vitest run of its own', async () => {
    const { status, out, leaked } = await leakyRun([]);
    expect(status, out).toBe(1);
    expect(leaked).toHaveLength(5);
    for (const pid of leaked) expect(out).toContain(`pid ${pid} exe /usr/bin/sleep cmdline: sleep 1000`);
    expect(out).toMatch(/test "leaks a child that inherits the environment" left 1 process running \(killed now\)/);
    expect(out).toMatch(/test "leaks a child started with an empty environment, registered" left 1 process running/);
    // the way threads-edge once left `threads-edge spin` behind: a test timed out while its program ran
    expect(out).toMatch(/test "times out waiting for an event that never comes, its child still running" left 1 process running/);
    expect(out).toMatch(/tests\/setup\/fixtures\/leaky\.test\.ts left 1 process running/);
    expect(out).toMatch(/the leaky tests left 1 process running/);     // the run's last sweep
    expect(out).toMatch(/Tests +3 failed \| 2 passed \(5\)/);
  });

  it('fails a run whose tests all passed when its last sweep finds a process', async () => {
    const { status, out, leaked } = await leakyRun(['-t', 'only the run'], { LEAKY_SWEEP_ONLY: '1' });
    expect(leaked).toHaveLength(1);
    expect(out).toMatch(/Tests +1 passed \| 4 skipped \(5\)/);
    expect(out).toContain(`the leaky tests left 1 process running (killed now):\n  pid ${leaked[0]} exe /usr/bin/sleep`);
    expect(status, out).toBe(1);
  });
});
