/**
 * One command table (issue 11): the source-level commands go through the same
 * parser as the rest, so gdb's unique prefixes (`pt`, `wha`, `fr`, `disp`,
 * `info lo`) and its frame numbers (`frame -1`, `frame 0x1`) reach them, with
 * and without a process; compared line for line with gdb 13.
 */
import { describe, it } from 'vitest';
import { compareWithGdb } from './gdb-compare.js';
import { example } from './rsp-util.js';

describe('the one command table', () => {
  it('source-level commands by their gdb prefixes, frames by gdb numbers, before and after run', () => {
    compareWithGdb(example('linked_list'), /^(round|sum) /, [
      'frame -1', 'frame 0x1', 'up 1', 'pt 1', 'wha 1', 'info lo',
      'break push', 'run', 'fr 1', 'pt head', 'wha head', 'disp head', 'info disp', 'undisp 1', 'info disp',
      'down', 'frame -1', 'frame 0x1', 'info ar', 'l 18,19', 'set print elements 4', 'show print elements',
    ]);
  });
});
