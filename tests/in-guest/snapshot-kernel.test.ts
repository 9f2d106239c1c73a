/**
 * The snapshot behaviour suite against the kernel engine, run inside the
 * patched guest (vitest project `in-guest`). On a kernel without
 * PTRACE_SNAPSHOT every test FAILS: selectEngine(t, 'kernel') refuses.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LocalTarget } from '../../src/target/local.js';
import { probeKernel, selectEngine } from '../../src/snapshot/select.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { buildEdge } from '../integration/threads-util.js';
import { snapshotSuite } from '../snapshot-suite.js';

snapshotSuite('kernel', (t) => selectEngine(t, 'kernel'));

const heldSystemWide = (): number => Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_bytes', 'latin1'));
/** The kernel counts what it allocated: a small snapshot costs its bytes, a header and slab rounding. */
function expectHeldSmall(base: number, bytes: number): void {
  expect(heldSystemWide()).toBeGreaterThanOrEqual(base + bytes);
  expect(heldSystemWide()).toBeLessThan(base + bytes + 4096);
}

describe('kernel engine in the patched kernel', () => {
  it('finds the requests and the sysctls', async () => {
    const t = await LocalTarget.spawn(fixture('target_basic'), { pty: false });
    try {
      expect(probeKernel(t)).toBe(true);
      expect(Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_max_len', 'latin1'))).toBe(16 * 1024 * 1024);
      expect(Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_max_total', 'latin1'))).toBe(64 * 1024 * 1024);
      expect(Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_max_count', 'latin1'))).toBe(65536);
      expect(Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_max_tracer', 'latin1'))).toBe(256 * 1024 * 1024);
    } finally {
      await t.kill();
    }
  });

  it('frees what it held when the tracee exits, execs, or is detached', async () => {
    const base = heldSystemWide();
    const bin = fixture('target_basic');
    const message = symbol(bin, 'message');
    for (const end of ['kill', 'exit', 'detach', 'exec'] as const) {
      // for 'exec': sh runs the program with exec, so the snapshot is of sh's address space
      const t = end === 'exec'
        ? await LocalTarget.spawn('/bin/sh', { pty: false, args: ['-c', `exec ${bin}`] })
        : await LocalTarget.spawn(bin, { pty: false });
      const e = selectEngine(t, 'kernel');
      if (end === 'exec') {
        const stack = (await t.memoryMap()).find((m) => m.path === '[stack]')!;
        await e.snapshot(stack.end - 4096n, 32);
        expectHeldSmall(base, 32);
        expect((await t.cont()).reason.kind).toBe('exec');
        // the old address space is gone; the kernel frees its snapshots at the tracer's next request
        await expect(e.read(stack.end - 4096n)).rejects.toThrow(/no snapshot starts there/);
        expect(heldSystemWide()).toBe(base);
        expect(await e.held()).toBe(0);
        await t.kill();
        continue;
      }
      await t.insertBreakpoint(symbol(bin, 'tick'));
      await t.cont();
      await e.snapshot(message, 32);
      expectHeldSmall(base, 32);
      if (end === 'kill') await t.kill();
      if (end === 'exit') {
        await t.removeBreakpoint(symbol(bin, 'tick'));
        expect((await t.cont()).reason.kind).toBe('exited');
      }
      if (end === 'detach') {
        await t.detach();
        try {
          process.kill(t.pid, 'SIGKILL');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;  // detached, it ran to its end
        }
      }
      expect(heldSystemWide()).toBe(base);
      expect(await e.held()).toBe(0);
    }
  });

  it('keeps the snapshots when the thread they were taken through exits (they belong to the address space)', async () => {
    const bin = buildEdge();
    const t = await LocalTarget.spawn(bin, { args: ['mainexit'], pty: false });
    try {
      const e = selectEngine(t, 'kernel');
      const spins = symbol(bin, 'spins');
      await t.insertBreakpoint(symbol(bin, 'main'));
      await t.cont();
      const base = heldSystemWide();
      await e.snapshot(spins, 24);                  // taken through the main thread
      const held = heldSystemWide();
      expectHeldSmall(base, 24);
      await t.removeBreakpoint(symbol(bin, 'main'));
      await t.insertBreakpoint(symbol(bin, 'marker'));
      expect((await t.cont()).tid).not.toBe(t.pid);  // main has called pthread_exit
      expect(heldSystemWide()).toBe(held);           // kept: the address space lives on
      expect(await e.list()).toEqual([{ start: spins, length: 24 }]);
      const saved = await e.read(spins);             // read and restored through another thread
      expect(saved.length).toBe(24);
      await t.writeMemory(spins, Buffer.alloc(8, 0x22));
      await e.restore(spins);
      expect(await t.readMemory(spins, 24)).toEqual(saved);
      expect(heldSystemWide()).toBe(base);
      // a new one goes to a live thread and works
      await e.snapshot(spins, 24);
      await t.writeMemory(spins, Buffer.alloc(8, 0x22));
      await e.restore(spins);
      expect((await t.readMemory(spins, 8)).readBigInt64LE()).toBe(0n);
    } finally {
      await t.kill();
    }
  });
});
