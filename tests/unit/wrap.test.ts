/**
 * gdb's wrapping at a terminal's width (pager_file::puts), with outputs taken
 * from gdb 13 on an 80-column pty. The parity corpus (tests/parity) checks it
 * on real frame lines.
 */
import { describe, expect, it } from 'vitest';
import { LinePager, stripWrapHints, wrapHint } from '../../src/dwarf/wrap.js';

const h = wrapHint;

describe('LinePager', () => {
  it('breaks a frame line at its last wrap point before the width, indenting the rest', () => {
    const line = `Run till exit from #0  print_list${h(3)} (${h(4)}round=1, ${h(4)}n=0x555555559320)${h(3)} at linked_list.c:40\n`;
    expect(new LinePager(80).write(line)).toBe(
      'Run till exit from #0  print_list (round=1, n=0x555555559320)\n    at linked_list.c:40\n');
  });

  it('wraps when a line reaches the width exactly, and counts from the indent after', () => {
    // gdb: `p {1111111,...,8888888,1}` is 80 characters: `1}` goes to the next line.
    const elems = ['1111111', '2222222', '3333333', '4444444', '5555555', '6666666', '7777777', '8888888', '1'];
    const text = `$2 = {${elems.map((e) => `${h(2)}${e}`).join(', ')}}\n`;
    expect(new LinePager(80).write(text)).toBe(
      '$2 = {1111111, 2222222, 3333333, 4444444, 5555555, 6666666, 7777777, 8888888, \n  1}\n');
    const shorter = `$1 = {${elems.slice(0, 8).map((e) => `${h(2)}${e}`).join(', ')}}\n`;
    expect(new LinePager(80).write(shorter)).toBe(stripWrapHints(shorter));
  });

  it('leaves a line without a wrap point to the terminal', () => {
    const long = `${'x'.repeat(100)}\n`;
    expect(new LinePager(80).write(long)).toBe(long);
  });

  it('breaks again on a later hint once the first wrapped line is full', () => {
    const args = Array.from({ length: 6 }, (_, i) => `${h(4)}argument_${i}=0x5555555592a0`).join(', ');
    const out = new LinePager(80).write(`Breakpoint 1, f${h(3)} (${args})${h(3)} at f.c:1\n`);
    expect(out.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(out).toBe('Breakpoint 1, f (argument_0=0x5555555592a0, argument_1=0x5555555592a0, \n'
      + '    argument_2=0x5555555592a0, argument_3=0x5555555592a0, \n'
      + '    argument_4=0x5555555592a0, argument_5=0x5555555592a0) at f.c:1\n');
  });
});
