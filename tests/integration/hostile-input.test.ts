/**
 * Hostile input at the prompt, on real programs, against gdb 13 where gdb
 * answers the same line: deep and long expressions (which overflowed the JS
 * stack), x counts out of range, shifts past the width, huge line numbers,
 * a 180,000-row line table at -O2 (spread into one call before), and the
 * cap on checkpoints held in tsdbg's own buffers.
 *
 * Both debuggers read the lines from a pipe (gdb goes on after an error
 * there, as tsdbg does), so each line's answer can be compared.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { example, ROOT } from './rsp-util.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const dir = mkdtempSync(join(tmpdir(), 'tsdbg-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOISE = /^(Snapshot engine: |\[Thread debugging|Using host libthread_db|Reading symbols from|Starting program: |\[Inferior 1 \(process \d+\) killed\]|Kill the program being debugged|Make breakpoint pending on future|A debugging session is active|\s*Inferior 1 \[process|Quit anyway|quit$|$)/;

function piped(argv: string[], lines: string[]): string[] {
  const r = spawnSync('sh', ['-c', 'exec "$@" 2>&1', 'sh', ...argv], {
    input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 120_000, cwd: ROOT, maxBuffer: 1 << 28, killSignal: 'SIGKILL',
  });
  return r.stdout.split('\n').map((l) => l.replace(/^(\(gdb\) )+/, '')).filter((l) => !NOISE.test(l));
}

/** tsdbg's and gdb's answers to `lines` (piped), without start-up chatter. */
function both(lines: string[], prog: string): { ours: string[]; gdb: string[] } {
  return { ours: piped(['node', TSDBG, 'run', prog], lines), gdb: piped(['gdb', '-q', '-nx', prog], lines) };
}

const BAD = /internal error|Exception in |RangeError|Maximum call stack/;
const AT_BREAK = ['break print_list', 'run'];

