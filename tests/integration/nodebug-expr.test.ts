/**
 * Expressions in a program without debug info, against gdb 13: the one C
 * evaluator (src/dwarf/evaluator.ts) with ELF symbols, registers and memory
 * only — before the program runs and stopped in it.
 */
import { describe, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

const NONE = /^$/;
const prog = () => build('tests/fixtures/nodebug_expr.c', 'nodebug_expr-nodebug', '-O0', false);

describe('expressions without debug info, as gdb', () => {
  it('before the program runs: constants, casts, sizeof, history, convenience variables, symbols', () => {
    compareWithGdb(prog(), NONE, [
      'p 1 + 2 * 3', 'p (1 + 2) * 3', 'p 0x10 - 1', 'p -5 / 2', 'p 017', "p 'a'", 'p (char)65', 'p (unsigned char)300',
      'p 1 == 1 && 2 > 1', 'p ~0', 'p sizeof(int)', 'p sizeof(long)', 'p/x 255', 'p 1/0', 'p 1 +', 'p (1', 'p 09', 'p',
      'set var $x = 3', 'p $x', 'p $x * 2', 'p $1', 'p $', 'p $$2', 'output 5', 'output $x',
      'p $rsp+8', 'whatis $rax', 'whatis $eax', 'whatis $ax', 'whatis $al', 'whatis $pc', 'whatis $sp', 'whatis $eflags',
      'p main', 'p leaf', 'p (long)main', 'p counter', 'p (int)counter', 'p (char)counter', 'p &counter', 'p counter + 1',
      'p nosuch', 'p sizeof(counter)', 'p $nonesuch', 'p (struct node *)0', 'p $_', 'p $_exitcode',
    ]);
  });

  it('stopped in it: registers, sub-registers, $eflags, memory through casts and {type}, assignments', () => {
    compareWithGdb(prog(), NONE, [
      'break leaf', 'run',
      'p $pc', 'x/4x $sp', 'p $_', 'p $__', 'p $eflags', 'p $ps', 'output $eflags', 'whatis $eflags', 'whatis $cs', 'whatis $fs_base',
      'p *(int*)&counter', 'p *(unsigned int*)&counter', 'p {long} &table', 'p ((long*)&table)[2]', 'p (long*)&table + 2', 'p *(long*)&table + 1',
      'p greeting', 'p (char)greeting', 'p {char[4]} &greeting',
      'set $rax = 0x1122334455667788', 'p $rax', 'p $eax', 'p $ax', 'p $al', 'p $ah', 'p/x $rax',
      'set $al = 0x1ff', 'p/x $rax', 'set $ah = 1', 'p/x $rax', 'set $eax = -1', 'p/x $rax', 'set $r8w = -1', 'p/x $r8',
      'p $rax = 5', 'p $rax += 3', 'p $rax++', 'p $rax', 'p $rax--', 'p --$rax',
      'set var {int} &counter = 6', 'set var {int} &counter *= 7', 'p (int)counter',
      'p $rsp == $sp ? 1 : 2', 'p (1, 2)', 'p 3 = 4', 'p $rax.f', 'p counter.f', 'p *(int*)0', 'p 1.5',
      'p $eflags = 0x246', 'p $eflags',
    ]);
  });
});
