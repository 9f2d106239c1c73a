/**
 * THE behaviour of a snapshot engine (the kernel ABI of
 * kernel-patch/0001-ptrace-add-selective-memory-snapshots.patch), as one
 * suite run against every engine: the user-space one on the host
 * (tests/integration/snapshot-behaviour.test.ts) and the kernel one inside
 * the patched guest (tests/in-guest/snapshot-kernel.test.ts).
 *
 * The same suite also runs over the remote protocol: a RemoteTarget to
 * gdbserver with the engine on its memory packets
 * (tests/integration/snapshot-rsp.test.ts); `spawn` says how the tracee starts.
 *
 * The tracee is tests/fixtures/snap_victim.c, stopped at ready().
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalTarget } from '../src/target/local.js';
import type { Target } from '../src/target/types.js';
import { SnapshotError, type SnapshotEngine } from '../src/snapshot/types.js';
import { fixture, symbol } from './fixtures/programs.js';
import { buildEdge } from './integration/threads-util.js';

const VICTIM = fixture('snap_victim');
const OBJ_SIZE = 120;                     // struct obj: long + char[48] + double[8]
const PAGE = 4096n;
const TASK_SIZE = 0x7ffffffff000n;

export type EngineFactory<T extends Target> = (target: T) => SnapshotEngine | Promise<SnapshotEngine>;
/** Start PROG ARGS stopped at its first instruction, with nothing on a terminal. */
export type Spawner<T extends Target> = (path: string, args: string[]) => Promise<T>;

const spawnLocal: Spawner<LocalTarget> = (path, args) => LocalTarget.spawn(path, { args, pty: false });

interface World {
  t: Target;
  e: SnapshotEngine;
  obj: bigint;
  big: bigint;
  guard: bigint;
  ro: bigint;
  gap: bigint;
}

async function ptr(t: Target, name: string): Promise<bigint> {
  return (await t.readMemory(symbol(VICTIM, name), 8)).readBigUInt64LE();
}

/** Let the program run once around its loop (back to ready()): e.g. to apply g_cmd. */
async function loop(t: Target): Promise<void> {
  const ev = await t.cont();
  expect(ev.reason.kind).toBe('breakpoint');
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, `expected ${code}`).toBeInstanceOf(SnapshotError);
  expect((err as SnapshotError).code).toBe(code);
  expect((err as SnapshotError).message).not.toContain('\n');
}

