/**
 * Runs `tsdbg vm run` the way a user does (node bin/tsdbg.js from the project
 * root), capturing its output. Shared by the guest project's tests.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A TCP port that is free on the host right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

export interface VmRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * `tsdbg vm ARGS...`; resolves when it exits. The host-side limit is a backstop
 * only: tsdbg enforces TSDBG_VM_TIMEOUT itself and SIGTERM makes it kill QEMU.
 */
export function tsdbgVm(args: string[], limitMs: number, env: NodeJS.ProcessEnv = {}): Promise<VmRun> {
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'tsdbg.js'), 'vm', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGTERM'), limitMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** stderr without tsdbg vm's own informational lines (e.g. the one-time KVM fallback note). */
export function commandStderr(stderr: string): string {
  return stderr.split('\n').filter((l) => !l.startsWith('tsdbg vm: ')).join('\n');
}
