/**
 * A program built without -g that crashes in the C library: the stack is
 * read from the CFI of every image (as gdb reads it), so bt, up, down and
 * frame agree with each other and with gdb, and the library's frame is
 * described from its own DWARF (libc6-dbg). A frame-pointer walk lost
 * count(): strlen keeps no frame pointer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { mergedLines } from './gdb-compare.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const dir = mkdtempSync(join(tmpdir(), 'tsdbg-nodebug-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both streams, without kill's last line: it names the process, whose pid differs. */
const merged = (argv: string[]) => mergedLines(argv).filter((l) => !/^\[Inferior 1 \(process \d+\) killed\]$/.test(l));

describe('the stack of a program without debug info', () => {
  it('crashed in strlen: the same frames as gdb through bt, up, down and frame', () => {
    const prog = join(dir, 'strlen_null');
    execFileSync('gcc', ['-O0', '-o', prog, join(ROOT, 'tests/fixtures/strlen_null.c')]);
    const script = ['run', 'bt', 'up', 'frame', 'up 5', 'down 9', 'down', 'frame 1', 'p $pc', 'bt 1', 'kill'];
    const ex = script.flatMap((c) => ['-ex', c]);
    const gdb = merged(['gdb', '-batch', '-nx', ...ex, prog]);
    const ours = merged(['node', TSDBG, 'run', '--batch', ...ex, prog]);
    expect(gdb.some((l) => /^#1  0x[0-9a-f]{16} in count \(\)$/.test(l))).toBe(true);
    expect(ours).toEqual(gdb);
  });
});

describe('up and down with counts, as gdb', () => {
  it('stop at the ends when counted, refuse bare; negative counts go the other way; frame -1 is no frame', () => {
    const script = ['break sum_list', 'run', 'up -1', 'up 1', 'down -3', 'frame -1', 'frame 1', 'down -1', 'up 0', 'up 9', 'up', 'down 9', 'down'];
    const ex = script.flatMap((c) => ['-ex', c]);
    const prog = join(ROOT, 'examples/bin/linked_list');
    const gdb = merged(['gdb', '-batch', '-nx', ...ex, prog]);
    const ours = merged(['node', TSDBG, 'run', '--batch', ...ex, prog]);
    expect(gdb).toContain('Initial frame selected; you cannot go up.');
    expect(gdb).toContain('No frame at level -1.');
    expect(ours).toEqual(gdb);
  });
});
