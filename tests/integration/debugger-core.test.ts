/**
 * The debugger core driven without any text (issue 11): structured calls in,
 * an immutable state and typed events out, on a real program.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { resolve } from 'node:path';
import { Debugger } from '../../src/debugger/index.js';
import type { DebuggerState, Question, StopInfo } from '../../src/debugger/index.js';
import { localLauncher } from '../../src/debugger/local-launcher.js';
import { ownerEnv } from '../setup/leaks.js';
import { fixture } from '../fixtures/programs.js';
import { loadDiff } from '../../src/ui/diff.js';

const PROG = resolve('examples/bin/struct_loop');
const SOURCE = resolve('examples/struct_loop.c');
/** `p->x += 1;`, the first line of tick()'s body. */
const TICK_BODY = 17;

let open: Debugger | undefined;
afterEach(async () => {
  await open?.shutdown();
  open = undefined;
});

/** A Debugger on struct_loop with every event recorded. */
async function start(prog = PROG): Promise<{ d: Debugger; events: string[]; stops: StopInfo[]; states: DebuggerState[] }> {
  const d = new Debugger({ launcher: localLauncher(), launch: { aslr: false, env: { ...ownerEnv(), PATH: process.env.PATH ?? '' } } });
  open = d;
  const events: string[] = [];
  const stops: StopInfo[] = [];
  const states: DebuggerState[] = [];
  d.store.on('running', () => events.push('running'));
  d.store.on('stop', (s) => { events.push(`stop:${s.reason}`); stops.push(s); });
  d.store.on('exited', (e) => events.push(`exited:${e.exitCode}`));
  d.store.on('commandStart', (c) => events.push(`start:${c.command}`));
  d.store.on('commandEnd', (c) => events.push(`end:${c.command}:${c.ok}`));
  d.store.on('state', (s) => states.push(s));
  await d.load(prog, []);
  return { d, events, stops, states };
}

