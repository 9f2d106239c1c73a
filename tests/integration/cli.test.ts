/**
 * `tsdbg run --batch` on the real example programs, asserting on what a user
 * sees. Needs `npm run build` (dist/ and examples/bin/).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SESSION_MS, finished, waitFor } from '../setup/wait.js';
import { debugRegistersTrap } from '../../src/target/debugregs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsdbg = `${root}bin/tsdbg.js`;
const ex = (name: string) => `${root}examples/bin/${name}`;

interface Run { stdout: string; stderr: string; code: number | null }

function batch(prog: string, commands: string[], extra: string[] = []): Run {
  const r = finished(spawnSync('node', [tsdbg, 'run', '--batch', ...extra, prog], {
    input: `${commands.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root,
  }), `tsdbg run --batch ${prog}`);
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

/** Every line of stdout that the program printed with the given prefix. */
const programLines = (out: string, prefix: string) => out.split(/\r?\n/).filter((l) => l.startsWith(prefix));

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !/\) Z /.test(stat);
}

async function waitGone(pid: number): Promise<boolean> {
  await waitFor(() => !alive(pid), `process ${pid} to be gone`);
  return true;
}

describe('tsdbg run: process control', () => {
  it('builds the examples and dist first', () => {
    expect(existsSync(`${root}dist/cli/main.js`)).toBe(true);
    for (const p of ['linked_list', 'struct_loop', 'crash', 'signals', 'mappings', 'struct_loop_static', 'struct_loop_nopie']) {
      expect(existsSync(ex(p)), p).toBe(true);
    }
  });

  it('breaks, continues, counts hits and reports the exit', () => {
    const r = batch(ex('struct_loop'), ['break tick', 'run', 'continue', 'continue 3', 'info breakpoints', 'delete', 'continue']);
    expect(r.stdout).toMatch(/^Breakpoint 1 at 0x[0-9a-f]+: file struct_loop\.c, line 17\.$/m);
    expect(r.stdout).toMatch(/Starting program: .*struct_loop/);
    expect(r.stdout).toMatch(/Snapshot engine: (userspace|kernel)/);
    expect(r.stdout.match(/^Breakpoint 1, tick \(p=0x[0-9a-f]+ <pt>\) at struct_loop\.c:17\n17\t\tp->x \+= 1;$/gm)).toHaveLength(3);
    expect(r.stdout).toContain('Will ignore next 2 crossings of breakpoint 1.  Continuing.');
    expect(r.stdout).toMatch(/breakpoint already hit 5 times/);
    expect(programLines(r.stdout, 'iter ')).toHaveLength(10);
    expect(r.stdout).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
    expect(r.code).toBe(0);
  });

  it('steps instructions, shows registers and memory', () => {
    const r = batch(ex('struct_loop_nopie'), [
      'break tick', 'run', 'info registers rip', 'stepi', 'x/i $pc', 'si 2', 'p $rip', 'p/x $rsp',
      'x/4xw &pt', 'x/s pt.tag', 'info registers', 'bt',
    ]);
    expect(r.stdout).toMatch(/^rip {12}0x40113e {12}0x40113e <tick\+8>$/m);
    expect(r.stdout).toMatch(/^0x0000000000401142\t17\t\tp->x \+= 1;$/m);
    expect(r.stdout).toMatch(/^=> 0x401142 <tick\+12>:\tmov {4}\(%rax\),%eax$/m);
    expect(r.stdout).toMatch(/^\$1 = \(void \(\*\)\(\)\) 0x401147 <tick\+17>$/m);
    expect(r.stdout).toMatch(/^\$2 = 0x7ffffff[0-9a-f]+$/m);
    expect(r.stdout).toMatch(/^0x404020 <pt>:\t0x00000001\t0x00000002\t0x00000000\t0x00000000$/m);
    expect(r.stdout).toMatch(/^0x404030 <pt\+16>:\t"start"$/m);
    expect(r.stdout).toMatch(/^eflags {9}0x[0-9a-f]+ +\[ .*\]$/m);
    expect(r.stdout).toMatch(/^fs_base {8}0x[0-9a-f]+/m);
    expect(r.stdout).toMatch(/^#0  0x0000000000401147 in tick \(p=0x404020 <pt>\) at struct_loop\.c:17\n#1  0x000000000040119f in main \(\) at struct_loop\.c:26$/m);
  });

  it('steps source lines into and over calls, prints typed values', () => {
    const r = batch(ex('struct_loop'), ['break main', 'run', 'next', 'step', 'p *p', 'p p->tag', 'next', 'next', 'next', 'next', 'next', 'p i', 'p pt.x + pt.y']);
    expect(r.stdout).toMatch(/^Breakpoint 1, main \(\) at struct_loop\.c:25$/m);
    expect(r.stdout).toMatch(/^26\t\t\ttick\(&pt\);$/m);
    expect(r.stdout).toMatch(/^tick \(p=0x[0-9a-f]+ <pt>\) at struct_loop\.c:17\n17\t\tp->x \+= 1;$/m);
    expect(r.stdout).toMatch(/^\$1 = \{x = 1, y = 2, steps = 0, tag = "start\\000\\000"\}$/m);
    expect(r.stdout).toMatch(/^\$2 = "start\\000\\000"$/m);
    expect(r.stdout).toMatch(/^main \(\) at struct_loop\.c:27$/m);
    expect(r.stdout).toMatch(/^\$3 = 0$/m);
    expect(r.stdout).toMatch(/^\$4 = 6$/m);
  });

  it('nexti steps over a call, finish returns with the value in rax', () => {
    const r = batch(ex('linked_list'), ['break print_list', 'run', 'finish', 'delete', 'break sum_list', 'continue', 'finish']);
    expect(r.stdout).toMatch(/Run till exit from #0  print_list \(round=0, n=0x[0-9a-f]+\) at linked_list\.c:\d+\n(?:round 0: 5 4 3 2 1 \(sum 15\)\n)?(0x[0-9a-f]+ in )?main \(\) at linked_list\.c:\d+/);
    expect(r.stdout.match(/Value returned/g)).toHaveLength(1);   // print_list is void: only sum_list returns a value
    expect(r.stdout).toMatch(/Run till exit from #0  sum_list \(n=0x[0-9a-f]+\) at linked_list\.c:\d+\n0x[0-9a-f]+ in print_list \(round=1, n=0x[0-9a-f]+\) at linked_list\.c:\d+\n.*\nValue returned is \$1 = 30/);
    const n = batch(ex('struct_loop_nopie'), ['break *0x40119a', 'run', 'x/i $pc', 'nexti', 'p $pc']);
    // 0x40119a is `call tick` in main: nexti lands on the next instruction, tick ran.
    expect(n.stdout).toMatch(/=> 0x40119a <main\+22>:\tcall {3}0x401136 <tick>/);
    expect(n.stdout).toMatch(/^\$1 = \(void \(\*\)\(\)\) 0x40119f <main\+27>$/m);
  });

  it('runs breakpoint command lists (silent, print, continue) like gdb', () => {
    const r = batch(ex('hot_loop'), ['break step', 'commands', 'silent', 'p i', 'continue', 'end', 'run'], []);
    expect(r.stdout).not.toContain('Breakpoint 1, ');
    expect(r.stdout.match(/^\$\d+ = \d+$/gm)?.map((l) => l.split(' = ')[1])).toEqual(
      Array.from({ length: 1000 }, (_, i) => String(i)));
    expect(r.stdout).toMatch(/^total 499500$/m);
  });

  it('disassembles a function in AT&T syntax with the pc marked', () => {
    const r = batch(ex('struct_loop_nopie'), ['disassemble tick', 'break tick', 'run', 'disassemble']);
    expect(r.stdout).toContain('Dump of assembler code for function tick:');
    expect(r.stdout).toMatch(/^ {3}0x0000000000401136 <\+0>:\tpush {3}%rbp$/m);
    expect(r.stdout).toMatch(/^ {3}0x000000000040113a <\+4>:\tmov {4}%rdi,-0x8\(%rbp\)$/m);
    expect(r.stdout).toMatch(/^=> 0x000000000040113e <\+8>:\tmov {4}-0x8\(%rbp\),%rax$/m);
    expect(r.stdout).toMatch(/mov {4}0x[0-9a-f]+\(%rip\),%eax {8}# 0x404044 <counter>/);
    expect(r.stdout).toContain('End of assembler dump.');
  });

  it('writes memory and registers, and the program sees it', () => {
    const r = batch(ex('struct_loop_nopie'), [
      'break tick', 'run', 'set {int} &pt = 100', 'set *(long*)((char*)&pt + 8) = 40',
      'set {char[5]} ((char*)&pt + 16) = "abcd"', 'delete', 'continue',
    ]);
    expect(programLines(r.stdout, 'iter 0:')[0]).toBe('iter 0: x=101 y=4 steps=41 tag=abcd');
    const regs = batch(ex('struct_loop_nopie'), ['break tick', 'run', 'set $rdi = &counter', 'set $rax = 0x1234', 'p/x $rax', 'p $eax']);
    expect(regs.stdout).toMatch(/^\$1 = 0x1234$/m);
    expect(regs.stdout).toMatch(/^\$2 = 4660$/m);
  });

  it('watchpoints report old and new values', () => {
    const r = batch(ex('struct_loop_nopie'), ['break tick', 'run', 'watch *(int*)&counter', 'delete 1', 'continue', 'continue', 'info watchpoints']);
    // a hardware watchpoint where the debug registers trap, else a software one (watch.test.ts)
    const hw = debugRegistersTrap();
    expect(r.stdout).toContain(`${hw ? 'Hardware watchpoint' : 'Watchpoint'} 2: *(int*)&counter`);
    expect(r.stdout).toMatch(/Old value = 0\nNew value = 1\ntick \(p=0x404020 <pt>\) at struct_loop\.c:21\n21\t\}/);
    expect(r.stdout).toMatch(/Old value = 1\nNew value = 2/);
    expect(r.stdout).toMatch(new RegExp(`^2 {7}${hw ? 'hw watchpoint ' : 'watchpoint    '} keep y {22}\\*\\(int\\*\\)&counter$`, 'm'));
  });

  it('stops on signals and obeys handle', () => {
    const crash = batch(ex('crash'), ['run', 'bt', 'continue']);
    expect(crash.stdout).toMatch(/Program received signal SIGSEGV, Segmentation fault\.\n0x[0-9a-f]+ in read_verbose \(c=0x0\) at crash\.c:10\n10\t\treturn c->verbose;/);
    expect(crash.stdout).toMatch(/#1  0x[0-9a-f]+ in main \(\) at crash\.c:\d+/);
    expect(crash.stdout).toContain('Program terminated with signal SIGSEGV, Segmentation fault.');
    const sig = batch(ex('signals'), ['run', 'continue', 'handle SIGUSR1 nostop noprint', 'continue']);
    expect(sig.stdout.match(/Program received signal SIGUSR1, User defined signal 1\./g)).toHaveLength(2);
    expect(programLines(sig.stdout, 'handler ran')).toEqual(['handler ran 1 times', 'handler ran 2 times', 'handler ran 3 times']);
    const nopass = batch(ex('signals'), ['handle SIGUSR1 nostop noprint nopass', 'run']);
    expect(programLines(nopass.stdout, 'handler ran')).toEqual(['handler ran 0 times', 'handler ran 0 times', 'handler ran 0 times']);
  });

  it('gives one gdb-worded line per bad input, goes on, and fails the batch', () => {
    const r = batch(ex('struct_loop'), ['frob', 'continue', 'p nosuch', 'set breakpoint pending on', 'break nosuch', 'info registers', 'break tick', 'run', 'x/x 0', 'p 1/0', 'delete 9']);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'Undefined command: "frob".  Try "help".',
      'The program is not being run.',
      'No symbol "nosuch" in current context.',
      'Function "nosuch" not defined.',
      'The program has no registers now.',
      'Cannot access memory at address 0x0',
      'Division by zero',
      'No breakpoint number 9.',
    ]);
    // an unknown function becomes a pending breakpoint (gdb's `set breakpoint pending on`)
    expect(r.stdout).toContain('Breakpoint 1 (nosuch) pending.');
    expect(r.stdout).toMatch(/Breakpoint 2, /);
    expect(r.code).toBe(1);
  });

  it('in libc without its sources: the missing file said once, then "in FILE", caller files as gdb names them', () => {
    const cmds = ['set breakpoint pending on', 'break exit', 'run', 'stepi', 'stepi', 'up', 'down', 'stepi'];
    const run = spawnSync('node', [tsdbg, 'run', '--batch', ex('hot_loop'), '3'],
      { input: `${cmds.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root });
    // a file is said missing on stderr, as gdb says it
    expect(run.stdout).not.toContain('No such file or directory');
    expect(run.stderr).toContain('146\t./stdlib/exit.c: No such file or directory.\n');
    const ours = spawnSync('sh', ['-c', 'exec node "$@" 2>&1', 'sh', tsdbg, 'run', '--batch', ex('hot_loop'), '3'],
      { input: `${cmds.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root }).stdout;
    // both streams, in order
    const gdb = spawnSync('sh', ['-c', 'exec gdb "$@" 2>&1', 'sh', '-batch', '-nx', '-ex', 'set breakpoint pending on',
      ...cmds.flatMap((c) => ['-ex', c]), '--args', ex('hot_loop'), '3'], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' }).stdout;
    // source lines (without the pc gdb puts before a line entered midway) and frame locations
    const shown = (out: string) => out.split('\n').flatMap((l) => {
      const src = /^(?:0x[0-9a-f]+\t)?(\d+\t.*)$/.exec(l);
      if (src) return [src[1]!];
      const at = / at (\S+:\d+)$/.exec(l);
      return at && l.startsWith('#') ? [at[1]!] : [];
    });
    const expected = shown(gdb);
    expect(expected).toContain('146\t./stdlib/exit.c: No such file or directory.');
    expect(expected).toContain('74\t../sysdeps/nptl/libc_start_call_main.h: No such file or directory.');
    expect(shown(ours)).toEqual(expected);
  });

  it('the stack commands without a process say "No stack.", before the run and after it, as gdb', () => {
    const stackCmds = ['bt', 'frame', 'up', 'down', 'info frame'];
    const r = batch(ex('hot_loop'), [...stackCmds, 'run', ...stackCmds]);
    const gdb = spawnSync('gdb', ['-batch', '-nx', ...[...stackCmds, 'run', ...stackCmds].flatMap((c) => ['-ex', c]), '--args', ex('hot_loop'), '3'],
      { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' });
    const noStack = (err: string) => err.split('\n').filter((l) => l === 'No stack.').length;
    expect(noStack(gdb.stderr)).toBe(10);
    expect(noStack(r.stderr)).toBe(10);
  });

  it('monitor: gdb\'s words on a target without a remote stub', () => {
    const r = batch(ex('hot_loop'), ['monitor help', 'break main', 'run', 'monitor help']);
    expect(r.stderr.split('\n').filter((l) => l.includes('monitor'))).toEqual([
      '"monitor" command not supported by this target.', '"monitor" command not supported by this target.',
    ]);
  });

  it('says so in one line when the program does not exist', () => {
    const r = spawnSync('node', [tsdbg, 'run', '--batch', '/nonexistent/prog'], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' });
    expect(r.stderr).toBe('/nonexistent/prog: No such file or directory.\n');
    expect(r.status).toBe(1);
  });

  it('refuses a file that is not an executable in gdb words', () => {
    const r = spawnSync('node', [tsdbg, 'run', '--batch', `${root}scripts/setup-system.sh`], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', input: 'run\n' });
    expect(r.stderr).toBe(`"${root}scripts/setup-system.sh": not in executable format: file format not recognized\n`);
    expect(r.status).toBe(1);
  });

  it('works on static and non-PIE executables', () => {
    for (const p of ['struct_loop_static', 'struct_loop_nopie']) {
      const r = batch(ex(p), ['break tick', 'run', 'bt', 'info symbol $pc']);
      expect(r.stdout, p).toMatch(/Breakpoint 1, tick \(p=0x[0-9a-f]+ <pt>\) at struct_loop\.c:17/);
      expect(r.stdout, p).toMatch(/tick \+ \d+ in section \.text of .*struct_loop/);
    }
  });
});

describe('tsdbg run: snapshots and checkpoints', () => {
  it('snapshot + restore of the heap makes the program print old values again', () => {
    const r = batch(ex('linked_list'), [
      'break print_list', 'run', 'snapshot heap', 'snapshots', 'continue', 'snapshot diff heap', 'restore heap', 'delete', 'continue',
    ]);
    expect(r.stdout).toMatch(/Snapshot of \d+ bytes at 0x[0-9a-f]+ \(\[heap\]\) taken by the (userspace|kernel) engine\./);
    expect(r.stdout).toMatch(/^0x[0-9a-f]+ +\d+ +user +\[heap\]$/m);
    // The five node values doubled (one byte each); stdio's buffer changed too.
    expect(r.stdout).toMatch(/^\d+ bytes changed in \d+ ranges: (0x[0-9a-f]+\.\.0x[0-9a-f]+, ){5}/m);
    expect(r.stdout).toMatch(/Restored \d+ bytes at 0x[0-9a-f]+ \(\[heap\]\); snapshot dropped\./);
    expect(programLines(r.stdout, 'round ')).toEqual([
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 1: 5 4 3 2 1 (sum 15)',     // restored: the doubling never happened
      'round 2: 10 8 6 4 2 (sum 30)',
      'round 3: 20 16 12 8 4 (sum 60)',
    ]);
  });

  it('snapshot of a symbol range, show as a hexdump, drop', () => {
    const r = batch(ex('struct_loop_nopie'), ['break tick', 'run', 'snapshot &pt 24', 'snapshot show &pt', 'continue', 'snapshot diff 0x404020', 'snapshot drop &pt', 'snapshot show &pt']);
    expect(r.stdout).toMatch(/^000000404020: 0100 0000 0200 0000 0000 0000 0000 0000  \.{16}$/m);
    expect(r.stdout).toMatch(/^000000404030: 7374 6172 7400 0000 {22}start\.\.\.$/m);
    expect(r.stdout).toMatch(/bytes? changed in \d+ ranges?/);
    expect(r.stdout).toContain('Snapshot at 0x404020 dropped.');
    expect(r.stderr).toContain('No snapshot starts at 0x404020.');
  });

  it('checkpoint + rewind makes the program repeat its output, any number of times', () => {
    const r = batch(ex('linked_list'), [
      'break print_list', 'run', 'checkpoint start', 'continue', 'continue', 'rewind start', 'continue', 'rewind', 'delete', 'continue',
    ]);
    expect(r.stdout).toMatch(/Checkpoint 1 "start" at 0x[0-9a-f]+ <print_list\+\d+>: \d+ regions/);
    expect(r.stdout).toMatch(/Rewound to checkpoint "start": .* of memory and all registers restored\./);
    expect(programLines(r.stdout, 'round ')).toEqual([
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 1: 10 8 6 4 2 (sum 30)',
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 1: 10 8 6 4 2 (sum 30)',
      'round 2: 20 16 12 8 4 (sum 60)',
      'round 3: 40 32 24 16 8 (sum 120)',
    ]);
  });

  it('keeps several named checkpoints and rewinds to an older one', () => {
    const r = batch(ex('linked_list'), [
      'break print_list', 'run', 'checkpoint a', 'continue', 'checkpoint b', 'continue', 'checkpoints', 'rewind a', 'continue', 'rewind b', 'delete', 'continue',
    ]);
    expect(r.stdout).toMatch(/^1 +a +\d+ +[\d.]+ KiB +tsdbg buffers/m);
    expect(r.stdout).toMatch(/^2 +b +\d+ +[\d.]+ KiB +((userspace|kernel) engine|tsdbg copy)/m);
    expect(programLines(r.stdout, 'round ')).toEqual([
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 1: 10 8 6 4 2 (sum 30)',
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 1: 10 8 6 4 2 (sum 30)',
      'round 2: 20 16 12 8 4 (sum 60)',
      'round 3: 40 32 24 16 8 (sum 120)',
    ]);
  });

  it('refuses to rewind across memory-map changes, and says which', () => {
    const r = batch(ex('mappings'), ['break map_regions', 'break unmap_one', 'run', 'checkpoint m', 'continue', 'rewind m', 'rewind -f m']);
    expect(r.stderr).toContain('The memory map changed since checkpoint "m"; rewinding cannot undo:');
    expect(r.stderr).toMatch(/anonymous 0x[0-9a-f]+-0x[0-9a-f]+ appeared \(mmap\)/);
    expect(r.stderr).toMatch(/\[heap\] 0x[0-9a-f]+-0x[0-9a-f]+ grew to 0x[0-9a-f]+ \(brk moved\)/);
    expect(r.stderr).toMatch(/Rewind refused; "rewind -f m"/);
    expect(r.stdout).toMatch(/warning: not undone: /);
    expect(r.stdout).toContain('Rewound to checkpoint "m"');
  });

  it('snapshots the stack and a numbered mapping, lists them against the limit', () => {
    const r = batch(ex('struct_loop_nopie'), ['break tick', 'run', 'info proc mappings', 'snapshot stack', 'snapshot mapping 4', 'snapshots', 'x/2xg $sp', 'x', 'x/3c pt.tag']);
    expect(r.stdout).toMatch(/^ {3}4 +0x404000 +0x405000 +0x1000 +0x3000  rw-p   .*struct_loop_nopie$/m);
    expect(r.stdout).toMatch(/Snapshot of \d+ bytes at 0x7ff[0-9a-f]+ \(\[stack\]\) taken by the userspace engine\./);
    expect(r.stdout).toMatch(/^0x404000 +4096 +user +.*struct_loop_nopie$/m);
    expect(r.stdout).toMatch(/^\d+ bytes held of \d+ \([\d.]+%\); largest snapshot allowed \d+ bytes\.$/m);
    // a bare `x` examines as many units as the last `x` (gdb's last_count)
    expect(r.stdout).toMatch(/^0x7fffffff[0-9a-f]+:\t0x[0-9a-f]{16}\t0x000000000040119f\n0x7fffffff[0-9a-f]+:\t0x[0-9a-f]{16}\t0x[0-9a-f]{16}$/m);
    expect(r.stdout).toMatch(/^0x404030 <pt\+16>:\t115 's'\t116 't'\t97 'a'$/m);
  });

  it('deletes checkpoints and protects their snapshots', () => {
    const r = batch(ex('linked_list'), ['break print_list', 'run', 'set checkpoint-method full', 'checkpoint x', 'snapshots', 'checkpoint delete x', 'checkpoints', 'rewind']);
    expect(r.stdout).toMatch(/ckpt x +\[heap\]/);
    expect(r.stdout).toContain('Checkpoint "x" deleted.');
    expect(r.stdout).toContain('No checkpoints.');
    expect(r.stderr).toContain('No checkpoints.');
  });
});

describe('tsdbg run: no tracee left behind', () => {
  /** Start tsdbg stopped at a breakpoint and return it with the tracee's pid. */
  async function startStopped(): Promise<{ child: ChildProcessWithoutNullStreams; pid: number }> {
    const child = spawn('node', [tsdbg, 'run', '--batch', ex('struct_loop')], { cwd: root });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stdin.write('break tick\nrun\ninfo proc\n');
    await waitFor(() => /^process (\d+)$/m.test(out), () => `info proc's pid in:\n${out}`);
    const pid = Number(/^process (\d+)$/m.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    return { child, pid };
  }

  const exited = (c: ChildProcessWithoutNullStreams) => new Promise((r) => c.on('exit', r));

  it('after quit', async () => {
    const { child, pid } = await startStopped();
    const done = exited(child);
    child.stdin.write('quit\n');
    await done;
    expect(await waitGone(pid)).toBe(true);
  });

  it('at end of input', async () => {
    const { child, pid } = await startStopped();
    const done = exited(child);
    child.stdin.end();
    await done;
    expect(await waitGone(pid)).toBe(true);
  });

  it('after SIGTERM to tsdbg', async () => {
    const { child, pid } = await startStopped();
    const done = exited(child);
    child.kill('SIGTERM');
    await done;
    expect(await waitGone(pid)).toBe(true);
  });

  it('after tsdbg is killed with SIGKILL', async () => {
    const { child, pid } = await startStopped();
    const done = exited(child);
    child.kill('SIGKILL');
    await done;
    expect(await waitGone(pid)).toBe(true);
  });

  it('quit detaches from a process it attached to, which goes on running', async () => {
    const prog = spawn(ex('hot_loop'), ['4000000000'], { stdio: 'ignore' });
    try {
      // Attach only once the child has exec'd the program (node's fork runs first).
      await waitFor(() => readlinkSafe(`/proc/${prog.pid}/exe`).endsWith('/hot_loop'), 'the program to exec hot_loop');
      const r = spawnSync('node', [tsdbg, 'run', '--batch', '--pid', String(prog.pid), ex('hot_loop')], {
        input: 'bt\ncheckpoint a\nrewind a\nquit\n', encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL',
      });
      // --pid in batch mode attaches quietly, as gdb -batch -p does
      expect(r.stdout).not.toContain('Attaching to process');
      expect(r.stdout).toContain(`[Inferior 1 (process ${prog.pid}) detached]`);
      // gdb's frame line: "0x... in main (...)" mid-line, plain "main (...)" when the
      // interrupt landed on the first instruction of a line (both happen)
      expect(r.stdout).toMatch(/^(0x[0-9a-f]{16} in )?(step|main) \(.* at hot_loop\.c:\d+$/m);
      expect(r.stdout).toContain('Rewound to checkpoint "a"');
      expect(alive(prog.pid!)).toBe(true);
      expect(readFileSync(`/proc/${prog.pid}/status`, 'utf8')).toMatch(/TracerPid:\t0\n/);
    } finally {
      prog.kill('SIGKILL');
    }
  });

  it('start stops at main with a temporary breakpoint', () => {
    const r = batch(ex('struct_loop'), ['start', 'info breakpoints', 'next']);
    expect(r.stdout).toMatch(/^Temporary breakpoint 1 at 0x[0-9a-f]+: file struct_loop\.c, line 25\.$/m);
    expect(r.stdout).toMatch(/^Temporary breakpoint 1, main \(\) at struct_loop\.c:25$/m);
    expect(r.stdout).toContain('No breakpoints or watchpoints.');
  });

  it('kill ends the program', () => {
    const r = batch(ex('struct_loop'), ['break tick', 'run', 'info proc', 'kill', 'info registers']);
    const pid = Number(/^process (\d+)$/m.exec(r.stdout)?.[1]);
    expect(r.stdout).toContain(`[Inferior 1 (process ${pid}) killed]`);
    expect(alive(pid)).toBe(false);
    expect(r.stderr).toContain('The program has no registers now.');
  });
});
