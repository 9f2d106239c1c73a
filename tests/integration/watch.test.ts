/**
 * Watchpoints on every machine: hardware ones where the debug registers
 * trap (the probe, checked against gdb itself as the oracle), software ones
 * where they do not, with `set can-use-hw-watchpoints 0`, over the remote
 * protocol when the stub refuses Z2, and with the probe's answer forced to
 * "does not trap" (TSDBG_DEBUG_REGS=notrap) so that path runs everywhere.
 * Output is compared line for line with gdb 13. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { debugRegistersTrap } from '../../src/target/debugregs.js';
import { mergedLines } from './gdb-compare.js';
import { fixture } from '../fixtures/programs.js';
import { ROOT, example, requireFreshServerBuild, startListening } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const tsdbg = `${ROOT}/bin/tsdbg.js`;
const LOOP = example('struct_loop_nopie');
const THREADS = example('threads');

const exArgs = (cmds: string[]) => cmds.flatMap((c) => ['-ex', c]);
const gdbLines = (cmds: string[], prog: string) => mergedLines(['gdb', '-batch', '-nx', ...exArgs(cmds), prog]);
const ourLines = (cmds: string[], prog: string, env: Record<string, string> = {}) =>
  mergedLines(['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'node', tsdbg, 'run', '--batch', ...exArgs(cmds), prog]);

const CONTINUE_TWICE = ['break tick', 'run', 'watch counter', 'delete 1', 'continue', 'continue', 'info watchpoints'];
const FIRES = ['', 'Old value = 0', 'New value = 1', 'tick (p=0x404020 <pt>) at struct_loop.c:21', '21\t}'];

describe('hardware watchpoints where the debug registers trap', () => {
  it('the probe agrees with gdb, and `watch` says Hardware watchpoint iff they trap', () => {
    // the oracle: does gdb's own (hardware) watchpoint see the write?
    const gdb = gdbLines(['break tick', 'run', 'watch counter', 'delete 1', 'continue'], LOOP).join('\n');
    const trapsForGdb = gdb.includes('Old value = 0\nNew value = 1');
    const forced = process.env.TSDBG_DEBUG_REGS;
    delete process.env.TSDBG_DEBUG_REGS;           // the real probe, whatever this run forces
    try {
      expect(debugRegistersTrap()).toBe(trapsForGdb);
    } finally {
      if (forced !== undefined) process.env.TSDBG_DEBUG_REGS = forced;
    }
    const ours = ourLines(CONTINUE_TWICE, LOOP, { TSDBG_DEBUG_REGS: '' }).join('\n');
    expect(ours.includes('Hardware watchpoint 2: counter')).toBe(trapsForGdb);
    expect(ours.includes('\nWatchpoint 2: counter')).toBe(!trapsForGdb);
    // either way it fires, with the old and new values
    expect(ours).toContain(FIRES.join('\n'));
    expect(ours).toContain('Old value = 1\nNew value = 2');
  });

  it('forced "does not trap": a software watchpoint, as gdb with can-use-hw-watchpoints 0', () => {
    const ours = ourLines(CONTINUE_TWICE, LOOP, { TSDBG_DEBUG_REGS: 'notrap' });
    const gdb = gdbLines(['set can-use-hw-watchpoints 0', ...CONTINUE_TWICE], LOOP);
    expect(ours).toEqual(gdb);
    expect(ours).toContain('2       watchpoint     keep y                      counter');
  });
});

describe('software watchpoints (set can-use-hw-watchpoints 0), line for line with gdb', () => {
  it('continue, twice, and info watchpoints', () => {
    const cmds = ['set can-use-hw-watchpoints 0', ...CONTINUE_TWICE];
    const ours = ourLines(cmds, LOOP);
    expect(ours).toEqual(gdbLines(cmds, LOOP));
    expect(ours.join('\n')).toContain(`Watchpoint 2: counter\n${FIRES.join('\n')}`);
  });

  it('next, step and finish honour it; the setting and the read/access refusal read as gdb', () => {
    const cmds = ['set can-use-hw-watchpoints 0', 'break main', 'run', 'watch counter', 'next', 'next', 'next', 'step',
      'finish', 'show can-use-hw-watchpoints', 'rwatch counter', 'awatch counter', 'info watchpoints',
      'set can-use-hw-watchpoints', 'set can-use-hw-watchpoints 1', 'show can-use-hw-watchpoints'];
    const ours = ourLines(cmds, LOOP);
    expect(ours).toEqual(gdbLines(cmds, LOOP));
    expect(ours).toContain("Can't set read/access watchpoint when hardware watchpoints are disabled.");
    expect(ours).toContain('Old value = 0');
  });

  it('in a threaded program: the workers\' writes are seen, all-stop, and the program still ends normally', () => {
    const cmds = ['set can-use-hw-watchpoints 0', 'break main', 'run', 'watch counter', ...Array(8).fill('continue')];
    const ours = ourLines(cmds, THREADS).join('\n');
    // as gdb: the selected thread is stepped, the workers run while it sleeps, and a change is seen when it wakes
    // (where depends on the scheduling); the values seen form a chain from 0 up to the workers' total
    const stops = [...ours.matchAll(/\nThread \d+ "threads" hit Watchpoint 2: counter\n\nOld value = (\d+)\nNew value = (\d+)\n/g)];
    expect(stops.length).toBeGreaterThan(0);
    let last = 0;
    for (const [, old, now] of stops) {
      expect(Number(old)).toBe(last);
      expect(Number(now)).toBeGreaterThan(last);
      last = Number(now);
    }
    expect(last).toBe(24);
    expect(ours).toContain('all done: counter 24');
    expect(ours).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
  });
});

describe('watch scope', () => {
  it('a watched local is deleted when its frame returns, and the program stops there, as gdb says it (both kinds)', () => {
    const prog = fixture('watch_scope');
    const pids = (lines: string[]) => lines.map((l) => l.replace(/\(process \d+\)/, '(process PID)'));
    const session = ['break sum', 'run', 'watch acc', 'continue', 'continue', 'continue', 'continue', 'continue', 'continue',
      'info watchpoints'];
    // hardware where the debug registers trap (gdb told to use the kind tsdbg should), and software
    for (const [mine, gdbs] of [['1', debugRegistersTrap() ? '1' : '0'], ['0', '0']] as const) {
      const ours = pids(ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog));
      expect(ours).toEqual(pids(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog)));
      expect(ours.join('\n')).toMatch(new RegExp('\nWatchpoint 2 deleted because the program has left the block in\n' +
        'which its expression is valid\\.\nmain \\(\\) at \\S*watch_scope\\.c:18\n18\t\ttotal = sum\\(3\\);\n'));
      expect(ours).toContain('No watchpoints.');
    }
  });

  it('finish and next out of the frame report the deletion as gdb does (finish still prints the value)', () => {
    const prog = fixture('watch_scope');
    const pids = (lines: string[]) => lines.map((l) => l.replace(/\(process \d+\)/, '(process PID)'));
    const start = ['break sum', 'run', 'watch acc', 'continue', 'continue', 'continue'];
    for (const leave of [['finish', 'next'], ['next', 'next', 'next', 'next', 'next']]) {
      for (const [mine, gdbs] of [['1', debugRegistersTrap() ? '1' : '0'], ['0', '0']] as const) {
        const session = [...start, ...leave, 'info watchpoints'];
        const ours = pids(ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog));
        expect(ours).toEqual(pids(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog)));
        expect(ours).toContain('which its expression is valid.');
        expect(ours).toContain('No watchpoints.');
      }
    }
  });
});

describe('watch frame', () => {
  // main's `count` written by bump through a pointer while bump, with its own `count`, is frame 0
  const prog = () => fixture('watch_outer');
  const pids = (lines: string[]) => lines.map((l) => l.replace(/\(process \d+\)/, '(process PID)'));

  it('a watch set in an outer frame (up) is checked in that frame, not in the one that writes it, as gdb does (both kinds)', () => {
    const session = ['break bump', 'run', 'up', 'watch count', 'continue', 'continue', 'bt', 'continue', 'info watchpoints'];
    for (const [mine, gdbs] of [['1', debugRegistersTrap() ? '1' : '0'], ['0', '0']] as const) {
      const ours = pids(ourLines([`set can-use-hw-watchpoints ${mine}`, ...session], prog()));
      expect(ours).toEqual(pids(gdbLines([`set can-use-hw-watchpoints ${gdbs}`, ...session], prog())));
      expect(ours.join('\n')).toContain('Old value = 1\nNew value = 2\n');
      expect(ours.join('\n')).toContain('breakpoint already hit 2 times');
    }
  });

  it('a watch set in frame 0 stays on that frame when a callee writes it', () => {
    const session = ['break main', 'run', 'watch count', 'continue', 'continue', 'continue'];
    const ours = pids(ourLines(session, prog()));
    expect(ours).toEqual(pids(gdbLines(session, prog())));
    expect(ours.join('\n')).toContain('Old value = 2\nNew value = 3\n');
    expect(ours.join('\n')).not.toContain('New value = 100');
  });
});

describe('over the remote protocol', () => {
  it('a stub whose machine\'s debug registers do not trap refuses Z2; the client falls back to a software watchpoint', async () => {
    requireFreshServerBuild();
    // the server probes its own machine: its answer forced to "does not trap"
    const saved = process.env.TSDBG_DEBUG_REGS;
    process.env.TSDBG_DEBUG_REGS = 'notrap';
    let server;
    try {
      server = await startListening('node', [tsdbg, 'serve', '--listen', '127.0.0.1:0', '--once', LOOP]);
    } finally {
      if (saved === undefined) delete process.env.TSDBG_DEBUG_REGS;
      else process.env.TSDBG_DEBUG_REGS = saved;
    }
    try {
      const r = spawnSync('node', [tsdbg, 'connect', '--batch', ...exArgs(['break tick', 'continue', 'delete 1', 'watch counter', 'continue', 'info watchpoints', 'kill']),
        `127.0.0.1:${server.port}`], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(r.stdout).toContain('Watchpoint 2: counter');
      expect(r.stdout).toContain(FIRES.join('\n'));
    } finally {
      await server.stop();
    }
  });
});
