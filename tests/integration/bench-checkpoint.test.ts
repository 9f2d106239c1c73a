/**
 * bench/checkpoint runs (once, at a tiny size): it measures against gdb and
 * prints a verdict per goal. Never a timing assertion: PASS and FAIL both do.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SESSION_MS } from '../setup/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bench/checkpoint', () => {
  it('measures rewind and the checkpoint cycle against a one-page restore and gdb, and prints both goals', () => {
    const r = spawnSync('node', [`${root}dist/bench/checkpoint.js`, '1', '3'], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^1 MiB heap$/m);
    expect(r.stdout).toMatch(/^ {2}one-page restore \(engine\) +[\d.]+ ms/m);
    expect(r.stdout).toMatch(/^ {2}full copy +first checkpoint [\d.]+ ms/m);
    // at this size gdb's slope may drown in noise: then it says so
    expect(r.stdout).toMatch(/^ {2}cycle \(mean of 3, fastest of 3\): tsdbg [\d.]+ ms .*, (gdb [\d.]+ ms .*x faster than gdb|gdb inconclusive \(.*\))$/m);
    expect(r.stdout).toMatch(/^ {2}goal: rewind with one page changed under 10x a one-page restore \(commands\): [\d.]+x (PASS|FAIL)$/m);
    expect(r.stdout).toMatch(/^ {2}goal: checkpoint-continue-rewind at least 10x faster than gdb's checkpoint-continue-restart: ([\d.]+x|inconclusive) (PASS|FAIL)$/m);
  });
});
