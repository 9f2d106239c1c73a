/**
 * Differences the real-program parity corpus found (tests/parity), each on a
 * small fixture, line for line with gdb 13.
 */
import { describe, expect, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

describe('parity corpus fixes, compared with gdb', () => {
  it('a pointer to a libc function with several names shows its debug-info name (__GI___libc_malloc), as gdb', () => {
    const prog = build('tests/fixtures/libc_alias.c', 'libc_alias-O0', '-O0');
    const out = compareWithGdb(prog, /^0x[0-9a-f]+$/, ['break main', 'run', 'p H', 'p H.allocate', 'p *H.deallocate',
      'x/i H.reallocate']);
    expect(out).toContainEqual(expect.stringMatching(/<__GI___libc_malloc>/));
  });

  it('list and info line of a function that is only inlined (-O2): its first inlined call, as gdb', () => {
    const prog = build('tests/integration/step-inline.c', 'step-inline-O2', '-O2');
    const out = compareWithGdb(prog, /^(\d+|total \d+ odd \d+)$/, ['info line scale', 'list scale', 'list']);
    expect(out).not.toContainEqual(expect.stringMatching(/not defined/));
  });

  it('a condition invalid at some locations of a breakpoint disables them (N*), at all refuses the breakpoint or condition (-O2)', () => {
    const prog = build('tests/fixtures/cond_inline.c', 'cond_inline-O2', '-O2');
    const out = compareWithGdb(prog, /^alpha /, ['break make_r if string[0]', "break create_string if string[0] == 'r'",
      'info breakpoints', 'condition 1 1', 'info breakpoints', 'condition 1 nosuch', 'condition 1 string[0]', 'condition 1',
      "condition 1 string[0] == 'r'", 'run', 'info breakpoints']);
    // (after the run gdb would find libc's enumerator `string`: its lookups expanded that unit's symbols)
    expect(out).toContain('warning: failed to validate condition at location 2, disabling:');
    expect(out).toContain('(*): Breakpoint condition is invalid at this location.');
  });

  it('break FUNCTION while running finds the libraries\' locations through their separate debug files (break malloc: ld.so inlines it), as gdb', () => {
    const prog = build('tests/fixtures/libc_alias.c', 'libc_alias-O0', '-O0');
    const out = compareWithGdb(prog, /^0x[0-9a-f]+$/, ['break main', 'run', 'break malloc', 'break free', 'break strdup', 'break puts',
      'break strlen', 'info breakpoints 2-6', 'info breakpoints 9', 'info symbol printf', 'info symbol puts', 'info symbol malloc']);
    expect(out).toContainEqual(expect.stringMatching(/^Breakpoint 2 at 0x[0-9a-f]+: malloc\. \(\d+ locations\)$/));
    expect(out).toContainEqual(expect.stringMatching(/in __GI___libc_malloc at \.\/malloc\/malloc\.c:\d+$/));
    expect(out).toContainEqual(expect.stringMatching(/^printf in section \.text of /));
  });

  it('info line of a function both out of line and inlined says each copy; info symbol of a struct is refused (-O2), as gdb', () => {
    const prog = build('tests/fixtures/cond_inline.c', 'cond_inline-O2', '-O2');
    const out = compareWithGdb(prog, /^alpha /, ['info line create_string', 'info line new_item', 'break main', 'run',
      'info line create_string', 'p sizeof(struct item)', 'info symbol make', 'info symbol *make', 'output *make_a()', 'info symbol *make_a()']);
    expect(out.filter((l) => l.startsWith('Line ')).length).toBeGreaterThan(3);
    expect(out).toContainEqual(expect.stringMatching(/Value can't be converted to integer\.$/));
  });

  it('x of a struct is refused as gdb refuses it (value_as_address); of a pointer, an integer, an array, a function, as gdb', () => {
    const prog = build('tests/fixtures/cond_inline.c', 'cond_inline-O0', '-O0');
    const out = compareWithGdb(prog, /^alpha /, ['break 31', 'run', 'x/2xg *a', 'x/xg a', 'x/xg &a',
      'x/2xb a->s', 'x/2i main', 'x/xw (int)sizeof(struct item)', 'x/2xg *make', 'x/s a->s']);
    expect(out).toContainEqual(expect.stringMatching(/Value can't be converted to integer\.$/));
  });

  it('display/s is x/s; sizeof is an int; whatis of a register variable\'s address; info watchpoints\' Type column (-O0, -O2), as gdb', () => {
    for (const opt of ['-O0', '-O2'] as const) {
      const prog = build('tests/fixtures/printf_args.c', `printf_args${opt}`, opt);
      const out = compareWithGdb(prog, /^42 /, ['break 17', 'run', 'display/s str', 'display/x x', 'display', 'info display', 'p sizeof(int) - 5',
        'whatis sizeof(v)', 'whatis &str', 'whatis &x', 'rwatch big', 'awatch u', 'info watchpoints']);
      expect(out).toContainEqual(expect.stringMatching(/^1: x\/s str  0x[0-9a-f]+:\t"hello"$/));
      expect(out).toContain('$1 = -1');
    }
  });
});
