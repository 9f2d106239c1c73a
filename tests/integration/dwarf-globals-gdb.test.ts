/**
 * Globals and value formatting of real C against gdb 13, line for line, on
 * one program built -O0 and -O2 (tests/fixtures/dwarf/globals_main.c +
 * globals_defs.c), through `tsdbg run --batch` and `gdb -batch` with the
 * same -ex commands:
 * - globals before `run` and after the exit (typed from the file's DWARF, at
 *   the last run's addresses after it), `extern T x[]` declared in one unit
 *   and defined in another, a const array of 129 structs (an unsigned
 *   DW_FORM_data1 bound, const once), statics optimized out, libc's stdout
 *   and stderr (typed through libc6-dbg's debug file);
 * - strings with embedded NULs and octal escapes, `<repeats N times>`, the
 *   200-element limit and `set print elements|repeats`, `(type) ` prefixes of
 *   pointers to unsigned char and typedefs, ptype of typedef'd members;
 * - until/advance LOCATION (frame line, frame-specific until), display
 *   scopes and undisplay (ranges, query, warnings).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { mergedLines } from './gdb-compare.js';
import { buildFixture, FIXTURE_DIR } from '../fixtures/dwarf/build.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const SOURCE = readFileSync(join(FIXTURE_DIR, 'globals_main.c'), 'utf8').split('\n');

/** The line of the `mark: NAME` comment. */
function mark(name: string): number {
  const i = SOURCE.findIndex((l) => l.includes(`/* mark: ${name} */`));
  if (i < 0) throw new Error(`no mark ${name}`);
  return i + 1;
}

/** Stack addresses and pids differ by design (each tool's environment and process). */
function normalize(lines: string[]): string[] {
  return lines.map((l) => l.replace(/0x7ffffff[0-9a-f]{5}\b/g, 'STACK').replace(/\(process \d+\)/, '(process N)'));
}

/** The same -ex script through gdb and tsdbg, both in a clean environment. */
function both(binary: string, script: string[]): { gdb: string[]; ours: string[] } {
  const ex = ['set startup-with-shell off', ...script].flatMap((c) => ['-ex', c]);
  const env = ['env', '-i', `PATH=${process.env.PATH}`, `HOME=${process.env.HOME}`];
  return {
    gdb: normalize(mergedLines([...env, 'gdb', '-batch', '-nx', ...ex, binary])),
    ours: normalize(mergedLines([...env, 'node', TSDBG, 'run', '--batch', ...ex, binary])),
  };
}

const GLOBALS = [
  'p ext_arr', 'ptype ext_arr', 'whatis ext_arr', 'p sizeof(ext_arr)', 'p unsized', 'whatis unsized', 'p sizeof(unsized)',
  'whatis entries', 'p sizeof(entries)', 'ptype entries', 'p entries[128]', 'p entries[64].name', 'whatis &entries[1]',
  'p plain_msg', 'p fixed_msg', 'p pub_msg', 'p *pub_msg@3',
  'p nul_mid', 'p nul_digits', 'p esc', 'p reps', 'p mixed', 'p ubuf', 'p &ubuf', 'p &nul_mid',
  'p ucp', 'p uc_plain', 'p scp', 'p ccp', 'p cp', 'p u8p', 'p vp', 'p conf', 'p hold',
];

const TYPES = [
  'ptype struct holder', 'whatis hold.len', 'ptype hold', 'ptype struct config', 'ptype conf', 'whatis conf.origin',
  'ptype conf.inner', 'ptype point_t', 'ptype handler_t', 'whatis conf.name', 'ptype conf.cp', 'whatis conf.cp',
  'ptype cpair_t', 'whatis cpair_t', 'ptype mode_t_',
  'ptype pnames', 'ptype names', 'ptype pgrid', 'ptype grid', 'ptype fns', 'ptype cc', 'whatis cc', 'p cc', 'p cs', 'ptype cs',
  'ptype va', 'whatis va', 'ptype tdv', 'p names', 'p sca', 'p cucp', 'p *cucp', 'p tdv', 'whatis &va', 'p sizeof(va)',
];

