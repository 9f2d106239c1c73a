/**
 * tsdbg (or gdb, the reference) on a real terminal: node-pty gives the
 * session a pty of a known size, we type into it as a person would and wait
 * for text to appear. Every terminal opened is killed by killTerminals()
 * (call it in afterEach) so a failing test leaves no session behind.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pty from '@lydell/node-pty';
import { ROOT } from './rsp-util.js';
import { WAIT_MS, waitFor } from '../setup/wait.js';

export const TSDBG = path.join(ROOT, 'bin/tsdbg.js');

const open: pty.IPty[] = [];
const pipedOpen: ChildProcessWithoutNullStreams[] = [];

/** Kill every terminal a test opened: the session, its process group, and every process under it (gdb's inferior has its own group). */
export function killTerminals(): void {
  for (const t of open.splice(0)) {
    for (const pid of descendants(t.pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    try { process.kill(-t.pid, 'SIGKILL'); } catch { /* gone */ }
    try { t.kill('SIGKILL'); } catch { /* gone */ }
  }
  for (const c of pipedOpen.splice(0)) c.kill('SIGKILL');
}

/** A session on pipes (stdin, stdout, stderr), its output gathered as it comes; killed by killTerminals(). */
export interface OnPipes {
  child: ChildProcessWithoutNullStreams;
  out(): string;
  err(): string;
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** `argv` with its three streams on pipes, as a script or `tsdbg ... | head` runs it. */
export function onPipes(argv: string[]): OnPipes {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  pipedOpen.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** A process still there (a zombie counts as gone). */
export function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** The shared event wait (tests/setup/wait.ts: bounds for a loaded 2-core machine). */
export const until = (cond: () => boolean, what: () => string, ms = WAIT_MS): Promise<void> => waitFor(cond, what, ms);

export interface Terminal {
  pid: number;
  /** Everything the terminal showed so far, \r\n turned into \n. */
  output(): string;
  /** Output after the last waitFor(). */
  since(): string;
  /** Wait for `text` after the point the last wait ended. */
  waitFor(text: string | RegExp): Promise<string>;
  send(keys: string): void;
  resize(cols: number, rows: number): void;
  /** Close the terminal (its master side), as closing the window does: the session gets SIGHUP and EIO. */
  close(): void;
  exited: Promise<{ exitCode: number; signal?: number }>;
}

let scratchHome: string | undefined;

/** A HOME of this test worker's own (history and init files of tests never touch the real ones). */
export function testHome(): string {
  scratchHome ??= mkdtempSync(path.join(tmpdir(), 'tsdbg-home-'));
  return scratchHome;
}

/**
 * `file args...` on a new pty of cols x rows; HOME is testHome() and NO_COLOR is set (tsdbg without
 * styles, as gdb() turns gdb's off) unless `env` says otherwise.
 */
export function terminal(file: string, args: string[], opts: { cols?: number; rows?: number; cwd?: string; env?: Record<string, string> } = {}): Terminal {
  const p = pty.spawn(file, args, {
    name: opts.env?.TERM ?? 'xterm', cols: opts.cols ?? 100, rows: opts.rows ?? 30, cwd: opts.cwd ?? ROOT,
    env: { ...process.env, TERM: 'xterm', TSDBG_DEBUG: '', HOME: testHome(), NO_COLOR: '1', TSDBG_TUI: 'off', ...opts.env } as Record<string, string>,
  });
  open.push(p);
  let raw = '';
  let out = '';
  let seen = 0;
  // \r\n may come in two reads: normalized over the whole output
  p.onData((d) => { raw += d; out = raw.replace(/\r+\n/g, '\n'); });
  const exited = new Promise<{ exitCode: number; signal?: number }>((r) => p.onExit((e) => r(e)));
  return {
    pid: p.pid,
    output: () => out,
    since: () => out.slice(seen),
    async waitFor(text: string | RegExp): Promise<string> {
      let found = -1;
      let len = 0;
      await until(() => {
        if (typeof text === 'string') { found = out.indexOf(text, seen); len = text.length; }
        else {
          const m = new RegExp(text.source, text.flags.replace('g', '')).exec(out.slice(seen));
          found = m ? seen + m.index : -1;
          len = m ? m[0].length : 0;
        }
        return found >= 0;
      }, () => `${String(text)} in:\n${out.slice(seen)}\n--- whole output ---\n${out}`);
      const hit = out.slice(found, found + len);
      seen = found + len;
      return hit;
    },
    send: (keys) => p.write(keys),
    resize: (cols, rows) => p.resize(cols, rows),
    close: () => (p as unknown as { destroy(): void }).destroy(),
    exited,
  };
}

/** `tsdbg run ARGS...` on a terminal. */
export function tsdbg(args: string[], opts?: { cols?: number; rows?: number; cwd?: string; env?: Record<string, string> }): Terminal {
  return terminal(process.execPath, [TSDBG, ...args], opts);
}

/** gdb 13 on a terminal, the reference for wording (no init files, no pager, no colors). */
export function gdb(args: string[], opts?: { cols?: number; rows?: number; env?: Record<string, string> }): Terminal {
  return terminal('gdb', ['-q', '-nx', '-iex', 'set pagination off', '-iex', 'set style enabled off', ...args], opts);
}

type TerminalOptions = { cols?: number; rows?: number; env?: Record<string, string> };

/**
 * gdb and tsdbg on a terminal, for a test written once for both (gdb is the
 * reference): `start(PROG)` is `gdb [gdbArgs] PROG` or `tsdbg run PROG`.
 */
export const BOTH: ReadonlyArray<{
  who: 'gdb' | 'tsdbg';
  prompt: string;
  start(prog: string, opts?: TerminalOptions & { gdbArgs?: string[] }): Terminal;
}> = [
  { who: 'gdb', prompt: '(gdb) ', start: (prog, { gdbArgs = [], ...opts } = {}) => gdb([...gdbArgs, prog], opts) },
  { who: 'tsdbg', prompt: '(tsdbg) ', start: (prog, { gdbArgs: _, ...opts } = {}) => tsdbg(['run', prog], opts) },
];

/** The pid from `[Inferior 1 (process N) ...` or tsdbg's/gdb's `process N` lines. */
export function inferiorPid(out: string): number {
  const m = /process (\d+)/.exec(out);
  if (!m) throw new Error(`no process id in:\n${out}`);
  return Number(m[1]);
}

/** Every process below `pid` (children, their children...), read from /proc. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let tasks: string[] = [];
    try { tasks = readdirSync(`/proc/${p}/task`); } catch { return; }
    for (const t of tasks) {
      let kids = '';
      try { kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8'); } catch { continue; }
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) { out.push(k); walk(k); }
    }
  };
  walk(pid);
  return out;
}
