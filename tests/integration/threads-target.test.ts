/**
 * LocalTarget on a multi-threaded program (examples/bin/threads), all-stop:
 * breakpoints hit in worker threads, every thread stopped at each stop,
 * stepping one thread while the others stay put (unless it blocks in a
 * system call), a watchpoint written by a worker, normal exit with the right output, and no thread left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import type { StopEvent, ThreadEvent } from '../../src/target/types.js';
import { symbol } from '../fixtures/programs.js';
import { insertHardwareWatch } from './watch-util.js';

const THREADS = join(import.meta.dirname, '..', '..', 'examples', 'bin', 'threads');

const started: LocalTarget[] = [];
afterEach(async () => {
  for (const t of started.splice(0)) await t.kill();
});

interface Session {
  t: LocalTarget;
  output: () => string;
  events: ThreadEvent[];
  addr: (sym: string) => bigint;
}

async function start(): Promise<Session> {
  if (!existsSync(THREADS)) execFileSync('make', ['-C', join(THREADS, '..', '..'), 'bin/threads']);
  const t = await LocalTarget.spawn(THREADS);
  started.push(t);
  let out = '';
  t.on('output', (b) => { out += b.toString(); });
  const events: ThreadEvent[] = [];
  t.on('thread', (e) => events.push(e));
  // PIE: the load base is where the first mapping of the file starts (mapped at exec).
  const first = (await t.memoryMap()).find((m) => m.path === THREADS)!;
  return { t, output: () => out, events, addr: (sym) => first.start + symbol(THREADS, sym) };
}

/** Task ids of a live process, from /proc (what the kernel says, not what the target believes). */
const tasks = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
};
const taskState = (pid: number, tid: number): string =>
  /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'))![1]!;
const gone = (pid: number): boolean => !existsSync(`/proc/${pid}`) ||
  /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'latin1'));

async function runToExit(t: LocalTarget): Promise<StopEvent> {
  for (let i = 0; i < 1000; i++) {
    const ev = await t.cont();
    if (ev.reason.kind === 'exited' || ev.reason.kind === 'killed') return ev;
  }
  throw new Error('the program never exited');
}

