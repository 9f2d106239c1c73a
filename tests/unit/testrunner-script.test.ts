/**
 * The `tsdbg test` script language (src/testrunner/script.ts): statements with
 * their FILE:LINE, expectations split at their operator, and one clear
 * `FILE:LINE: message` for each kind of bad input.
 */
import { describe, expect, it } from 'vitest';
import { parseExpectation, parseScript, ScriptError, type Stmt } from '../../src/testrunner/script.js';
import { parseSource } from '../../src/testrunner/source.js';
import { recordScript } from '../../src/testrunner/record.js';

const loc = { file: 't.tsdbg', line: 1 };

function syntaxError(text: string): string {
  try {
    parseScript(text, 'bad.tsdbg');
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('tsdbg test scripts', () => {
  it('parses tests, blocks and statements with the line each was written on', () => {
    const s = parseScript([
      '# a comment',
      'file ../bin/struct_loop "two words" x',
      'break tick',
      'define poke',
      '  set var pt.x = $arg0',
      'end',
      'before {',
      '  run',
      '}',
      'test "first \\"one\\"" {',
      '  checkpoint start',
      '  foreach $n in 1, (2, 3), \'x\' {',
      '    poke $n',
      '    expect p->x == $n',
      '    rewind start',
      '  }',
      '  retry 3 {',
      '    next',
      '  }',
      '}',
      'test "second" reuse timeout 5 {',
      '  expect stop at tick',
      '}',
    ].join('\n'), 'dir/t.tsdbg');
    expect(s.prelude).toEqual([
      { kind: 'file', path: '../bin/struct_loop', args: ['two words', 'x'], loc: { file: 'dir/t.tsdbg', line: 2 } },
      { kind: 'command', text: 'break tick', loc: { file: 'dir/t.tsdbg', line: 3 } },
    ]);
    expect(s.before).toEqual([{ kind: 'command', text: 'run', loc: { file: 'dir/t.tsdbg', line: 8 } }]);
    expect([...s.defines.keys()]).toEqual(['poke']);
    expect(s.tests.map((t) => [t.name, t.reuse, t.timeoutS, t.loc.line])).toEqual([['first "one"', false, undefined, 10], ['second', true, 5, 21]]);
    const [cp, each, retry] = s.tests[0]!.body as [Stmt, Stmt & { kind: 'foreach' }, Stmt & { kind: 'retry' }];
    expect(cp).toEqual({ kind: 'checkpoint', name: 'start', loc: { file: 'dir/t.tsdbg', line: 11 } });
    expect(each.variable).toBe('n');
    expect(each.values).toEqual(['1', '(2, 3)', "'x'"]);
    expect(each.body.map((b) => [b.kind, b.loc.line])).toEqual([['call', 13], ['expect', 14], ['rewind', 15]]);
    expect(retry.count).toBe(3);
    expect(retry.body[0]).toEqual({ kind: 'command', text: 'next', loc: { file: 'dir/t.tsdbg', line: 18 } });
  });

  it('splits an expectation at its top-level operator, not inside ->, <<, strings or brackets', () => {
    expect(parseExpectation('p->next->v >= 2', loc)).toEqual({ kind: 'compare', lhs: 'p->next->v', op: '>=', rhs: '2' });
    expect(parseExpectation('(a < b) == 1', loc)).toEqual({ kind: 'compare', lhs: '(a < b)', op: '==', rhs: '1' });
    expect(parseExpectation('x << 2 != y >> 1', loc)).toEqual({ kind: 'compare', lhs: 'x << 2', op: '!=', rhs: 'y >> 1' });
    expect(parseExpectation('name == "a == b"', loc)).toEqual({ kind: 'compare', lhs: 'name', op: '==', rhs: '"a == b"' });
    expect(parseExpectation("c == '>'", loc)).toEqual({ kind: 'compare', lhs: 'c', op: '==', rhs: "'>'" });
    expect(parseExpectation('tag contains "al"', loc)).toEqual({ kind: 'contains', lhs: 'tag', rhs: '"al"' });
    expect(parseExpectation('tag matches /^h.l/i', loc)).toMatchObject({ kind: 'matches', lhs: 'tag', re: /^h.l/i });
    expect(parseExpectation('p->x', loc)).toEqual({ kind: 'true', expr: 'p->x' });
    expect(parseExpectation('stop at struct_loop.c:17', loc)).toEqual({ kind: 'stop', at: 'struct_loop.c:17' });
    expect(parseExpectation('exit 2', loc)).toEqual({ kind: 'exit', code: 2 });
    expect(parseExpectation('signal SIGSEGV', loc)).toEqual({ kind: 'signal', signal: 'SIGSEGV' });
    expect(parseExpectation('output /iter \\d+/', loc)).toMatchObject({ kind: 'output', re: /iter \d+/ });
    expect(parseExpectation('memory &pt == 01 00 0000', loc)).toEqual({ kind: 'memory', addr: '&pt', bytes: Buffer.from([1, 0, 0, 0]) });
    expect(parseExpectation('snapshot diff &pt only x, tag', loc)).toEqual({ kind: 'snapshot', addr: '&pt', what: 'only', fields: ['x', 'tag'] });
    expect(parseExpectation('snapshot diff heap_ptr none', loc)).toEqual({ kind: 'snapshot', addr: 'heap_ptr', what: 'none' });
    expect(parseExpectation('no leak', loc)).toEqual({ kind: 'no-leak' });
    expect(parseExpectation('syscall openat', loc)).toEqual({ kind: 'syscall', name: 'openat', at: undefined });
    expect(parseExpectation('syscall openat entry path == "/etc/passwd"', loc)).toEqual({ kind: 'syscall', name: 'openat', at: 'entry', field: 'path', op: '==', value: '"/etc/passwd"' });
    expect(parseExpectation('syscall read return ret >= 0', loc)).toEqual({ kind: 'syscall', name: 'read', at: 'return', field: 'ret', op: '>=', value: '0' });
  });

  it('gives FILE:LINE and one line for each kind of bad input', () => {
    expect(syntaxError('break tick\nfrobnicate 3\n')).toBe('bad.tsdbg:2: unknown statement "frobnicate" (not a test statement nor a console command)');
    expect(syntaxError('test "a" {\n  run\n')).toBe('bad.tsdbg:1: unbalanced braces: the test block opened here is not closed');
    expect(syntaxError('run\n}\n')).toBe('bad.tsdbg:2: unbalanced "}": no block is open');
    expect(syntaxError('test "a" {\n  expect output /(/\n}')).toMatch(/^bad\.tsdbg:2: bad regex \/\(\/: .+$/);
    expect(syntaxError('test "a" {\n  expect tag matches /[/\n}')).toMatch(/^bad\.tsdbg:2: bad regex \/\[\/: /);
    expect(syntaxError('define f\n  run\n')).toBe('bad.tsdbg:1: "define f" has no "end"');
    expect(syntaxError('test "a" {\n  test "b" {\n}\n}')).toBe('bad.tsdbg:2: "test" blocks go at the top level of a script');
    expect(syntaxError('foreach x in 1 {\n}')).toBe('bad.tsdbg:1: expected foreach $VAR in VALUE, VALUE, ... {');
    expect(syntaxError('retry 0 {\n}')).toBe('bad.tsdbg:1: expected retry N { (N at least 1)');
    expect(syntaxError('expect memory &x == 123')).toBe('bad.tsdbg:1: memory: "123" is not whole bytes of hex');
    expect(syntaxError('expect syscall openat flags == 0')).toBe('bad.tsdbg:1: syscall: "flags" is not path, ret, errno or arg0..arg5');
    expect(syntaxError('expect syscall')).toBe('bad.tsdbg:1: expected expect syscall NAME [entry|return] [path|ret|errno|argN OP VALUE]');
    expect(syntaxError('expect stop tick')).toBe('bad.tsdbg:1: expected expect stop at FUNCTION|FILE:LINE');
    expect(syntaxError('expect x ==')).toBe('bad.tsdbg:1: nothing after "=="');
    expect(syntaxError('file')).toBe('bad.tsdbg:1: file needs a PATH (relative to the script\'s folder)');
    expect(syntaxError('whle (1) {')).toBe('bad.tsdbg:1: unknown block "whle (1) {"');
    for (const m of [syntaxError('frob'), syntaxError('test "x" {')]) expect(m).not.toContain('\n');
  });

  it('reads Dexter-style annotations from C source', () => {
    const src = parseSource([
      '// tsdbg: file ../bin/annotated 1 2',
      'int main(void) {',
      '  int x = 1;   // tsdbg: expect x == 1',
      '  return x;    /* tsdbg: expect x > 0 */  // tsdbg: expect stop at main',
      '}',
    ].join('\n'), '/src/prog.c');
    expect(src.program).toEqual({ path: '/bin/annotated', args: ['1', '2'] });
    expect([...src.lines.keys()]).toEqual([3, 4]);
    expect(src.lines.get(3)![0]).toMatchObject({ loc: { file: '/src/prog.c', line: 3 }, text: 'expect x == 1' });
    expect(() => parseSource('int x; // tsdbg: expekt x\n', 'p.c')).toThrow('p.c:1: unknown annotation "tsdbg: expekt x" (expect ... or file PATH)');
    expect(() => parseSource('int x;\n', 'p.c')).toThrow('p.c:1: no "// tsdbg: expect ..." annotations in this file');
  });

  it('--record puts the values seen in place of those written', () => {
    const text = 'test "t" {\n  expect p->x == 0\n  expect p->y\n  expect stop at main\n  expect output /x/\n  expect exit 1\n}';
    const seen = new Map([[2, '7'], [3, '4'], [4, 'tick'], [6, '0']]);
    expect(recordScript(text, seen)).toBe('test "t" {\n  expect p->x == 7\n  expect p->y == 4\n  expect stop at tick\n  expect output /x/\n  expect exit 0\n}');
  });
});
