/**
 * Source-level commands on a program built without -g (and on a stripped
 * one), against gdb 13: gdb's own words where there is no DWARF (no frame,
 * no current source file, no line information for an address, no symbol
 * table, a FILE:LINE breakpoint that offers to be pending), and the
 * symbols-only answers it still gives (info address, info functions).
 */
import { describe, expect, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

const PROGRAM = /^(inner|result) -?\d+$/;

/** Commands that need no process. */
const STATIC = [
  'info locals', 'info args', 'info line main', 'info line', 'info line *0x401126', 'info line 17', 'info source',
  'list', 'list main', 'break frames.c:17', 'break 17', 'tbreak frames.c:3', 'clear frames.c:17', 'clear 17',
  'display', 'display v', 'undisplay 1', 'delete display 1', 'info display', 'info address main', 'info address nosuch',
  'print v', 'output v', 'ptype v', 'whatis v', 'x/x &v', 'ptype main', 'whatis main',
  'info types', 'info types foo', 'info functions inner', 'info scope main',
];

describe('source-level commands without debug info, as gdb 13', () => {
  const prog = build('tests/fixtures/frames.c', 'frames-nodebug', '-O0', false, ['-no-pie', '-fno-pie']);

  it('without a process: no frame, no source file, no line information, no symbol table', () => {
    const out = compareWithGdb(prog, PROGRAM, STATIC);
    expect(out).toContain('No frame selected.');
    expect(out).toContain('No current source file.');
    expect(out.some((l) => /^No line number information available for address 0x[0-9a-f]+ <main>$/.test(l))).toBe(true);
    expect(out).toContain('Make breakpoint pending on future shared library load? (y or [n]) [answered N; input not from terminal]');
    expect(out.some((l) => /^Symbol "main" is at 0x[0-9a-f]+ in a file compiled without debugging\.$/.test(l))).toBe(true);
  });

  it('stopped in a function without line information', () => {
    const out = compareWithGdb(prog, PROGRAM, ['break inner', 'run', 'info line', 'info line inner', 'info source', 'info locals',
      'undisplay 1', 'delete display 1', 'display', 'info address main', 'print v', 'ptype v', 'info functions inner', 'kill']);
    expect(out).toContain('No symbol table info available.');
    expect(out).toContain('No display number 1.');
  });

  it('until without line information steps instructions while the pc stays between the function start and where it was', () => {
    const out = compareWithGdb(prog, PROGRAM, ['break inner', 'run', 'until', 'until', 'until', 'until', 'until', 'until', 'until',
      'until', 'bt', 'kill']);
    expect(out.some((l) => /^0x[0-9a-f]{16} in inner \(\)$/.test(l))).toBe(true);
  });

  it('a stripped program: no symbols at all', () => {
    const stripped = build('tests/fixtures/frames.c', 'frames-stripped', '-O0', false, ['-no-pie', '-fno-pie', '-s']);
    const out = compareWithGdb(stripped, PROGRAM, ['list', 'info line main', 'info functions inner', 'info address main',
      'break frames.c:17', 'print v', 'info source', 'ptype main', 'info locals']);
    expect(out).toContain('No symbol table is loaded.  Use the "file" command.');
  });
});
