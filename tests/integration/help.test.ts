/**
 * `help`, `help CMD`, `help info` and `help info CMD` cover every command
 * tsdbg runs (the source-level ones too), from the one command table, each
 * summarized in gdb 13's own first line (`gdb -batch -ex 'help all'`).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');

function tsdbg(...commands: string[]): string {
  const r = spawnSync(process.execPath, [TSDBG, 'run', '--batch', ...commands.flatMap((c) => ['-ex', c]), fixture('frames')], { encoding: 'utf8' });
  return r.stdout + r.stderr;
}

/** `NAME[, ALIAS...] -- SUMMARY` lines: name to summary. */
function summaries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^((?:info )?[\w-]+)(?:, [^-]*)? -- (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Ours, not gdb's (or gdb's command of that name does something else). */
const OURS = new Set(['snapshot', 'snapshots', 'restore', 'checkpoint', 'checkpoints', 'rewind', 'quit', 'info snapshots', 'info kstats', 'info syscall', 'syscall']);

describe('help', () => {
  const gdbAll = summaries(spawnSync('gdb', ['-batch', '-nx', '-ex', 'help all'], { encoding: 'utf8' }).stdout);

  it('lists every command with gdb\'s summary, not cut at a period', () => {
    const ours = summaries(tsdbg('help'));
    for (const name of ['list', 'ptype', 'whatis', 'display', 'undisplay', 'delete', 'clear', 'info', 'print', 'x']) expect(ours.has(name), name).toBe(true);
    let compared = 0;
    for (const [name, text] of ours) {
      if (OURS.has(name)) continue;
      expect(text, name).toBe(gdbAll.get(name));
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
    expect(ours.get('delete')).toBe('Delete all or some breakpoints.');
  });

  it('help info lists every info subcommand with gdb\'s summary', () => {
    const ours = summaries(tsdbg('help info'));
    for (const name of ['info locals', 'info args', 'info line', 'info source', 'info registers', 'info breakpoints', 'info frame']) expect(ours.has(name), name).toBe(true);
    for (const [name, text] of ours) if (!OURS.has(name)) expect(text, name).toBe(gdbAll.get(name));
  });

  it('help CMD and help info CMD describe the command under its names, as gdb heads them', () => {
    const out = tsdbg('help list', 'help delete', 'help info locals', 'help info r', 'help ptype');
    expect(out).not.toMatch(/Undefined/);
    expect(out).toContain('list, l\nList specified function or line.\n');
    expect(out).toContain('delete, d\nDelete all or some breakpoints.\n');
    expect(out).toContain('All local variables of current stack frame or those matching REGEXPs.\n');
    expect(out).toContain('info registers, info r\nList of integer registers and their contents, for selected stack frame.\n');
    expect(out).toContain('Print definition of type TYPE.\n');
  });

  it('an unknown topic is gdb\'s one-line error', () => {
    expect(tsdbg('help nosuch')).toBe('Undefined command: "nosuch".  Try "help".\n');
    expect(tsdbg('help info nosuch')).toBe('Undefined info command: "nosuch".  Try "help info".\n');
  });
});
