/**
 * The snapshot engine on the remote protocol's memory packets
 * (src/snapshot/rsp-memory.ts) against real gdbserver: the shared behaviour
 * suite, a stub that cannot say what is mapped (snapshots of explicit ranges,
 * as over QEMU's gdbstub), and the user's commands through `tsdbg connect`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { RspClient } from '../../src/rsp/client.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { parseMemoryMap } from '../../src/rsp/remote-snapshots.js';
import { RspMemoryEngine } from '../../src/snapshot/rsp-memory.js';
import { SnapshotError } from '../../src/snapshot/types.js';
import { snapshotsOf } from '../../src/target/capabilities.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { snapshotSuite } from '../snapshot-suite.js';
import { ROOT, example, startListening } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

/** gdbserver on PROG over its stdio, as gdb's `target remote | gdbserver - PROG`. */
async function overGdbserver(prog: string, args: string[]): Promise<RemoteTarget> {
  const client = RspClient.spawnStdio('gdbserver', ['-', prog, ...args], 'ignore');
  try {
    return await RemoteTarget.connect(client);
  } catch (e) {
    await client.close();
    throw e;
  }
}

snapshotSuite('rsp', (t: RemoteTarget) => snapshotsOf(t), overGdbserver);

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

async function victimAtReady(): Promise<RemoteTarget> {
  const victim = fixture('snap_victim');
  const t = await overGdbserver(victim, []);
  cleanup.push(() => t.kill());
  await t.insertBreakpoint(symbol(victim, 'ready'));
  expect((await t.cont()).reason.kind).toBe('breakpoint');
  return t;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (e === undefined) return undefined;
  expect(e).toBeInstanceOf(SnapshotError);
  expect((e as Error).message).not.toContain('\n');
  return (e as SnapshotError).code;
}

describe('rsp engine over gdbserver', () => {
  it('is what a RemoteTarget to gdbserver offers', async () => {
    const t = await victimAtReady();
    expect(snapshotsOf(t).name).toBe('rsp');
    expect(await snapshotsOf(t).limits()).toEqual({ maxLen: 16 * 1024 * 1024, maxTotal: 64 * 1024 * 1024 });
  });

  it('without a memory map (as over QEMU): explicit ranges anywhere, EFAULT only where the stub cannot read', async () => {
    const t = await victimAtReady();
    const victim = fixture('snap_victim');
    const e = new RspMemoryEngine(t);                        // no map provider: a stub that cannot say
    const obj = (await t.readMemory(symbol(victim, 'g_obj'), 8)).readBigUInt64LE();
    const ro = (await t.readMemory(symbol(victim, 'g_ro'), 8)).readBigUInt64LE();
    const before = await t.readMemory(obj, 120);
    await e.snapshot(obj, 120);
    await t.writeMemory(obj, Buffer.alloc(120, 0x77));
    await e.restore(obj);
    expect(await t.readMemory(obj, 120)).toEqual(before);
    // read-only memory is a range like any other when nothing says what is mapped
    await e.snapshot(ro, 8);
    expect(await e.read(ro)).toEqual(await t.readMemory(ro, 8));
    // kernel addresses are not refused as outside user space: the stub cannot read them
    expect(await codeOf(e.snapshot(0xffffffff81000000n, 64))).toBe('EFAULT');
    expect(await codeOf(e.snapshot(0xfffffffffffffff0n, 32))).toBe('EINVAL');     // wraps
    expect(await codeOf(e.snapshot(0x10n, 8))).toBe('EFAULT');
    expect((await e.list()).map((s) => s.start)).toEqual([ro]);
  });

  it('reads the stub\'s memory map document (qXfer:memory-map) as writable RAM regions', () => {
    const xml = '<?xml version="1.0"?><memory-map><memory type="rom" start="0x0" length="0x1000"/>'
      + '<memory type="ram" start="0x20000000" length="0x8000"/><memory type="flash" start="0x8000000" length="0x10000">'
      + '<property name="blocksize">0x400</property></memory><memory type="ram" start="0x1000" length="0x1000"/></memory-map>';
    expect(parseMemoryMap(xml).map((m) => [m.start, m.end, m.perms])).toEqual([
      [0x1000n, 0x2000n, 'rw-p'], [0x20000000n, 0x20008000n, 'rw-p'],
    ]);
  });
});

describe('tsdbg connect to gdbserver: snapshot commands on the memory packets', () => {
  it('snapshot, diff, restore, checkpoint and rewind', async () => {
    const s = await startListening('gdbserver', ['--once', '127.0.0.1:0', example('struct_loop')]);
    cleanup.push(() => s.stop());
    const commands = [
      'break tick', 'continue', 'snapshot pt', 'snapshots', 'continue', 'continue', 'snapshot diff pt',
      'restore &pt', 'print pt', 'checkpoint', 'continue', 'print pt.x', 'rewind', 'print pt.x', 'delete', 'continue',
    ];
    const args = [path.join(ROOT, 'bin/tsdbg.js'), 'connect', '--batch', ...commands.flatMap((c) => ['-ex', c]), `127.0.0.1:${s.port}`];
    const { out, code } = await new Promise<{ out: string; code: number | null }>((resolve, reject) => {
      const child = spawn('node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tsdbg connect timed out:\n${text}`)); }, SESSION_MS);
      child.on('exit', (c) => { clearTimeout(timer); resolve({ out: text, code: c }); });
    });
    expect(out).toContain('Snapshot engine: rsp (the remote protocol\'s memory packets)');
    expect(out).toMatch(/Snapshot of 24 bytes at 0x[0-9a-f]+ \(<pt>\) taken by the rsp engine/);
    expect(out).toMatch(/x: 1 -> 3/);
    expect(out).toMatch(/\$1 = \{x = 1, y = 2, steps = 0, tag = "start/);
    expect(out).toMatch(/Checkpoint 1 "c1" at 0x[0-9a-f]+ <tick\+8>: \d+ regions/);
    expect(out).toContain('$2 = 2');
    expect(out).toMatch(/Rewound to checkpoint "c1"/);
    expect(out).toContain('$3 = 1');
    expect(out).toMatch(/exited normally/);
    expect(code).toBe(0);
    // the program went on from the rewound state: iteration 2 printed again from x=2
    expect(s.stdout() + s.stderr()).toContain('iter 2: x=2 y=4 steps=1 tag=start');
  });
});
