/**
 * `tsdbg dap`'s requests for editing and browsing, through Microsoft's
 * DebugClient against real C programs: setVariable (locals, arguments,
 * struct members, array elements, registers) and setExpression, the Debug
 * Console's completions, modules with their `module` events (a library loaded
 * while running is announced at once), loadedSources,
 * exceptionInfo at a signal, and restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, fixture } from '../fixtures/programs.js';
import { waitFor } from '../setup/wait.js';
import { children, collect, configure, errorOf, launchTo, scopeVars, stdioClient, stopAfter, topFrame } from './dap-util.js';

const clients: DebugClient[] = [];

afterEach(async () => {
  for (const dc of clients.splice(0)) await dc.stop();
});

async function client(): Promise<DebugClient> {
  const dc = await stdioClient();
  clients.push(dc);
  return dc;
}

const SRC = join(FIXTURES, 'dap_vars.c');

const watch = async (dc: DebugClient, expression: string, frameId: number) =>
  (await dc.evaluateRequest({ expression, context: 'watch', frameId })).body.result;

const gone = (pid: number) => !existsSync(`/proc/${pid}`) || /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('tsdbg dap: changing the program\'s data', () => {
  it('sets arguments, struct members, array elements and registers, and expressions', async () => {
    const dc = await client();
    const invalidated = collect(dc, 'invalidated');
    const stop = await launchTo(dc, fixture('dap_vars'), SRC, [{ line: 28 }], {}, { supportsInvalidatedEvent: true });
    const threadId = stop.body.threadId!;
    const st = await dc.stackTraceRequest({ threadId });
    const [move, main] = st.body.stackFrames;

    // an argument
    const scopes = await dc.scopesRequest({ frameId: move!.id });
    const argsRef = scopes.body.scopes.find((s) => s.name === 'Arguments')!.variablesReference;
    const dx = await dc.setVariableRequest({ variablesReference: argsRef, name: 'dx', value: '77' });
    expect(dx.body).toMatchObject({ value: '77', type: 'int' });
    expect(await watch(dc, 'dx', move!.id)).toBe('77');
    // the client re-reads the views it shows
    await waitFor(() => invalidated.length > 0, () => 'an invalidated event after setVariable');
    expect(invalidated[0]!.body.areas).toEqual(['variables']);

    // a member of a struct in an array, reached through a pointer
    const s = (await scopeVars(dc, move!.id, 'Arguments')).get('s')!;
    const star = (await children(dc, s.variablesReference)).get('*s')!;
    const corners = (await children(dc, star.variablesReference)).get('corners')!;
    const c1 = (await children(dc, corners.variablesReference)).get('[1]')!;
    const x = await dc.setVariableRequest({ variablesReference: c1.variablesReference, name: 'x', value: '100 + 23' });
    expect(x.body.value).toBe('123');
    expect(await watch(dc, 's->corners[1].x', move!.id)).toBe('123');

    // an element of the caller's array: set in the caller's frame, seen in memory at its memoryReference
    const values = (await scopeVars(dc, main!.id, 'Locals')).get('values')!;
    const el = await dc.setVariableRequest({ variablesReference: values.variablesReference, name: '[2]', value: '-5' });
    expect(el.body).toMatchObject({ value: '-5', type: 'int' });
    expect(await watch(dc, 'values', main!.id)).toBe('{10, 20, -5, 40}');
    expect(values.memoryReference).toMatch(/^0x[0-9a-f]+$/);
    const mem = await dc.customRequest('readMemory', { memoryReference: values.memoryReference, count: 16 });
    const bytes = Buffer.from(mem.body.data, 'base64');
    expect([0, 1, 2, 3].map((i) => bytes.readInt32LE(i * 4))).toEqual([10, 20, -5, 40]);

    // a register of the top frame
    const regsRef = (await dc.scopesRequest({ frameId: move!.id })).body.scopes.find((x) => x.name === 'Registers')!.variablesReference;
    const rax = await dc.setVariableRequest({ variablesReference: regsRef, name: 'rax', value: '0x1234' });
    // (shown as the Registers scope shows it: gdb's natural column of `info registers`)
    expect(rax.body.value).toBe('4660');
    expect(await watch(dc, '$rax', move!.id)).toBe('4660');

    // setExpression on a global: the program itself goes on from the new value (counter++ runs once more)
    const set = await dc.customRequest('setExpression', { expression: 'counter', value: '41', frameId: move!.id });
    expect(set.body).toMatchObject({ value: '41', type: 'int' });
    await stopAfter(dc, () => dc.continueRequest({ threadId }));
    const f = await topFrame(dc, threadId);
    expect(f).toMatchObject({ name: 'move', line: 28 });
    expect(await watch(dc, 'counter', f.id)).toBe('42');
  });

  it('refuses what cannot be set with one line, and goes on', async () => {
    const dc = await client();
    const stop = await launchTo(dc, fixture('dap_vars'), SRC, [{ line: 28 }]);
    const f = await topFrame(dc, stop.body.threadId!);
    const argsRef = (await dc.scopesRequest({ frameId: f.id })).body.scopes.find((s) => s.name === 'Arguments')!.variablesReference;
    expect(await errorOf(dc.setVariableRequest({ variablesReference: argsRef, name: 'nosuch', value: '1' }))).toBe('No variable "nosuch" here.');
    expect(await errorOf(dc.setVariableRequest({ variablesReference: argsRef, name: 'dx', value: 'nosuch' })))
      .toBe('No symbol "nosuch" in current context.');
    expect(await errorOf(dc.setVariableRequest({ variablesReference: 9999, name: 'dx', value: '1' })))
      .toBe('Unknown variablesReference 9999 (they are valid until the program runs again).');
    expect(await errorOf(dc.customRequest('setExpression', { expression: '', value: '1' }))).toBe('"expression" is required.');
    expect(await watch(dc, 'dx', f.id)).toBe('10');
  });
});

describe('tsdbg dap: data breakpoints without debug registers', () => {
  it('falls back to a software watchpoint as `watch` does, with a hit count', async () => {
    const dc = await client();
    const stop = await launchTo(dc, fixture('dap_vars'), SRC, [{ line: 28 }]);
    const threadId = stop.body.threadId!;
    // what a CPU whose debug registers never trap leaves: gdb's can-use-hw-watchpoints 0
    await dc.evaluateRequest({ expression: 'set can-use-hw-watchpoints 0', context: 'repl' });
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
    const info = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write', hitCondition: '2' }] });
    const b = set.body.breakpoints[0]!;
    expect(b.verified).toBe(true);
    expect(b.message).toBe(`Software watchpoint ${b.id}: counter (the program runs one instruction at a time).`);
    // the first write (counter 0 -> 1) is ignored, the second stops
    const hit = await stopAfter(dc, () => dc.continueRequest({ threadId }));
    expect(hit.body).toMatchObject({ reason: 'data breakpoint', hitBreakpointIds: [b.id] });
    const f = await topFrame(dc, threadId);
    expect(await watch(dc, 'counter', f.id)).toBe('2');
    expect(hit.body.description).toBe('counter: 1 -> 2');
  });
});

describe('tsdbg dap: the Debug Console completes as the prompt does', () => {
  it('completes commands, subcommands, symbols and members, with or without -exec', async () => {
    const dc = await client();
    const stop = await launchTo(dc, fixture('dap_vars'), SRC, [{ line: 28 }]);
    expect(stop.body.reason).toBe('breakpoint');
    const complete = async (text: string, column = text.length + 1) =>
      (await dc.customRequest('completions', { text, column })).body.targets as DebugProtocol.CompletionItem[];

    const info = await complete('inf');
    expect(info.map((t) => t.label)).toContain('info');
    expect(info.find((t) => t.label === 'info')).toMatchObject({ start: 1, length: 3 });

    const br = await complete('info br');
    expect(br.map((t) => t.label)).toEqual(['breakpoints']);
    expect(br[0]).toMatchObject({ start: 6, length: 2 });

    expect((await complete('print cou')).map((t) => t.label)).toContain('counter');
    expect((await complete('print d')).map((t) => t.label)).toContain('dx');
    expect((await complete('break sca')).map((t) => t.label)).toContain('scale');
    const member = await complete('print s->cor');
    expect(member.map((t) => t.text)).toEqual(['corners']);
    expect(member[0]).toMatchObject({ start: 10, length: 3 });

    const exec = await complete('-exec inf');
    expect(exec.find((t) => t.label === 'info')).toMatchObject({ start: 7, length: 3 });
    // the cursor in the middle of the text: only what is before it counts
    expect((await complete('info br', 4)).map((t) => t.label)).toContain('info');
  });
});

describe('tsdbg dap: modules, sources, signals, restart', () => {
  it('lists the program and its libraries, announced by module events, and its sources', async () => {
    const prog = fixture('dap_vars');
    const dc = await client();
    const events = collect(dc, 'module');
    await launchTo(dc, prog, SRC, [{ line: 28 }]);
    const r = await dc.customRequest('modules', {});
    const mods = r.body.modules as DebugProtocol.Module[];
    expect(r.body.totalModules).toBe(mods.length);
    expect(mods[0]).toMatchObject({ id: prog, name: 'dap_vars', path: prog, symbolStatus: 'Symbols loaded.' });
    expect(mods[0]!.addressRange).toMatch(/^0x[0-9a-f]+-0x[0-9a-f]+$/);
    const libc = mods.find((m) => m.name === 'libc.so.6');
    expect(libc?.path).toMatch(/^\/.*libc\.so\.6$/);
    // every module was announced before the stop
    expect(events.filter((e) => e.body.reason === 'new').map((e) => e.body.module.id).sort()).toEqual(mods.map((m) => m.id).sort());
    const page = await dc.customRequest('modules', { startModule: 1, moduleCount: 1 });
    expect(page.body.modules.map((m: DebugProtocol.Module) => m.id)).toEqual([mods[1]!.id]);

    const sources = (await dc.customRequest('loadedSources', {})).body.sources as DebugProtocol.Source[];
    expect(sources.map((s) => s.path)).toContain(SRC);
  });

  it('announces a library loaded while the program runs, without waiting for a stop', async () => {
    const dc = await client();
    const modules = collect(dc, 'module');
    const stops = collect(dc, 'stopped');
    const output = collect(dc, 'output');
    await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
    await Promise.all([configure(dc), dc.launchRequest({ program: fixture('dlopen_pause') } as DebugProtocol.LaunchRequestArguments)]);
    const zlib = () => modules.find((e) => e.body.reason === 'new' && /^libz\.so\.1\b/.test(e.body.module.name));
    await waitFor(() => zlib() !== undefined, () => `a module event for libz.so.1 (got ${JSON.stringify(modules.map((e) => e.body.module.name))})`);
    expect(zlib()!.body.module.path).toMatch(/^\/.*\/libz\.so\.1[.\d]*$/);
    // the program is past its dlopen and waits in pause(): it never stopped
    await waitFor(() => output.some((e) => e.body.output.includes('zlib loaded')), () => 'the program saying zlib loaded');
    expect(stops).toEqual([]);
    // and the list the client asks for afterwards agrees
    const mods = (await dc.customRequest('modules', {})).body.modules as DebugProtocol.Module[];
    expect(mods.map((m) => m.name)).toContain(zlib()!.body.module.name);
    // only images: not the loader's cache it maps while dlopen runs
    expect(mods.map((m) => m.name)).not.toContain('ld.so.cache');
  });

  it('describes a signal stop in gdb\'s words, and refuses exceptionInfo elsewhere', async () => {
    const dc = await client();
    await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([configure(dc), dc.launchRequest({ program: fileURLToPath(new URL('../../examples/bin/crash', import.meta.url)) } as DebugProtocol.LaunchRequestArguments)]);
    const s = (await stopped) as DebugProtocol.StoppedEvent;
    expect(s.body.reason).toBe('exception');
    const info = await dc.customRequest('exceptionInfo', { threadId: s.body.threadId });
    expect(info.body).toMatchObject({
      exceptionId: 'SIGSEGV', description: 'Program received signal SIGSEGV, Segmentation fault.', breakMode: 'always',
    });
    expect(info.body.details.message).toMatch(/^Program received signal SIGSEGV, Segmentation fault\.\nin read_verbose at .*crash\.c:10$/);

    const dc2 = await client();
    const stop = await launchTo(dc2, fixture('dap_vars'), SRC, [{ line: 28 }]);
    expect(await errorOf(dc2.customRequest('exceptionInfo', { threadId: stop.body.threadId }))).toBe('The program did not stop at a signal.');
  });

  it('restarts a launched program from the beginning with its breakpoints', async () => {
    const dc = await client();
    const processes = collect(dc, 'process');
    const stop = await launchTo(dc, fixture('dap_vars'), SRC, [{ line: 28 }]);
    let f = await topFrame(dc, stop.body.threadId!);
    await stopAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    f = await topFrame(dc, stop.body.threadId!);
    expect(await watch(dc, 'counter', f.id)).toBe('1');
    const first = processes[0]!.body.systemProcessId as number;

    // the client's edited configuration: new arguments for the new process
    const again = await stopAfter(dc, () => dc.customRequest('restart', { arguments: { program: fixture('dap_vars'), args: ['one', 'two'] } }));
    expect(again.body.reason).toBe('breakpoint');
    expect(processes.length).toBe(2);
    const second = processes[1]!.body.systemProcessId as number;
    expect(second).not.toBe(first);
    expect(gone(first)).toBe(true);
    expect(readFileSync(`/proc/${second}/cmdline`, 'utf8').split('\0').slice(1, 3)).toEqual(['one', 'two']);
    f = await topFrame(dc, again.body.threadId!);
    expect(f).toMatchObject({ name: 'move', line: 28 });
    expect(await watch(dc, 'counter', f.id)).toBe('0');
  });

  it('cancels a repl command that runs the program: interrupted, answered `cancelled`', async () => {
    const dc = await client();
    await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
    const started = dc.assertOutput('stdout', 'pid ');
    const proc = dc.waitForEvent('process');
    await Promise.all([configure(dc), dc.launchRequest({ program: fixture('target_loop'), stopOnEntry: true } as DebugProtocol.LaunchRequestArguments)]);
    const pid = (await proc).body.systemProcessId as number;
    const continued = dc.waitForEvent('continued');
    // (DebugClient numbers requests itself: the next one's seq)
    const seq = (dc as unknown as { sequence: number }).sequence;
    const answer = dc.evaluateRequest({ expression: 'continue', context: 'repl' });
    await continued;
    await started;
    const stopped = dc.waitForEvent('stopped');
    await dc.customRequest('cancel', { requestId: seq });
    expect(await errorOf(answer)).toBe('cancelled');
    expect(((await stopped) as DebugProtocol.StoppedEvent).body.reason).toBe('pause');
    expect((await topFrame(dc, pid)).name).toBe('main');
  });
});
