/**
 * A watchpoint's condition and ignore count, as gdb 13 applies them: a
 * change they pass over lets the program go on (the old value moves on),
 * for hardware and software watchpoints alike. Compared line for line with gdb.
 */
import { describe, it } from 'vitest';
import { fixture } from '../fixtures/programs.js';
import { compareWithGdb } from './gdb-compare.js';

const PROGRAM = /^round \d+ x=/;

describe('watchpoint condition and ignore, against gdb', () => {
  for (const hw of ['1', '0']) {
    it(`ignore N skips N changes (can-use-hw-watchpoints ${hw})`, () => {
      compareWithGdb(fixture('dap_vars'), PROGRAM, [
        `set can-use-hw-watchpoints ${hw}`, 'break 28', 'run', 'delete 1', 'watch counter', 'ignore 2 2', 'continue', 'print counter',
        'info breakpoints', 'kill',
      ]);
    });

    it(`a condition stops only at the change it holds for (can-use-hw-watchpoints ${hw})`, () => {
      compareWithGdb(fixture('dap_vars'), PROGRAM, [
        `set can-use-hw-watchpoints ${hw}`, 'break 28', 'run', 'delete 1', 'watch counter', 'condition 2 counter == 3', 'continue',
        'print counter', 'info breakpoints', 'kill',
      ]);
    });
  }
});
