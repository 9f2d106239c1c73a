/**
 * DWARF tsdbg cannot read is said, as gdb says it (`Dwarf Error: ... [in
 * module PATH]`), once, before the commands' output; the program is then
 * debugged by its symbols. It must never turn silently into "no debug info".
 * The broken file is a copy of examples/bin/struct_loop with its first
 * unit's DWARF version set to 9; gdb is the reference, line for line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ElfFile } from '../../src/elf/index.js';
import { mergedLines } from './gdb-compare.js';
import { ROOT, example } from './rsp-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-dwarf-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of `prog` whose first compilation unit claims DWARF version 9. */
function badVersion(prog: string): string {
  const out = path.join(dir, path.basename(prog));
  copyFileSync(prog, out);
  const info = ElfFile.load(prog).section('.debug_info')!;
  const bytes = readFileSync(out);
  bytes.writeUInt16LE(9, Number(info.offset) + 4);   // after the 32-bit unit length
  writeFileSync(out, bytes);
  return out;
}

describe('a DWARF read error', () => {
  it('is one line, gdb\'s, said once; symbols still work', () => {
    const prog = badVersion(example('struct_loop'));
    const ex = ['break main', 'run', 'bt', 'kill'].flatMap((c) => ['-ex', c]);
    const noPid = (l: string) => l.replace(/process \d+/g, 'process N');
    const gdb = mergedLines(['gdb', '-batch', '-nx', '-iex', 'set style enabled off', ...ex, prog]).map(noPid);
    const ours = mergedLines(['node', TSDBG, 'run', '--batch', ...ex, prog]).map(noPid);
    expect(ours[0]).toBe(`Dwarf Error: wrong version in compilation unit header (is 9, should be 2, 3, 4 or 5) [in module ${prog}]`);
    expect(ours.filter((l) => l.startsWith('Dwarf Error'))).toHaveLength(1);
    expect(ours).toEqual(gdb);
  });
});
