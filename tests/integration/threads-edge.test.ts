/**
 * LocalTarget and the harder corners of threads: attach to a running
 * multi-threaded process, the main thread exiting before its threads, exec
 * from a thread that is not the main one, a signal sent to a worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import type { StopEvent } from '../../src/target/types.js';
import { decodeStatus, native } from '../../src/target/native.js';
import { reapedStatus } from '../../src/target/reaper.js';
import { symbol } from '../fixtures/programs.js';
import { nodeChild } from './node-child.js';
import { buildEdge, EDGE } from './threads-util.js';
import { waitFor } from '../setup/wait.js';
import { insertHardwareWatch } from './watch-util.js';

const BIN = EDGE;
const build = buildEdge;

const started: LocalTarget[] = [];
async function start(mode: string): Promise<LocalTarget> {
  const t = await LocalTarget.spawn(build(), { args: [mode] });
  started.push(t);
  return t;
}
/** Processes a test started outside a target (a spinner to attach to): killed even when the test failed or hung. */
const spinners: number[] = [];
afterEach(async () => {
  for (const pid of spinners.splice(0)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
  }
  for (const t of started.splice(0)) await t.kill();
});

const tasks = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
};
const gone = (pid: number): boolean => !existsSync(`/proc/${pid}`) ||
  /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'latin1'));
