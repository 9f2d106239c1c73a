/**
 * The first instructions of a program, as gdb users reach them: `starti`,
 * `break *_start` and `break *main+4` typed before `run` (file addresses that
 * a PIE moves), and what `info breakpoints` names after the program ended.
 * Each case runs the same commands through gdb -batch and compares.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SESSION_MS } from '../setup/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsdbg = `${root}bin/tsdbg.js`;
const ex = (name: string) => `${root}examples/bin/${name}`;

function tsdbgBatch(prog: string, commands: string[]): string {
  const r = spawnSync('node', [tsdbg, 'run', '--batch', prog], {
    input: `${commands.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root,
  });
  return r.stdout + r.stderr;
}

function gdbBatch(prog: string, commands: string[]): string {
  const args = ['-nx', '-batch', '-ex', 'set debuginfod enabled off', ...commands.flatMap((c) => ['-ex', c]), prog];
  const r = spawnSync('gdb', args, { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root });
  return r.stdout + r.stderr;
}

/** The lines both debuggers print for a stop: `Breakpoint N, 0x... in f ()` or a `rip` register line. */
const stops = (out: string) => out.split('\n').filter((l) => /^(Breakpoint \d+, |rip |Program stopped\.)/.test(l));

describe('entry breakpoints and starti', () => {
  it('break *_start before run is relocated for the PIE and hit by run, as in gdb', () => {
    const cmds = ['break *_start', 'run', 'info registers rip', 'continue'];
    const ours = tsdbgBatch(ex('linked_list'), cmds);
    expect(ours).toMatch(/^Breakpoint 1 at 0x10a0$/m);
    expect(ours).toMatch(/^Breakpoint 1, 0x00005555555550a0 in _start \(\)$/m);
    expect(stops(ours)).toEqual(stops(gdbBatch(ex('linked_list'), cmds)));
    expect(ours).toContain('round 3: 40 32 24 16 8 (sum 120)');
  });

  it('break *_start in a static program stops at its first instruction', () => {
    const cmds = ['break *_start', 'run', 'info registers rip'];
    const ours = tsdbgBatch(ex('struct_loop_static'), cmds);
    expect(ours).toMatch(/^Breakpoint 1, 0x[0-9a-f]+ in _start \(\)$/m);
    expect(stops(ours)).toEqual(stops(gdbBatch(ex('struct_loop_static'), cmds)));
  });

  it('break *main+4 before run: function arithmetic, relocated, hit', () => {
    const cmds = ['break *main+4', 'run', 'print main+4', 'print 4+main', 'print main-1', 'x/i $pc'];
    const ours = tsdbgBatch(ex('linked_list'), cmds);
    const theirs = gdbBatch(ex('linked_list'), cmds);
    const values = (out: string) => out.split('\n').filter((l) => /^(\$\d+ = |=> )/.test(l));
    expect(values(ours)).toHaveLength(4);
    expect(values(ours)).toEqual(values(theirs));
    expect(stops(ours)).toEqual(stops(theirs));
  });

  it('starti stops at the first instruction of the dynamic loader; breakpoints still resolve on the way', () => {
    const cmds = ['starti', 'info registers rip', 'break malloc', 'break main', 'continue', 'continue', 'bt 1'];
    const ours = tsdbgBatch(ex('linked_list'), cmds);
    expect(ours).toMatch(/^Program stopped\.\n0x00007ffff7fe4b70 in _start \(\) from \S*ld-linux-x86-64\.so\.2$/m);
    expect(ours).toMatch(/^rip +0x7ffff7fe4b70 +0x7ffff7fe4b70 <_start>$/m);
    // before libc loads, `break malloc` is malloc@plt and ld.so's inlined copies (its separate debug file), as in gdb:
    // the loader's own allocations stop first
    const gdb = gdbBatch(ex('linked_list'), cmds);
    const bp1 = (out: string) => out.split('\n').filter((l) => /^Breakpoint 1[ .,]/.test(l));
    expect(bp1(ours)).toEqual(bp1(gdb));
    expect(ours).toMatch(/^Breakpoint 1\.\d+, malloc \(size=\d+\) at \.\.\/include\/rtld-malloc\.h:56$/m);
    const rip = (out: string) => /^rip +(0x[0-9a-f]+)/m.exec(out)?.[1];
    expect(rip(ours)).toBe(rip(gdb));
  });

  it('info breakpoints after the program ended names the run-time addresses', () => {
    const cmds = ['break main', 'break *_start', 'run', 'continue', 'continue', 'info breakpoints'];
    const ours = tsdbgBatch(ex('linked_list'), cmds);
    // gdb's What: the function and line where there is line info, else <symbol>
    expect(ours).toMatch(/^1 +breakpoint +keep y +0x00005555555552e8 in main at linked_list\.c:57$/m);
    expect(ours).toMatch(/^2 +breakpoint +keep y +0x00005555555550a0 <_start>$/m);
    expect(ours).toMatch(/exited normally/);
    const rows = (out: string) => out.split('\n').filter((l) => /^\d +breakpoint /.test(l));
    expect(rows(ours)).toEqual(rows(gdbBatch(ex('linked_list'), cmds)));
  });
});
