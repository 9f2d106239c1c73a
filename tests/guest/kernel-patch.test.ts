/**
 * The kernel patch itself: it applies with `patch -p1` to a pristine copy of
 * the 5.10.223 tree the guest kernel is built from, and scripts/checkpatch.pl
 * reports 0 errors and 0 warnings on it (kernel-patch/build.sh --check).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './vm-run.js';

describe('kernel-patch/0001-ptrace-add-selective-memory-snapshots.patch', () => {
  it('applies to a pristine tree and is checkpatch clean', () => {
    const r = spawnSync('bash', ['kernel-patch/build.sh', '--check'], {
      cwd: ROOT, encoding: 'utf8', timeout: 15 * 60_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/^total: 0 errors, 0 warnings, \d+ lines checked$/m);
    expect(out).toMatch(/check passed: applies to /);
    // Every file the patch touches was checked, the new ones included.
    for (const f of ['kernel/ptrace.c', 'kernel/ptrace_snapshot.c', 'include/uapi/linux/ptrace.h']) {
      expect(out).toContain(`checking file ${f}`);
    }
  }, 15 * 60_000);
});
