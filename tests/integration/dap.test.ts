/**
 * `tsdbg dap` driven by Microsoft's DebugClient against real C programs:
 * what VS Code, nvim-dap or Helix would send, and what they must get back.
 * Every client is stopped after its test (its adapter kills what it
 * launched); the leak check sees anything left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, fixture } from '../fixtures/programs.js';
import { ownerEnv } from '../setup/leaks.js';
import { SESSION_MS, waitFor } from '../setup/wait.js';
import { children, collect, configure, errorOf, launchTo, listeningServer, scopeVars, stdioClient, stopAfter, topFrame } from './dap-util.js';

const clients: DebugClient[] = [];
const processes: ChildProcess[] = [];

afterEach(async () => {
  for (const dc of clients.splice(0)) await dc.stop();
  for (const p of processes.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await gone;
    }
  }
});

async function client(): Promise<DebugClient> {
  const dc = await stdioClient();
  clients.push(dc);
  return dc;
}

const SRC = join(FIXTURES, 'dap_vars.c');

describe('tsdbg dap', () => {
  it('answers initialize with what it supports', async () => {
    const dc = await client();
    const r = await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
    expect(r.body).toMatchObject({
      supportsConfigurationDoneRequest: true, supportsFunctionBreakpoints: true, supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true, supportsDataBreakpoints: true, supportsStepBack: true,
      supportsReadMemoryRequest: true, supportsWriteMemoryRequest: true, supportsDisassembleRequest: true,
      supportsEvaluateForHovers: true, supportsSetVariable: true, supportsSetExpression: true, supportsCompletionsRequest: true,
      supportsModulesRequest: true, supportsLoadedSourcesRequest: true, supportsExceptionInfoRequest: true, supportsRestartRequest: true,
      supportsTerminateRequest: true, supportTerminateDebuggee: true, supportsCancelRequest: true,
    });
  });

  it('launches to a breakpoint: stack, scopes, and structs, arrays and pointers that expand', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const output = collect(dc, 'output');
    const stop = await launchTo(dc, prog, SRC, [{ line: 28 }]);
    expect(stop.body.reason).toBe('breakpoint');
    expect(stop.body.hitBreakpointIds?.length).toBe(1);
    const threadId = stop.body.threadId!;
    const threads = await dc.threadsRequest();
    expect(threads.body.threads.map((t) => t.id)).toContain(threadId);

    const st = await dc.stackTraceRequest({ threadId });
    const [move, main] = st.body.stackFrames;
    expect(move).toMatchObject({ name: 'move', line: 28 });
    expect(move!.source?.path).toMatch(/dap_vars\.c$/);
    expect(main).toMatchObject({ name: 'main', line: 39 });

    const scopes = await dc.scopesRequest({ frameId: move!.id });
    expect(scopes.body.scopes.map((s) => s.name)).toEqual(['Locals', 'Arguments', 'Registers']);

    // an argument that is a pointer to a struct: *s, then its members, an array of structs in it
    const args = await scopeVars(dc, move!.id, 'Arguments');
    expect(args.get('dx')).toMatchObject({ value: '10', type: 'int', variablesReference: 0 });
    const s = args.get('s')!;
    expect(s.type).toBe('struct shape *');
    expect(s.value).toMatch(/^0x[0-9a-f]+$/);
    expect(s.variablesReference).toBeGreaterThan(0);
    const star = (await children(dc, s.variablesReference)).get('*s')!;
    expect(star.evaluateName).toBe('*s');
    const members = await children(dc, star.variablesReference);
    expect([...members.keys()]).toEqual(['name', 'corners', 'next']);
    expect(members.get('name')!.value).toMatch(/^0x[0-9a-f]+ "tri"$/);
    expect(members.get('next')!.value).toBe('0x0');
    expect(members.get('next')!.variablesReference).toBe(0);
    const corners = members.get('corners')!;
    expect(corners).toMatchObject({ type: 'struct point [3]', indexedVariables: 3, value: '{{x = 11, y = 2}, {x = 13, y = 4}, {x = 15, y = 6}}' });
    const c1 = (await children(dc, corners.variablesReference)).get('[1]')!;
    expect(c1.evaluateName).toBe('s->corners[1]');
    const xy = await children(dc, c1.variablesReference);
    expect(xy.get('x')).toMatchObject({ value: '13', type: 'int' });

    // the caller's locals: an array and a struct holding a pointer to another
    const locals = await scopeVars(dc, main!.id, 'Locals');
    expect([...locals.keys()]).toEqual(expect.arrayContaining(['tri', 'sq', 'list', 'values', 'round']));
    const values = locals.get('values')!;
    expect(values).toMatchObject({ value: '{10, 20, 30, 40}', type: 'int [4]', indexedVariables: 4 });
    const page = await dc.variablesRequest({ variablesReference: values.variablesReference, filter: 'indexed', start: 2, count: 2 });
    expect(page.body.variables.map((v) => [v.name, v.value])).toEqual([['[2]', '30'], ['[3]', '40']]);
    const sq = await children(dc, locals.get('sq')!.variablesReference);
    const next = sq.get('next')!;
    expect(next.type).toBe('struct shape *');
    const tri = await children(dc, (await children(dc, next.variablesReference)).get('*next')!.variablesReference);
    expect(tri.get('name')!.value).toMatch(/"tri"$/);

    const regs = await scopeVars(dc, move!.id, 'Registers');
    expect(regs.get('rip')!.value).toMatch(/^0x[0-9a-f]+ <move\+\d+>$/);
    expect(regs.get('rsp')!.value).toMatch(/^0x[0-9a-f]+$/);
    // the caller's registers are its own, unwound: its pc is the return address into main
    const callerRegs = await scopeVars(dc, main!.id, 'Registers');
    expect(callerRegs.get('rip')!.value).toMatch(/^0x[0-9a-f]+ <main\+\d+>$/);
    expect(callerRegs.get('rip')!.value.split(' ')[0]).toBe(main!.instructionPointerReference);
    expect(BigInt(callerRegs.get('rsp')!.value)).toBeGreaterThan(BigInt(regs.get('rsp')!.value));

    // the program's own output arrives as output events
    const next2 = await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(next2.body.reason).toBe('breakpoint');
    await waitFor(() => output.some((e) => e.body.output.includes('round 0 x=11')), () => `the program's output in ${JSON.stringify(output.map((e) => e.body))}`);
    expect(output.find((e) => e.body.output.includes('round 0 x=11'))!.body.category).toBe('stdout');
  });

  it('stops at a conditional breakpoint and at a hit count, and at a function breakpoint', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 26, condition: 'dx == 30' }, { line: 28, hitCondition: '3' }]);
    const threadId = stop.body.threadId!;
    let f = await topFrame(dc, threadId);
    expect(f).toMatchObject({ name: 'move', line: 26 });
    expect((await scopeVars(dc, f.id, 'Arguments')).get('dx')!.value).toBe('30');
    // the third time at line 28: counter counts the two moves before it
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    f = await topFrame(dc, threadId);
    expect(f).toMatchObject({ name: 'move', line: 28 });
    const counter = await dc.evaluateRequest({ expression: 'counter', context: 'watch', frameId: f.id });
    expect(counter.body.result).toBe('2');

    // a function breakpoint
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'scale' }] });
    expect(fb.body.breakpoints[0]!.verified).toBe(true);
    const s = await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(s.body.reason).toBe('function breakpoint');
    expect((await topFrame(dc, threadId)).name).toBe('scale');

    // a condition that names nothing is refused with gdb's words, as unverified
    const bad = await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: 21, condition: 'nosuch > 1' }] });
    expect(bad.body.breakpoints[0]).toMatchObject({ verified: false, message: 'No symbol "nosuch" in current context.' });
  });

  it('steps in, out and over', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 39 }]);
    const threadId = stop.body.threadId!;
    const into = await stopAfter(dc, () => dc.stepInRequest({ threadId }));
    expect(into.body.reason).toBe('step');
    expect(await topFrame(dc, threadId)).toMatchObject({ name: 'move', line: 26 });
    await stopAfter(dc, () => dc.nextRequest({ threadId }));
    expect(await topFrame(dc, threadId)).toMatchObject({ name: 'move', line: 27 });
    // as gdb's finish: the call was line 39's last instruction, so main goes on at line 40
    await stopAfter(dc, () => dc.stepOutRequest({ threadId }));
    expect(await topFrame(dc, threadId)).toMatchObject({ name: 'main', line: 40 });
    await stopAfter(dc, () => dc.nextRequest({ threadId }));
    expect(await topFrame(dc, threadId)).toMatchObject({ name: 'main', line: 38 });
    // one instruction
    const before = (await topFrame(dc, threadId)).instructionPointerReference;
    await stopAfter(dc, () => dc.nextRequest({ threadId, granularity: 'instruction' }));
    expect((await topFrame(dc, threadId)).instructionPointerReference).not.toBe(before);
  });

  it('evaluates watch and hover expressions, and console commands in the repl', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 39 }]);
    const threadId = stop.body.threadId!;
    const f = await topFrame(dc, threadId);
    const w = await dc.evaluateRequest({ expression: 'list->next->name', context: 'watch', frameId: f.id });
    expect(w.body.result).toMatch(/^0x[0-9a-f]+ "tri"$/);
    const h = await dc.evaluateRequest({ expression: 'tri.corners[2]', context: 'hover', frameId: f.id });
    expect(h.body).toMatchObject({ result: '{x = 5, y = 6}', type: 'struct point' });
    expect(h.body.variablesReference).toBeGreaterThan(0);
    expect((await children(dc, h.body.variablesReference)).get('y')!.value).toBe('6');
    expect(await errorOf(dc.evaluateRequest({ expression: 'nosuch', context: 'watch', frameId: f.id }))).toBe('No symbol "nosuch" in current context.');
    // print's own text at the top: a pointer with its type, a register
    const p0 = await dc.evaluateRequest({ expression: '&values[1]', context: 'watch', frameId: f.id });
    expect(p0.body).toMatchObject({ type: 'int *' });
    expect(p0.body.result).toMatch(/^\(int \*\) 0x[0-9a-f]+$/);
    const pc = await dc.evaluateRequest({ expression: '$pc', context: 'watch', frameId: f.id });
    expect(pc.body.result).toMatch(/^\(void \(\*\)\(\)\) 0x[0-9a-f]+ <main\+\d+>$/);
    // the repl runs console commands and answers with their output
    const p = await dc.evaluateRequest({ expression: 'print values[1] + 1', context: 'repl' });
    expect(p.body.result).toBe('$1 = 21');
    const info = await dc.evaluateRequest({ expression: 'info breakpoints', context: 'repl' });
    expect(info.body.result).toMatch(/^Num\s+Type\s+Disp Enb Address\s+What\n1\s+breakpoint\s+keep y\s+0x[0-9a-f]+ in main at .*dap_vars\.c:39\n\tbreakpoint already hit 1 time$/);
    expect(await errorOf(dc.evaluateRequest({ expression: 'frobnicate', context: 'repl' }))).toBe('Undefined command: "frobnicate".  Try "help".');
    // a console kill ends the session for the client too
    const terminated = dc.waitForEvent('terminated');
    const killed = await dc.evaluateRequest({ expression: 'kill', context: 'repl' });
    expect(killed.body.result).toMatch(/^\[Inferior 1 \(process \d+\) killed\]$/);
    await terminated;
  });

  it('stops on a data breakpoint when the watched variable is written', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 38 }]);
    const threadId = stop.body.threadId!;
    const info = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    expect(info.body.dataId).toBe('counter');
    expect(info.body.accessTypes).toContain('write');
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const hit = await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(hit.body.reason).toBe('data breakpoint');
    expect(hit.body.hitBreakpointIds).toEqual([set.body.breakpoints[0]!.id]);
    const f = await topFrame(dc, threadId);
    expect(f.name).toBe('move');
    expect((await dc.evaluateRequest({ expression: 'counter', context: 'watch', frameId: f.id })).body.result).toBe('1');
  });

  it('watches a local reached from the Locals scope, for writes and then for reads', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 38 }]);
    const threadId = stop.body.threadId!;
    const f = await topFrame(dc, threadId);
    const scopes = await dc.scopesRequest({ frameId: f.id });
    const locals = scopes.body.scopes.find((x) => x.name === 'Locals')!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: locals.variablesReference, name: 'round' });
    expect(info.body).toMatchObject({ dataId: 'round', accessTypes: ['write', 'read', 'readWrite'] });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const hit = await stopAfter(dc, () => dc.continueRequest({ threadId }));
    // gdb's Old value / New value, in one line
    expect(hit.body).toMatchObject({ reason: 'data breakpoint', description: 'round: 0 -> 1' });
    expect(await topFrame(dc, threadId)).toMatchObject({ name: 'main', line: 38 });
    // replaced by a read watch: the loop's test reads it next
    const read = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'read' }] });
    expect(read.body.breakpoints[0]!.verified).toBe(true);
    expect(read.body.breakpoints[0]!.id).not.toBe(set.body.breakpoints[0]!.id);
    const r = await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(r.body).toMatchObject({ reason: 'data breakpoint', hitBreakpointIds: [read.body.breakpoints[0]!.id] });
    expect((await topFrame(dc, threadId)).name).toBe('main');
  });

  it('reads, writes and disassembles memory', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 39 }]);
    const threadId = stop.body.threadId!;
    const f = await topFrame(dc, threadId);
    const values = (await scopeVars(dc, f.id, 'Locals')).get('values')!;
    expect(values.memoryReference).toMatch(/^0x[0-9a-f]+$/);
    // an expression names the memory too: an array is its address, a pointer its value
    for (const ref of ['values', '&values[0]']) {
      const r = (await dc.customRequest('readMemory', { memoryReference: ref, count: 4 })) as DebugProtocol.ReadMemoryResponse;
      expect(r.body!.address).toBe(values.memoryReference);
    }
    const mem = (await dc.customRequest('readMemory', { memoryReference: values.memoryReference, count: 16 })) as DebugProtocol.ReadMemoryResponse;
    const bytes = Buffer.from(mem.body!.data!, 'base64');
    expect([0, 4, 8, 12].map((o) => bytes.readInt32LE(o))).toEqual([10, 20, 30, 40]);
    const four = Buffer.alloc(4);
    four.writeInt32LE(99);
    const wrote = (await dc.customRequest('writeMemory', { memoryReference: values.memoryReference, offset: 4, data: four.toString('base64') })) as DebugProtocol.WriteMemoryResponse;
    expect(wrote.body?.bytesWritten).toBe(4);
    expect((await dc.evaluateRequest({ expression: 'values[1]', context: 'watch', frameId: f.id })).body.result).toBe('99');
    // unmapped memory is reported as unreadable, not as an error
    const none = (await dc.customRequest('readMemory', { memoryReference: '0x10', count: 8 })) as DebugProtocol.ReadMemoryResponse;
    expect(none.body).toMatchObject({ unreadableBytes: 8 });
    // the instructions at the pc, as gdb's disassemble shows them, and the ones before it
    const dis = (await dc.customRequest('disassemble', { memoryReference: f.instructionPointerReference, instructionCount: 3 })) as DebugProtocol.DisassembleResponse;
    expect(dis.body!.instructions).toHaveLength(3);
    const at = dis.body!.instructions[0]!;
    expect(at).toMatchObject({ address: f.instructionPointerReference, line: 39 });
    expect(at.location?.path).toMatch(/dap_vars\.c$/);
    const gdbLine = gdbDisassembly(prog, BigInt(f.instructionPointerReference!));
    expect(`${at.instruction}`).toBe(gdbLine);
    const around = (await dc.customRequest('disassemble', { memoryReference: f.instructionPointerReference, instructionOffset: -2, instructionCount: 4 })) as DebugProtocol.DisassembleResponse;
    const list = around.body!.instructions;
    expect(list).toHaveLength(4);
    expect(list[2]!.address).toBe(f.instructionPointerReference);
    expect(BigInt(list[0]!.address) < BigInt(list[1]!.address) && BigInt(list[1]!.address) < BigInt(list[2]!.address)).toBe(true);
  });

  it('steps back to a checkpoint; checkpoint and rewind as requests and from the repl', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 39 }]);
    const threadId = stop.body.threadId!;
    const round = async () => {
      const f = await topFrame(dc, threadId);
      expect(f).toMatchObject({ name: 'main', line: 39 });
      return (await dc.evaluateRequest({ expression: 'round', context: 'watch', frameId: f.id })).body.result;
    };
    expect(await errorOf(dc.stepBackRequest({ threadId }))).toMatch(/^No checkpoint/);
    // past the first printf, which grows the heap (a rewind cannot undo a change of the memory map)
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    const cp = await dc.customRequest('checkpoint', { name: 'start' });
    expect(cp.body).toMatchObject({ name: 'start', pc: expect.stringMatching(/^0x[0-9a-f]+$/) });
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(await round()).toBe('3');
    const back = await stopAfter(dc, () => dc.stepBackRequest({ threadId }));
    expect(back.body.reason).toBe('goto');
    expect(await round()).toBe('1');
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    const rc = await stopAfter(dc, () => dc.reverseContinueRequest({ threadId }));
    expect(rc.body.reason).toBe('goto');
    expect(await round()).toBe('1');
    // the console's checkpoint and rewind from the repl; a rewind there is reported as a stop too
    await dc.evaluateRequest({ expression: 'checkpoint again', context: 'repl' });
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(await round()).toBe('2');
    const viaRepl = await stopAfter(dc, () => dc.evaluateRequest({ expression: 'rewind again', context: 'repl' }));
    expect(viaRepl.body.reason).toBe('goto');
    expect(await round()).toBe('1');
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    const rewound = await stopAfter(dc, () => dc.customRequest('rewind', { name: 'start' }));
    expect(rewound.body.reason).toBe('goto');
    expect(await round()).toBe('1');
    // a console command that runs the program is reported by a stop event as well
    const stepped = await stopAfter(dc, () => dc.evaluateRequest({ expression: 'next', context: 'repl' }));
    expect(stepped.body.reason).toBe('step');
    expect((await topFrame(dc, threadId)).line).toBe(40);
  });

  it('takes a snapshot, diffs it and restores it with the custom requests', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 39 }]);
    const threadId = stop.body.threadId!;
    const snap = await dc.customRequest('snapshot', { region: 'stack' });
    expect(snap.body).toMatchObject({ region: '[stack]', start: expect.stringMatching(/^0x[0-9a-f]+$/) });
    expect(snap.body.length).toBeGreaterThan(0);
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    let f = await topFrame(dc, threadId);
    const roundAddr = (await dc.evaluateRequest({ expression: '&round', context: 'watch', frameId: f.id })).body.result.split(' ').pop()!;
    const diff = await dc.customRequest('diff', { region: 'stack' });
    expect(diff.body.start).toBe(snap.body.start);
    expect(diff.body.bytesChanged).toBeGreaterThan(0);
    // round went from 0 to 2: its first byte is among the changes
    const changed = (diff.body.changes as Array<{ address: string; old: string; now: string }>).find((c) => BigInt(c.address) <= BigInt(roundAddr) && BigInt(roundAddr) < BigInt(c.address) + BigInt(c.old.length / 2));
    expect(changed).toBeDefined();
    const restored = await dc.customRequest('restore', { region: 'stack' });
    expect(restored.body).toMatchObject({ start: snap.body.start });
    f = await topFrame(dc, threadId);
    expect((await dc.evaluateRequest({ expression: 'round', context: 'watch', frameId: f.id })).body.result).toBe('0');
    expect(await errorOf(dc.customRequest('restore', {}))).toBe('"region" must be given as a non-empty string.');
    expect(await errorOf(dc.customRequest('diff', { region: 'heap' }))).toMatch(/^No snapshot at 0x[0-9a-f]+\.$/);
  });

  it('reports the exit of the program with exited and terminated', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await Promise.all([dc.configurationSequence(), dc.launch({ program: prog })]);
    expect((await exited).body.exitCode).toBe(5);
    await terminated;
  });

  it('attaches to a running process and leaves it running on disconnect', async () => {
    const loop = spawn(fixture('target_loop'), [], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...ownerEnv() } });
    processes.push(loop);
    await new Promise((r) => loop.stdout!.once('data', r));
    const dc = await client();
    await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([configure(dc), dc.attachRequest({ pid: loop.pid } as DebugProtocol.AttachRequestArguments)]);
    const s = (await stopped) as DebugProtocol.StoppedEvent;
    const threadId = s.body.threadId!;
    const st = await dc.stackTraceRequest({ threadId });
    expect(st.body.stackFrames[0]!.name).toBe('main');
    // what was attached cannot be started again
    expect(await errorOf(dc.customRequest('restart', {}))).toBe('Cannot restart a process that was attached to: disconnect and attach again.');
    await dc.continueRequest({ threadId });
    await dc.disconnectRequest({});
    // detached, not killed: it still runs, and is no longer traced
    await waitFor(() => /TracerPid:\s+0\b/.test(procStatus(loop.pid!)), () => `pid ${loop.pid} untraced: ${procStatus(loop.pid!)}`);
    expect(loop.exitCode).toBeNull();
    expect(procStatus(loop.pid!)).toMatch(/State:\s+R/);
  });

  it('refuses bad launch and attach arguments with one line, and goes on', async () => {
    const dc = await client();
    await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
    expect(await errorOf(dc.launchRequest({} as DebugProtocol.LaunchRequestArguments))).toBe('"program" is required: the path of the executable to debug.');
    expect(await errorOf(dc.launchRequest({ program: '/nonexistent/prog' } as DebugProtocol.LaunchRequestArguments))).toBe('"program": /nonexistent/prog: No such file or directory.');
    expect(await errorOf(dc.launchRequest({ program: fixture('dap_vars'), args: 'x' } as DebugProtocol.LaunchRequestArguments))).toBe('"args" must be a list of strings.');
    expect(await errorOf(dc.attachRequest({ pid: 'abc' } as DebugProtocol.AttachRequestArguments))).toBe('"pid" must be a process id, not "abc".');
    expect(await errorOf(dc.stackTraceRequest({ threadId: 1 }))).toBe('The program is not being run.');
    expect(await errorOf(dc.customRequest('frobnicate'))).toBe('Unknown request "frobnicate".');
    expect(await errorOf(dc.variablesRequest({ variablesReference: 12345 }))).toMatch(/^Unknown variablesReference 12345/);
    // still serving: a good launch works after all that
    const exited = dc.waitForEvent('exited');
    await Promise.all([configure(dc), dc.launchRequest({ program: fixture('dap_vars') } as DebugProtocol.LaunchRequestArguments)]);
    await exited;
  });

  it('answers malformed requests on a stopped program with one-line errors, and goes on', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const stop = await launchTo(dc, prog, SRC, [{ line: 39 }]);
    const threadId = stop.body.threadId!;
    const bad: Array<[string, unknown]> = [
      ['scopes', { frameId: 999 }],
      ['variables', { variablesReference: 'x' }],
      ['evaluate', { context: 'watch' }],
      ['evaluate', { expression: 'values[', context: 'hover' }],
      ['readMemory', { memoryReference: '0x1000', count: -1 }],
      ['readMemory', { memoryReference: 'no_such_symbol', count: 4 }],
      ['writeMemory', { memoryReference: '0x10', data: 'AAAA' }],
      ['disassemble', { memoryReference: '0x401000', instructionCount: 0 }],
      ['setBreakpoints', { breakpoints: [{ line: 3 }] }],
      ['snapshot', { region: 'stack', length: 'lots' }],
    ];
    for (const [command, args] of bad) {
      const message = await errorOf(dc.customRequest(command, args)).catch(() => 'answered without an error');
      expect(message, `${command} ${JSON.stringify(args)}`).toMatch(/^[^\n]+$/);
      expect(message, `${command} ${JSON.stringify(args)}`).not.toMatch(/^answered without|^Error|TypeError|undefined|at .*\.js/);
    }
    // a data breakpoint on what cannot be watched, a line with no code: unverified, with the reason
    const data = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'no_such_thing' }] });
    expect(data.body.breakpoints[0]).toMatchObject({ verified: false, message: 'No symbol "no_such_thing" in current context.' });
    const hit = await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: 30, hitCondition: '%2' }] });
    expect(hit.body.breakpoints[0]).toMatchObject({ verified: false });
    expect(hit.body.breakpoints[0]!.message).toMatch(/^Unsupported hit condition "%2"/);
    // still answering
    expect(await topFrame(dc, threadId)).toMatchObject({ name: 'main', line: 39 });
  });

  it('serves over TCP with --listen', async () => {
    const { server, port } = await listeningServer();
    processes.push(server);
    const dc = new DebugClient('unused', 'unused', 'tsdbg');
    await dc.start(port);
    const proc = dc.waitForEvent('process');
    const prog = fixture('dap_vars');
    const stop = await launchTo(dc, prog, SRC, [{ line: 21 }]);
    expect(await topFrame(dc, stop.body.threadId!)).toMatchObject({ name: 'scale', line: 21 });
    // a second client at the same time has a session of its own
    const other = new DebugClient('unused', 'unused', 'tsdbg');
    // (not stopped in afterEach: over TCP DebugClient waits for ever; the server's end closes both)
    await other.start(port);
    const second = await launchTo(other, prog, SRC, [{ line: 28 }]);
    expect(await topFrame(other, second.body.threadId!)).toMatchObject({ name: 'move', line: 28 });
    // SIGTERM: every session ends as a disconnect would (what they launched is killed), then the server
    const pid = (await proc).body.systemProcessId as number;
    const exit = new Promise((r) => server.once('exit', (code) => r(code)));
    server.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(procStatus(pid)).toBe('(gone)');
  });
});

function procStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '(gone)';
  }
}

/** gdb's text of the instruction at addr (non-PIE fixture: the same address in gdb's run). */
function gdbDisassembly(prog: string, addr: bigint): string {
  const out = execFileSync('gdb', ['-batch', '-nx', '-ex', 'break 39', '-ex', 'run', '-ex', `x/i 0x${addr.toString(16)}`, prog], {
    encoding: 'utf8', env: { ...process.env, ...ownerEnv() }, timeout: SESSION_MS, killSignal: 'SIGKILL',
  });
  const line = out.split('\n').find((l) => l.startsWith(`=> 0x${addr.toString(16)} `))!;
  return line.replace(/^=>\s*0x[0-9a-f]+ <[^>]+>:\s*/, '');
}
