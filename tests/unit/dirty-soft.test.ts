/**
 * The soft-dirty tracker's reading of /proc/PID/pagemap (bit 55 per page),
 * on a pagemap laid out in a file: this host's kernel has no
 * CONFIG_MEM_SOFT_DIRTY, the guest's kernel runs it for real.
 */
import { describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE, SoftDirtyTracker } from '../../src/snapshot/dirty.js';

describe('soft-dirty tracker', () => {
  it('reports the pages with bit 55 as runs, range by range, and a page without an entry as written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdbg-pagemap-'));
    try {
      // pages 0x10..0x1f: soft-dirty at 0x11, 0x12, 0x15 and 0x1e; the file ends before page 0x20
      const entries = Buffer.alloc(0x20 * 8);
      for (const p of [0x11, 0x12, 0x15, 0x1e]) entries.writeBigUInt64LE((1n << 63n) | (1n << 55n), p * 8);
      entries.writeBigUInt64LE(1n << 63n, 0x13 * 8);          // present, clean
      writeFileSync(join(dir, 'pagemap'), entries);
      const fd = openSync(join(dir, 'pagemap'), 'r');
      const tracker = new SoftDirtyTracker(process.pid, fd);
      try {
        const runs = tracker.collect([{ start: 0x10 * PAGE, end: 0x18 * PAGE }, { start: 0x1c * PAGE, end: 0x21 * PAGE }]);
        expect(runs.map((r) => [r.start / PAGE, r.end / PAGE])).toEqual([[0x11, 0x13], [0x15, 0x16], [0x1e, 0x1f], [0x20, 0x21]]);
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
