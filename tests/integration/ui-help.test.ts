/**
 * `help` of the UI's commands (tui, layout, focus, refresh: the front end's
 * own, outside the command table) beside gdb 13's, less the lines for what
 * is tsdbg's own (tui diff/memory/watch/unwatch, layouts kstats and
 * syscalls) and for what tsdbg lacks (tui new-layout/window, info win).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const TOPICS = ['tui', 'layout', 'tui layout', 'focus', 'fs', 'refresh', 'tui enable', 'tui disable', 'layout next', 'layout asm'];
/** Lines of what only one of the two has. */
const OWN = /^tui (diff|memory|watch|unwatch|new-layout|window) --|^tui layout (kstats|syscalls) --|^Window names: |^Use "info win"|^This layout was created|^  tui new-layout /;

function help(argv: string[]): string[] {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => !OWN.test(l));
}

describe('help of the UI commands', () => {
  it('says what gdb says (they were "Undefined command")', () => {
    const ex = TOPICS.flatMap((t) => ['-ex', `help ${t}`]);
    const prog = fixture('frames');
    const gdb = help(['gdb', '-nx', '-batch', ...ex, prog]);
    const ours = help([process.execPath, TSDBG, 'run', '--batch', ...ex, prog]);
    expect(gdb).toContain('Change the layout of windows.');
    expect(ours).toEqual(gdb);
    // tsdbg's own are documented too
    const own = spawnSync(process.execPath, [TSDBG, 'run', '--batch', '-ex', 'help tui memory', '-ex', 'help focus', prog], { encoding: 'utf8', timeout: SESSION_MS });
    expect(own.stdout).toContain('Usage: tui memory [EXPR]');
    expect(own.stdout).toMatch(/^Window names: src, asm, regs, /m);
  });
});