describe.each([['-O0'], ['-O2']])('globals and formatting against gdb, built -g %s', (opt) => {
  const binary = buildFixture('globals', ['globals_main.c', 'globals_defs.c'], ['-g', opt]);

  it('before run: every global typed from the file, types and sizes', () => {
    const { gdb, ours } = both(binary, [...GLOBALS, ...TYPES, 'p stdout', 'x/2x &big_arr', 'p big_arr[3]', 'display total']);
    expect(gdb).toContain('type = const struct entry [129]');
    expect(ours).toEqual(gdb);
  });

  it('at a breakpoint: globals, libc stdout/stderr through the debug file, strings and pointers', () => {
    const { gdb, ours } = both(binary, [
      `break ${mark('printf')}`, 'run', ...GLOBALS, ...TYPES,
      'p stdout', 'p *stdout', 'whatis stdout', 'p stdout->_fileno', 'p stderr', 'whatis *stderr', 'p *conf.log',
      'ptype stdout', 'p _IO_2_1_stdout_._fileno', 'p $_siginfo.si_signo', 'kill',
    ]);
    expect(gdb.some((l) => l.startsWith('$') && l.includes('(FILE *) 0x'))).toBe(true);
    expect(ours).toEqual(gdb);
  });

  it('print limits: 200 elements, set print elements/repeats, runs and strings cut', () => {
    const { gdb, ours } = both(binary, [
      `break ${mark('printf')}`, 'run', 'p big_arr', 'p long_str', 'p *big_arr@250', 'p &long_str[10]', 'p long_str[5]@3',
      'set print elements 4', 'p big_arr', 'p long_str', 'p ccp', 'p mixed', 'p reps', 'p nul_mid', 'show print elements',
      'set print elements 0', 'p *big_arr@3', 'set print elements unlimited', 'show print elements', 'p long_str',
      'set print elements 200', 'set print repeats 3', 'p mixed', 'p reps', 'p esc', 'show print repeats',
      'set print repeats unlimited', 'p mixed', 'p reps', 'show print repeats', 'set print repeats 10',
      'set print elements -1', 'set print elements', 'set print elements 4294967295', 'set print elements 1+2', 'show print elements',
      'set print elements 200', 'p/x big_arr', 'p/c nul_mid', 'p/x nul_mid', 'output mixed',
      // x/s and p/s quote as print does, under the same limits
      'x/s long_str', 'x/3s nul_mid', 'x/s reps', 'x/2s ccp', 'x', 'p/s long_str', 'p/s reps', 'x/2s 0', 'x',
      'set print elements 4', 'x/s long_str', 'x/s reps', 'p/s ccp', 'x/4xw &big_arr', 'x', 'set print elements 200',
      // print's own options before `--`
      'p -elements 3 -- big_arr', 'p -elem 3 -- long_str', 'p -pretty -- hold.pair', 'p -pretty off -- hold.pair',
      'p -elements unlimited -repeats 3 -- mixed', 'p -total', 'p -elements 2 -- /x big_arr', 'p -e 2 -- big_arr',
      'p -elements foo -- big_arr', 'p -elements 3 --', 'p -- -total', 'p -r 2 -- mixed', 'call -elements 2 -- big_arr',
      'p -pretty -- conf.inner', 'p -elements 3 -- ccp', 'p big_arr[1]', 'kill',
    ]);
    expect(gdb).toContain('Limit on string chars or array elements to print is 4.');
    expect(ours).toEqual(gdb);
  });

  it('until and advance LOCATION, display scopes, undisplay', () => {
    const { gdb, ours } = both(binary, [
      'break main', 'run', `until ${mark('filled')}`, `advance ${mark('advance')}`, 'display total', 'display/x total',
      'display 1 + 1', 'info display', 'next', 'undisplay 1', 'info display', 'advance sum', 'bt', 'undisplay 7',
      'undisplay 2.5', 'undisplay -1', 'undisplay 3-1', 'undisplay 0', 'undisplay 2 foo', 'info display', 'display nosuch',
      'until sum', 'undisplay', 'info display', 'display total', 'undisplay 1-3', 'delete display 3', `until ${mark('after')}`,
      'advance sum', 'kill',
    ]);
    expect(gdb).toContain('Delete all auto-display expressions? (y or n) [answered Y; input not from terminal]');
    expect(ours).toEqual(gdb);
  });

  it('after the exit: values and symbols at the last run\'s addresses', () => {
    const { gdb, ours } = both(binary, ['run', 'p ccp', 'p *ccp@3', 'p ext_arr', 'p nul_mid', 'p big_arr[2]', 'x/2x &big_arr', 'p stdout', 'p &hold']);
    expect(ours).toEqual(gdb);
  });
});
