/**
 * The kernel series itself: each patch of kernel-patch/patches applies with
 * `patch -p1 --fuzz=0`, in order, to a pristine copy of the 5.10.223 tree the
 * guest kernel is built from, and scripts/checkpatch.pl --strict reports 0
 * errors, 0 warnings and 0 checks on each (kernel-patch/build.sh --check).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './vm-run.js';

const patches = readdirSync(join(ROOT, 'kernel-patch', 'patches')).filter((f) => /^\d{4}-.*\.patch$/.test(f)).sort();

describe('kernel-patch/patches (the snapshot series)', () => {
  it('is core+uapi, sysctls, Documentation, kselftests, in that order', () => {
    expect(patches.map((p) => p.replace(/^\d{4}-/, '').replace(/\.patch$/, ''))).toEqual([
      'ptrace-add-PTRACE_SNAPSHOT-PTRACE_RESTORE-and-PTRACE',
      'ptrace-add-sysctls-for-the-snapshot-limits',
      'Documentation-describe-the-ptrace-snapshot-requests',
      'selftests-ptrace-add-tests-for-the-snapshot-requests',
    ]);
  });

  it('applies patch by patch to a pristine tree and each patch is checkpatch --strict clean', () => {
    const r = spawnSync('bash', ['kernel-patch/build.sh', '--check'], {
      cwd: ROOT, encoding: 'utf8', timeout: 15 * 60_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    for (const p of patches) {
      expect(out).toMatch(new RegExp(`^${p.replace(/[.]/g, '\\.')}: total: 0 errors, 0 warnings, 0 checks, \\d+ lines checked$`, 'm'));
    }
    expect(out).toMatch(new RegExp(`check passed: ${patches.length} patches apply in order to `));
  }, 15 * 60_000);
});