const tracer = (pid: number, tid: number): number =>
  Number(/TracerPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (cond: () => boolean, what = String(cond)) => waitFor(cond, what);
function peekWord(pid: number, addr: bigint): bigint {
  const b = Buffer.alloc(8);
  native.vmRead(pid, addr, b);
  return b.readBigInt64LE();
}

/**
 * Single-step the selected thread until a step does not end within 50 ms
 * and the thread is asleep in the kernel (state S: a slow machine may just
 * not have run the step yet): it sits in a blocking system call. Returns
 * the pc it started that step from and the pending step.
 */
async function stepUntilBlocked(t: LocalTarget, tid: number): Promise<{ pc: bigint; step: Promise<StopEvent> }> {
  for (let i = 0; i < 100_000; i++) {
    const pc = (await t.getRegisters()).rip;
    const step = t.step();
    for (;;) {
      const done = await Promise.race([step.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
      if (done) break;
      if (taskState(t.pid, tid) === 'S') {
        expect(t.state).toBe('running');
        return { pc, step };
      }
    }
  }
  throw new Error('the thread never blocked');
}

describe('threads: corners', () => {
  it('a step asleep in a system call lets the others run; interrupted and detached, the program ends normally', async () => {
    const t = await start('nap');
    const marker = symbol(BIN, 'marker');
    const spun = () => peekWord(t.pid, symbol(BIN, 'spins') + 16n);
    await t.insertBreakpoint(marker);
    expect((await t.cont()).tid).not.toBe(t.pid);     // the worker, at marker
    await t.removeBreakpoint(marker);
    t.selectThread(t.pid);                           // main, in its 700 ms usleep
    const before = spun();
    const { pc, step } = await stepUntilBlocked(t, t.pid);
    await until(() => spun() > before);              // the worker runs while main's step sleeps
    t.interrupt();
    const stopped = await step;
    expect(stopped).toMatchObject({ tid: t.pid, reason: { kind: 'interrupted' } });
    expect((await t.getRegisters()).rip - pc).toBeLessThan(16n);
    const frozen = spun();                           // all-stop again
    await sleep(30);
    expect(spun()).toBe(frozen);
    // the step's trap, due when the sleep returns, must not reach the program
    await t.detach();
    // our child still: waited for here, or by the reaper detach arranged (polling too; it keeps the status)
    let st = -1;
    await until(() => (st = native.waitNow(t.pid)) >= 0 || (st = reapedStatus(t.pid) ?? -1) >= 0, 'the detached program to end');
    expect(decodeStatus(st)).toEqual({ kind: 'exited', code: 0 });
  });

  it('attaches to every thread of a running process, stops them all, detaches leaving all running', async () => {
    build();
    const pid = Number(execFileSync('/bin/sh', ['-c', `${BIN} spin >/dev/null 2>&1 & echo $!`]).toString());
    spinners.push(pid);
    try {
      await until(() => tasks(pid).length === 3);
      const t = await LocalTarget.attach(pid);
      const threads = await t.threads();
      expect(threads.map((x) => x.tid).sort((a, b) => a - b)).toEqual(tasks(pid));
      for (const x of threads) expect(tracer(pid, x.tid)).toBe(process.pid);
      const spins = symbol(BIN, 'spins');
      const before = await t.readMemory(spins, 24);
      await sleep(30);
      expect(await t.readMemory(spins, 24)).toEqual(before);   // every thread is stopped
      // a breakpoint hit by a spinner, then out again on detach
      if (await insertHardwareWatch(t, spins + 8n, 8, 'write')) {
        const ev = await t.cont();
        expect(ev.reason.kind).toBe('watchpoint');
        expect(ev.tid).not.toBe(pid);
      }
      await t.detach();
      for (const tid of tasks(pid)) expect(tracer(pid, tid)).toBe(0);
      const n = [0, 1, 2].map((i) => peekWord(pid, spins + BigInt(i * 8)));
      await until(() => [0, 1, 2].every((i) => peekWord(pid, spins + BigInt(i * 8)) > n[i]!));
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('the main thread exits first: the worker still stops, and the exit code is the process\'s', async () => {
    const t = await start('mainexit');
    await t.insertBreakpoint(symbol(BIN, 'marker'));
    const ev = await t.cont();
    expect(ev.reason).toEqual({ kind: 'breakpoint', pc: symbol(BIN, 'marker') });
    expect(ev.tid).not.toBe(t.pid);
    // the zombie leader is not listed; registers and memory go through the worker
    expect((await t.threads()).map((x) => x.tid)).toEqual([ev.tid]);
    expect((await t.getRegisters()).rip).toBe(symbol(BIN, 'marker'));
    expect((await t.readMemory(symbol(BIN, 'marker'), 1))[0]).toBe(0x55);   // push %rbp, not the int3
    expect((await t.memoryMap()).some((m) => m.path === BIN)).toBe(true);
    expect(() => t.selectThread(t.pid)).toThrow(/no thread/);
    const end = await t.cont();
    expect(end.reason).toEqual({ kind: 'exited', code: 7 });
    expect(gone(t.pid)).toBe(true);
  });

  it('exec from a worker: one thread left, with the pid as its tid', async () => {
    const t = await start('exec');
    const exited: number[] = [];
    t.on('thread', (e) => { if (e.kind === 'exited') exited.push(e.tid); });
    const ev = await t.cont();
    expect(ev.reason).toMatchObject({ kind: 'exec', path: '/usr/bin/true' });
    expect(ev.tid).toBe(t.pid);
    expect((await t.threads()).map((x) => x.tid)).toEqual([t.pid]);
    expect(tasks(t.pid)).toEqual([t.pid]);
    expect(exited.length).toBe(1);
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('a signal sent to a worker stops with that worker and is delivered on continue', async () => {
    const t = await start('signal');
    const ev = await t.cont();
    expect(ev.reason).toMatchObject({ kind: 'signal', signame: 'SIGUSR1' });
    expect(ev.tid).not.toBe(t.pid);
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 1 });   // the handler ran once
  });

  it('kill from outside while every thread runs: cont() ends with the death and nothing is left', async () => {
    const t = await start('spin');
    await t.insertBreakpoint(symbol(BIN, 'spinner'));
    await t.cont();
    await t.cont();
    await t.removeBreakpoint(symbol(BIN, 'spinner'));
    const run = t.cont();
    await sleep(20);
    process.kill(t.pid, 'SIGKILL');
    expect((await run).reason).toMatchObject({ kind: 'killed', signame: 'SIGKILL' });
    expect(gone(t.pid)).toBe(true);
  });

  it('hundreds of hits in 3 threads, the breakpoint removed and put back between: no trap escapes', async () => {
    const t = await start('spin');
    const marker = symbol(BIN, 'marker');
    await t.insertBreakpoint(marker);
    const hitters = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const ev = await t.cont();
      expect(ev.reason).toEqual({ kind: 'breakpoint', pc: marker });
      hitters.set(ev.tid, (hitters.get(ev.tid) ?? 0) + 1);
      if (i % 10 === 9) {
        // threads stopped just as they hit it hold its SIGTRAP: it must not reach the program
        await t.removeBreakpoint(marker);
        const run = t.cont();
        await sleep(2);
        t.interrupt();
        expect((await run).reason.kind).toBe('interrupted');
        await t.insertBreakpoint(marker);
      }
    }
    expect([...hitters.keys()].sort((a, b) => a - b)).toEqual(tasks(t.pid));
    await t.removeBreakpoint(marker);
    const run = t.cont();
    await sleep(50);
    expect(t.state).toBe('running');
    expect(taskStates(t.pid).every((st) => st === 'R' || st === 'S')).toBe(true);
    t.interrupt();
    expect((await run).reason.kind).toBe('interrupted');
  });

  it('interrupt() stops every running thread and reports the interrupt', async () => {
    const t = await start('spin');
    await t.insertBreakpoint(symbol(BIN, 'marker'));
    await t.cont();                            // the threads exist: they run marker()
    await t.removeBreakpoint(symbol(BIN, 'marker'));
    const run = t.cont();
    await sleep(20);
    t.interrupt();
    const ev = await run;
    expect(ev.reason.kind).toBe('interrupted');
    expect(tasks(t.pid)).toHaveLength(3);
    for (const tid of tasks(t.pid)) expect(taskState(t.pid, tid)).toBe('t');
    const before = await t.readMemory(symbol(BIN, 'spins'), 24);
    await sleep(20);
    expect(await t.readMemory(symbol(BIN, 'spins'), 24)).toEqual(before);
  });

  it('Node killed by SIGTERM or SIGKILL while every thread runs: the threaded tracee dies', async () => {
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      const script = `
        import { LocalTarget } from ${JSON.stringify(DIST_LOCAL)};
        const t = await LocalTarget.spawn(${JSON.stringify(build())}, { args: ['spin'] });
        await t.insertBreakpoint(${symbol(BIN, 'marker')}n);
        await t.cont();
        await t.removeBreakpoint(${symbol(BIN, 'marker')}n);
        t.cont();
        process.stdout.write(t.pid + '\\n');
        setInterval(() => {}, 1000);
      `;
      const pid = await nodeChild(script, (child) => { child.kill(sig); });
      await until(() => gone(pid));
    }
  });

  it('Node exits while attached and every thread keeps hitting a breakpoint: all detached, int3 out, running on', async () => {
    build();
    const pid = Number(execFileSync('/bin/sh', ['-c', `${BIN} spin >/dev/null 2>&1 & echo $!`]).toString());
    const marker = symbol(BIN, 'marker');
    try {
      await until(() => tasks(pid).length === 3);
      const script = `
        import { LocalTarget } from ${JSON.stringify(DIST_LOCAL)};
        const t = await LocalTarget.attach(${pid});
        await t.insertBreakpoint(${marker}n);
        process.stdout.write(t.pid + '\\n');
        setTimeout(() => process.exit(0), 100);
        for (;;) await t.cont();
      `;
      await nodeChild(script, () => undefined);
      for (const tid of tasks(pid)) await until(() => tracer(pid, tid) === 0);
      const byte = Buffer.alloc(1);
      native.vmRead(pid, marker, byte);
      expect(byte[0]).toBe(0x55);                 // push %rbp: the int3 is out
      const spins = symbol(BIN, 'spins');
      const n = [0, 1, 2].map((i) => peekWord(pid, spins + BigInt(i * 8)));
      await until(() => [0, 1, 2].every((i) => peekWord(pid, spins + BigInt(i * 8)) > n[i]!));
      expect(taskStates(pid).every((st) => st === 'R' || st === 'S')).toBe(true);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
});

const DIST_LOCAL = join(import.meta.dirname, '..', '..', 'dist', 'src', 'target', 'local.js');
const taskState = (pid: number, tid: number): string =>
  /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'))![1]!;
const taskStates = (pid: number): string[] => tasks(pid).map((tid) => taskState(pid, tid));

