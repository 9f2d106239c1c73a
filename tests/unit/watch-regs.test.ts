/** How a watched range takes debug registers (gdb's x86 aligned pieces), and which watch gdb says does not fit. */
import { describe, expect, it } from 'vitest';
import { chunksOf, derefBases, firstUnfit, registersFor } from '../../src/commands/watch.js';

const r = (addr: number, length: number) => ({ addr: BigInt(addr), length });

describe('debug registers of a watched range', () => {
  it('splits into aligned 8/4/2/1-byte pieces as gdb does', () => {
    expect(chunksOf(r(0x1000, 4))).toEqual([r(0x1000, 4)]);
    expect(chunksOf(r(0x1000, 16))).toEqual([r(0x1000, 8), r(0x1008, 8)]);
    expect(chunksOf(r(0x1001, 4))).toEqual([r(0x1001, 1), r(0x1002, 2), r(0x1004, 1)]);
    expect(chunksOf(r(0x1004, 12))).toEqual([r(0x1004, 4), r(0x1008, 8)]);
    expect(registersFor([r(0x1000, 32)])).toBe(4);
    expect(registersFor([r(0x1000, 40)])).toBe(5);
    expect(registersFor([r(0x1000, 1 << 30)])).toBe(5);
    expect(registersFor([r(0x1000, 8), r(0x1000, 8)])).toBe(1);
  });

  it('names the first watch, in address order, whose pieces do not all fit', () => {
    const one = (id: number, addr: number, len = 4) => ({ id, ranges: [r(addr, len)] });
    expect(firstUnfit([one(2, 0x10), one(3, 0x20), one(4, 0x30), one(5, 0x40)])).toBeUndefined();
    expect(firstUnfit([one(2, 0x50), one(3, 0x20), one(4, 0x30), one(5, 0x40), one(6, 0x10)])).toBe(2);
    expect(firstUnfit([one(2, 0xb0, 16), { id: 3, ranges: [r(0x40, 8), r(0x28, 4)] }, one(4, 0xa4, 1)])).toBe(2);
  });

  it('finds the pointers an expression goes through', () => {
    expect(derefBases('p->x')).toEqual(['p']);
    expect(derefBases('a->b->c')).toEqual(['a', 'a->b']);
    expect(derefBases('*p')).toEqual(['p']);
    expect(derefBases('s.b')).toEqual([]);
    expect(derefBases('a * b')).toEqual([]);
  });
});