describe('threads, all-stop', () => {
  it('a breakpoint hit in a worker stops every thread and reports the worker', async () => {
    const { t, addr } = await start();
    await t.insertBreakpoint(addr('bump'));
    const ev = await t.cont();
    expect(ev.reason).toEqual({ kind: 'breakpoint', pc: addr('bump') });
    expect(ev.tid).not.toBe(t.pid);
    expect(t.selectedThread).toBe(ev.tid);
    expect((await t.getRegisters()).rip).toBe(addr('bump'));
    const threads = await t.threads();
    expect(threads.map((x) => x.tid).sort((a, b) => a - b)).toEqual(tasks(t.pid));
    expect(threads[0]!.tid).toBe(t.pid);
    for (const x of threads) {
      expect(x.state).toBe('stopped');
      expect(taskState(t.pid, x.tid)).toBe('t');
      expect(x.name).toBe('threads');
      expect(x.threadPointer).toBeGreaterThan(0n);
    }
    expect(new Set(threads.map((x) => x.threadPointer)).size).toBe(threads.length);
  });

  it('a breakpoint in main after it started threads is reported as one, in main', async () => {
    const { t, addr } = await start();
    await t.insertBreakpoint(addr('all_started'));
    const ev = await t.cont();
    expect(ev.reason).toEqual({ kind: 'breakpoint', pc: addr('all_started') });
    expect(ev.tid).toBe(t.pid);
    expect((await t.getRegisters()).rip).toBe(addr('all_started'));
    expect(await t.threads()).toHaveLength(4);
    await t.removeBreakpoint(addr('all_started'));
    expect((await runToExit(t)).reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('continues through hits in different threads and exits normally with all the output', async () => {
    const { t, output, events, addr } = await start();
    await t.insertBreakpoint(addr('bump'));
    const hitters = new Set<number>();
    let hits = 0;
    for (;;) {
      const ev = await t.cont();
      if (ev.reason.kind !== 'breakpoint') {
        expect(ev.reason).toEqual({ kind: 'exited', code: 0 });
        break;
      }
      hits++;
      hitters.add(ev.tid);
      expect((await t.getRegisters()).rip).toBe(addr('bump'));
    }
    expect(hits).toBe(12);                  // 3 workers x 4 rounds: no hit lost, none twice
    expect(hitters.size).toBe(3);
    expect(hitters.has(t.pid)).toBe(false);
    expect(output()).toContain('all done: counter 24');
    expect(output().match(/^worker \d round \d counter \d+/gm)).toHaveLength(12);
    expect(events.filter((e) => e.kind === 'new')).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'exited')).toHaveLength(3);
    expect(gone(t.pid)).toBe(true);
  });

  it('stepi steps the selected worker only: the other threads do not move', async () => {
    const { t, addr } = await start();
    await t.insertBreakpoint(addr('bump'));
    const ev = await t.cont();
    const others = (await t.threads()).filter((x) => x.tid !== ev.tid);
    const pcsBefore = await pcsOf(t, others.map((x) => x.tid));
    let pc = (await t.getRegisters()).rip;
    for (let i = 0; i < 20; i++) {
      const s = await t.step();
      expect(s.reason.kind).toBe('step');
      expect(s.tid).toBe(ev.tid);
      const now = (await t.getRegisters()).rip;
      expect(now).not.toBe(pc);
      pc = now;
    }
    expect(await pcsOf(t, others.map((x) => x.tid))).toEqual(pcsBefore);
    for (const x of others) expect(taskState(t.pid, x.tid)).toBe('t');
    await t.removeBreakpoint(addr('bump'));
    expect((await runToExit(t)).reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('a step that blocks in a system call lets the other threads run, and returns when they let it go', async () => {
    const { t, addr, output } = await start();
    await t.insertBreakpoint(addr('bump'));
    const ev = await t.cont();
    await t.removeBreakpoint(addr('bump'));
    t.selectThread(t.pid);                   // main: in pthread_join's wait, for a worker held still
    // held still, the workers would never finish and main's steps would
    // block for good; released while it sleeps, they run (their output
    // comes) and exit, and main's joins return one by one
    const rounds = () => (output().match(/round 3/g) ?? []).length;
    for (let i = 0; i < 100_000 && rounds() < 3; i++) {
      expect(await t.step()).toMatchObject({ tid: t.pid, reason: { kind: 'step' } });
    }
    expect(rounds()).toBe(3);
    expect(t.selectedThread).toBe(t.pid);
    expect(ev.tid).not.toBe(t.pid);
    expect((await runToExit(t)).reason).toEqual({ kind: 'exited', code: 0 });
    expect(output()).toContain('all done: counter 24');
  });

  it('a breakpoint another thread hits during a blocked step ends the step, and no hit is lost or doubled', async () => {
    const { t, addr, output } = await start();
    await t.insertBreakpoint(addr('bump'));
    const first = await t.cont();
    t.selectThread(t.pid);
    let ev = first;
    for (let i = 0; i < 100_000; i++) {
      ev = await t.step();                   // the worker at bump is stepped off it when released
      if (ev.reason.kind !== 'step') break;
    }
    expect(ev.reason).toEqual({ kind: 'breakpoint', pc: addr('bump') });
    expect(ev.tid).not.toBe(t.pid);
    expect(t.selectedThread).toBe(ev.tid);
    // all-stop again: every thread is in a ptrace stop
    for (const tid of tasks(t.pid)) expect(taskState(t.pid, tid)).toBe('t');
    let hits = 2;
    for (;;) {
      ev = await t.cont();
      if (ev.reason.kind !== 'breakpoint') break;
      hits++;
    }
    expect(ev.reason).toEqual({ kind: 'exited', code: 0 });
    expect(hits).toBe(12);                   // 3 workers x 4 rounds
    expect(output()).toContain('all done: counter 24');
  });

  it('thread selection: registers follow the selected thread', async () => {
    const { t, addr } = await start();
    await t.insertBreakpoint(addr('bump'));
    const ev = await t.cont();
    const main = (await t.threads()).find((x) => x.tid === t.pid)!;
    t.selectThread(main.tid);
    expect(t.selectedThread).toBe(t.pid);
    const mainRegs = await t.getRegisters();
    expect(mainRegs.rip).not.toBe(addr('bump'));
    expect(mainRegs.fs_base).toBe(main.threadPointer);
    t.selectThread(ev.tid);
    expect((await t.getRegisters()).rip).toBe(addr('bump'));
    expect(() => t.selectThread(999999)).toThrow(/no thread with LWP 999999/);
    // Continuing from the main thread still steps the worker off its breakpoint first.
    t.selectThread(t.pid);
    const next = await t.cont();
    expect(next.reason.kind).toBe('breakpoint');
  });

  it('a watchpoint fires whichever worker writes the variable', async () => {
    const { t, addr } = await start();
    // Stop in main before any thread exists, so the new threads must inherit the watch.
    await t.insertBreakpoint(addr('main'));
    await t.cont();
    await t.removeBreakpoint(addr('main'));
    if (!(await insertHardwareWatch(t, addr('counter'), 8, 'write'))) return;
    const writers = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const ev = await t.cont();
      expect(ev.reason).toMatchObject({ kind: 'watchpoint', address: addr('counter') });
      expect(ev.tid).not.toBe(t.pid);
      writers.add(ev.tid);
    }
    expect(writers.size).toBe(3);
    expect((await t.readMemory(addr('counter'), 8)).readBigInt64LE()).toBe(24n);
    expect((await runToExit(t)).reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('kill at a stop in a worker leaves no thread and no process', async () => {
    const { t, addr } = await start();
    await t.insertBreakpoint(addr('bump'));
    await t.cont();
    const pid = t.pid;
    expect(tasks(pid).length).toBeGreaterThan(1);
    await t.kill();
    expect(t.state).toBe('exited');
    expect(gone(pid)).toBe(true);
  });

  it('kill while every thread runs leaves nothing behind, and the pending cont() ends with it', async () => {
    const { t, addr } = await start();
    await t.insertBreakpoint(addr('main'));
    await t.cont();
    await t.removeBreakpoint(addr('main'));
    const pid = t.pid;
    const run = t.cont();
    await new Promise((r) => setTimeout(r, 1));
    await t.kill();
    const ev = await run;
    expect(['killed', 'exited']).toContain(ev.reason.kind);
    expect(gone(pid)).toBe(true);
  });
});

/** rip of each thread in tids, the selection put back afterwards. */
async function pcsOf(t: LocalTarget, tids: number[]): Promise<bigint[]> {
  const sel = t.selectedThread;
  const out: bigint[] = [];
  for (const tid of tids) {
    t.selectThread(tid);
    out.push((await t.getRegisters()).rip);
  }
  t.selectThread(sel);
  return out;
}

