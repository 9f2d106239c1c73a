/**
 * `tsdbg test` (issue 13) end to end: the built CLI runs the shipped example
 * scripts on real programs; its TAP goes through tap-parser, its JUnit XML
 * through fast-xml-parser; the must-fail script's report names FILE:LINE,
 * the expectation, expected and actual; a test past its timeout has its
 * program killed and the others go on; bad scripts give one line each.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { alive, example } from './rsp-util.js';
import { fixture } from '../fixtures/programs.js';
import { parseJUnit, parseTap, scripts, TSDBG, tsdbgTest } from './testrunner-util.js';
import { SESSION_MS, waitFor } from '../setup/wait.js';

const SHIPPED = readdirSync('examples/tests').filter((f) => f.endsWith('.tsdbg')).sort().map((f) => `examples/tests/${f}`);
const MUST_FAIL = 'examples/tests/failing/must-fail.tsdbg';

describe('tsdbg test: the shipped examples', () => {
  it('every script passes, two files at a time, and its TAP 14 is accepted by tap-parser', async () => {
    expect(SHIPPED).toEqual(['examples/tests/rewind-retry.tsdbg', 'examples/tests/snapshot-restore.tsdbg', 'examples/tests/syscalls.tsdbg', 'examples/tests/two-regions.tsdbg']);
    const r = tsdbgTest(['-j', '2', '--reporter', 'tap', ...SHIPPED]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { final, asserts } = await parseTap(r.stdout);
    expect(final.ok).toBe(true);
    expect(final.plan).toMatchObject({ start: 1, end: SHIPPED.length });
    const names = asserts.map((a) => a.name);
    // foreach values and retry runs are subtests of their test
    for (const v of ['0', '1', '7', '-3', '100']) expect(names).toContain(`$v = ${v}`);
    expect(names).toEqual(expect.arrayContaining(['run 1 of 3', 'run 2 of 3', 'run 3 of 3', 'five inputs from one checkpoint', 'snapshot, overwrite, restore: the value is back']));
    expect(asserts.every((a) => a.ok)).toBe(true);
  });

  it('the source-annotated C file passes with --source, one test per annotated line', async () => {
    const r = tsdbgTest(['--reporter', 'tap', '--source', 'examples/tests/annotated.c']);
    expect(r.code).toBe(0);
    const { final, asserts } = await parseTap(r.stdout);
    expect(final.ok).toBe(true);
    expect(asserts.filter((a) => /^annotated\.c:\d+: expect /.test(a.name))).toHaveLength(4);
  });

  it('the userspace engine runs the snapshot scripts too', () => {
    const r = tsdbgTest(['--engine', 'userspace', '--reporter', 'tap', 'examples/tests/snapshot-restore.tsdbg', 'examples/tests/two-regions.tsdbg']);
    expect(r.stdout).not.toMatch(/^\s*not ok/m);
    expect(r.code).toBe(0);
  });
});

describe('tsdbg test: a failing script', () => {
  it('TAP: FILE:LINE, the expectation as written, expected, actual, where the program is, a memory diff; exit status 1', async () => {
    const r = tsdbgTest(['--reporter', 'tap', MUST_FAIL]);
    expect(r.code).toBe(1);
    const { final, asserts } = await parseTap(r.stdout);
    expect(final.ok).toBe(false);
    const byName = new Map(asserts.map((a) => [a.name, a]));
    const value = byName.get('a value that is not what the script says')!;
    expect(value.ok).toBe(false);
    expect(value.diag).toMatchObject({
      at: `${MUST_FAIL}:9`, statement: 'expect pt.x == 42', expected: '42', actual: '1', program: 'tick (struct_loop.c:17)',
    });
    expect(value.diag.backtrace[0]).toBe('#0  tick (struct_loop.c:17)');
    expect(value.diag.backtrace[1]).toMatch(/^#1  main \(struct_loop\.c:\d+\)$/);
    const memory = byName.get('memory that differs')!;
    expect(memory.diag).toMatchObject({ at: `${MUST_FAIL}:14`, statement: 'expect memory &pt.x == 01 00 00 ff', expected: '01 00 00 ff', actual: '01 00 00 00' });
    expect(memory.diag.diff).toEqual([expect.stringMatching(/^- 0x[0-9a-f]+: 01 00 00 ff$/), expect.stringMatching(/^\+ 0x[0-9a-f]+: 01 00 00 00$/), expect.stringMatching(/^ +\^\^$/)]);
    expect(byName.get('this one passes')!.ok).toBe(true);
  });

  it('JUnit: a testcase each, the failure message with FILE:LINE, expected and actual, read by an XML parser', () => {
    const r = tsdbgTest(['--reporter', 'junit', MUST_FAIL, 'examples/tests/rewind-retry.tsdbg']);
    expect(r.code).toBe(1);
    const { suites } = parseJUnit(r.stdout);
    expect(suites.map((s) => [s.name, s.tests, s.failures])).toEqual([[MUST_FAIL, 3, 2], ['examples/tests/rewind-retry.tsdbg', 9, 0]]);
    const [value, memory, pass] = suites[0]!.cases;
    expect(value!.failure!.message).toBe(`${MUST_FAIL}:9: expect pt.x == 42: expected 42, actual 1`);
    expect(value!.failure!.text).toContain('program:   tick (struct_loop.c:17)');
    expect(memory!.failure!.message).toBe(`${MUST_FAIL}:14: expect memory &pt.x == 01 00 00 ff: expected 01 00 00 ff, actual 01 00 00 00`);
    expect(pass!.failure).toBeUndefined();
    // each foreach value is its own testcase
    expect(suites[1]!.cases.map((c) => c.name)).toContain('five inputs from one checkpoint / $v = -3');
  });

  it('pretty: no colour off a terminal or with NO_COLOR, the failure and a summary', () => {
    const r = tsdbgTest(['--reporter', 'pretty', MUST_FAIL], { ...process.env, NO_COLOR: '1' });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toContain(`at:        ${MUST_FAIL}:9`);
    expect(r.stdout).toContain('statement: expect pt.x == 42');
    expect(r.stdout).toMatch(/expected: +42\n +actual: +1\n/);
    expect(r.stdout).toMatch(/^FAIL 1 passed, 2 failed \(1 file\)$/m);
  });
});

describe('tsdbg test: the runner', () => {
  it('a test past its timeout has its program killed, is reported failed, and the other tests go on', async () => {
    const dir = scripts({
      'slow.tsdbg': [
        `file ${example('hot_loop')} 100000000000000`,
        'test "never ends" timeout 3 {',
        '  run',
        '}',
        'test "after it" {',
        '  break step',
        '  run',
        '  expect i == 0',
        '}',
      ].join('\n'),
      'fine.tsdbg': `file ${example('struct_loop')}\nbreak tick\nrun\nexpect pt.x == 1\n`,
    });
    const r = tsdbgTest(['-j', '2', '--reporter', 'tap', path.join(dir, 'slow.tsdbg'), path.join(dir, 'fine.tsdbg')]);
    expect(r.code).toBe(1);
    const { asserts } = await parseTap(r.stdout);
    const never = asserts.find((a) => a.name === 'never ends')!;
    expect(never.ok).toBe(false);
    expect(never.diag.message).toBe('timed out after 3 s; the program was killed');
    expect(never.diag.at).toBe(`${path.join(dir, 'slow.tsdbg')}:2`);
    expect(asserts.find((a) => a.name === 'after it')!.ok).toBe(true);
    expect(asserts.find((a) => a.name === 'fine.tsdbg')!.ok).toBe(true);
    // no hot_loop is left: the leak check (tests/setup) fails this test otherwise
  });

  it('a worker that dies (tsdbg crashing) takes its program with it, is reported failed, and the other files go on', async () => {
    const marker = '987654321987';
    const dir = scripts({
      'crash.tsdbg': `file ${example('hot_loop')} ${marker}\ntest "the worker dies" {\n  run\n}\n`,
      'fine.tsdbg': `file ${example('struct_loop')}\nbreak tick\nrun\nexpect pt.x == 1\n`,
    });
    const child = spawn('node', [TSDBG, 'test', '-j', '2', '--timeout', '600', '--reporter', 'tap', path.join(dir, 'crash.tsdbg'), path.join(dir, 'fine.tsdbg')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      // the running hot_loop, and its tracer: the worker
      let tracee = 0;
      await waitFor(() => {
        for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
          try {
            if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(marker)) { tracee = Number(p); return true; }
          } catch { /* gone */ }
        }
        return false;
      }, 'hot_loop to run under tsdbg test');
      const tracer = Number(/^TracerPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${tracee}/status`, 'latin1'))![1]);
      expect(tracer).toBeGreaterThan(0);
      process.kill(tracer, 'SIGKILL');
      const code = await Promise.race([exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`tsdbg test did not end:\n${out}`)), SESSION_MS))]);
      expect(code).toBe(1);
      await waitFor(async () => !(await alive(tracee)), `hot_loop ${tracee} to be gone`);
      const { asserts } = await parseTap(out);
      const dead = asserts.find((a) => a.name === '(worker)')!;
      expect(dead.ok).toBe(false);
      expect(dead.diag.message).toBe("tsdbg's worker ended (SIGKILL) before the file's tests did");
      expect(asserts.find((a) => a.name === path.join(dir, 'fine.tsdbg'))!.ok).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('bad input: one line each, FILE:LINE where there is a line, exit status 1', () => {
    const dir = scripts({
      'unknown.tsdbg': 'break main\nfrobnicate\n',
      'braces.tsdbg': 'test "a" {\n  run\n',
      'regex.tsdbg': 'test "a" {\n  run\n  expect output /([a-z]/\n}\n',
    });
    const cases: [string, string][] = [
      ['unknown.tsdbg', `${path.join(dir, 'unknown.tsdbg')}:2: unknown statement "frobnicate" (not a test statement nor a console command)`],
      ['braces.tsdbg', `${path.join(dir, 'braces.tsdbg')}:1: unbalanced braces: the test block opened here is not closed`],
      ['regex.tsdbg', `${path.join(dir, 'regex.tsdbg')}:3: bad regex /([a-z]/: Unterminated group`],
      ['missing.tsdbg', `${path.join(dir, 'missing.tsdbg')}: No such file or directory.`],
      ['.', `${path.join(dir, '.')}: Is a directory.`],
    ];
    for (const [file, line] of cases) {
      const r = tsdbgTest(['--reporter', 'tap', path.join(dir, file)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`${line}\n`);
    }
    const usage = tsdbgTest(['--reporter', 'xml', 'x.tsdbg']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toBe('tsdbg test: --reporter must be tap, junit or pretty, not "xml"');
  });

  it('expectations compare C values: enums, chars, doubles, pointers, structs, arrays, __int128', async () => {
    const dir = scripts({
      'types.tsdbg': [
        'break tick',
        'test "values" {',
        '  run',
        '  expect col == BLUE', '  expect col != RED', "  expect ch == 'B'", '  expect d == 2.25', '  expect d > 2', '  expect flag',
        '  expect s == {a = 7, b = 8}', '  expect arr[3] == 40', '  expect p == &n2', '  expect p->x >= 20', '  expect wide == 3',
        '  expect s matches /a = 7/', '  expect arr contains "20"',
        '}',
        'test "mismatches" {',
        '  run',
        '  expect col == GREEN',
        '  expect p == &n1',
        '  expect s == {a = 7, b = 9}',
        '}',
      ].join('\n'),
    });
    // --program: the script names no program
    const r = tsdbgTest(['--program', fixture('watch_types'), '--', '--reporter', 'tap', path.join(dir, 'types.tsdbg')]);
    const { asserts } = await parseTap(r.stdout);
    expect(asserts.find((a) => a.name === 'values')!.ok).toBe(true);
    const bad = asserts.find((a) => a.name === 'mismatches')!;
    expect(bad.diag).toMatchObject({ at: `${path.join(dir, 'types.tsdbg')}:20`, expected: 'GREEN', actual: 'BLUE' });
    expect(bad.diag.more).toEqual([
      expect.objectContaining({ at: `${path.join(dir, 'types.tsdbg')}:21`, expected: expect.stringMatching(/^&n1 \(= \(struct node \*\) 0x[0-9a-f]+ <n1>\)$/), actual: expect.stringMatching(/^\(struct node \*\) 0x[0-9a-f]+ <n2>$/) }),
      expect.objectContaining({ at: `${path.join(dir, 'types.tsdbg')}:22`, expected: '{a = 7, b = 9}', actual: '{a = 7, b = 8}' }),
    ]);
    expect(r.code).toBe(1);
  });

  it('snapshot diff of a whole mapping (heap), and no leak failing while a snapshot is held', async () => {
    const dir = scripts({
      'heap.tsdbg': [
        `file ${example('linked_list')}`,
        'break print_list',
        'test "heap" {',
        '  run',
        '  snapshot heap',
        '  expect snapshot diff heap none',
        '  continue',
        '  expect snapshot diff heap changed',
        '  expect no leak',
        '  restore heap',
        '  expect no leak',
        '  expect snapshot diff stack none',
        '}',
      ].join('\n'),
    });
    const r = tsdbgTest(['--reporter', 'tap', path.join(dir, 'heap.tsdbg')]);
    const { asserts } = await parseTap(r.stdout);
    const t = asserts.find((a) => a.name === 'heap')!;
    expect(t.diag).toMatchObject({ at: `${path.join(dir, 'heap.tsdbg')}:9`, statement: 'expect no leak', expected: '0 bytes held by the snapshot engine' });
    expect(t.diag.actual).toMatch(/^[1-9]\d* bytes held$/);
    expect(t.diag.more).toEqual([expect.objectContaining({
      at: `${path.join(dir, 'heap.tsdbg')}:12`, message: 'No snapshot of the stack is held (take one with "snapshot stack").',
    })]);
    expect(r.code).toBe(1);
  });

  it('a console command that fails ends its test with the command and gdb\'s error', async () => {
    const dir = scripts({ 'cmd.tsdbg': `file ${example('struct_loop')}\ntest "t" {\n  print nosuchvar\n  expect 1 == 1\n}\n` });
    const r = tsdbgTest(['--reporter', 'tap', path.join(dir, 'cmd.tsdbg')]);
    expect(r.code).toBe(1);
    const { asserts } = await parseTap(r.stdout);
    expect(asserts[0]!.diag).toMatchObject({ at: `${path.join(dir, 'cmd.tsdbg')}:3`, statement: 'print nosuchvar', message: 'No symbol "nosuchvar" in current context.' });
  });

  it('--record writes the values seen as the expectations, and the recorded script passes', () => {
    const dir = scripts({
      'golden.tsdbg': `file ${example('struct_loop')}\nbreak tick\ntest "t" {\n  run\n  expect pt.x == 0\n  expect pt.y\n  expect stop at main\n  expect pt.tag == "?"\n}\n`,
    });
    const out = path.join(dir, 'recorded.tsdbg');
    const first = tsdbgTest(['--reporter', 'tap', '--record', out, path.join(dir, 'golden.tsdbg')]);
    expect(first.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe(`file ${example('struct_loop')}\nbreak tick\ntest "t" {\n  run\n  expect pt.x == 1\n  expect pt.y == 2\n  expect stop at tick\n  expect pt.tag == "start"\n}\n`);
    expect(tsdbgTest(['--reporter', 'tap', out]).code).toBe(0);
  });
});
