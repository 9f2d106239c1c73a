/**
 * The prompt fuzz with a fixed seed (bench/prompt-fuzz.ts has the generator
 * and a longer run with a new seed under `npm run bench`): a real tsdbg
 * session stopped in examples/bin/linked_list takes 1,500 hostile lines, and
 * the same program built without -g (the built-in evaluator) 600; no line
 * may print `internal error`, a V8 `Exception in`, a JS error or a stack
 * trace, and each session must reach its last line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badLines, fuzzLines, runFuzz } from '../../bench/prompt-fuzz.js';
import { example, ROOT } from './rsp-util.js';

const dir = mkdtempSync(join(tmpdir(), 'tsdbg-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fuzz(prog: string, seed: number, count: number): Promise<void> {
  const lines = fuzzLines(seed, count);
  // the mix reaches what broke before: deep nesting, huge counts, odd formats
  expect(lines.some((l) => l.length > 5000)).toBe(true);
  expect(lines.some((l) => l.startsWith('x/'))).toBe(true);
  const res = await runFuzz(lines, 240_000, prog);
  const report = res.failures.map((f) => `${f.line.slice(0, 120)}\n  ${badLines(f.output).join('\n  ')}`);
  expect(report).toEqual([]);
  expect(res.died).toBe(false);
}

describe('prompt fuzz', () => {
  it('1,500 seeded hostile lines print no internal error (DWARF)', async () => {
    await fuzz(example('linked_list'), 20261207, 1500);
  }, 300_000);

  it('600 seeded hostile lines print no internal error (no debug info)', async () => {
    const prog = join(dir, 'linked_list_nodebug');
    execFileSync('gcc', ['-O0', '-o', prog, join(ROOT, 'examples/linked_list.c')]);
    await fuzz(prog, 7, 600);
  }, 300_000);
});
