/**
 * Breakpoints on functions of libraries that are not loaded yet become
 * pending (gdb with `set breakpoint pending on`) and resolve when the library
 * appears: at `run` for the libraries the program links (puts), and at the
 * dynamic linker's library-change hook for dlopen (cbrt in libm).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { mergedLines } from './gdb-compare.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');

function batch(commands: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('node', [TSDBG, 'run', '--batch', fixture('pending')], {
    input: `${['set breakpoint pending on', ...commands].join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT,
  });
  return { stdout: r.stdout.replace(/\r\n/g, '\n'), stderr: r.stderr };
}

/** The stop lines (and the program's lines) in the order they were printed. */
const events = (out: string) => out.split('\n').filter((l) => /^(Breakpoint \d+, |before dlopen|cbrt\(27\)|\[Inferior)/.test(l));

describe('pending breakpoints', () => {
  it('set before run: on the PLT stub or pending, then resolved at run (libc) and at dlopen (libm)', () => {
    const r = batch(['break puts', 'break cbrt', 'info breakpoints', 'run', 'info breakpoints', 'continue', 'info breakpoints', 'continue']);
    // gdb: the program calls puts, so its PLT stub is a place to stop until libc defines puts
    // (and, as gdb, the C library's missing source file at the first stop in it)
    expect(r.stderr).toMatch(/^Function "cbrt" not defined\.\n\d+\t\S+ioputs\.c: No such file or directory\.\n/);
    expect(r.stdout).toMatch(/^Breakpoint 1 at 0x[0-9a-f]+\nBreakpoint 2 \(cbrt\) pending\.$/m);
    const infos = r.stdout.split('Num     Type').slice(1);
    expect(infos).toHaveLength(3);
    expect(infos[0]).toMatch(/^1 +breakpoint +keep y +0x[0-9a-f]{16} <puts@plt>$/m);
    expect(infos[0]).toMatch(/^2 +breakpoint +keep y +<PENDING> +cbrt$/m);
    // at puts: libc resolved it, libm is not loaded yet
    expect(infos[1]).toMatch(/^1 +breakpoint +keep y +0x00007f[0-9a-f]+ in \w*puts\w* at \S+:\d+$/m);
    expect(infos[1]).toMatch(/^2 +breakpoint +keep y +<PENDING> +cbrt$/m);
    expect(infos[2]).toMatch(/^2 +breakpoint +keep y +0x00007f[0-9a-f]+ in \w*cbrt\w* at \S+:\d+$/m);
    expect(events(r.stdout)).toEqual([
      expect.stringMatching(/^Breakpoint 1, \w*puts\w* \(/),
      'before dlopen',
      expect.stringMatching(/^Breakpoint 2, \w*cbrt\w* \(/),
      'cbrt(27) = 3',
      expect.stringMatching(/^\[Inferior 1 \(process \d+\) exited normally\]$/),
    ]);
  });

  it('on a PLT stub before run, moved to the library\'s function when it loads: as gdb, line for line', () => {
    const commands = ['break puts', 'info breakpoints', 'run', 'info breakpoints', 'bt 1'];
    // both streams in order
    const ex = commands.flatMap((c) => ['-ex', c]);
    const ours = mergedLines(['node', TSDBG, 'run', '--batch', ...ex, fixture('pending')]);
    const gdb = mergedLines(['gdb', '-batch', '-nx', ...ex, fixture('pending')]);
    expect(gdb.some((l) => l.includes('<puts@plt>'))).toBe(true);
    expect(ours).toEqual(gdb);
  });

  it('set after the program started, and pending again in the next run', () => {
    const r = batch(['break main', 'run', 'break cbrt', 'continue', 'bt 1', 'run', 'info breakpoints', 'continue', 'continue']);
    expect(r.stdout).toContain('Breakpoint 2 (cbrt) pending.');
    expect(r.stdout).toMatch(/^#0  [^\n]*cbrt/m);
    // second run: libm's old address is gone; cbrt is pending at main and resolves at dlopen again
    const second = r.stdout.slice(r.stdout.lastIndexOf('Starting program'));
    expect(second).toMatch(/^2 +breakpoint +keep y +<PENDING> +cbrt$/m);
    expect(second).not.toContain('Cannot insert breakpoint');
    expect(events(second)).toEqual([
      expect.stringMatching(/^Breakpoint 1, main \(/),
      'before dlopen',
      expect.stringMatching(/^Breakpoint 2, \w*cbrt\w* \(/),
      'cbrt(27) = 3',
      expect.stringMatching(/^\[Inferior 1 \(process \d+\) exited normally\]$/),
    ]);
  });
});