describe('deep and long expressions', () => {
  it('are evaluated as gdb does, with no stack overflow', () => {
    const lines = [...AT_BREAK,
      `p ${'('.repeat(2000)}1${')'.repeat(2000)}`,                    // gdb: $1 = 1
      `p ${Array(5000).fill('1').join('+')}`,                           // 5,000 terms
      `p n${'->next'.repeat(5000)}`,                                    // Cannot access memory at address 0x8
      `p ${'!'.repeat(5001)}n`,
      `p ${Array(3000).fill('n->value').join(' * 0 + ')}`,
      `p ((((n->value)+1)*2)-3)`,
      `p sizeof(${'('.repeat(1000)}n${')'.repeat(1000)})`,
      `p ${'*'.repeat(5000)}head`,                                      // Structure has no component named operator*.
      'kill'];
    const { ours, gdb } = both(lines, example('linked_list'));
    expect(gdb).toContain('$1 = 1');
    expect(gdb).toContain('Cannot access memory at address 0x8');
    expect(ours.filter((l) => BAD.test(l))).toEqual([]);
    expect(ours).toEqual(gdb);
  });

  it('past the parser nesting limit, gdb\'s "memory exhausted" error, not a crash', () => {
    const deep = `${'-('.repeat(3000)}1${')'.repeat(3000)}`;
    const ours = piped(['node', TSDBG, 'run', example('linked_list')], [...AT_BREAK,
      `p ${deep}`, `p ${'(long)'.repeat(10000)}n->value`, `p ${'1?'.repeat(2000)}1${':1'.repeat(2000)}`, 'p 42', 'kill']);
    expect(ours.filter((l) => BAD.test(l))).toEqual([]);
    expect(ours.some((l) => /^A memory exhausted in expression, near `-\(-\(.*'\.$/.test(l))).toBe(true);
    expect(ours).toContain('$1 = 5');                                   // 10,000 casts of n->value
    expect(ours[ours.length - 1]).toMatch(/^\$\d+ = 42$/);
  });
});

describe('numbers and sizes out of range', () => {
  it('x counts, shifts and constants answer as gdb 13', () => {
    const nines = '9'.repeat(150);
    const lines = [...AT_BREAK,
      'x/4294967296 "str"', 'x/4294967295xb n', `x/${nines}xb n`, 'x/-3xb n', 'x/0xb n', 'x/2147483648xb n', 'x/4xb 0',
      'p 1<<2147483648', 'p 1 << 100000000000000000000', 'p 18446744073709551616', 'p -1>>70', 'p 1>>-5', 'p 1L<<40',
      'p (long)1e999', 'p (unsigned char)1e999', 'p (long)-1e999', 'p/c 1e300', 'p/c 65.7', 'p/c -1e999', 'print/i 5', 'output/i 5',
      'x/6i 0x7fffffffeff8', 'x/3i 0', 'p *n@100000000', 'p sizeof(*n@4611686018427387904)', 'p n@-1', 'p/x *n@4097', 'p n->value@3', 'kill'];
    const { ours, gdb } = both(lines, example('linked_list'));
    expect(gdb).toContain('warning: left shift count >= width of type');
    expect(ours.filter((l) => BAD.test(l))).toEqual([]);
    expect(ours).toEqual(gdb);
  });

  it('x/100000xb $sp prints up to the end of the stack, then names the first unreadable address', () => {
    const ours = piped(['node', TSDBG, 'run', example('linked_list')], [...AT_BREAK, 'p $sp', 'x/100000xb $sp', 'p 7', 'x/2147483647i $pc', 'p 8', 'kill']);
    const sp = BigInt(/^\$1 = \(void \*\) (0x[0-9a-f]+)$/.exec(ours.find((l) => l.startsWith('$1 = '))!)![1]!);
    const rows = ours.filter((l) => /^0x[0-9a-f]+:\t0x/.test(l));
    const end = 0x7ffffffff000n;
    expect(rows.length).toBe(Number((end - sp) / 8n));
    expect(rows[0]!.startsWith(`0x${sp.toString(16)}:\t`)).toBe(true);
    expect(ours).toContain(`0x${end.toString(16)}:\tCannot access memory at address 0x${end.toString(16)}`);
    expect(ours).toContain('$2 = 7');
    // 75,000 instructions up to the end of the heap, then the error on the last line, in order on a pipe
    const last = ours.indexOf('$3 = 8');
    expect(ours[last - 1]).toMatch(/^ {3}0x[0-9a-f]+:\tCannot access memory at address 0x[0-9a-f]+$/);
    expect(ours.slice(0, last - 1).filter((l) => l.includes('Cannot access'))).toEqual([`0x${end.toString(16)}:\tCannot access memory at address 0x${end.toString(16)}`]);
  });

  it('break, info line and list read a line number past int as gdb does', () => {
    const lines = ['break 18446744073709551615', 'break 4294967296', 'break 2147483648', 'break linked_list.c:18446744073709551615',
      'break 99999999999999999999999', 'break 200', 'info breakpoints', 'info line 4294967296', 'info line linked_list.c:18446744073709551615',
      'list linked_list.c:4294967340', 'list 4294967296', 'list 18446744073709551615'];
    const { ours, gdb } = both(lines, example('linked_list'));
    expect(gdb).toContain('No line -1 in the current file.');
    expect(ours).toEqual(gdb);
  });
});

describe('a large unit at -O2', () => {
  it('break FUNCTION in a 60,000-statement file (180,000 line rows) agrees with gdb', () => {
    const src = ['volatile long sink;'];
    for (let i = 0; i < 400; i++) {
      src.push(`__attribute__((noinline)) void f${i}(long a)`, '{');
      for (let k = 0; k < 150; k++) src.push(`\tsink = a + ${k};`);
      src.push('}');
    }
    src.push('int main(int argc, char **argv)', '{');
    for (let i = 0; i < 400; i++) src.push(`\tf${i}(argc);`);
    src.push('\treturn 0;', '}');
    writeFileSync(join(dir, 'big.c'), `${src.join('\n')}\n`);
    execFileSync('nice', ['-n', '10', 'gcc', '-g', '-O2', '-o', join(dir, 'big'), join(dir, 'big.c')], { stdio: 'inherit', timeout: 600_000 });
    const lines = ['set width 0', 'break f300', 'break big.c:30000', 'info line f10', 'run', 'bt 1', 'p a', 'info symbol $pc', 'kill'];
    const { ours, gdb } = both(lines, join(dir, 'big'));
    expect(gdb.some((l) => /^Breakpoint 1 at 0x[0-9a-f]+: file .*big\.c, line \d+\.$/.test(l))).toBe(true);
    expect(ours.filter((l) => BAD.test(l))).toEqual([]);
    expect(ours).toEqual(gdb);
  }, 900_000);
});

describe('checkpoints in tsdbg\'s buffers', () => {
  it('stop at the limit with a clear refusal, shown by checkpoints, settable', () => {
    const ours = piped(['node', TSDBG, 'run', example('linked_list')], [...AT_BREAK,
      // full copies: incremental ones hold only the pages written (tests/integration/checkpoint-incremental)
      'checkpoints', 'set checkpoint-method full', 'set checkpoint-limit 500K', 'checkpoint a', 'checkpoint b', 'checkpoint c', 'checkpoints',
      'set checkpoint-limit 10X', 'set checkpoint-limit unlimited', 'checkpoint c', 'checkpoints', 'kill']);
    expect(ours).toContain('No checkpoints.');
    const refusal = ours.find((l) => l.startsWith('Checkpoint limit reached: '));
    expect(refusal).toMatch(/^Checkpoint limit reached: tsdbg's buffers would hold \d+\.\d KiB, over the limit of 500\.0 KiB; delete a checkpoint \("checkpoint delete NAME"\) or raise the limit \("set checkpoint-limit SIZE"\)\.$/);
    expect(ours.filter((l) => /^Checkpoint \d "\w" at /.test(l)).map((l) => l.slice(0, 14))).toEqual(['Checkpoint 1 "', 'Checkpoint 2 "', 'Checkpoint 3 "']);
    expect(ours).toContain('Invalid checkpoint limit "10X": bytes, with K, M or G, or "unlimited".');
    expect(ours.filter((l) => l.startsWith('tsdbg buffers hold '))).toEqual([
      expect.stringMatching(/^tsdbg buffers hold \d+\.\d KiB; limit 500\.0 KiB \(set checkpoint-limit\)\.$/),
      expect.stringMatching(/^tsdbg buffers hold \d+\.\d KiB; limit unlimited \(set checkpoint-limit\)\.$/),
    ]);
  });
});
