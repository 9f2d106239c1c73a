/**
 * Debian's gdb against `tsdbg serve` (the built CLI), and the same gdb script
 * against Debian's gdbserver for comparison: same registers, same memory,
 * same program output.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { alive, example, gdbBatch as gdb, hasRun, requireFreshServerBuild, ROOT, startListening, stopChild, until, type Spawned } from './rsp-util.js';
import { frame } from '../../src/rsp/packet.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

beforeAll(requireFreshServerBuild);

async function serve(args: string[]): Promise<Spawned> {
  const s = await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', ...args]);
  cleanup.push(() => s.stop());
  return s;
}

async function gdbserver(prog: string): Promise<Spawned> {
  const s = await startListening('gdbserver', ['--once', '--no-startup-with-shell', '127.0.0.1:0', prog]);
  cleanup.push(() => s.stop());
  return s;
}


const SCRIPT = [
  'break tick', 'continue', 'info registers rip', 'p/x $rsp', 'x/4dw &pt', 'x/s pt.tag',
  'stepi', 'info registers rip', 'finish', 'delete', 'continue',
];

/** The lines that must match between servers: registers and memory at the same stops. */
function facts(out: string): string[] {
  return out.split('\n').filter((l) => /^(rip |\$\d+ = 0x|0x[0-9a-f]+ <pt)/.test(l));
}

