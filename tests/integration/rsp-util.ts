/**
 * Shared helpers for the RSP tests: real gdbserver / tsdbg serve processes,
 * symbol lookup in the example programs, and cleanup that never strands one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ElfFile, SymbolTable, biasFromAuxv } from '../../src/elf/index.js';
import type { Target } from '../../src/target/types.js';
import { SESSION_MS, WAIT_MS } from '../setup/wait.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLES = path.join(ROOT, 'examples/bin');
export const example = (name: string) => path.join(EXAMPLES, name);

/** Address of `name` in the running program (PIE-aware, through the target's auxv). */
export async function symbol(target: Target, exe: string, name: string): Promise<bigint> {
  const elf = ElfFile.load(exe);
  const bias = biasFromAuxv(elf, await target.auxv()) ?? 0n;
  const sym = new SymbolTable(elf, bias).symbolByName(name);
  if (!sym) throw new Error(`no symbol ${name} in ${exe}`);
  return sym.address;
}

export interface Spawned {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/**
 * Start a server that prints the port it listens on (gdbserver's
 * "Listening on port N", tsdbg serve's the same line) and wait for it.
 */
export async function startListening(command: string, args: string[]): Promise<Spawned> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${command} did not start listening: ${err}${out}`)), WAIT_MS);
    const check = () => {
      const m = /Listening on port (\d+)/.exec(err + out);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`${command} exited (${code}): ${err}${out}`)); });
  });
  return {
    child,
    port,
    stdout: () => out,
    stderr: () => err,
    // SIGTERM: a server cleans up (kills its tracee) and exits
    stop: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); await stopChild(child); },
  };
}

/** Wait for a child to exit; SIGKILL it if it does not within `ms` (a loaded machine: give it time). */
export async function stopChild(child: ChildProcess, ms = WAIT_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => { clearTimeout(t); resolve(); });
  });
}

/** Is process `pid` still alive (and not a zombie)? */
export async function alive(pid: number): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Poll until cond holds (a loaded machine may take its time); fail after `ms` saying what was awaited. */
export { waitFor as until } from '../setup/wait.js';

/** Has process `pid` run `exe` for at least one clock tick (its loop made progress)? */
export async function hasRun(pid: number, exe: string): Promise<boolean> {
  const { readFile, readlink } = await import('node:fs/promises');
  try {
    if ((await readlink(`/proc/${pid}/exe`)) !== exe) return false;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) > 0;    // utime + stime
  } catch {
    return false;
  }
}

/** These tests run the built CLI: a stale build would test old code. */
export function requireFreshServerBuild(): void {
  const built = statSync(path.join(ROOT, 'dist/src/rsp/server.js')).mtimeMs;
  const source = statSync(path.join(ROOT, 'src/rsp/server.ts')).mtimeMs;
  if (built < source) throw new Error('dist/ is older than src/rsp: run "npm run build" first');
}

/** gdb -batch with commands; returns everything it printed. */
export function gdbBatch(target: string, commands: string[], file = example('struct_loop')): Promise<string> {
  const args = ['-batch', '-nx', '-ex', 'set confirm off', '-ex', 'set width 0', '-ex', target];
  for (const c of commands) args.push('-ex', c);
  args.push(file);
  return new Promise((resolve, reject) => {
    const child = spawn('gdb', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gdb timed out:\n${out}`)); }, SESSION_MS);
    child.on('exit', () => { clearTimeout(timer); resolve(out); });
  });
}
