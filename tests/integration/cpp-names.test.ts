/**
 * C++ names as gdb has them, against gdb: `break ns::S::get`, `break twice`
 * and `break S::twice` (gdb's wild matching), frames named `ns::S::get`,
 * `info breakpoints` with the demangled symbol (`ns::S::get(int) const`),
 * members of *this by their own names (`p v`), and finish's value of a
 * member function (its return type lives on the in-class declaration);
 * calls of member functions on an object (`p s.get(2)`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { mergedLines } from './gdb-compare.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const dir = mkdtempSync(join(tmpdir(), 'tsdbg-cpp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both streams; stack addresses (`this`, &s) differ: the two environments place the stack differently. */
const merged = (argv: string[]) => mergedLines(argv).map((l) => l.replace(/0x7fff[0-9a-f]{8}\b/g, 'STACK'));

describe('C++ names, as gdb', () => {
  it('calls member functions on an object, and names and describes its class', () => {
    const prog = join(dir, 'cpp_calls');
    execFileSync('g++', ['-g', '-O0', '-o', prog, join(ROOT, 'tests/fixtures/cpp_names.cc')]);
    const script = ['break 15', 'run', 'p s.get(2)', 'p s.get(s.v)', 'p (&s)->get(1)', 'p s.get()', 'whatis s.get(1)', 'p s.get(1) * 2',
      // C++ types: qualified names without `struct`, methods in ptype, lookup by qualified name
      'ptype s', 'whatis s', 'p s', 'p &s', 'info locals', 'ptype struct ns::S', 'whatis struct ns::S', 'p (struct ns::S *)&s',
      // calls by qualified name: a free function of a namespace, a static member
      'p ns::free_fn(3)', 'p ns::S::twice(2)', 'whatis ns::free_fn'];
    const ex = script.flatMap((c) => ['-ex', c]);
    const gdb = merged(['gdb', '-batch', '-nx', ...ex, prog]);
    expect(gdb).toContain('$1 = 43');
    expect(merged(['node', TSDBG, 'run', '--batch', ...ex, prog])).toEqual(gdb);
  });

  it('breakpoints by qualified and partial names, frames, info breakpoints, members of this, finish', () => {
    const prog = join(dir, 'cpp_names');
    execFileSync('g++', ['-g', '-O0', '-o', prog, join(ROOT, 'tests/fixtures/cpp_names.cc')]);
    const script = ['break ns::S::get', 'break ns::free_fn', 'break twice', 'break S::twice', 'run', 'bt', 'p v', 'p v + k',
      'p *this', 'finish', 'continue', 'bt', 'continue', 'info breakpoints'];
    const ex = script.flatMap((c) => ['-ex', c]);
    const gdb = merged(['gdb', '-batch', '-nx', ...ex, prog]);
    const ours = merged(['node', TSDBG, 'run', '--batch', ...ex, prog]);
    expect(gdb).toContain('Breakpoint 1, ns::S::get (this=STACK, k=1) at ' + join(ROOT, 'tests/fixtures/cpp_names.cc') + ':8');
    expect(ours).toEqual(gdb);
  });
});