describe('gdb against tsdbg serve', () => {
  it('breaks, reads registers and memory, steps, finishes and runs to a clean exit', async () => {
    const s = await serve([example('struct_loop')]);
    const out = await gdb(`target remote 127.0.0.1:${s.port}`, SCRIPT);
    expect(out).toMatch(/Breakpoint 1, tick \(p=0x[0-9a-f]+ <pt>\) at struct_loop\.c:17/);
    expect(out).toMatch(/^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+8>$/m);
    expect(out).toMatch(/<pt>:\t1\t2\t0\t0/);
    expect(out).toContain('"start"');
    expect(out).toMatch(/^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+12>$/m);   // stepi: one instruction
    expect(out).toMatch(/main \(\) at struct_loop\.c:27/);
    expect(out).toContain('iter 0: x=2 y=4 steps=1 tag=start');            // O packets
    expect(out).toContain('iter 9: x=11 y=2048 steps=10 tag=half');
    expect(out).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
    await stopChild(s.child);
    expect(s.child.exitCode).toBe(0);
  });

  it('answers the same with the busy-wait for the next packet off (--spin-us 0) as with it on', async () => {
    const on = await serve([example('struct_loop')]);
    const withSpin = facts(await gdb(`target remote 127.0.0.1:${on.port}`, SCRIPT));
    const off = await serve(['--spin-us', '0', example('struct_loop')]);
    const without = facts(await gdb(`target remote 127.0.0.1:${off.port}`, SCRIPT));
    expect(withSpin.length).toBeGreaterThan(4);
    expect(without).toEqual(withSpin);
  });

  it('gives the same registers and memory as gdbserver at the same stops', async () => {
    const ours = await serve([example('struct_loop')]);
    const theirs = await gdbserver(example('struct_loop'));
    const [a, b] = [
      await gdb(`target remote 127.0.0.1:${ours.port}`, SCRIPT),
      await gdb(`target remote 127.0.0.1:${theirs.port}`, SCRIPT),
    ];
    const fa = facts(a);
    expect(fa.length).toBeGreaterThanOrEqual(4);
    expect(fa).toEqual(facts(b));
  });

  it('snapshots and restores through monitor commands, changing what the program prints', async () => {
    const s = await serve([example('struct_loop')]);
    const out = await gdb(`target remote 127.0.0.1:${s.port}`, [
      'monitor help',
      'break tick', 'continue',                                   // before iteration 0's tick
      'eval "monitor snapshot %p %d", &pt, sizeof(pt)',
      'monitor snapshots',
      'continue', 'continue',                                     // iterations 0 and 1 printed
      'eval "monitor snapshot-diff %p", &pt',
      'eval "monitor restore %p", &pt',
      'maintenance flush register-cache',
      'print pt',
      'delete', 'continue',
    ]);
    expect(out).toContain('snapshot ADDR LEN');
    expect(out).toMatch(/snapshot of 24 bytes at 0x[0-9a-f]+ taken/);
    expect(out).toMatch(/^0x[0-9a-f]+ +24$/m);
    expect(out).toContain('iter 1: x=3 y=8 steps=2 tag=start');
    expect(out).toMatch(/0x[0-9a-f]+ {2}was 01 {2}now 03\n/);
    expect(out).toMatch(/restored 24 bytes at 0x/);
    expect(out).toMatch(/\$1 = \{x = 1, y = 2, steps = 0, tag = "start/);
    // iteration 2 starts again from the snapshot: x=2, not x=4
    expect(out).toContain('iter 2: x=2 y=4 steps=1 tag=start');
    expect(out).toMatch(/exited normally/);
  });

  it('checkpoints and rewinds the whole process through monitor commands', async () => {
    const s = await serve([example('struct_loop')]);
    const out = await gdb(`target remote 127.0.0.1:${s.port}`, [
      'break tick', 'continue', 'continue',                      // iteration 1, before its tick
      'monitor checkpoint before', 'monitor checkpoints',
      'continue', 'continue',                                     // iterations 1 and 2 run
      'print pt.x',
      'monitor rewind before', 'maintenance flush register-cache',
      'print pt.x', 'info registers rip', 'delete', 'continue',
    ]);
    expect(out).toMatch(/checkpoint 1 "before": \d+ regions, \d+ bytes/);
    expect(out).toMatch(/^1 {2}before {2}pc=0x[0-9a-f]+/m);
    expect(out).toContain('$1 = 4');
    expect(out).toMatch(/rewound to checkpoint 1 "before"/);
    expect(out).toContain('$2 = 2');
    expect(out).toMatch(/^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+8>$/m);
    // iterations 1 and 2 run twice: the rewind took the program back in time
    expect(out.match(/iter 1: x=3 y=8 steps=2 tag=start/g)?.length).toBe(2);
    expect(out).toMatch(/exited normally/);
  });

  it('reports bad monitor commands in one line and goes on', async () => {
    const s = await serve([example('struct_loop')]);
    const out = await gdb(`target remote 127.0.0.1:${s.port}`, [
      'monitor snapshot pt 24', 'monitor frobnicate', 'monitor restore 0x1234', 'info registers rip',
    ]);
    expect(out).toMatch(/error \(EINVAL\): ADDR must be a number, not "pt"/);
    expect(out).toMatch(/error \(EINVAL\): unknown monitor command "frobnicate"/);
    expect(out).toMatch(/error \(E[A-Z]+\): /);
    expect(out).toMatch(/^rip +0x/m);
  });

  it('works over stdio (target remote | tsdbg serve --stdio)', async () => {
    const out = await gdb(`target remote | node ${TSDBG} serve --stdio ${example('struct_loop')}`, [
      'break tick', 'continue', 'info registers rip', 'delete', 'continue',
    ]);
    expect(out).toMatch(/^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+8>$/m);
    expect(out).toContain('iter 9:');
    expect(out).toMatch(/exited normally/);
  });

  it('runs programs in extended-remote mode (vRun)', async () => {
    const s = await serve([]);
    const out = await gdb(`target extended-remote 127.0.0.1:${s.port}`, [
      `set remote exec-file ${example('struct_loop')}`, 'break tick', 'run', 'info registers rip', 'delete', 'continue',
      'run', 'kill', 'monitor help',
    ]);
    expect(out).toMatch(/Breakpoint 1, tick/);
    expect(out).toMatch(/^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+8>$/m);
    expect(out.match(/exited normally/g)?.length).toBe(2);
  });

  it('attaches from gdb in extended-remote mode (vAttach) and detaches', async () => {
    const victim = spawn(example('hot_loop'), ['100000000000'], { stdio: 'ignore' });
    cleanup.push(async () => { victim.kill('SIGKILL'); });
    await until(() => hasRun(victim.pid!, example('hot_loop')), 'the victim to run its loop');
    const s = await serve(['--allow-attach']);
    const out = await gdb(`target extended-remote 127.0.0.1:${s.port}`, [
      `attach ${victim.pid}`, 'info registers rip', 'p total > 0', 'detach',
    ], example('hot_loop'));
    // stopped wherever the loop was: in step() or in main()
    expect(out, out).toMatch(/^(0x[0-9a-f]+ in )?(step|main) \(.*\) at hot_loop\.c:\d+$/m);
    expect(out).toMatch(/^rip +0x/m);
    expect(out).toContain('$1 = 1');
    expect(out).toMatch(new RegExp(`\\[Inferior 1 \\(process ${victim.pid}\\) detached\\]`));
    await new Promise((r) => setTimeout(r, 200));
    expect(await alive(victim.pid!)).toBe(true);
  });

  it('attaches to a running process and detaches leaving it alive', async () => {
    const victim = spawn(example('hot_loop'), ['100000000000'], { stdio: 'ignore' });
    cleanup.push(async () => { victim.kill('SIGKILL'); });
    await until(() => hasRun(victim.pid!, example('hot_loop')), 'the victim to run its loop');
    const s = await serve(['--attach', String(victim.pid)]);
    const out = await gdb(`target remote 127.0.0.1:${s.port}`, ['info registers rip', 'p total > 0', 'detach'], example('hot_loop'));
    expect(out).toMatch(/^rip +0x/m);
    expect(out).toContain('$1 = 1');
    expect(out).toMatch(/\[Inferior 1 \(process \d+\) detached\]/);
    await stopChild(s.child);
    expect(await alive(victim.pid!)).toBe(true);
  });
});

describe('tsdbg serve robustness', () => {
  it('refuses a second client while one is connected, without disturbing it', async () => {
    const s = await serve([example('struct_loop')]);
    const first = net.connect(s.port, '127.0.0.1');
    let firstData = '';
    first.on('data', (b: Buffer) => { firstData += b.toString('latin1'); });
    await new Promise((r) => first.once('connect', r));
    first.write(frame('qSupported:multiprocess+'));
    await new Promise((r) => setTimeout(r, 200));
    const second = net.connect(s.port, '127.0.0.1');
    const secondData = await new Promise<string>((resolve) => {
      let d = '';
      second.on('data', (b: Buffer) => { d += b.toString('latin1'); });
      second.on('close', () => resolve(d));
    });
    expect(secondData).toContain('E.another debugger is already connected');
    first.write(frame('?'));
    await until(() => /\$T05/.test(firstData), 'the stop reply to the first client');
    first.destroy();
    await stopChild(s.child);
  });

  it('kills the tracee when the client vanishes mid-packet', async () => {
    const s = await serve([example('hot_loop'), '100000000000']);
    const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
    expect(await alive(pid)).toBe(true);
    const sock = net.connect(s.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write('$qSupported:multipro');
    await new Promise((r) => setTimeout(r, 100));
    sock.destroy();
    await stopChild(s.child, 5000);
    expect(s.child.exitCode).toBe(0);
    expect(await alive(pid)).toBe(false);
  });

  it('kills the tracee when the client vanishes while it runs', async () => {
    const s = await serve([example('hot_loop'), '100000000000']);
    const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
    const sock = net.connect(s.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(frame('vCont;c'));
    await new Promise((r) => setTimeout(r, 300));
    expect(await alive(pid)).toBe(true);
    sock.destroy();
    await stopChild(s.child, 5000);
    expect(s.child.exitCode).toBe(0);
    expect(await alive(pid)).toBe(false);
  });

  it('kills the tracee on SIGTERM', async () => {
    const s = await serve([example('hot_loop'), '100000000000']);
    const pid = Number(/pid = (\d+)/.exec(s.stderr())![1]);
    s.child.kill('SIGTERM');
    await stopChild(s.child, 5000);
    expect(await alive(pid)).toBe(false);
  });

  it('rejects bad command lines with one line of usage', () => {
    const r = spawnSync('node', [TSDBG, 'serve', '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsdbg serve: unknown option --bogus\nusage: tsdbg serve/);
    const spin = spawnSync('node', [TSDBG, 'serve', '--spin-us', '-5', ':0', example('hot_loop')], { encoding: 'utf8' });
    expect(spin.status).toBe(2);
    expect(spin.stderr).toMatch(/^tsdbg serve: --spin-us takes microseconds from 0 to 1000000, not "-5"\nusage:/);
    const r2 = spawnSync('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '/nonexistent/prog'], { encoding: 'utf8' });
    expect(r2.status).toBe(1);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
  });
});
