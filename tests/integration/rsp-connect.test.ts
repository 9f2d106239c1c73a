/**
 * `tsdbg connect` (the built CLI) against Debian's gdbserver and against
 * `tsdbg serve`; and RemoteTarget against tsdbg serve, client and server of
 * ours on both ends of the wire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { alive, example, ROOT, startListening, stopChild, symbol, until, type Spawned } from './rsp-util.js';
import { SESSION_MS, WAIT_MS } from '../setup/wait.js';
import { writeWatch } from './watch-util.js';
import { testHome } from './pty-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

async function server(kind: 'gdbserver' | 'tsdbg', prog: string, args: string[] = []): Promise<Spawned> {
  const s = kind === 'gdbserver'
    ? await startListening('gdbserver', ['--once', '127.0.0.1:0', prog, ...args])
    : await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '--once', prog, ...args]);
  cleanup.push(() => s.stop());
  return s;
}

function connect(port: number, commands: string[]): Promise<{ out: string; code: number | null }> {
  const args = [TSDBG, 'connect', '--batch'];
  for (const c of commands) args.push('-ex', c);
  args.push(`127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    const child = spawn('node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tsdbg connect timed out:\n${out}`)); }, SESSION_MS);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ out, code }); });
  });
}

const SCENARIO = ['break tick', 'continue', 'info registers rip', 'x/4dw &pt', 'stepi', 'print pt', 'delete', 'continue'];

describe.each(['gdbserver', 'tsdbg'] as const)('tsdbg connect to %s', (kind) => {
  it('breaks, reads registers and memory, steps and runs to exit', async () => {
    const s = await server(kind, example('struct_loop'));
    const { out, code } = await connect(s.port, SCENARIO);
    expect(out).toContain(`Remote debugging using 127.0.0.1:${s.port}`);
    expect(out).toMatch(/Breakpoint 1, tick \(p=0x[0-9a-f]+ <pt>\) at struct_loop\.c:17/);
    expect(out).toMatch(/^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+8>$/m);
    expect(out).toMatch(/<pt>:\t1\t2\t0\t0/);
    expect(out).toMatch(/= \{x = 1, y = 2, steps = 0, tag = "start/);
    expect(out).toMatch(/exited normally/);
    expect(code).toBe(0);
    await stopChild(s.child);
    // the program's output: O packets from tsdbg serve; gdbserver's program shares its stdout
    expect(kind === 'tsdbg' ? out : s.stdout()).toContain('iter 9: x=11');
  });

  it('announces the threads that appeared between two stops, named as gdb names remote threads', async () => {
    const s = await server(kind, example('threads'));
    const { out, code } = await connect(s.port, ['break bump', 'continue', 'delete', 'break exit', 'continue', 'info threads', 'continue']);
    expect(code).toBe(0);
    const [first, second] = out.split(/^Breakpoint 2 at /m);
    // the stub can only be asked at a stop: the 3 workers are news at the first one
    const born = [...first!.matchAll(/^\[New Thread (\d+)\.(\d+)\]$/gm)];
    expect(born).toHaveLength(3);
    const pid = Number(born[0]![1]);
    expect(born.every((m) => Number(m[1]) === pid && Number(m[2]) !== pid)).toBe(true);
    expect(first).toMatch(/^\[Switching to Thread \d+\.\d+\]\n\nThread \d "threads" hit Breakpoint 1, bump \(id=\d, round=0\)/m);
    // joined before exit(): gone at the second stop, which gdb does not announce
    // over a remote (it prunes its list); only the main thread is left
    expect(second).not.toMatch(/exited\]$/m);
    expect(second).toMatch(/^Thread 1 "threads" hit Breakpoint 2, (__GI_)?exit \(status=0\)/m);
    const rows = second!.split('\n').filter((l) => /^[* ] \d+ +Thread \d+\.\d+ "threads" /.test(l));
    expect(rows).toEqual([expect.stringMatching(new RegExp(`^\\* 1 +Thread ${pid}\\.${pid} "threads" `))]);
    expect(out).toMatch(/exited normally/);
  });

  it('kills the server-started process on quit', async () => {
    const s = await server(kind, example('hot_loop'), ['100000000000']);
    const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
    const { code } = await connect(s.port, ['info registers rip']);
    expect(code).toBe(0);
    await stopChild(s.child);
    expect(await alive(pid)).toBe(false);
  });

  it('kills the server-started process at `quit`, as gdb does (not a detach that leaves it running)', async () => {
    const s = await server(kind, example('hot_loop'), ['100000000000']);
    const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
    const { out, code } = await connect(s.port, ['break step', 'continue', 'quit']);
    expect(out).toMatch(/Breakpoint 1, step/);
    expect(code).toBe(0);
    // checked before the server goes: a detached program would still be running here
    await until(async () => !(await alive(pid)), `process ${pid} to be killed by quit`);
    await stopChild(s.child);
  });

  it('reports a bad command in one line and goes on', async () => {
    const s = await server(kind, example('struct_loop'));
    const { out } = await connect(s.port, ['frobnicate', 'x/2x 0', 'info registers rip']);
    expect(out).toMatch(/Undefined command: "frobnicate"/);
    expect(out).toMatch(/Cannot access memory at address 0x0/);
    // as gdb (and as locally): x names the address on stdout before the error (stderr), so stdout goes on after it
    expect(out).toMatch(/^(0x0:\t)?rip +0x/m);
  });
});

// info kstats reads tracer.ko where the program runs; this host has no tracer.ko (the guest's
// in-guest kstats test has it loaded behind tsdbg serve).
describe('tsdbg connect: info kstats', () => {
  it('asks tsdbg serve, which says the tracer is not loaded on its machine', async () => {
    const s = await server('tsdbg', example('struct_loop'));
    const { out } = await connect(s.port, ['break tick', 'continue', 'info kstats', 'monitor kstats', 'kill']);
    expect(out).toContain("The kernel tracer is not loaded (no /proc/tracer): load kernel-patch/tracer's tracer.ko to count kernel operations (on the remote machine).\n");
    expect(out).toMatch(/^error \(ENOENT\): The kernel tracer is not loaded/m);
  });

  it('says in one line that gdbserver cannot count', async () => {
    const s = await server('gdbserver', example('struct_loop'));
    const { out } = await connect(s.port, ['break tick', 'continue', 'info kstats', 'kill']);
    expect(out).toContain('The remote stub cannot count kernel operations: info kstats needs tsdbg serve on the remote side.\n');
  });
});

describe('tsdbg connect to tsdbg serve: snapshot commands over the wire', () => {
  it('snapshot, diff, restore, checkpoint and rewind run on the remote engine', async () => {
    const s = await server('tsdbg', example('struct_loop'));
    const { out, code } = await connect(s.port, [
      'break tick', 'continue', 'snapshot pt', 'snapshots', 'continue', 'continue', 'snapshot diff pt',
      'restore &pt', 'print pt', 'checkpoint', 'continue', 'rewind', 'print pt.x', 'delete', 'continue',
    ]);
    expect(out).toMatch(/Snapshot of 24 bytes at 0x[0-9a-f]+ \(<pt>\) taken by the remote engine/);
    expect(out).toMatch(/x: 1 -> 3/);
    expect(out).toMatch(/\$1 = \{x = 1, y = 2, steps = 0, tag = "start/);
    expect(out).toMatch(/Checkpoint 1 "c1" at 0x[0-9a-f]+ <tick\+8>/);
    expect(out).toMatch(/Rewound to checkpoint "c1"/);
    expect(out).toContain('$2 = 1');
    expect(out).toContain('iter 2: x=2 y=4 steps=1 tag=start');
    expect(out).toMatch(/exited normally/);
    expect(code).toBe(0);
  });
});

describe('tsdbg connect: quit', () => {
  it('detaches from a process the server attached to, and leaves it running', async () => {
    const prog = spawn(example('hot_loop'), ['100000000000'], { stdio: 'ignore' });
    cleanup.push(async () => { prog.kill('SIGKILL'); });
    const s = await startListening('gdbserver', ['--once', '--attach', '127.0.0.1:0', String(prog.pid)]);
    cleanup.push(() => s.stop());
    const { out, code } = await connect(s.port, ['info registers rip', 'quit']);
    expect(out).toMatch(/^rip +0x/m);
    expect(code).toBe(0);
    await stopChild(s.child);
    expect(await alive(prog.pid!)).toBe(true);
    expect(readFileSync(`/proc/${prog.pid}/status`, 'utf8')).toMatch(/^TracerPid:\s+0$/m);
  });

  it('asks at a terminal before killing the served process', async () => {
    const s = await server('gdbserver', example('hot_loop'), ['100000000000']);
    const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
    const term = spawn('script', ['-qfec', `node ${TSDBG} connect 127.0.0.1:${s.port}`, '/dev/null'], { env: { ...process.env, TERM: 'dumb', HOME: testHome(), TSDBG_TUI: 'off' } });
    cleanup.push(async () => { term.kill('SIGKILL'); });
    let screen = '';
    let seen = 0;
    term.stdout.on('data', (b: Buffer) => { screen += b.toString(); });
    const exited = new Promise<number | null>((r) => term.on('exit', (c) => r(c)));
    // waits for `text` after what was already waited for, then types `keys`
    const after = async (text: string, keys?: string) => {
      await until(() => screen.indexOf(text, seen) >= 0, () => `${JSON.stringify(text)} in:\n${screen}`);
      seen = screen.indexOf(text, seen) + text.length;
      if (keys) term.stdin.write(keys);
    };
    await after('(tsdbg) ', 'quit\r');
    await after(`Inferior 1 [process ${pid}] will be killed.`);
    await after('Quit anyway? (y or n) ', 'n\r');
    await after('Not confirmed.');
    await after('(tsdbg) ');
    expect(await alive(pid)).toBe(true);
    term.stdin.write('quit\r');
    await after('Quit anyway? (y or n) ', 'y\r');
    expect(await exited).toBe(0);
    await until(async () => !(await alive(pid)), `process ${pid} to be killed`);
  });
});

describe('tsdbg connect errors', () => {
  it('says in one line that nothing listens', async () => {
    const { out, code } = await connect(1, ['info registers']);
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/cannot connect to 127\.0\.0\.1:1/);
  });
});

describe('RemoteTarget against tsdbg serve', () => {
  it('interrupts, reads registers, watches memory and exits cleanly', async () => {
    const s = await server('tsdbg', example('hot_loop'), ['100000000000']);
    const t = await RemoteTarget.connect(`127.0.0.1:${s.port}`);
    cleanup.push(() => t.kill());
    expect(t.exePath).toBe(example('hot_loop'));
    expect(t.attached).toBe(false);
    const total = await symbol(t, example('hot_loop'), 'total');
    // run and interrupt until the loop has made progress (a loaded machine may not schedule it at once)
    for (let i = 0, end = Date.now() + WAIT_MS; i === 0 || (Date.now() < end && (await t.readMemory(total, 8)).readBigInt64LE(0) === 0n); i++) {
      const running = t.cont();
      await new Promise((r) => setTimeout(r, 100));
      t.interrupt();
      expect((await running).reason.kind).toBe('interrupted');
    }
    expect((await t.readMemory(total, 8)).readBigInt64LE(0)).toBeGreaterThan(0n);
    const watch = await writeWatch(t, total, 8);
    const w = await watch.cont();
    expect(w.reason).toMatchObject({ kind: 'watchpoint', address: total, access: 'write' });
    await watch.remove();
    await t.setRegisters({ rax: 42n });
    expect((await t.getRegisters()).rax).toBe(42n);
    const maps = await t.memoryMap();
    expect(maps.some((m) => m.path === example('hot_loop'))).toBe(true);
    await t.kill();
    await stopChild(s.child);
    expect(s.child.exitCode).toBe(0);
  });

  it('offers snapshots through monitor commands (remote engine)', async () => {
    const s = await server('tsdbg', example('struct_loop'));
    const t = await RemoteTarget.connect(`127.0.0.1:${s.port}`);
    cleanup.push(() => t.kill());
    const engine = t.capabilities.snapshots;
    expect(engine?.name).toBe('remote');
    const tick = await symbol(t, example('struct_loop'), 'tick');
    const pt = await symbol(t, example('struct_loop'), 'pt');
    await t.insertBreakpoint(tick);
    await t.cont();
    await engine!.snapshot(pt, 24);
    expect(await engine!.list()).toEqual([{ start: pt, length: 24 }]);
    expect(await engine!.held()).toBe(24);
    await t.cont();
    await t.cont();
    expect((await t.readMemory(pt, 4)).readInt32LE(0)).toBe(3);
    expect((await engine!.read(pt)).readInt32LE(0)).toBe(1);
    await engine!.restore(pt);
    expect((await t.readMemory(pt, 4)).readInt32LE(0)).toBe(1);
    expect(await engine!.list()).toEqual([]);
    await expect(engine!.restore(pt)).rejects.toMatchObject({ code: 'ENOENT' });
    const limits = await engine!.limits();
    expect(limits.maxLen).toBeGreaterThan(0);
  });
});
