/**
 * `tsdbg run` on the patched kernel: the session picks the kernel engine by
 * itself, and snapshot / restore / checkpoint / rewind at the prompt go
 * through PTRACE_SNAPSHOT / RESTORE / GETSNAPSHOT. Runs inside the guest only
 * (vitest project `in-guest`); on a stock kernel it fails, it never skips.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, example } from '../integration/rsp-util.js';

const heldSystemWide = (): number => Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_bytes', 'latin1'));

function tsdbgBatch(args: string[], script: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/tsdbg.js'), 'run', '--batch', ...args], {
    input: `${script.join('\n')}\n`, encoding: 'utf8', timeout: 120_000,
  });
}

describe('tsdbg run on the kernel engine', () => {
  it('chooses the kernel engine; snapshot, restore, checkpoint and rewind change what the program does', () => {
    const before = heldSystemWide();
    const r = tsdbgBatch([example('linked_list')], [
      // checkpoints held by the kernel engine: full copies (the guest kernel has soft-dirty, which
      // `auto` would choose, keeping the checkpoint in tsdbg's copy; cli.test covers that path)
      'set checkpoint-method full',
      'break print_list', 'run',
      'snapshot heap', 'snapshots',
      'continue',                 // round 0 printed; the list is doubled before round 1
      'restore heap',             // round 1 prints the undoubled list again
      'checkpoint before', 'checkpoints',
      'continue', 'continue',     // rounds 1 and 2
      'rewind before',            // back before round 1
      'delete', 'continue',
    ]);
    const out = r.stdout;
    expect(r.status, `${out}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toBe('');
    expect(out).toContain('Snapshot engine: kernel (PTRACE_SNAPSHOT)');
    expect(out).toMatch(/Snapshot of \d+ bytes at 0x[0-9a-f]+ \(\[heap\]\) taken by the kernel engine\./);
    expect(out).toMatch(/Restored \d+ bytes at 0x[0-9a-f]+ \(\[heap\]\); snapshot dropped\./);
    expect(out).toMatch(/^1\s+before\s+\d+\s+[\d.]+ KiB\s+kernel engine/m);
    expect(out).toMatch(/Rewound to checkpoint "before"/);
    // restore: round 1 shows the list as it was before double_values();
    // rewind: round 1 and round 2 happen a second time, identically.
    const rounds = out.split('\n').filter((l) => l.startsWith('round '));
    expect(rounds).toEqual([
      'round 0: 5 4 3 2 1 (sum 15)',
      'round 1: 5 4 3 2 1 (sum 15)',
      'round 2: 10 8 6 4 2 (sum 30)',
      'round 1: 5 4 3 2 1 (sum 15)',
      'round 2: 10 8 6 4 2 (sum 30)',
      'round 3: 20 16 12 8 4 (sum 60)',
    ]);
    expect(out).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
    // The checkpoint's kernel snapshots went away with the tracee.
    expect(heldSystemWide()).toBe(before);
  });

  it('refuses to rewind across a change of the memory map, naming the change', () => {
    const before = heldSystemWide();
    const r = tsdbgBatch([example('mappings')], [
      'break main', 'run', 'checkpoint start', 'break unmap_one', 'continue', 'rewind start',
    ]);
    // full copies in the kernel engine, or incremental ones where the guest kernel has soft-dirty bits
    expect(r.stdout).toMatch(/Checkpoint 1 "start" .*(\(\d+ held by the kernel engine, 0 in tsdbg\)|copied, written pages found by soft-dirty bits\.)/);
    expect(r.stdout).toContain('brk: r0=a r2=c');
    // mmap'd regions and a grown brk cannot be undone by writing memory back.
    expect(r.stderr).toContain('The memory map changed since checkpoint "start"; rewinding cannot undo:');
    expect(r.stderr).toMatch(/\[heap\] 0x[0-9a-f]+-0x[0-9a-f]+ appeared/);
    expect(r.stderr).toContain('Rewind refused');
    expect(r.status).toBe(1);            // batch mode: a failed command fails the run
    expect(heldSystemWide()).toBe(before);
  });
});
