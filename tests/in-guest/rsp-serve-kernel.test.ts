/**
 * tsdbg serve with the kernel snapshot engine, inside the patched guest:
 * monitor snapshot/restore over the wire reach PTRACE_SNAPSHOT/RESTORE.
 * The client is our RemoteTarget (there is no gdb in the guest); the same
 * monitor commands are what a gdb user types. On a kernel without the
 * requests every test FAILS (the server refuses --engine kernel).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import { engineProvider } from '../../src/snapshot/select.js';
import { listenTcp } from '../../src/rsp/server.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { ROOT, example, startListening, stopChild, symbol } from '../integration/rsp-util.js';

const heldSystemWide = (): number => Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_bytes', 'latin1'));
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

describe('tsdbg serve on the kernel engine', () => {
  it('snapshots and restores through monitor commands into kernel memory', async () => {
    const local = await LocalTarget.spawn(example('struct_loop'), { pty: false, snapshots: engineProvider('kernel') });
    cleanup.push(() => local.kill());
    const server = await listenTcp('127.0.0.1', 0, { target: local, once: true });
    cleanup.push(() => server.close());
    const remote = await RemoteTarget.connect(`127.0.0.1:${server.port}`);
    cleanup.push(() => remote.kill());

    expect(await remote.monitor('snapshot-info')).toMatch(/^engine=kernel max-len=\d+ max-total=\d+ held=0$/m);
    const engine = remote.capabilities.snapshots!;
    expect(engine.name).toBe('remote');
    const tick = await symbol(remote, example('struct_loop'), 'tick');
    const pt = await symbol(remote, example('struct_loop'), 'pt');
    await remote.insertBreakpoint(tick);
    await remote.cont();

    const base = heldSystemWide();
    await engine.snapshot(pt, 24);
    // the copy lives in the kernel, which counts what it allocated: header and slab rounding too
    expect(heldSystemWide()).toBeGreaterThanOrEqual(base + 24);
    expect(heldSystemWide()).toBeLessThan(base + 4096);
    await remote.cont();
    await remote.cont();
    expect((await remote.readMemory(pt, 4)).readInt32LE(0)).toBe(3);
    expect((await engine.read(pt)).readInt32LE(0)).toBe(1);
    expect(await remote.monitor(`snapshot-diff 0x${pt.toString(16)}`)).toMatch(/was 01 {2}now 03/);
    await engine.restore(pt);
    expect(heldSystemWide()).toBe(base);
    expect((await remote.readMemory(pt, 4)).readInt32LE(0)).toBe(1);
    await expect(engine.restore(pt)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the CLI with --engine kernel: restore changes what the program prints', async () => {
    const s = await startListening('node', [path.join(ROOT, 'bin/tsdbg.js'), 'serve', '--engine', 'kernel', '--listen', '127.0.0.1:0', '--once', example('struct_loop')]);
    cleanup.push(() => s.stop());
    const remote = await RemoteTarget.connect(`127.0.0.1:${s.port}`);
    cleanup.push(() => remote.kill());
    let printed = '';
    remote.on('output', (b) => { printed += b.toString(); });
    const tick = await symbol(remote, example('struct_loop'), 'tick');
    const pt = await symbol(remote, example('struct_loop'), 'pt');
    await remote.insertBreakpoint(tick);
    await remote.cont();
    expect(await remote.monitor(`snapshot 0x${pt.toString(16)} 24`)).toMatch(/snapshot of 24 bytes at 0x[0-9a-f]+ taken/);
    await remote.cont();
    await remote.cont();
    expect(await remote.monitor(`restore 0x${pt.toString(16)}`)).toMatch(/restored 24 bytes/);
    await remote.removeBreakpoint(tick);
    const end = await remote.cont();
    expect(end.reason).toEqual({ kind: 'exited', code: 0 });
    expect(printed).toContain('iter 1: x=3 y=8 steps=2 tag=start');
    expect(printed).toContain('iter 2: x=2 y=4 steps=1 tag=start');   // back to the snapshot
    await stopChild(s.child);
    expect(s.child.exitCode).toBe(0);
  });
});