export function snapshotSuite(engineName: string, makeEngine: EngineFactory<LocalTarget>): void;
export function snapshotSuite<T extends Target>(engineName: string, makeEngine: EngineFactory<T>, spawn: Spawner<T>): void;
export function snapshotSuite<T extends Target>(engineName: string, makeEngine: EngineFactory<T>, spawn?: Spawner<T>): void {
  const start = spawn ?? (spawnLocal as unknown as Spawner<T>);
  describe(`snapshot engine behaviour: ${engineName}`, () => {
    let w: World;

    beforeEach(async () => {
      const t = await start(VICTIM, []);
      await t.insertBreakpoint(symbol(VICTIM, 'ready'));
      await loop(t);
      const e = await makeEngine(t);
      w = {
        t, e,
        obj: await ptr(t, 'g_obj'), big: await ptr(t, 'g_big'), guard: await ptr(t, 'g_guard'),
        ro: await ptr(t, 'g_ro'), gap: await ptr(t, 'g_gap'),
      };
      expect(e.name).toBe(engineName);
    });
    afterEach(async () => {
      await w?.t.kill();
    });

    it('snapshots a heap struct and restores it after the program changed it', async () => {
      const { t, e, obj } = w;
      const before = await t.readMemory(obj, OBJ_SIZE);
      expect(before.readBigInt64LE(0)).toBe(42n);
      await e.snapshot(obj, OBJ_SIZE);
      expect(await e.list()).toEqual([{ start: obj, length: OBJ_SIZE }]);
      expect(await e.held()).toBe(OBJ_SIZE);
      await t.writeMemory(obj, Buffer.alloc(OBJ_SIZE, 0xee));
      expect(await e.read(obj)).toEqual(before);              // the old copy, not memory
      await e.restore(obj);
      expect(await t.readMemory(obj, OBJ_SIZE)).toEqual(before);
      await loop(t);                                          // the program runs on with it
      expect((await t.readMemory(obj + 8n, 8)).toString('latin1')).toBe('original');
    });

    it('reads the newest copy after the same region is taken again', async () => {
      const { t, e, obj } = w;
      await e.snapshot(obj, OBJ_SIZE);
      await t.writeMemory(obj, Buffer.from('newer copy'));
      await e.snapshot(obj, OBJ_SIZE);
      expect((await e.read(obj)).subarray(0, 10).toString()).toBe('newer copy');
      expect(await e.list()).toEqual([{ start: obj, length: OBJ_SIZE }]);
      expect(await e.held()).toBe(OBJ_SIZE);
    });

    it('deletes a snapshot when it is restored', async () => {
      const { e, obj } = w;
      await e.snapshot(obj, 16);
      await e.restore(obj);
      expect(await e.list()).toEqual([]);
      expect(await e.held()).toBe(0);
      await expectCode(e.read(obj), 'ENOENT');
      await expectCode(e.restore(obj), 'ENOENT');
    });

    it('EINVAL: zero length, over max_len, wrapping, past the end of user space', async () => {
      const { e, obj } = w;
      const { maxLen } = await e.limits();
      await expectCode(e.snapshot(obj, 0), 'EINVAL');
      await expectCode(e.snapshot(obj, maxLen + 1), 'EINVAL');
      await expectCode(e.snapshot(2n ** 64n - 8n, 16), 'EINVAL');
      await expectCode(e.snapshot(TASK_SIZE - 8n, 16), 'EINVAL');
      await expectCode(e.snapshot(TASK_SIZE, 1), 'EINVAL');
      // range checks come before the memory is looked at
      await expectCode(e.snapshot(w.gap, maxLen + 1), 'EINVAL');
      expect(await e.list()).toEqual([]);
    });

    it('EFAULT: unmapped, read-only, text, and a range running into a PROT_NONE page', async () => {
      const { e, gap, ro, guard } = w;
      await expectCode(e.snapshot(gap, 8), 'EFAULT');
      await expectCode(e.snapshot(ro, 8), 'EFAULT');
      await expectCode(e.snapshot(symbol(VICTIM, 'main'), 8), 'EFAULT');
      await expectCode(e.snapshot(guard + PAGE - 8n, 16), 'EFAULT');
      await e.snapshot(guard + PAGE - 8n, 8);                   // the writable part alone is fine
      expect(await e.list()).toEqual([{ start: guard + PAGE - 8n, length: 8 }]);
    });

    it('ENOENT: restore, read and discard need the exact start of a snapshot', async () => {
      const { e, obj } = w;
      await expectCode(e.restore(obj), 'ENOENT');
      await expectCode(e.read(obj), 'ENOENT');
      await expectCode(e.discard(obj), 'ENOENT');
      await e.snapshot(obj, 32);
      await expectCode(e.restore(obj + 8n), 'ENOENT');          // inside, not at its start
      await expectCode(e.read(obj + 8n), 'ENOENT');
    });

    it('ESRCH: only while the program is stopped and alive', async () => {
      const { t, e, obj } = w;
      await e.snapshot(obj, 16);
      await t.removeBreakpoint(symbol(VICTIM, 'ready'));
      const running = t.cont();
      await expectCode(e.snapshot(obj, 16), 'ESRCH');
      await expectCode(e.restore(obj), 'ESRCH');
      t.interrupt();
      expect((await running).reason.kind).toBe('interrupted');
      expect(await e.list()).toEqual([{ start: obj, length: 16 }]);
      await t.kill();
      await expectCode(e.snapshot(obj, 16), 'ESRCH');
      expect(await e.held()).toBe(0);
    });

    it('replaces every snapshot it overlaps, at both ends, and keeps neighbours', async () => {
      const { e, big } = w;
      await e.snapshot(big, 16);                       // A [0,16)
      await e.snapshot(big + 32n, 16);                 // B [32,48)
      await e.snapshot(big + 64n, 16);                 // C [64,80)
      await e.snapshot(big + 8n, 32);                  // [8,40): overlaps the end of A and the start of B
      expect(await e.list()).toEqual([
        { start: big + 8n, length: 32 }, { start: big + 64n, length: 16 },
      ]);
      await e.snapshot(big + 40n, 24);                 // [40,64): touches both neighbours, overlaps neither
      expect((await e.list()).map((s) => s.start)).toEqual([big + 8n, big + 40n, big + 64n]);
      await e.snapshot(big, 128);                      // covers them all
      expect(await e.list()).toEqual([{ start: big, length: 128 }]);
      expect(await e.held()).toBe(128);
    });

    it('replaces nothing when the new copy fails', async () => {
      const { e, guard } = w;
      await e.snapshot(guard + PAGE - 64n, 32);
      await expectCode(e.snapshot(guard + PAGE - 48n, 64), 'EFAULT');   // runs into PROT_NONE
      expect(await e.list()).toEqual([{ start: guard + PAGE - 64n, length: 32 }]);
    });

    it('keeps the snapshot when the restore fails, and restores once the memory is writable again', async () => {
      const { t, e, guard } = w;
      await e.snapshot(guard, 64);
      const saved = await e.read(guard);
      expect(saved).toEqual(Buffer.alloc(64, 0x5a));
      await t.writeMemory(symbol(VICTIM, 'g_cmd'), Buffer.from([1, 0, 0, 0]));
      await loop(t);                                            // mprotect(g_guard, PROT_READ)
      await expectCode(e.restore(guard), 'EFAULT');
      expect(await e.list()).toEqual([{ start: guard, length: 64 }]);
      expect(await e.read(guard)).toEqual(saved);
      await t.writeMemory(symbol(VICTIM, 'g_cmd'), Buffer.from([2, 0, 0, 0]));
      await loop(t);                                            // writable again
      await t.writeMemory(guard, Buffer.alloc(64, 1));
      await e.restore(guard);
      expect(await t.readMemory(guard, 64)).toEqual(saved);
      expect(await e.list()).toEqual([]);
    });

    it('enforces max_len exactly and max_total counting the bytes a replacement frees', async () => {
      const { e, big } = w;
      const { maxLen, maxTotal } = await e.limits();
      const MiB = 1024 * 1024;
      expect(maxLen).toBeGreaterThan(0);
      const fits = Math.floor(maxTotal / maxLen);
      if ((fits + 1) * maxLen > 96 * MiB) throw new Error(`limits ${maxLen}/${maxTotal} need more than snap_victim's 96 MiB`);
      const at = (i: number) => big + BigInt(i * maxLen);
      // The kernel counts what it allocates (the pages and each snapshot's header), tsdbg the
      // bytes copied: with max_total a multiple of max_len, one snapshot fewer fits there.
      let took = 0;
      for (; took <= fits; took++) {
        const err = await e.snapshot(at(took), maxLen).then(() => undefined, (x: SnapshotError) => x);
        if (err) {
          expect(err.code).toBe('ENOSPC');
          break;
        }
      }
      expect(took).toBeLessThanOrEqual(fits);
      expect(took).toBeGreaterThanOrEqual(Math.max(fits - 1, 2));
      expect(await e.held()).toBe(took * maxLen);
      if (took === fits) {                                       // counting copied bytes: exact
        const room = maxTotal - fits * maxLen;
        await expectCode(e.snapshot(at(fits), room + 1), 'ENOSPC');
        if (room > 0) {
          await e.snapshot(at(fits), room);
          await e.discard(at(fits));
        }
      }
      await e.snapshot(at(0), maxLen);                           // same region again: always fits
      // over two held ones: frees 2*maxLen, takes maxLen
      await e.snapshot(at(0) + BigInt(maxLen / 2), maxLen);
      expect(await e.held()).toBe((took - 1) * maxLen);
      expect((await e.list()).length).toBe(took - 1);
      await e.clear();
      expect(await e.held()).toBe(0);
      expect(await e.list()).toEqual([]);
    });

    it('holds several regions and restores each independently', async () => {
      const { t, e, obj, big, guard } = w;
      const regions: Array<[bigint, number]> = [[guard, 256], [obj, OBJ_SIZE], [big + 4096n, 4096]];
      const originals = await Promise.all(regions.map(([a, n]) => t.readMemory(a, n)));
      for (const [a, n] of regions) await e.snapshot(a, n);
      expect((await e.list()).map((s) => s.start)).toEqual([...regions.map(([a]) => a)].sort((x, y) => (x < y ? -1 : 1)));
      expect(await e.held()).toBe(256 + OBJ_SIZE + 4096);
      for (const [a, n] of regions) await t.writeMemory(a, Buffer.alloc(n, 0x33));
      await e.restore(obj);
      expect(await t.readMemory(obj, OBJ_SIZE)).toEqual(originals[1]);
      expect(await t.readMemory(guard, 256)).toEqual(Buffer.alloc(256, 0x33));   // untouched by that
      await e.discard(guard);
      await expectCode(e.restore(guard), 'ENOENT');
      await e.restore(big + 4096n);
      expect(await t.readMemory(big + 4096n, 4096)).toEqual(originals[2]);
      expect(await e.list()).toEqual([]);
      expect(await e.held()).toBe(0);
    });

    it('copies a large region whole (max_len bytes) and gives it back', async () => {
      const { t, e, big } = w;
      const { maxLen } = await e.limits();
      const pattern = Buffer.alloc(maxLen);
      for (let i = 0; i < maxLen; i += 4096) pattern.writeUInt32LE(i, i);
      await t.writeMemory(big, pattern);
      await e.snapshot(big, maxLen);
      await t.writeMemory(big, Buffer.alloc(maxLen));
      expect((await e.read(big)).equals(pattern)).toBe(true);
      await e.restore(big);
      expect((await t.readMemory(big, maxLen)).equals(pattern)).toBe(true);
    });
  });

  /*
   * tests/integration/threads-edge.c "mainexit": main starts a thread and
   * calls pthread_exit; the thread sleeps 50 ms, calls marker(), exits 7.
   * Once main is gone its pid names a zombie without memory.
   */
  describe(`snapshot engine behaviour with threads: ${engineName}`, () => {
    const started: T[] = [];
    afterEach(async () => {
      for (const t of started.splice(0)) await t.kill();
    });
    async function mainexit(): Promise<{ t: T; e: SnapshotEngine; spins: bigint; bin: string }> {
      const bin = buildEdge();
      const t = await start(bin, ['mainexit']);
      started.push(t);
      return { t, e: await makeEngine(t), spins: symbol(bin, 'spins'), bin };
    }
    const word = async (t: Target, a: bigint) => (await t.readMemory(a, 8)).readBigInt64LE();

    it('snapshots and restores through a live thread once the main thread has exited', async () => {
      const { t, e, spins, bin } = await mainexit();
      await t.insertBreakpoint(symbol(bin, 'marker'));
      const ev = await t.cont();                       // in the late thread, 50 ms after main left
      expect(ev.tid).not.toBe(t.pid);
      await t.writeMemory(spins, Buffer.from('0102030405060708', 'hex'));
      await e.snapshot(spins, 24);
      expect((await e.read(spins)).subarray(0, 8).toString('hex')).toBe('0102030405060708');
      await t.writeMemory(spins, Buffer.alloc(24, 0xee));
      await e.restore(spins);
      expect(await word(t, spins)).toBe(0x0807060504030201n);
      expect(await e.list()).toEqual([]);
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 7 });
    });

    it('a snapshot taken in a thread that goes on living survives the main thread\'s exit', async () => {
      const { t, e, spins, bin } = await mainexit();
      await t.insertBreakpoint(symbol(bin, 'late'));
      expect((await t.cont()).tid).not.toBe(t.pid);    // the late thread selected: it holds what is taken
      await e.snapshot(spins, 24);
      await t.removeBreakpoint(symbol(bin, 'late'));
      await t.insertBreakpoint(symbol(bin, 'marker'));
      await t.cont();                                  // main has exited meanwhile
      expect(await e.list()).toEqual([{ start: spins, length: 24 }]);
      await t.writeMemory(spins, Buffer.alloc(8, 0x11));
      await e.restore(spins);
      expect(await word(t, spins)).toBe(0n);
    });
  });

}
