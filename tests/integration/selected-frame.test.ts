/**
 * `frame N`, `up` and `down` change what the registers, $pc/$sp/$rbp,
 * `info registers`, `x/i $pc`, `info locals`, `print` and `finish` see, as
 * in gdb: the same script through gdb and `tsdbg run` (same environment, so
 * the same stack addresses) must give the same values, with and without
 * DWARF.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES, fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin' };
const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-frames-'));

/** Lines both debuggers print the same way: registers, values, locals, frames, disassembly. */
function facts(out: string): string[] {
  return out.split('\n').filter((l) =>
    /^(r[a-z0-9]+|eflags|[c-gs]s) +(0x|<not saved>)/.test(l) || /^\$\d+ = /.test(l) || /^(=> |   )0x/.test(l) ||
    /^[a-z]\w* = /.test(l) || /^#\d/.test(l) || /^Value returned/.test(l) || /^0x[0-9a-f]+ in /.test(l));
}

function both(prog: string, commands: string[]): { gdb: string[]; ours: string[] } {
  const script = path.join(dir, 'cmds');
  writeFileSync(script, `${commands.join('\n')}\n`);
  // gdb starts the program without a shell; both add LINES/COLUMNS to its environment: the same stack
  const gdbScript = path.join(dir, 'gdb-cmds');
  writeFileSync(gdbScript, ['set startup-with-shell off', ...commands, ''].join('\n'));
  const g = spawnSync('gdb', ['-batch', '-nx', '-x', gdbScript, prog], { encoding: 'utf8', env: ENV, timeout: SESSION_MS, killSignal: 'SIGKILL' });
  const t = spawnSync('node', [TSDBG, 'run', '--batch', '-x', script, prog], { encoding: 'utf8', env: ENV, timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
  expect(t.stderr).toBe('');
  return { gdb: facts(g.stdout), ours: facts(t.stdout) };
}

const SCRIPT = [
  'break inner', 'run',
  'up', 'info registers', 'p $pc', 'p $sp', 'p $rbp', 'p $rbx', 'p/x $rax', 'x/2i $pc', 'info locals', 'p y + b',
  'up', 'p $pc', 'p $sp', 'info registers rip rsp rbp', 'info locals', 'p z',
  'frame 0', 'p $pc', 'p $sp', 'x/i $pc',
  'frame 1', 'finish',
];

describe('the selected frame', () => {
  it('registers, $pc/$sp, x/i, locals, print and finish follow up/down/frame (DWARF)', () => {
    const { gdb, ours } = both(fixture('frames'), SCRIPT);
    expect(gdb.length).toBeGreaterThan(40);
    expect(ours).toEqual(gdb);
    // finish out of frame 1 returned from middle to outer, with middle's value
    expect(ours.filter((l) => /^Value returned is \$\d+ = 86$/.test(l))).toHaveLength(1);
  });

  it('registers, $pc/$sp and x/i follow up/down/frame without debug info', () => {
    const prog = path.join(dir, 'frames_nodebug');
    execFileSync('gcc', ['-O0', '-no-pie', '-fno-pie', '-fno-omit-frame-pointer', '-o', prog, path.join(FIXTURES, 'frames.c')]);
    const { gdb, ours } = both(prog, [
      'break inner', 'run', 'up', 'info registers', 'p $pc', 'p $sp', 'p $rbp', 'x/2i $pc',
      'frame 2', 'p $pc', 'p $sp', 'info registers rip rsp rbp', 'down', 'p $pc', 'frame 0', 'p $pc',
    ]);
    expect(gdb.length).toBeGreaterThan(25);
    expect(ours).toEqual(gdb);
  });
});
