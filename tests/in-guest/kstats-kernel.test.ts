/**
 * `info kstats` with tracer.ko (kernel-patch/tracer) loaded in the guest: the first
 * call asks the module to count the process, the next ones show the counts and their
 * change since the previous stop; without the module, one clear line. Runs inside the
 * guest only (vitest project `in-guest`): tests/guest/guest-suite.ts builds the modules
 * for the booted kernel and writes their directory into the share's tracer.dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, example, startListening, type Spawned } from '../integration/rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const share = process.env.TSDBG_VM_SHARE ?? '';
const moduleDir = (): string => readFileSync(path.join(share, 'tracer.dir'), 'utf8').trim();

function tsdbgBatch(args: string[], script: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/tsdbg.js'), 'run', '--batch', ...args], {
    input: `${script.join('\n')}\n`, encoding: 'utf8', timeout: 120_000,
  });
}

function busybox(...args: string[]): void {
  const r = spawnSync('busybox', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`busybox ${args.join(' ')}: ${r.stderr.trim()}`);
}

const servers: Spawned[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  if (existsSync('/proc/tracer')) busybox('rmmod', 'tracer');
});

/** `tsdbg connect --batch -ex ... HOST:PORT`: its stdout and stderr together. */
function connectBatch(port: number, commands: string[]): Promise<string> {
  const args = [path.join(ROOT, 'bin/tsdbg.js'), 'connect', '--batch', ...commands.flatMap((c) => ['-ex', c]), `127.0.0.1:${port}`];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tsdbg connect timed out:\n${out}`)); }, SESSION_MS);
    child.on('exit', () => { clearTimeout(timer); resolve(out); });
  });
}

const NOT_LOADED = 'The kernel tracer is not loaded (no /proc/tracer): load kernel-patch/tracer\'s tracer.ko to count kernel operations.';

describe('info kstats', () => {
  it('says in one line that the tracer is not loaded', () => {
    expect(existsSync('/proc/tracer')).toBe(false);
    const r = tsdbgBatch([example('linked_list')], ['break print_list', 'run', 'info kstats', 'kill']);
    expect(r.stderr.split('\n'), r.stdout).toContain(NOT_LOADED);
  });

  it('counts the process from the first call and shows the change since the previous stop', () => {
    busybox('insmod', path.join(moduleDir(), 'tracer.ko'));
    const r = tsdbgBatch([example('linked_list')], [
      'break print_list', 'run', 'info kstats', 'continue', 'info kstats', 'kill',
    ]);
    expect(r.stderr, r.stdout).toBe('');
    const out = r.stdout;
    const pid = /Counting the kernel operations of process (\d+) from now on\./.exec(out)?.[1];
    expect(pid, out).toBeDefined();
    expect(out).toContain(`Kernel operations of process ${pid} (tracer.ko):`);
    expect(out).toContain(`Kernel operations of process ${pid} (tracer.ko), and their change since the previous stop:`);
    // The second table: every counter with its change; the process stopped (ptrace stop:
    // schedule()) and ran between the two stops, so sched grew.
    const second = out.slice(out.indexOf('change since the previous stop:'));
    for (const c of ['kmalloc', 'kfree', 'kmalloc_mem', 'kfree_mem', 'sched', 'up', 'down', 'lock', 'unlock']) {
      expect(second, c).toMatch(new RegExp(`^${c}\\s+\\d+  \\+\\d+$`, 'm'));
    }
    const sched = /^sched\s+(\d+)  \+(\d+)$/m.exec(second)!;
    expect(Number(sched[2])).toBeGreaterThan(0);
    expect(Number(sched[1])).toBeGreaterThanOrEqual(Number(sched[2]));
    busybox('rmmod', 'tracer');
    expect(existsSync('/proc/tracer')).toBe(false);
  });

  it('over tsdbg connect, tsdbg serve reads the counts on its machine', async () => {
    busybox('insmod', path.join(moduleDir(), 'tracer.ko'));
    const s = await startListening(process.execPath, [path.join(ROOT, 'bin/tsdbg.js'), 'serve', '--listen', '127.0.0.1:0', '--once', example('linked_list')]);
    servers.push(s);
    const out = await connectBatch(s.port, ['break print_list', 'continue', 'info kstats', 'continue', 'info kstats', 'kill']);
    const pid = /Counting the kernel operations of process (\d+) from now on\./.exec(out)?.[1];
    expect(pid, out).toBeDefined();
    expect(out).toContain(`Kernel operations of process ${pid} (tracer.ko), and their change since the previous stop:`);
    const sched = /^sched\s+(\d+)  \+(\d+)$/m.exec(out);
    expect(sched, out).not.toBeNull();
    expect(Number(sched![2])).toBeGreaterThan(0);
    busybox('rmmod', 'tracer');
    expect(existsSync('/proc/tracer')).toBe(false);
  });
});
