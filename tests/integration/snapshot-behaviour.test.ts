/**
 * The snapshot behaviour suite against the user-space engine on this host,
 * and engine selection on this host's kernel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { LocalTarget } from '../../src/target/local.js';
import { liveTracees } from '../../src/target/reaper.js';
import { UserspaceEngine } from '../../src/snapshot/userspace.js';
import { engineProvider, probeKernel, selectEngine } from '../../src/snapshot/select.js';
import { SnapshotError } from '../../src/snapshot/types.js';
import { fixture } from '../fixtures/programs.js';
import { snapshotSuite } from '../snapshot-suite.js';

snapshotSuite('userspace', (t) => new UserspaceEngine(t));

describe('engine selection', () => {
  const targets: LocalTarget[] = [];
  afterEach(async () => {
    for (const t of targets.splice(0)) await t.kill();
  });
  // The sysctls exist exactly when the kernel has the patch.
  const patched = existsSync('/proc/sys/kernel/ptrace_snapshot_max_len');

  it('probes the kernel and picks the kernel engine only when it has PTRACE_SNAPSHOT', async () => {
    const t = await LocalTarget.spawn(fixture('target_basic'), { pty: false, snapshots: engineProvider() });
    targets.push(t);
    expect(probeKernel(t)).toBe(patched);
    expect(t.capabilities.snapshots?.name).toBe(patched ? 'kernel' : 'userspace');
    expect(selectEngine(t, 'userspace').name).toBe('userspace');
  });

  it('refuses a forced kernel engine on a kernel without the requests, in one line, leaving nothing behind', async () => {
    if (patched) {
      const t = await LocalTarget.spawn(fixture('target_basic'), { pty: false, snapshots: engineProvider('kernel') });
      targets.push(t);
      expect(t.capabilities.snapshots?.name).toBe('kernel');
      return;
    }
    const before = liveTracees();
    const err = await LocalTarget.spawn(fixture('target_basic'), { pty: false, snapshots: engineProvider('kernel') })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as SnapshotError).code).toBe('ENOTSUP');
    expect((err as SnapshotError).message).toMatch(/does not have.*--engine userspace/);
    expect((err as SnapshotError).message).not.toContain('\n');
    expect(liveTracees()).toBe(before);      // the tracee was killed and reaped
  });
});
