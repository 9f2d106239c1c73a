/**
 * `info scope` line for line with gdb 13 (tracepoint.c info_scope_command,
 * dwarf2/loc.c): -O0 frame-base locals, and at -O2 registers, location lists
 * (DWARF 5 with base-address entries, DWARF 4 .debug_loc), constants,
 * statics, entry values, pieces, labels, enumerators and typedefs, nested
 * lexical blocks walked outward to the function (a block's symbols in gdb's
 * hash order), FILE:LINE, LINE and *ADDR, before and while the program runs
 * (run-time addresses), and the errors.
 */
import { describe, expect, it, afterEach } from 'vitest';
import { resolve } from 'node:path';
import { build, compareWithGdb } from './gdb-compare.js';
import { Debugger } from '../../src/debugger/index.js';
import { localLauncher } from '../../src/debugger/local-launcher.js';
import { ownerEnv } from '../setup/leaks.js';

const SRC = 'tests/fixtures/scope_locals.c';
/** The fixture prints `TAG CALLS TOTAL COUNTER` then the result. */
const PROGRAM = /^(\S+ \d+ -?\d+ \d+|-?\d+)$/;
const SCOPES = ['info scope work', 'info scope mix', 'info scope main', 'info scope scope_locals.c:32', 'info scope scope_locals.c:29',
  'info scope 29', 'info scope *work'];

describe('info scope as gdb 13 prints it', () => {
  it('-O0: frame-base locals, a static, enumerators, typedefs, a label, nested blocks', () => {
    const prog = build(SRC, 'scope_locals-O0', '-O0');
    const out = compareWithGdb(prog, PROGRAM, SCOPES);
    expect(out).toContainEqual(expect.stringMatching(/^Symbol calls is in static storage at address 0x[0-9a-f]+, length 4\.$/));
    expect(out).toContain('     0: DW_OP_fbreg -72');
    expect(out).toContain('Symbol color is a typedef.');
  });

  it('-O2 (DWARF 5): registers, location lists with base addresses, constants, entry values, pieces', () => {
    const prog = build(SRC, 'scope_locals-O2', '-O2');
    const out = compareWithGdb(prog, PROGRAM, SCOPES);
    expect(out).toContain('Symbol x is a variable in $rdi, length 8.');
    expect(out).toContainEqual(expect.stringMatching(/^ {2}Base address 0x[0-9a-f]+ {2}Range 0x[0-9a-f]+-0x[0-9a-f]+: /));
    expect(out).toContain('     0: DW_OP_entry_value');
    expect(out).toContain('Symbol k is a constant with value 7 (0x7), length 4.');
    expect(out).toContainEqual(expect.stringMatching(/\[8-byte piece\], and /));
  });

  it('-O2 with DWARF 4 (.debug_loc, DW_OP_GNU_entry_value)', () => {
    const prog = build(SRC, 'scope_locals-O2-dwarf4', '-O2', true, ['-gdwarf-4']);
    const out = compareWithGdb(prog, PROGRAM, SCOPES);
    expect(out).toContain('     0: DW_OP_GNU_entry_value');
  });

  for (const opt of ['-O0', '-O2'] as const) {
    it(`clang ${opt}: frame base in a register (DW_OP_fbreg described), DW_OP_addrx statics, DW_LLE_startx_length`, () => {
      const prog = build(SRC, `scope_locals-clang${opt}`, opt, true, [], 'clang');
      const out = compareWithGdb(prog, PROGRAM, SCOPES);
      if (opt === '-O0') expect(out).toContain('Symbol k is a variable at frame base reg $rbp offset 0+-20, length 4.');
    });
  }

  it('a lexical block\'s symbols in gdb\'s hash order, C and C++ hashes', () => {
    for (const [name, extra] of [['scope_hash-c', []], ['scope_hash-cxx', ['-x', 'c++']]] as const) {
      const prog = build('tests/fixtures/scope_hash.c', name, '-O0', true, [...extra]);
      const out = compareWithGdb(prog, /(?!)/, ['info scope scope_hash.c:8']);
      expect(out.filter((l) => l.startsWith('Symbol '))).toHaveLength(13);
    }
  });

  it('in a running program: location lists and statics at run-time addresses', () => {
    const prog = build(SRC, 'scope_locals-O2', '-O2');
    compareWithGdb(prog, PROGRAM, ['break mix', 'run', ...SCOPES, 'info scope *$pc']);
  });

  it('info address, by the same describer: location lists, pieces, constants, statics (-O2)', () => {
    const prog = build(SRC, 'scope_locals-O2', '-O2');
    const out = compareWithGdb(prog, PROGRAM, ['info address counter', 'break work', 'run', 'info address n', 'info address calls',
      'info address k', 'info address p', 'info address mask', 'info address c', 'info address total']);
    expect(out).toContain('Symbol "k" is constant.');
    expect(out).toContain('Symbol "n" is multi-location:');
  });

  it('the errors and scopes without symbols', () => {
    const prog = build(SRC, 'scope_locals-O0', '-O0');
    const out = compareWithGdb(prog, PROGRAM, ['info scope', 'info scope nosuch', 'info scope work junk', 'info scope scope_locals.c:9999',
      'info scope nofile.c:3', 'info scope *0', 'info scope printf']);
    expect(out).toEqual(expect.arrayContaining(['requires an argument (function, line or *addr) to define a scope',
      'Function "nosuch" not defined.', 'Scope for *0 contains no locals or arguments.']));
    const bare = build(SRC, 'scope_locals-nodebug', '-O0', false);
    expect(compareWithGdb(bare, PROGRAM, ['info scope main', 'info scope nosuch'])).toEqual(
      ['Scope for main contains no locals or arguments.', 'Function "nosuch" not defined.']);
  });
});

describe('info scope without a program', () => {
  let d: Debugger | undefined;
  afterEach(async () => {
    await d?.shutdown();
    d = undefined;
  });

  it('says what gdb says without a symbol table', async () => {
    d = new Debugger({ launcher: localLauncher(), launch: { aslr: false, env: { ...ownerEnv(), PATH: process.env.PATH ?? '' } } });
    expect(await d.execute('info scope main')).toMatchObject({ ok: false, error: 'No symbol table is loaded.  Use the "file" command.' });
    expect(await d.execute('info scope')).toMatchObject({ ok: false, error: 'requires an argument (function, line or *addr) to define a scope' });
  });
});

describe('info scope on an example program', () => {
  it('-O0 struct_loop, every function', () => {
    compareWithGdb(resolve('examples/bin/struct_loop'), /(?!)/, ['info scope main', 'info scope tick', 'info scope struct_loop.c:17']);
  });
});
