/**
 * Driving `tsdbg dap` with Microsoft's own client library
 * (@vscode/debugadapter-testsupport's DebugClient), as VS Code would: the
 * adapter is the built CLI (`npm run build` first), started on stdio, or
 * with --listen and reached over TCP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { expect } from 'vitest';
import { WAIT_MS } from '../setup/wait.js';

export const TSDBG = fileURLToPath(new URL('../../bin/tsdbg.js', import.meta.url));

/** A client on a new adapter over stdio (DebugClient spawns `TSDBG dap`). */
export async function stdioClient(): Promise<DebugClient> {
  const dc = new DebugClient(TSDBG, 'dap', 'tsdbg', { stdio: ['pipe', 'pipe', 'pipe'] });
  dc.defaultTimeout = WAIT_MS;
  await dc.start();
  return dc;
}

/** A client on streams of our own (an adapter we spawned), for what DebugClient's start() hides. */
export class StreamClient extends DebugClient {
  constructor() {
    super('unused', 'unused', 'tsdbg');
    this.defaultTimeout = WAIT_MS;
  }

  over(readable: Readable, writable: Writable): void {
    this.connect(readable, writable);
  }
}

/** `tsdbg dap --listen 127.0.0.1:0`: the server process and the port it printed. */
export async function listeningServer(): Promise<{ server: ChildProcess; port: number }> {
  const server = spawn(TSDBG, ['dap', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`tsdbg dap --listen printed no address within ${WAIT_MS / 1000} s: ${buf}`)), WAIT_MS);
    server.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      const m = /listening at: [\d.]+:(\d+)\n/.exec(buf);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`tsdbg dap --listen exited (${code}): ${buf}`)); });
  });
  return { server, port };
}

/** Collects every event of a kind from the start (DebugClient's waitForEvent only sees later ones). */
export function collect(dc: DebugClient, event: string): DebugProtocol.Event[] {
  const seen: DebugProtocol.Event[] = [];
  dc.on(event, (e: DebugProtocol.Event) => seen.push(e));
  return seen;
}

/** The error response's one line (DebugClient rejects with an Error carrying the message). */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the request succeeded; an error response was expected');
}

/**
 * The configuration sequence after our own initializeRequest: DebugClient's
 * configurationSequence() only sends configurationDone when its own launch()
 * made the initialize request.
 */
export async function configure(dc: DebugClient): Promise<void> {
  await dc.waitForEvent('initialized');
  await dc.configurationDoneRequest();
}

/** Launch `program` with source breakpoints at `lines` of `file` and wait for the first stop. */
export async function launchTo(
  dc: DebugClient, program: string, file: string, lines: DebugProtocol.SourceBreakpoint[], extra: Record<string, unknown> = {},
  init: Partial<DebugProtocol.InitializeRequestArguments> = {},
): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      const r = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: lines });
      for (const b of r.body.breakpoints) expect(b.verified, b.message).toBe(true);
      await dc.configurationDoneRequest();
    }),
    dc.initializeRequest({ adapterID: 'tsdbg', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, ...init }).then(() =>
      dc.launchRequest({ program, ...extra } as DebugProtocol.LaunchRequestArguments)),
  ]);
  return (await stopped) as DebugProtocol.StoppedEvent;
}

/** The top frame of thread `threadId`. */
export async function topFrame(dc: DebugClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames[0]!;
}

/** A scope's variables by name. */
export async function scopeVars(dc: DebugClient, frameId: number, scope: string): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = await dc.scopesRequest({ frameId });
  const s = scopes.body.scopes.find((x) => x.name === scope);
  if (!s) throw new Error(`no scope ${scope}: ${scopes.body.scopes.map((x) => x.name).join(', ')}`);
  return children(dc, s.variablesReference);
}

export async function children(dc: DebugClient, ref: number): Promise<Map<string, DebugProtocol.Variable>> {
  const r = await dc.variablesRequest({ variablesReference: ref });
  return new Map(r.body.variables.map((v) => [v.name, v]));
}

/** Run until the next stopped event after `action`. */
export async function stopAfter(dc: DebugClient, action: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await action();
  return (await stopped) as DebugProtocol.StoppedEvent;
}
