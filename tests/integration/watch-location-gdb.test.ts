/**
 * `watch -location EXPR` (`watch -l`): gdb watches the address EXPR has when
 * set, as `-location EXPR`, with no scope: it stays after the function
 * returns and stops when another frame writes that stack slot. Not in memory
 * (a register, optimized out): `Attempt to take address of value not located
 * in memory.`; a constant: `Cannot watch constant value`. Compared with gdb 13.
 */
import { describe, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

const OUTPUT = /^\d+ \d+$/;

describe('watch -location, as gdb', () => {
  it('a local: hits in its function, then in the next function that reuses the slot', () => {
    const prog = build('tests/fixtures/watch_location.c', 'watch_location-O0', '-O0');
    compareWithGdb(prog, OUTPUT, ['break f', 'run', 'watch -l v', 'info watchpoints', 'continue', 'continue', 'continue',
      'info watchpoints', 'watch -location 5', 'kill']);
  });

  it('a local in a register (-O2): no address to watch', () => {
    const prog = build('tests/fixtures/watch_optout.c', 'watch_optout-O2', '-O2');
    compareWithGdb(prog, /^\d+$/, ['break work', 'run', 'watch -l len', 'info watchpoints', 'kill']);
  });
});