describe('the debugger core without text', () => {
  it('stops at a breakpoint with function, file, line and breakpoint ids; hit counts in new state objects', async () => {
    const { d, events, stops, states } = await start();
    const bp = await d.setBreakpoint({ function: 'tick' });
    expect(bp).toMatchObject({ id: 1, verified: true, function: 'tick', line: TICK_BODY, hits: 0, enabled: true });
    expect(bp.file).toMatch(/struct_loop\.c$/);
    expect(Object.isFrozen(bp)).toBe(true);

    const before = d.state;
    await d.launch();
    expect(d.state).not.toBe(before);
    expect(Object.isFrozen(d.state)).toBe(true);
    const stop = d.state.stop!;
    expect(stop).toMatchObject({ reason: 'breakpoint', function: 'tick', line: TICK_BODY, breakpoints: [1] });
    expect(stop.path).toBe(SOURCE);
    expect(stops).toEqual([stop]);
    expect(d.state.running).toBe(false);
    expect(d.state.process).toMatchObject({ origin: 'spawned', state: 'stopped' });
    expect(d.state.process!.exePath).toBe(PROG);
    expect(d.state.breakpoints[0]!.hits).toBe(1);

    // running true, then false, as events and as states
    const i = events.indexOf('start:launch');
    expect(events.slice(i)).toEqual(['start:launch', 'running', 'stop:breakpoint', 'end:launch:true']);
    const runningStates = states.map((s) => s.running);
    expect(runningStates).toContain(true);
    expect(runningStates[runningStates.length - 1]).toBe(false);

    // the next hit: a new breakpoint object with the new count, the old one unchanged
    const first = d.state.breakpoints[0]!;
    await d.resume();
    expect(d.state.breakpoints[0]).not.toBe(first);
    expect(first.hits).toBe(1);
    expect(d.state.breakpoints[0]!.hits).toBe(2);
    expect(stops.length).toBe(2);
    expect(() => { (d.state.breakpoints[0] as { hits: number }).hits = 9; }).toThrow(TypeError);
  });

  it('structured frames, registers changed by stepi, typed evaluation, stepping and the exit', async () => {
    const { d, events } = await start();
    await d.setBreakpoint({ file: 'struct_loop.c', line: TICK_BODY });
    await d.launch();
    const frames = await d.frames();
    expect(frames.map((f) => [f.level, f.function, f.line])).toEqual([[0, 'tick', TICK_BODY], [1, 'main', 26]]);
    expect(frames[0]!.file).toMatch(/struct_loop\.c$/);
    expect(typeof frames[1]!.pc).toBe('bigint');
    expect(d.state.frames).toBe(frames);

    const regs0 = await d.registers();
    expect(regs0.values.rip).toBe(d.state.stop!.pc);
    await d.stepi();
    expect(d.state.stop!.reason).toBe('step');
    const regs1 = d.state.registers!;
    expect(regs1.values.rip).not.toBe(regs0.values.rip);
    expect(regs1.changed).toContain('rip');
    expect(regs1.changed).not.toContain('rsp');
    expect(regs1.changed.length).toBeLessThan(10);

    const p = await d.evaluate('*p');
    expect(p.type).toBe('struct point');
    expect(p.value).toBeDefined();
    expect(p.text).toBe('{x = 1, y = 2, steps = 0, tag = "start\\000\\000"}');
    const x = await d.evaluate('p->x + 41');
    expect(x.type).toBe('int');
    expect(x.text).toBe('42');
    const inMain = await d.evaluate('i', 1);
    expect(inMain.text).toBe('0');
    await expect(d.evaluate('nosuchthing')).rejects.toThrow(/No symbol "nosuchthing" in current context\./);

    await d.next();
    expect(d.state.stop).toMatchObject({ reason: 'step', function: 'tick', line: TICK_BODY + 1 });
    await d.stepOut();
    expect(d.state.stop).toMatchObject({ reason: 'finish', function: 'main' });

    // memory: read, write, and the value seen through evaluate
    const addr = (await d.evaluate('&counter')).scalar?.value ?? BigInt((await d.evaluate('(long)&counter')).text);
    const buf = await d.readMemory(addr, 4);
    expect(buf.readInt32LE(0)).toBe(1);
    await d.writeMemory(addr, Buffer.from([7, 0, 0, 0]));
    expect((await d.evaluate('counter')).text).toBe('7');

    const insns = await d.disassemble(d.state.stop!.pc!, 3);
    expect(insns.length).toBe(3);
    expect(insns[0]!.function).toBe('main');
    expect(insns[1]!.address).toBe(insns[0]!.address + BigInt(insns[0]!.bytes.length));

    await d.deleteBreakpoint(1);
    expect(d.state.breakpoints).toEqual([]);
    await d.resume();
    expect(d.state.stop).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(d.state.process).toBeUndefined();
    expect(events).toContain('exited:0');
  });

  it('console commands publish what they show: bt the frames, info registers the registers, set $reg the change', async () => {
    const { d } = await start();
    await d.setBreakpoint({ function: 'tick' });
    await d.launch();
    expect(d.state.frames.map((f) => f.function)).toEqual(['tick']);
    const out: string[] = [];
    d.store.on('output', (c) => out.push(c.text));
    expect((await d.execute('bt')).ok).toBe(true);
    expect(out.join('')).toMatch(/^#0 {2}tick \(p=0x[0-9a-f]+ <pt>\) at .*struct_loop\.c:17\n#1 {2}0x[0-9a-f]+ in main \(\) at .*struct_loop\.c:26\n$/);
    expect(d.state.frames.map((f) => [f.level, f.function, f.line])).toEqual([[0, 'tick', TICK_BODY], [1, 'main', 26]]);
    const regs = d.state.registers!;
    await d.execute('set $rax = 0x1234');
    await d.execute('info registers rip');
    expect(d.state.registers).not.toBe(regs);
    expect(d.state.registers!.values.rax).toBe(0x1234n);
    expect(d.state.registers!.changed).toContain('rax');
    // the map and a whole-mapping snapshot, and symbols, for a front end without text
    const maps = await d.memoryMap();
    expect(maps.some((m) => m.path === '[stack]')).toBe(true);
    const stack = await d.snapshotMapping('stack');
    expect(stack.region).toBe('[stack]');
    expect(d.symbolize(d.state.frames[0]!.pc)).toMatch(/^tick\+\d+$/);
  });

  it('asks its questions through the question event, answered by the test', async () => {
    const { d } = await start();
    await d.setBreakpoint({ function: 'tick' });
    await d.launch();
    const pid = d.state.process!.pid;
    const asked: Question[] = [];
    d.store.on('question', (q) => { asked.push(q); q.answer(false); });
    const r = await d.execute('run');
    expect(asked.map((q) => q.text)).toEqual(['The program being debugged has been started already.\nStart it from the beginning? (y or n)']);
    expect(r).toMatchObject({ ok: false, error: 'Program not restarted.' });
    expect(d.state.process!.pid).toBe(pid);
  });

  it('snapshot, diff, restore, checkpoint and rewind as values', async () => {
    const { d } = await start();
    await d.setBreakpoint({ function: 'tick' });
    await d.launch();
    const pt = BigInt((await d.evaluate('(long)&pt')).text);
    const snap = await d.snapshot(pt, 24);
    expect(snap).toMatchObject({ start: pt, length: 24, owner: undefined });
    expect(d.state.snapshots).toEqual([snap]);
    await d.resume();
    const diff = await d.diff(pt);
    expect(diff.start).toBe(pt);
    expect(diff.changes.length).toBeGreaterThan(0);
    expect(diff.changes[0]!.offset).toBe(0);
    expect(diff.changes[0]!.old[0]).toBe(1);
    expect(diff.changes[0]!.now[0]).toBe(2);
    await d.restore(pt);
    expect((await d.evaluate('pt.x')).text).toBe('1');
    expect(d.state.snapshots).toEqual([]);

    const cp = await d.checkpoint('one');
    expect(cp).toMatchObject({ name: 'one', inEngine: true });
    expect(cp.pc).toBe(d.state.stop!.pc);
    expect(d.state.checkpoints).toEqual([cp]);
    // (stopped at tick's third call, before its counter++)
    await d.resume();
    await d.resume();
    expect((await d.evaluate('counter')).text).toBe('3');
    const back = await d.rewind('one');
    expect(back.stop).toMatchObject({ reason: 'rewind', function: 'tick' });
    expect(back.stop!.pc).toBe(cp.pc);
    expect((await d.evaluate('counter')).text).toBe('1');
  });

  it('a watchpoint set with an outer frame selected watches that frame\'s variable, checked there while a callee writes it', async () => {
    // main's count, written through a pointer by bump, whose own count is frame 0's
    const { d } = await start(fixture('watch_outer'));
    await d.setBreakpoint({ function: 'bump' });
    await d.launch();
    await d.selectFrame(1);
    const w = await d.setWatchpoint('count');
    await d.deleteBreakpoint(1);
    for (const [old, now] of [['0', '1'], ['1', '2']]) {
      const s = await d.resume();
      expect(s.stop).toMatchObject({ reason: 'watchpoint', function: 'bump', breakpoints: [w.id] });
      expect(s.stop!.watch).toEqual([{ breakpoint: w.id, expression: 'count', old, new: now }]);
    }
  });
});

describe('the diff pane\'s reasons', () => {
  it('no snapshot is the user\'s one line (gdb-style), not an internal error', async () => {
    const { d } = await start();
    await d.setBreakpoint({ function: 'tick' });
    await d.launch();
    expect(await loadDiff(d, 'heap')).toEqual({ expression: 'heap', error: 'No snapshot of the heap is held (take one with "snapshot heap").' });
    const view = await loadDiff(d, 'p');
    expect(view.error).toMatch(/^No snapshot holds p \(0x[0-9a-f]+\)\.$/);
  });
});
