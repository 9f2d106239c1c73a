/**
 * Threads over the GDB remote protocol: Debian's gdb against `tsdbg serve`
 * on examples/bin/threads (qfThreadInfo/qXfer:threads, Hg, T, thread ids in
 * stop replies, vCont;s:TID;c), and the same script against gdbserver for
 * the thread count.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { example, gdbBatch, requireFreshServerBuild, ROOT, startListening, type Spawned } from './rsp-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const PROG = example('threads');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

beforeAll(requireFreshServerBuild);

async function server(kind: 'tsdbg' | 'gdbserver'): Promise<Spawned> {
  const s = kind === 'tsdbg'
    ? await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', PROG])
    : await startListening('gdbserver', ['--once', '--no-startup-with-shell', '127.0.0.1:0', PROG]);
  cleanup.push(() => s.stop());
  return s;
}

/** gdb -batch on the threaded example through the server on `port`. */
function gdb(port: number, commands: string[]): Promise<string> {
  return gdbBatch(`target remote 127.0.0.1:${port}`, commands, PROG);
}

/** Rows of each `info threads` table: id, pid, tid, name, frame; current marked. */
function tables(out: string) {
  return out.split(/^ {2}Id {3}Target Id +Frame $/m).slice(1).map((block) => {
    const rows = [];
    for (const line of block.split('\n').slice(1)) {
      const m = /^([* ]) (\d+) +Thread (\d+)\.(\d+) "([^"]*)" (.*)$/.exec(line);
      if (!m) break;
      rows.push({ current: m[1] === '*', id: Number(m[2]), pid: Number(m[3]), tid: Number(m[4]), name: m[5]!, frame: m[6]! });
    }
    return rows;
  });
}

const SCRIPT = [
  'break bump', 'continue', 'info threads', 'thread 1', 'bt 1', 'thread 2', 'info registers rip', 'stepi',
  'info registers rip', 'info threads', 'delete', 'continue',
];

describe('gdb against tsdbg serve, threads', () => {
  it('lists every thread, stops in a worker, steps it alone, and runs to the end', async () => {
    const ours = await gdb((await server('tsdbg')).port, SCRIPT);
    const theirs = await gdb((await server('gdbserver')).port, SCRIPT);
    for (const out of [ours, theirs]) {
      expect(out, out).toMatch(/^Thread \d "threads" hit Breakpoint 1, bump \(id=\d, round=0\) at threads\.c:22$/m);
      expect([...out.matchAll(/^\[New Thread \d+\.\d+\]$/gm)], out).toHaveLength(3);
      expect(out, out).toMatch(/^\[Inferior 1 \(process \d+\) exited normally\]$/m);
    }
    const [first, afterStep] = tables(ours);
    // the barrier: main and 3 workers at any stop in bump; as many as gdbserver shows
    expect(first!.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(tables(theirs)[0]!.length).toBe(first!.length);
    expect(first!.every((r) => r.name === 'threads' && r.pid === first![0]!.pid)).toBe(true);
    expect(first![0]!.tid).toBe(first![0]!.pid);
    expect(new Set(first!.map((r) => r.tid)).size).toBe(4);
    // Hg: thread 1's registers are the main thread's, waiting in pthread_join
    expect(ours).toMatch(/^\[Switching to thread 1 \(Thread \d+\.\d+\)\]\n#0  .*(futex|pthread_join|clone)/m);
    // vCont;s:TID;c: thread 2 moved by one instruction, the others did not move
    const rips = [...ours.matchAll(/^rip +(0x[0-9a-f]+) /gm)].map((m) => BigInt(m[1]!));
    expect(rips).toHaveLength(2);
    expect(rips[1]! - rips[0]!).toBeGreaterThan(0n);
    expect(rips[1]! - rips[0]!).toBeLessThan(16n);
    expect(afterStep!.find((r) => r.id === 2)!.current).toBe(true);
    for (const r of afterStep!.filter((x) => x.id !== 2)) {
      expect(r.frame).toBe(first!.find((x) => x.id === r.id)!.frame);
    }
    // the program's own output came through as O packets
    expect(ours).toContain('all done: counter 24');
  });
});
