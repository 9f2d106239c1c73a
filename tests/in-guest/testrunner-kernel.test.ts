/**
 * `tsdbg test --engine kernel` on the patched kernel: the shipped example
 * scripts (not the must-fail one) and the source-annotated C file pass with
 * their snapshots and checkpoints in PTRACE_SNAPSHOT, and the kernel holds no
 * more snapshot bytes afterwards than before. Runs inside the guest only
 * (vitest project `in-guest`); on a stock kernel it fails, it never skips.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTap, tsdbgTest } from '../integration/testrunner-util.js';

const heldSystemWide = (): number => Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_bytes', 'latin1'));
const SHIPPED = readdirSync('examples/tests').filter((f) => f.endsWith('.tsdbg')).sort().map((f) => `examples/tests/${f}`);

describe('tsdbg test on the kernel engine', () => {
  it('the shipped example scripts and the annotated C file pass', async () => {
    const before = heldSystemWide();
    expect(SHIPPED).toEqual(['examples/tests/rewind-retry.tsdbg', 'examples/tests/snapshot-restore.tsdbg', 'examples/tests/syscalls.tsdbg', 'examples/tests/two-regions.tsdbg']);
    const r = tsdbgTest(['--engine', 'kernel', '--reporter', 'tap', ...SHIPPED, '--source', 'examples/tests/annotated.c']);
    const { final, asserts } = await parseTap(r.stdout);
    expect(asserts.filter((a) => !a.ok).map((a) => [a.name, a.diag]), `${r.stdout}\n${r.stderr}`).toEqual([]);
    expect(final.ok).toBe(true);
    expect(final.plan).toMatchObject({ start: 1, end: SHIPPED.length + 1 });
    expect(r.code).toBe(0);
    expect(heldSystemWide()).toBe(before);
  });
});
