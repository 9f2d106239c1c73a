/**
 * The prompt fuzz with a fixed seed (bench/prompt-fuzz.ts has the generator
 * and a longer run with a new seed under `npm run bench`): a real tsdbg
 * session stopped in examples/bin/linked_list takes 1,500 hostile lines; no
 * line may print `internal error`, a V8 `Exception in`, a JS error or a
 * stack trace, and the session must reach its last line.
 */
import { describe, expect, it } from 'vitest';
import { badLines, fuzzLines, runFuzz } from '../../bench/prompt-fuzz.js';

describe('prompt fuzz', () => {
  it('1,500 seeded hostile lines print no internal error', () => {
    const lines = fuzzLines(20261207, 1500);
    // the mix reaches what broke before: deep nesting, huge counts, odd formats
    expect(lines.some((l) => l.length > 5000)).toBe(true);
    expect(lines.some((l) => l.startsWith('x/'))).toBe(true);
    const res = runFuzz(lines, 240_000);
    const report = res.failures.map((f) => `${f.line.slice(0, 120)}\n  ${badLines(f.output).join('\n  ')}`);
    expect(report).toEqual([]);
    expect(res.died).toBe(false);
  }, 300_000);
});
