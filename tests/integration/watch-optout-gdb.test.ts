/**
 * `watch` of a local that is optimized out where the program stopped (-O2): gdb sets a software
 * watchpoint (`Watchpoint 2: len`), and its first check, after one instruction, fails: `Error
 * evaluating expression for watchpoint 2`, the reason, `Watchpoint 2 deleted.`, and the program
 * stops there. Compared with gdb 13 line for line.
 */
import { describe, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

const OUTPUT = /^\d+$/;

describe('watch of an optimized-out local, as gdb', () => {
  const prog = () => build('tests/fixtures/watch_optout.c', 'watch_optout-O2', '-O2');

  it('continue: the first step reports the error, deletes it and stops', () => {
    compareWithGdb(prog(), OUTPUT, [
      'break work', 'run', 'p len', 'watch len', 'info watchpoints', 'continue', 'info watchpoints', 'bt 1', 'continue',
    ]);
  });

  it('next and stepi stop at the first instruction too', () => {
    compareWithGdb(prog(), OUTPUT, ['break work', 'run', 'watch len', 'next', 'watch len', 'stepi', 'info watchpoints', 'continue']);
  });
});
