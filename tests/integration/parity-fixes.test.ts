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
});
