import { describe, expect, it } from 'vitest';
import { CheckpointManager, checkpointMappings, type Checkpoint } from '../../src/snapshot/checkpoint.js';
import type { Mapping } from '../../src/target/types.js';

const m = (start: number, end: number, perms: string, path = ''): Mapping =>
  ({ start: BigInt(start), end: BigInt(end), perms, offset: 0n, dev: '00:00', inode: 0, path });

const before = [
  m(0x400000, 0x401000, 'r-xp', '/bin/prog'),
  m(0x404000, 0x405000, 'rw-p', '/bin/prog'),
  m(0x500000, 0x521000, 'rw-p', '[heap]'),
  m(0x7000000, 0x7010000, 'rw-p'),
  m(0x7ff000, 0x800000, 'rw-s', '/dev/shm/x'),
  m(0x7ffff000, 0x80000000, 'r--p', '[vvar]'),
  m(0x7fff0000, 0x7ffff000, 'rw-p', '[stack]'),
];

describe('checkpoint regions and memory-map changes', () => {
  // mapChanges() is pure: the manager's target and engine are not touched.
  const mgr = new CheckpointManager(undefined as never, undefined as never, () => []);
  const cp = { maps: checkpointMappings(before) } as Checkpoint;

  it('copies private writable mappings only', () => {
    expect(checkpointMappings(before).map((x) => x.path)).toEqual(['/bin/prog', '[heap]', '', '[stack]']);
  });

  it('sees no change when nothing moved', () => {
    expect(mgr.mapChanges(cp, before)).toEqual([]);
  });

  it('names a grown heap, a new mmap, an unmapped region and a protection change', () => {
    const after = before.map((x) => (x.path === '[heap]' ? m(0x500000, 0x542000, 'rw-p', '[heap]') : x))
      .filter((x) => x.start !== 0x7000000n)
      .map((x) => (x.path === '[stack]' ? m(0x7fff0000, 0x7ffff000, 'r--p', '[stack]') : x));
    after.push(m(0x6000000, 0x6010000, 'rw-p'));
    const texts = mgr.mapChanges(cp, after).map((c) => `${c.kind}: ${c.text}`);
    expect(texts).toEqual([
      'grew: [heap] 0x500000-0x521000 grew to 0x542000 (brk moved)',
      'vanished: anonymous 0x7000000-0x7010000 was unmapped',
      'protection: [stack] 0x7fff0000-0x7ffff000 is no longer writable (now r--p)',
      'appeared: anonymous 0x6000000-0x6010000 appeared (mmap)',
    ]);
  });

  it('reports a shrunk heap', () => {
    const after = before.map((x) => (x.path === '[heap]' ? m(0x500000, 0x510000, 'rw-p', '[heap]') : x));
    expect(mgr.mapChanges(cp, after)).toEqual([
      { kind: 'shrank', label: '[heap]', text: '[heap] 0x500000-0x521000 shrank to 0x510000 (brk moved)' },
    ]);
  });
});
