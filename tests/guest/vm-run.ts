/**
 * Runs `tsdbg vm run` the way a user does (node bin/tsdbg.js from the project
 * root), capturing its output. Shared by the guest project's tests.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A TCP port that is free on the host right now, below the kernel's
 * ephemeral range: listen(0) and every outgoing connection (other tests run
 * alongside) take their ports from that range, so one chosen there could be
 * taken again before QEMU binds it. Ports below it are only ever bound by
 * name.
 */
export async function freePort(): Promise<number> {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const top = Number.isInteger(low) && low > 20_000 ? low : 32_768;
  for (let i = 0; i < 100; i++) {
    const port = 20_000 + Math.floor(Math.random() * (top - 20_000));
    if (await bindable(port)) return port;
  }
  throw new Error('no free TCP port below the ephemeral range');
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer().once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export interface VmRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A `tsdbg vm` run in progress: its output so far, and its end. */
export interface VmHandle {
  done: Promise<VmRun>;
  stdout(): string;
  stderr(): string;
  /**
   * Resolves once stderr matches `re` (a server in the guest saying it
   * listens); rejects, with what the run said, when it ends first or `ms` pass.
   */
  waitForStderr(re: RegExp, ms: number): Promise<void>;
  /** SIGTERM: tsdbg vm kills QEMU and ends. */
  stop(): void;
}

/**
 * `tsdbg vm ARGS...`, started. The host-side limit is a backstop only: tsdbg
 * enforces TSDBG_VM_TIMEOUT itself and SIGTERM makes it kill QEMU.
 */
export function startVm(args: string[], limitMs: number, env: NodeJS.ProcessEnv = {}): VmHandle {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'tsdbg.js'), 'vm', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const watchers = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of watchers) w();
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), limitMs);
  const done = new Promise<VmRun>((resolvePromise) => {
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      ended = true;
      for (const w of watchers) w();
      resolvePromise({ status, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
  const waitForStderr = (re: RegExp, ms: number) => new Promise<void>((resolve, reject) => {
    const give = setTimeout(() => check(`nothing matched ${re} within ${ms / 1000} s`), ms);
    const check = (why?: string) => {
      const fail = why ?? (ended ? `tsdbg vm ended before its stderr matched ${re}` : undefined);
      if (!re.test(stderr) && !fail) return;
      watchers.delete(check);
      clearTimeout(give);
      if (re.test(stderr)) resolve();
      else reject(new Error(`${fail}\n--- stdout:\n${stdout}--- stderr:\n${stderr}`));
    };
    watchers.add(check);
    check();
  });
  return { done, stdout: () => stdout, stderr: () => stderr, waitForStderr, stop: () => child.kill('SIGTERM') };
}

/** `tsdbg vm ARGS...`; resolves when it exits. */
export function tsdbgVm(args: string[], limitMs: number, env: NodeJS.ProcessEnv = {}): Promise<VmRun> {
  return startVm(args, limitMs, env).done;
}

/** stderr without tsdbg vm's own informational lines (e.g. the one-time KVM fallback note). */
export function commandStderr(stderr: string): string {
  return stderr.split('\n').filter((l) => !l.startsWith('tsdbg vm: ')).join('\n');
}
