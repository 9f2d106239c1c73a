/**
 * `tsdbg dap` launching with the arguments VS Code's C/C++ adapters take
 * (args, env, cwd, stopOnEntry), pausing a running program, a fatal signal,
 * and what disconnect leaves behind (nothing it launched).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, fixture } from '../fixtures/programs.js';
import { waitFor } from '../setup/wait.js';
import { StreamClient, TSDBG, configure, stdioClient, stopAfter, topFrame } from './dap-util.js';

const clients: DebugClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const dc of clients.splice(0)) await dc.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function client(): Promise<DebugClient> {
  const dc = await stdioClient();
  clients.push(dc);
  await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
  return dc;
}

/** Launch with these arguments; resolves with the process event's pid and the first stop (if `stops`). */
async function launch(dc: DebugClient, args: Record<string, unknown>): Promise<number> {
  const proc = dc.waitForEvent('process');
  await Promise.all([configure(dc), dc.launchRequest(args as DebugProtocol.LaunchRequestArguments)]);
  const e = await proc;
  expect(e.body).toMatchObject({ startMethod: 'launch', isLocalProcess: true });
  return e.body.systemProcessId as number;
}

const gone = (pid: number) => !existsSync(`/proc/${pid}`) || /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('tsdbg dap: launching and running', () => {
  it('starts the program with its args, env and cwd, stopped at its entry, and kills it on disconnect', async () => {
    const dc = await client();
    const cwd = mkdtempSync(join(tmpdir(), 'tsdbg-dap-'));
    dirs.push(cwd);
    const stopped = dc.waitForEvent('stopped');
    const pid = await launch(dc, { program: fixture('dap_vars'), args: ['one two', 'three'], env: { DAP_TEST_VAR: 'set by the client' }, cwd, stopOnEntry: true });
    const s = (await stopped) as DebugProtocol.StoppedEvent;
    expect(s.body.reason).toBe('entry');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, 3)).toEqual(['one two', 'three']);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('DAP_TEST_VAR=set by the client');
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(realpathSync(cwd));
    // the first instruction is the dynamic loader's, as gdb's starti
    const f = await topFrame(dc, s.body.threadId!);
    expect(f.name).toMatch(/^_start/);
    await dc.disconnectRequest({});
    await waitFor(() => gone(pid), `process ${pid} killed by disconnect`);
  });

  it('pauses a running program and goes on', async () => {
    const dc = await client();
    // in its loop once it has printed its pid
    const started = dc.assertOutput('stdout', 'pid ');
    const pid = await launch(dc, { program: fixture('target_loop') });
    await started;
    const paused = await stopAfter(dc, () => dc.pauseRequest({ threadId: pid }));
    expect(paused.body.reason).toBe('pause');
    expect((await topFrame(dc, paused.body.threadId!)).name).toBe('main');
    const again = await stopAfter(dc, async () => {
      await dc.continueRequest({ threadId: pid });
      await dc.pauseRequest({ threadId: pid });
    });
    expect(again.body.reason).toBe('pause');
    // a repl `continue` runs it too: the client is told (continued), and pause reaches it
    const continued = dc.waitForEvent('continued');
    const answer = dc.evaluateRequest({ expression: 'continue', context: 'repl' });
    await continued;
    const third = await stopAfter(dc, () => dc.pauseRequest({ threadId: pid }));
    expect(third.body.reason).toBe('pause');
    expect((await answer).body.result).toMatch(/^Continuing\./);
    // a request that needs a stopped program is refused while it runs
    await dc.continueRequest({ threadId: pid });
    await expect(dc.stackTraceRequest({ threadId: pid })).rejects.toThrow('Selected thread is running.');
    // terminate, while it runs: killed, and the session says it is over
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest();
    await terminated;
    await waitFor(() => gone(pid), `process ${pid} killed by terminate`);
  });

  it('stops at a fatal signal as an exception, where it happened', async () => {
    const dc = await client();
    const stopped = dc.waitForEvent('stopped');
    const output = dc.assertOutput('stdout', 'about to crash');
    await launch(dc, { program: fileURLToPath(new URL('../../examples/bin/crash', import.meta.url)) });
    const s = (await stopped) as DebugProtocol.StoppedEvent;
    expect(s.body).toMatchObject({ reason: 'exception', description: 'SIGSEGV' });
    await output;
    expect(await topFrame(dc, s.body.threadId!)).toMatchObject({ name: 'read_verbose', line: 10 });
    // going on delivers the signal: the program dies of it (exit code 128 + 11, as a shell says)
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: s.body.threadId! });
    expect((await exited).body.exitCode).toBe(139);
  });

  it('lists the threads, each with its own stack', async () => {
    const dc = await client();
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'bump' }] });
        expect(r.body.breakpoints[0]!.verified).toBe(true);
        await dc.configurationDoneRequest();
      }),
      dc.launchRequest({ program: fileURLToPath(new URL('../../examples/bin/threads', import.meta.url)) } as DebugProtocol.LaunchRequestArguments),
    ]);
    const s = (await dc.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
    expect(s.body.reason).toBe('function breakpoint');
    const threads = (await dc.threadsRequest()).body.threads;
    // main and its three workers, all stopped (all-stop, as gdb)
    expect(threads).toHaveLength(4);
    expect(threads.map((t) => t.id)).toContain(s.body.threadId);
    const worker = (await dc.stackTraceRequest({ threadId: s.body.threadId! })).body.stackFrames;
    expect(worker.slice(0, 2).map((f) => f.name)).toEqual(['bump', 'worker']);
    const id = await dc.evaluateRequest({ expression: 'id', context: 'watch', frameId: worker[0]!.id });
    expect(['1', '2', '3']).toContain(id.body.result);
    // another thread's stack is its own
    const other = threads.find((t) => t.id !== s.body.threadId)!;
    const frames = (await dc.stackTraceRequest({ threadId: other.id })).body.stackFrames;
    expect(frames.length).toBeGreaterThan(0);
    expect(frames[0]!.instructionPointerReference).not.toBe(worker[0]!.instructionPointerReference);
  });

  it('keeps a breakpoint in a library not loaded yet pending, and says when it resolves', async () => {
    const dc = await client();
    const changes: DebugProtocol.BreakpointEvent[] = [];
    dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => changes.push(e));
    let ids: number[] = [];
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'abort' }, { name: 'nosuch_fn' }] });
        // before the run the C library is not there: both wait, gdb's pending breakpoints
        expect(r.body.breakpoints.map((b) => [b.verified, b.message])).toEqual([
          [false, `Breakpoint ${r.body.breakpoints[0]!.id} (abort) pending.`], [false, `Breakpoint ${r.body.breakpoints[1]!.id} (nosuch_fn) pending.`],
        ]);
        ids = r.body.breakpoints.map((b) => b.id!);
        const line = await dc.setBreakpointsRequest({ source: { path: join(FIXTURES, 'dap_vars.c') }, breakpoints: [{ line: 39 }] });
        expect(line.body.breakpoints[0]!.verified).toBe(true);
        await dc.configurationDoneRequest();
      }),
      dc.launchRequest({ program: fixture('dap_vars') } as DebugProtocol.LaunchRequestArguments),
    ]);
    await dc.waitForEvent('stopped');
    await waitFor(() => changes.some((e) => e.body.breakpoint.id === ids[0] && e.body.breakpoint.verified), () => `abort's breakpoint resolved: ${JSON.stringify(changes.map((e) => e.body))}`);
    const resolved = changes.find((e) => e.body.breakpoint.id === ids[0] && e.body.breakpoint.verified)!;
    expect(resolved.body.reason).toBe('changed');
    expect(resolved.body.breakpoint.instructionReference).toMatch(/^0x7f[0-9a-f]+$/);
    expect(changes.some((e) => e.body.breakpoint.id === ids[1] && e.body.breakpoint.verified)).toBe(false);
  });

  it('kills what it launched when the client goes away without disconnect, and exits', async () => {
    const adapter = spawn(TSDBG, ['dap'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => adapter.once('exit', (code) => r(code)));
    try {
      const dc = new StreamClient();
      dc.over(adapter.stdout!, adapter.stdin!);
      await dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path' });
      const started = dc.assertOutput('stdout', 'pid ');
      const pid = await launch(dc, { program: fixture('target_loop') });
      await started;
      adapter.stdin!.end();
      expect(await exited).toBe(0);
      await waitFor(() => gone(pid), `process ${pid} killed when the client went away`);
    } finally {
      if (adapter.exitCode === null && adapter.signalCode === null) adapter.kill('SIGKILL');
      await exited;
    }
  });
});
