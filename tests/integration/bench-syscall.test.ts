/**
 * bench/syscall runs (once, at a tiny size): native, tsdbg trace and strace
 * with and without a seccomp filter, in one run, and a verdict per goal.
 * Never a timing assertion: PASS and FAIL both do.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SESSION_MS, finished } from '../setup/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bench/syscall', () => {
  it('times a getpid loop natively, under tsdbg trace and strace with and without seccomp, and prints both goals', () => {
    const r = finished(spawnSync('node', [`${root}dist/bench/syscall.js`, '200', '400', '1'], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root }), 'bench/syscall');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^getpid loop, 200 and 400 calls, fastest of 1$/m);
    for (const name of ['native', 'tsdbg trace -e trace=openat \\(seccomp\\)', 'strace -f --seccomp-bpf -e trace=openat',
      'tsdbg trace -e trace=openat --no-seccomp', 'strace -e trace=openat', 'tsdbg trace \\(all\\)', 'strace \\(all\\)']) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}${name} +wall +\\d+ ms +[\\d.]+ us/call, cpu +\\d+ ms +[\\d.]+ us/call \\(at 400\\)$`, 'm'));
    }
    expect(r.stdout).toMatch(/^ {2}goal: filtered trace costs no more than strace --seccomp-bpf's: .* (PASS|FAIL)$/m);
    expect(r.stdout).toMatch(/^ {2}goal: unfiltered cpu cost per stop at most strace's: .* (PASS|FAIL)$/m);
  });
});
