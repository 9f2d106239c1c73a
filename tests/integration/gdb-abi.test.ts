/**
 * gdb's answers on real C where the x86-64 ABI, the C library and signals
 * come in, held line for line against gdb 13 on the same programs
 * (tests/fixtures/abi_structs.c, libc_step.c, abi_signals.c), at -O0 and -O2:
 * - `finish` and `p f(...)` take and pass values by their SysV class:
 *   INTEGER eightbytes in rax/rdx (rdi...), SSE ones in xmm0/xmm1 (xmm0-7),
 *   MEMORY through the hidden pointer; the value history keeps the struct;
 * - `step` onto a line calling strcmp (an IFUNC, through the PLT, bound
 *   lazily the first time, already bound the second) stops in the variant
 *   the C library chose for this CPU, whatever gdb names it here;
 * - abort() is SIGABRT (not its alias SIGIOT), every Linux signal has gdb's
 *   name and description, `info signals` / `handle` know gdb's table.
 */
import { describe, expect, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

const ABI = 'tests/fixtures/abi_structs.c';
/** The program's one line of output. */
const ABI_OUT = /^946 24\.75 65 -3 44 88 14 10 3 2\.25$/;
/** abi_signals prints nothing. */
const SILENT = /(?!)/;
const MAKERS = ['mk_i1', 'mk_i2', 'mk_i4', 'mk_i8', 'mk_i12', 'mk_i16', 'mk_c3', 'mk_mix', 'mk_dmix', 'mk_dd', 'mk_ff', 'mk_big',
  'mk_float', 'mk_double', 'mk_ld', 'half'];

describe('structs, floats and doubles by value, as gdb passes and returns them', () => {
  for (const opt of ['-O0', '-O2'] as const) {
    it(`finish out of functions returning 1-24 byte structs, float, double, long double (st0) (${opt}); $ holds the struct`, () => {
      const prog = build(ABI, `abi_structs${opt}`, opt);
      const cmds = [...MAKERS.map((f) => `break ${f}`), 'run', ...MAKERS.flatMap((_, i) => [...(i ? ['continue'] : []), 'finish', 'p $', 'p $$2'])];
      const out = compareWithGdb(prog, ABI_OUT, cmds);
      // What the comparison covers: rax:rdx, xmm0:xmm1, mixed, MEMORY, and the history of both.
      expect(out).toContainEqual(expect.stringMatching(/^Value returned is \$\d+ = \{a = 7, b = 14\}$/));
      expect(out).toContainEqual(expect.stringMatching(/^Value returned is \$\d+ = \{x = 0\.5, y = 1, z = 1\.5\}$/));
      expect(out).toContainEqual(expect.stringMatching(/^Value returned is \$\d+ = \{d = 10, a = 4\}$/));
      expect(out).toContainEqual(expect.stringMatching(/^Value returned is \$\d+ = \{a = 100, b = 101, c = 102\}$/));
      expect(out).toContainEqual(expect.stringMatching(/^Value returned is \$\d+ = 3$/));
      expect(out).toContainEqual(expect.stringMatching(/^\$\d+ = \{x = 1\.25, y = -1\.25\}$/));
    });

    it(`calls with struct, float and double arguments and results (${opt})`, () => {
      const prog = build(ABI, `abi_structs${opt}`, opt);
      // (-O2 keeps no struct local alive at line 68: arguments made by calls there)
      const locals = opt === '-O0'
        ? ['p sum_i16(a)', 'p sum_mix(m)', 'p sum_dd(d)', 'p sum_big(b)', 'p sum_c3(c)', 'p sum_ff(f, 2)', 'p sum_two(a, b, 1)'] : [];
      const out = compareWithGdb(prog, ABI_OUT, ['break 68', 'run', ...locals,
        'p sum_i16(mk_i16(7))', 'p sum_mix(mk_mix(3))', 'p sum_dd(mk_dd(1.25))', 'p sum_big(mk_big(100))', 'p sum_c3(mk_c3(1))',
        'p sum_ff(mk_ff(0.5), 2)', 'p sum_two(mk_i16(7), mk_big(100), 1)',
        'p mk_i16(3)', 'p mk_big(5)', 'p mk_big(1).c', 'p mk_double(9.0)', 'p mk_double(9)',
        'p mk_float(1.5)', 'p mk_ff(2)', 'p mk_dd(3)', 'p mk_mix(2)', 'p mk_dmix(1)', 'p mk_c3(0)', 'p $.b', 'p sum_ff(mk_ff(1), 2.7)',
        'p half(5)', 'p mk_ld(3)', 'p half(mk_ld(2).v)', 'p sum_i16(3)', 'p sum_big()', 'p $$3', 'p $0', 'p $$40', 'p $99', 'next', 'continue']);
      expect(out.filter((l) => /^\$\d+ = (21|7\.5|11\.25|303|297|6|325)$/.test(l))).toHaveLength(opt === '-O0' ? 14 : 7);
      expect(out).toContainEqual(expect.stringMatching(/^\$\d+ = \{d = 2\.5, a = 1\}$/));
      expect(out).toContain('Invalid cast.');
    });
  }

  it('history references on an empty and a short history, as gdb words them', () => {
    const prog = build(ABI, 'abi_structs-O0', '-O0');
    compareWithGdb(prog, ABI_OUT, ['p $', 'p $$', 'p $$3', 'p $1', 'p $0', 'p $+1', 'p 5', 'p $', 'p $$', 'p $$0', 'p $0', 'p $2',
      'p 6', 'p $$', 'p $$1', 'p $$2']);
  });
});

describe('step into the C library, as gdb does', () => {
  for (const opt of ['-O0', '-O2'] as const) {
    it(`step onto strcmp through the PLT, lazily bound then bound, into the IFUNC's choice (${opt})`, () => {
      const prog = build('tests/fixtures/libc_step.c', `libc_step${opt}`, opt);
      // (-O2 folds the first call and makes strcmp a tail call of the inlined same(): stepped into from main)
      const script = opt === '-O0'
        ? ['break same', 'run', 'step', 'step', 'bt', 'finish', 'finish', 'continue', 'step', 'step', 'step', 'finish', 'next', 'step', 'continue']
        : ['break main', 'run', 'step', 'step', 'step', 'step', 'step', 'bt', 'finish', 'next', 'step', 'continue'];
      const out = compareWithGdb(prog, /^\d+$/, script);
      // Never the loader's resolver, whatever variant this CPU selects.
      expect(out.join('\n')).not.toMatch(/_dl_runtime_resolve|_dl_fixup|strcmp_ifunc/);
      expect(out).toContainEqual(expect.stringMatching(/^__strcmp_\w+ \(\) at /));
    });
  }
});

describe('signals named and described as gdb does', () => {
  it('abort() is SIGABRT, Aborted', () => {
    const prog = build('tests/fixtures/abi_signals.c', 'abi_signals-O0', '-O0');
    const out = compareWithGdb(prog, SILENT, ['run', 'p $_siginfo.si_signo', 'continue']);
    expect(out).toContain('Program received signal SIGABRT, Aborted.');
    expect(out).toContain('Program terminated with signal SIGABRT, Aborted.');
  });

  for (const sig of [16, 29, 30, 31, 34, 64]) {
    it(`raise(${sig}): gdb's name for the Linux signal (SIGIO not SIGPOLL, ? for SIGSTKFLT, SIGnn real-time)`, () => {
      const prog = build('tests/fixtures/abi_signals.c', 'abi_signals-O0', '-O0');
      compareWithGdb([prog, String(sig)], SILENT, ['run', 'p $_siginfo.si_signo', 'continue']);
    });
  }

  it('info signals and handle take gdb\'s names and numbers, not Linux\'s aliases', () => {
    const prog = build('tests/fixtures/abi_signals.c', 'abi_signals-O0', '-O0');
    compareWithGdb(prog, SILENT, ['info signals', 'info signals SIGABRT', 'info signals SIGIOT', 'info signals 6', 'info signals 7',
      'info signals 16', 'info signals SIGPOLL', 'info signals EXC_BREAKPOINT', 'info signals sig34', 'info signals SIG34',
      'handle SIGIOT stop', 'handle SIGCLD stop', 'handle sigsegv stop', 'handle 16 stop', 'handle SIGPOLL stop',
      'handle 14-15 nostop', 'handle SIGUSR1 nostop noprint', 'info signals SIGPOLL', 'info signals 14', 'info signals 15',
      'info signals SIGUSR1']);
  });
});
