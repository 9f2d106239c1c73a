/**
 * The kernel series itself, for each kernel: each patch of kernel-patch/patches (5.10) and
 * kernel-patch/patches-6.1 (6.1) applies with `patch -p1 --fuzz=0`, in order, to a pristine
 * copy of the tree that guest kernel is built from, and scripts/checkpatch.pl --strict reports
 * 0 errors, 0 warnings and 0 checks on each (kernel-patch/build.sh --kernel V --check).
 * And tracer.ko's sources: checkpatch --strict, sparse (make C=2) and cppcheck are silent
 * (kernel-patch/tracer/build.sh --check).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './vm-run.js';

const SERIES = { '5.10': 'patches', '6.1': 'patches-6.1' } as const;

for (const [version, dir] of Object.entries(SERIES)) {
  const patches = readdirSync(join(ROOT, 'kernel-patch', dir)).filter((f) => /^\d{4}-.*\.patch$/.test(f)).sort();

  describe(`kernel-patch/${dir} (the snapshot series for ${version})`, () => {
    it('is core+uapi, sysctls, Documentation, kselftests, in that order', () => {
      expect(patches.map((p) => p.replace(/^\d{4}-/, '').replace(/\.patch$/, ''))).toEqual([
        'ptrace-add-PTRACE_SNAPSHOT-PTRACE_RESTORE-and-PTRACE',
        'ptrace-add-sysctls-for-the-snapshot-limits',
        'Documentation-describe-the-ptrace-snapshot-requests',
        'selftests-ptrace-add-tests-for-the-snapshot-requests',
      ]);
    });

    it('applies patch by patch to a pristine tree and each patch is checkpatch --strict clean', () => {
      const r = spawnSync('bash', ['kernel-patch/build.sh', '--kernel', version, '--check'], {
        cwd: ROOT, encoding: 'utf8', timeout: 15 * 60_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).toBe(0);
      for (const p of patches) {
        expect(out).toMatch(new RegExp(`^${p.replace(/[.]/g, '\\.')}: total: 0 errors, 0 warnings, 0 checks, \\d+ lines checked$`, 'm'));
      }
      expect(out).toMatch(new RegExp(`check passed: ${patches.length} patches apply in order to linux_${version.replace('.', '\\.')}\\.`));
    }, 15 * 60_000);
  });
}

describe('kernel-patch/tracer (tracer.ko and its test driver)', () => {
  for (const version of Object.keys(SERIES)) {
    it(`is checkpatch --strict, sparse (C=2) and cppcheck clean against ${version}`, () => {
      const r = spawnSync('bash', ['kernel-patch/tracer/build.sh', '--kernel', version, '--check'], {
        cwd: ROOT, encoding: 'utf8', timeout: 10 * 60_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).toBe(0);
      expect(out).toMatch(new RegExp(`checkpatch --strict, sparse \\(C=2\\) and cppcheck clean against ${version.replace('.', '\\.')}`));
    }, 10 * 60_000);
  }
});
