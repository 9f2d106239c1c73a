/**
 * `snapshot diff` names what each changed range belongs to (issue 12): a
 * global struct's field, a global array's element, a local of an outer
 * frame, a malloc'd node by the pointer that reaches it and as a heap chunk
 * with its bounds (the size in malloc's own chunk header), and a chunk no
 * variable reaches. On tests/fixtures/snap_names.c, in line mode.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixture, symbol } from '../fixtures/programs.js';
import { SESSION_MS, finished } from '../setup/wait.js';
import { ownerEnv } from '../setup/leaks.js';
import { parseTap, scripts, tsdbgTest } from './testrunner-util.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsdbg = `${root}bin/tsdbg.js`;

function batch(prog: string, commands: string[]): { stdout: string; stderr: string } {
  const r = finished(spawnSync('node', [tsdbg, 'run', '--batch', prog], {
    input: `${commands.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root,
    env: { ...process.env, ...ownerEnv() },
  }), `tsdbg run --batch ${prog}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

const hex = (n: bigint) => `0x${n.toString(16)}`;
/** The `ADDR..END  NAME` line naming a range. */
const named = (out: string, name: string) => new RegExp(`^(0x[0-9a-f]+)\\.\\.(0x[0-9a-f]+)  ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').exec(out);

describe('snapshot diff names the changed ranges', () => {
  it('a global field and element, an outer frame\'s local, heap nodes by pointer and by chunk', () => {
    const prog = fixture('snap_names');
    const cfg = symbol(prog, 'cfg');
    const table = symbol(prog, 'table');
    const r = batch(prog, [
      'break checkpoint_here', 'run',
      'snapshot heap', 'snapshot stack', `snapshot ${hex(cfg)} 24`, `snapshot ${hex(table)} 32`,
      'continue',
      `snapshot diff ${hex(cfg)}`, `snapshot diff ${hex(table)}`, 'snapshot diff heap', 'snapshot diff stack',
      // the reference values, from the program itself
      'up', 'print/x (unsigned long)list->next', 'print/x (unsigned long)list->next->next', 'print/x (unsigned long)stray',
      'print/x *(unsigned long *)((char *)list->next - 8)', 'print/x *(unsigned long *)((char *)stray - 8)',
      'print/x (unsigned long)&local[1]', 'frame 0', 'info frame', 'kill',
    ]);
    expect(r.stderr).toBe('');
    const values = [...r.stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1]!));
    expect(values).toHaveLength(6);
    const [node2, node3, stray, node2Header, strayHeader, local1] = values as [bigint, bigint, bigint, bigint, bigint, bigint];
    // chunk sizes from malloc's header: flags in the low 3 bits; user bytes run to the next chunk's size word
    const usable = (h: bigint) => Number(h & ~7n) - 8;

    // globals: the field and the element that changed (cfg.flags = 7; table[2] = 33)
    expect(named(r.stdout, 'cfg.flags')?.[1]).toBe(hex(cfg));
    expect(named(r.stdout, 'table[2]')?.[1]).toBe(hex(table + 16n));
    // "start" -> "stop": the run of changed chars is one range, named by its first
    expect(named(r.stdout, 'cfg.name[2]')?.slice(1)).toEqual([hex(cfg + 18n), hex(cfg + 21n)]);
    // main's local array, one frame out (local[1] = 5)
    expect(named(r.stdout, 'frame #1 main: local[1]')?.[1]).toBe(hex(local1));
    // the second node: reached by main's list->next, named as the field, and as its chunk with its bounds
    const viaPointer = named(r.stdout, `frame #1 main: *list->next (struct node, 16 bytes) .value, heap chunk ${hex(node2)} (${usable(node2Header)} bytes) +0`);
    expect(viaPointer?.[1]).toBe(hex(node2));
    // the third node: no variable reaches it in two dereferences: the chunk alone
    expect(named(r.stdout, `heap chunk ${hex(node3)} (${usable(node2Header)} bytes) +0`)?.[1]).toBe(hex(node3));
    // 40 bytes into a void * buffer: the pointer and the chunk's offset
    expect(named(r.stdout, `*stray (${usable(strayHeader)} bytes), heap chunk ${hex(stray)} (${usable(strayHeader)} bytes) +40`)?.[1]).toBe(hex(stray + 40n));
    // the return address checkpoint_here's call into mutate left there: where `info frame` says rip is saved
    const rip = /rip at (0x[0-9a-f]+)/.exec(r.stdout)?.[1];
    expect(rip).toBeDefined();
    expect(named(r.stdout, 'frame #0 checkpoint_here: saved rip')?.[1]).toBe(rip);
    // the byte summary of each diff is as before
    expect(r.stdout).toMatch(/^1 byte changed in 1 range: /m);
  });

  it('tsdbg test: a snapshot diff expectation names the changed heap bytes the same way', async () => {
    const prog = fixture('snap_names');
    const dir = scripts({
      'heap.tsdbg': [
        `file ${prog}`,
        'break checkpoint_here',
        'test "heap" {',
        '  run',
        '  snapshot heap',
        '  continue',
        '  expect snapshot diff heap none',
        '}',
      ].join('\n'),
    });
    const r = tsdbgTest(['--reporter', 'tap', `${dir}/heap.tsdbg`], { ...process.env, ...ownerEnv() });
    rmSync(dir, { recursive: true, force: true });
    const { asserts } = await parseTap(r.stdout);
    const t = asserts.find((a) => a.name === 'heap')!;
    expect(t.diag).toMatchObject({ statement: 'expect snapshot diff heap none', expected: 'no change' });
    // in address order: the third node (built first), the second, the buffer
    expect(t.diag.actual).toMatch(/^changed: heap chunk 0x[0-9a-f]+ \(24 bytes\) \+0, frame #1 main: \*list->next \(struct node, 16 bytes\) \.value, heap chunk 0x[0-9a-f]+ \(24 bytes\) \+0, \*stray \(72 bytes\), heap chunk 0x[0-9a-f]+ \(72 bytes\) \+40$/);
    expect(r.code).toBe(1);
  });
});
