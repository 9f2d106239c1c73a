/**
 * Issue 11: an error is either an expected answer (its fallback, quietly) or
 * reaches the user as one line. The helpers that decide it, with the real
 * error classes the layers throw.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EvalError, expected, reported, rethrowUnexpected } from '../../src/debugger/errors.js';
import { DwarfError } from '../../src/dwarf/reader.js';
import { TargetError } from '../../src/target/types.js';
import { localKstats } from '../../src/target/kstats.js';

describe('expected, reported, rethrowUnexpected', () => {
  const memory = new TargetError('EIO', 'cannot access memory at address 0x0');
  const dwarf = new DwarfError('wrong version in compilation unit header (is 9, should be 2, 3, 4 or 5)');
  const bug = new TypeError("Cannot read properties of undefined (reading 'pc')");

  it('expected: the fallback for the program\'s or the user\'s failure; a bug goes on up', async () => {
    expect(await Promise.reject(memory).catch(expected('fallback'))).toBe('fallback');
    expect(await Promise.reject(new EvalError('No symbol "x" in current context.')).catch(expected([]))).toEqual([]);
    await expect(Promise.reject(bug).catch(expected(undefined))).rejects.toBe(bug);
    expect(() => rethrowUnexpected(memory)).not.toThrow();
    expect(() => rethrowUnexpected(bug)).toThrow(bug);
  });

  it('reported: the fallback always; a bug or unreadable DWARF is said as one line, an unreadable address is not', () => {
    const said: string[] = [];
    const say = (l: string) => said.push(l);
    expect(reported('empty', say)(memory)).toBe('empty');
    expect(said).toEqual([]);
    expect(reported('empty', say)(dwarf)).toBe('empty');
    expect(reported('empty', say)(bug)).toBe('empty');
    expect(said).toEqual([`Dwarf Error: ${dwarf.message}`, `internal error: ${bug.message}`]);
  });
});

describe('the kernel tracer\'s counts', () => {
  it('a /proc file that does not read is said, as a device that does not open, not taken for "not counted"', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-kstats-'));
    try {
      const src = localKstats({ proc: dir, dev: path.join(dir, 'tracer') });
      await expect(src.read(1)).rejects.toThrow(`Cannot read ${dir}: illegal operation on a directory.`);
      await expect(src.add(1)).rejects.toThrow(`Cannot open ${path.join(dir, 'tracer')}: no such file or directory.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
