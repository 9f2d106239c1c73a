/**
 * `detach` from a program the debugger started: gdb lets it run on with its
 * terminal (no SIGHUP when the debugger exits) and its output still reaches
 * the debugger's stdout. tsdbg's program has a pty of its own, whose master a
 * keeper process holds after the detach; compared with gdb 13 on the same script.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { waitFor } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const pids: number[] = [];
afterEach(() => {
  for (const pid of pids.splice(0)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

const alive = (pid: number) => existsSync(`/proc/${pid}/stat`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('detach from a started program, as gdb', () => {
  for (const who of ['gdb', 'tsdbg'] as const) {
    it(`${who}: the program runs on after the debugger exits, not hung up, its output on the debugger's stdout`, async () => {
      const prog = fixture('detach_hup');
      const dir = mkdtempSync(join(tmpdir(), 'tsdbg-detach-'));
      const result = join(dir, 'result');
      const go = join(dir, 'go');
      const script = ['break main', 'run', 'next', 'detach'].flatMap((c) => ['-ex', c]);
      const argv = who === 'gdb'
        ? ['gdb', '-nx', '-batch', ...script, '--args', prog, result, go]
        : [process.execPath, TSDBG, 'run', '--batch', ...script, prog, result, go];
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const closed = new Promise<void>((r) => child.on('close', () => r()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      const m = /\[Inferior 1 \(process (\d+)\) detached\]/.exec(out);
      expect(m, out).not.toBeNull();
      const pid = Number(m![1]);
      pids.push(pid);
      expect(code).toBe(0);
      // the debugger is gone; its program is not, and was not hung up
      expect(alive(pid)).toBe(true);
      expect(existsSync(result)).toBe(false);
      writeFileSync(go, '');
      await waitFor(() => existsSync(result) && readFileSync(result, 'utf8') !== '', `${result} written`);
      expect(readFileSync(result, 'utf8')).toBe('done');
      await closed;
      expect(out).toContain('detached program done\n');
    });
  }
});
