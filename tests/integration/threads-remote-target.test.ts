/**
 * RemoteTarget's threads over the wire, against Debian's gdbserver and
 * against `tsdbg serve` (the built CLI) on examples/bin/threads: the thread
 * list with names and pthread_t, and registers that follow selectThread().
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { RemoteTarget, parseThreadsXml } from '../../src/rsp/remote-target.js';
import { example, ROOT, startListening, symbol } from './rsp-util.js';

const PROG = example('threads');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

async function connect(server: 'gdbserver' | 'tsdbg'): Promise<RemoteTarget> {
  const s = server === 'gdbserver'
    ? await startListening('gdbserver', ['--once', '127.0.0.1:0', PROG])
    : await startListening('node', [path.join(ROOT, 'bin/tsdbg.js'), 'serve', '--listen', '127.0.0.1:0', PROG]);
  cleanup.push(() => s.stop());
  const target = await RemoteTarget.connect(`127.0.0.1:${s.port}`);
  cleanup.push(() => target.kill());
  return target;
}

describe('RemoteTarget threads', () => {
  for (const server of ['gdbserver', 'tsdbg'] as const) {
    it(`lists every thread and selects one (${server})`, async () => {
      const t = await connect(server);
      expect((await t.threads()).map((x) => x.tid)).toEqual([t.pid]);
      const bump = await symbol(t, PROG, 'bump');
      await t.insertBreakpoint(bump);
      const ev = await t.cont();
      expect(ev.reason).toEqual({ kind: 'breakpoint', pc: bump });
      expect(ev.tid).not.toBe(t.pid);
      expect(t.selectedThread).toBe(ev.tid);
      const threads = await t.threads();
      // the barrier: main and its 3 workers
      expect(threads).toHaveLength(4);
      expect(threads.map((x) => x.tid)).toContain(t.pid);
      expect(threads.map((x) => x.tid)).toContain(ev.tid);
      for (const x of threads) expect(x).toMatchObject({ name: 'threads', state: 'stopped' });
      t.selectThread(t.pid);
      const main = await t.getRegisters();
      expect(main.rip).not.toBe(bump);
      t.selectThread(ev.tid);
      expect((await t.getRegisters()).rip).toBe(bump);
      await t.removeBreakpoint(bump);
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    });
  }

  for (const server of ['gdbserver', 'tsdbg'] as const) {
    it(`steps every thread off the breakpoint it reported, whichever is selected: no hit doubled (${server})`, async () => {
      const t = await connect(server);
      const bump = await symbol(t, PROG, 'bump');
      await t.insertBreakpoint(bump);
      const hits = new Map<number, number>();
      for (;;) {
        const ev = await t.cont();
        if (ev.reason.kind === 'exited') break;
        expect(ev.reason).toEqual({ kind: 'breakpoint', pc: bump });
        hits.set(ev.tid, (hits.get(ev.tid) ?? 0) + 1);
        // main (asleep in pthread_join or the barrier) is selected when we go on:
        // the worker left standing on bump must still run its instruction first
        t.selectThread(t.pid);
      }
      // 3 workers, 4 rounds each
      expect([...hits.values()]).toEqual([4, 4, 4]);
      expect(t.threadTargetId(77)).toBe(`Thread ${t.pid}.77`);
    });
  }

  it('reads the qXfer:threads document: ids, names with XML escapes, handles', () => {
    const xml = '<?xml version="1.0"?>\n<threads><thread id="p10.10" core="1" name="a&amp;b&#34;"/>'
      + '<thread id="p10.11" name="w" handle="40a6dbf7ff7f0000"></thread><thread id="12"/></threads>';
    expect(parseThreadsXml(xml)).toEqual([
      { tid: 0x10, name: 'a&b"' },
      { tid: 0x11, name: 'w', threadPointer: 0x7ffff7dba640n },
      { tid: 0x12, name: '' },
    ]);
  });
});
