/**
 * Source-level stepping against gdb -batch, on optimized code: the same
 * step/next/stepi/nexti/until/finish scripts run through `tsdbg run --batch`
 * and gdb, on -O2 builds of the examples (inlined calls, lines entered
 * mid-way, calls through the PLT into the C library's debug info) and of a
 * program with an inlined static function called in a loop, plus an -O0
 * build to show the plain case still matches. The outputs must be equal line
 * for line, after dropping what legitimately differs:
 * - tsdbg's `Snapshot engine:` line, gdb's libthread_db lines (both run the
 *   commands as -ex options in batch mode, so neither prints gdb's commentary
 *   for typed commands: Starting program, Continuing., Run till exit from);
 * - the program's own output, which reaches the terminal at other times (gdb's
 *   inferior writes to a pipe, fully buffered): compared on its own, in order;
 * - stack addresses (argv, va_list): the two start the program with different
 *   environments, so its stack sits elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { build, compareWithGdb as compare } from './gdb-compare.js';

describe('stepping optimized code, as gdb does', () => {
  it('linked_list -O2: next steps over inlined push, step stops at its call site, stepi shows it, pc shown mid-line', () => {
    const prog = build('examples/linked_list.c', 'linked_list-O2', '-O2');
    const out = compare(prog, /^round \d+:/, ['break main', 'run', 'next', 'next', 'step', 'next', 'next', 'stepi', 'stepi', 'stepi',
      'next', 'step', 'step', 'next', 'next', 'stepi', 'stepi', 'finish', 'next', 'next']);
    // What the comparison covers: an inlined call entered by stepi, the pc before a line entered mid-way,
    // the return from the inlined call to main's frame.
    expect(out).toContainEqual(expect.stringMatching(/^push \(value=<optimized out>, list=0x[0-9a-f]+\) at examples\/linked_list\.c:18$/));
    expect(out).toContainEqual(expect.stringMatching(/^0x[0-9a-f]{16}\t57\t\tfor \(long v = 1; v <= 5; v\+\+\)$/));
    expect(out).toContain('main () at examples/linked_list.c:25');
  });

  it('linked_list -O2: next, until, a tail call into fflush@plt, step through the lazy PLT into fflush, finish into main', () => {
    const prog = build('examples/linked_list.c', 'linked_list-O2', '-O2');
    const out = compare(prog, /^round \d+:/, ['break print_list', 'run', 'next', 'next', 'next', 'until', 'until', 'next', 'next',
      'step', 'next', 'next', 'finish', 'next', 'next', 'next', 'step', 'bt']);
    expect(out).toContainEqual(expect.stringMatching(/^0x[0-9a-f]{16} in fflush@plt \(\)$/));
    expect(out).toContain('Single stepping until exit from function fflush@plt,');
    expect(out).toContainEqual(expect.stringMatching(/^__GI__IO_fflush \(fp=0x[0-9a-f]+ <_IO_2_1_stdout_>\) at \.\/libio\/iofflush\.c:\d+$/));
    expect(out).toContain('Value returned is $1 = 0');
  });

  it('struct_loop -O2: step into printf through the PLT (libc debug info), out of it, finish, stepi in the loop', () => {
    const prog = build('examples/struct_loop.c', 'struct_loop-O2', '-O2');
    const out = compare(prog, /^iter \d+:/, ['break main', 'run', 'next', 'next', 'step', 'step', 'step', 'step', 'next', 'next',
      'next', 'step', 'finish', 'next', 'next', 'stepi', 'stepi', 'stepi', 'next', 'step', 'step', 'step', 'next', 'finish']);
    expect(out).toContainEqual(expect.stringMatching(/^__printf \(format=format@entry=0x[0-9a-f]+ /));
    expect(out).toContain('main () at examples/struct_loop.c:30');
  });

  it('an inlined static function in a loop: step enters it where gdb hides it, finish out of it, until leaves the loop', () => {
    const prog = build('tests/integration/step-inline.c', 'step-inline-O2', '-O2');
    const out = compare(prog, /^(\d+|total \d+ odd \d+)$/, ['break main', 'run', 'next', 'next', 'step', 'step', 'finish', 'next',
      'step', 'step 3', 'next 2', 'stepi', 'nexti', 'nexti', 'nexti', 'nexti', 'until', 'until', 'until', 'until', 'until', 'bt']);
    expect(out).toContainEqual(expect.stringMatching(/^0x[0-9a-f]{16} in scale \(k=13, v=<optimized out>\) at tests\/integration\/step-inline\.c:\d+$/));
    expect(out).toContain('32\t\tprintf("total %d odd %d\\n", total, odd);');
  });

  it('a next that reaches a user breakpoint stops there with its banner, in main and in a called function', () => {
    const loop = build('examples/struct_loop.c', 'struct_loop-O2', '-O2');
    const out = compare(loop, /^iter \d+:/, ['break 27', 'run', 'next', 'next', 'next', 'next', 'next', 'next', 'step', 'step', 'step',
      'next', 'next', 'next', 'next']);
    expect(out.filter((l) => l === 'Breakpoint 1, main () at examples/struct_loop.c:27')).toHaveLength(2);
    const inline = build('tests/integration/step-inline.c', 'step-inline-O2', '-O2');
    compare(inline, /^(\d+|total \d+ odd \d+)$/, ['break consume', 'run', 'finish', 'next', 'next', 'next', 'step', 'step', 'bt',
      'next', 'next', 'next', 'next', 'next', 'next', 'next']);
  });

  it('two units -O2: steps into malloc and out through an inlined frame, finish returns a pointer, into another unit', () => {
    const prog = build(['tests/fixtures/dwarf/prog.c', 'tests/fixtures/dwarf/util.c'], 'prog-O2', '-O2');
    const out = compare(prog, /^-24 15 xyz 1\.250000 3$/, ['break main', 'run', 'next', 'next', 'next', 'step', 'step', 'step', 'step',
      'step', 'next', 'next', 'next', 'step', 'step', 'step', 'finish', 'next', 'step', 'step', 'step', 'finish', 'finish', 'next', 'next',
      'next', 'next', 'next', 'next', 'step', 'step', 'bt', 'next', 'next']);
    expect(out).toContainEqual(expect.stringMatching(/^0x[0-9a-f]{16} in push \(value=3, head=<optimized out>\) at tests\/fixtures\/dwarf\/prog\.c:\d+$/));
    expect(out).toContainEqual(expect.stringMatching(/^Value returned is \$1 = \(void \*\) 0x[0-9a-f]+$/));
  });

  it('a program built without -g: step runs through its function into printf\'s lines, next and finish in the C library', () => {
    const prog = build('examples/linked_list.c', 'linked_list-nodebug', '-O0', false);
    const out = compare(prog, /^round \d+:/, ['break print_list', 'run', 'step', 'next', 'next', 'finish', 'stepi', 'nexti', 'step', 'next',
      'next 3']);
    expect(out).toContain('Single stepping until exit from function print_list,');
    expect(out).toContainEqual(expect.stringMatching(/^__printf \(format=0x[0-9a-f]+ "round %d:"\) at \.\/stdio-common\/printf\.c:\d+$/));
  });

  it('break on a function that was also inlined: one breakpoint, a location for each copy, hit in both, as gdb', () => {
    const loop = build('examples/struct_loop.c', 'struct_loop-O2', '-O2');
    const out = compare(loop, /^iter \d+:/, ['break tick', 'run', 'info breakpoints', 'continue', 'continue', 'disable 1', 'continue']);
    expect(out[0]).toMatch(/^Breakpoint 1 at 0x[0-9a-f]+: tick\. \(2 locations\)$/);
    expect(out).toContainEqual(expect.stringMatching(/^Breakpoint 1\.1, tick \(p=0x[0-9a-f]+ <pt>\) at examples\/struct_loop\.c:17$/));
    expect(out).toContain('1       breakpoint     keep y   <MULTIPLE>         ');
    const list = build('examples/linked_list.c', 'linked_list-O2', '-O2');
    compare(list, /^round \d+:/, ['break push', 'break sum_list', 'run', 'info breakpoints', 'continue', 'continue', 'delete 1',
      'continue', 'continue', 'tbreak print_list', 'continue', 'info breakpoints', 'continue']);
    // a line of an inlined function: a location in each copy, named after the inlined function
    const lines = compare(list, /^round \d+:/, ['break linked_list.c:18', 'break 57', 'info breakpoints', 'run', 'continue', 'continue',
      'info breakpoints']);
    expect(lines[0]).toMatch(/^Breakpoint 1 at 0x[0-9a-f]+: linked_list\.c:18\. \(2 locations\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^1\.2 +y +0x[0-9a-f]{16} in push at examples\/linked_list\.c:18$/));
  });

  it('linked_list -O0: step, next, finish, until, stepi and nexti still match', () => {
    const prog = build('examples/linked_list.c', 'linked_list-O0', '-O0');
    compare(prog, /^round \d+:/, ['break print_list', 'run', 'next', 'next', 'step', 'step', 'next', 'finish', 'next', 'step', 'next',
      'next', 'step 2', 'until', 'until', 'until', 'stepi', 'nexti', 'finish', 'next', 'next', 'next', 'next', 'next', 'next', 'next', 'next']);
  });
});
