/**
 * src/debugger/inspect: a DWARF value as a tree, over a small fake memory
 * (the value system's own types and locations; the integration tests drive
 * the same code through `tsdbg dap` on real programs).
 */
import { describe, expect, it } from 'vitest';
import { childrenOf, inspect } from '../../src/debugger/inspect/index.js';
import { Value } from '../../src/dwarf/value.js';
import type { ExprContext } from '../../src/dwarf/expr.js';
import { CHAR, INT, type CType } from '../../src/dwarf/types.js';

const BASE = 0x1000n;
const memory = Buffer.alloc(64);
const ctx: ExprContext = {
  bias: 0n,
  reg: () => undefined,
  readMemory: async (addr, len) => {
    const off = Number(addr - BASE);
    if (off < 0 || off + len > memory.length) throw new Error(`Cannot access memory at address 0x${addr.toString(16)}`);
    return Buffer.from(memory.subarray(off, off + len));
  },
};

// struct node { int value; int pad; struct node *next; char tag[4]; }  at BASE, its next at BASE + 0x20
const node: CType & { kind: 'struct' } = { kind: 'struct', tag: 'node', size: 24, incomplete: false, members: [] };
const ptr: CType = { kind: 'pointer', size: 8, target: node };
node.members.push(
  { name: 'value', type: INT, offset: 0 },
  { name: 'bits', type: INT, offset: 4, bitSize: 3, bitOffset: 32 },
  { name: 'next', type: ptr, offset: 8 },
  { name: 'tag', type: { kind: 'array', element: CHAR, count: 4 }, offset: 16 },
);
memory.writeInt32LE(7, 0);
memory.writeUInt32LE(0b011, 4);
memory.writeBigUInt64LE(BASE + 0x20n, 8);
memory.write('ab\0\0', 16);
memory.writeInt32LE(9, 0x20);
memory.writeBigUInt64LE(0n, 0x28);

describe('inspect', () => {
  it('describes a struct with its members, a bit field, a pointer and an array', async () => {
    const root = await inspect('n', new Value(node, { kind: 'memory', address: BASE }, ctx), 'n');
    expect(root).toMatchObject({ type: 'struct node', children: 4, indexed: false, address: BASE });
    expect(root.value).toBe('{value = 7, bits = 3, next = 0x1020, tag = "ab\\000"}');
    const kids = await childrenOf(root);
    expect(kids.map((k) => [k.name, k.value, k.expression])).toEqual([
      ['value', '7', 'n.value'], ['bits', '3', 'n.bits'], ['next', '0x1020', 'n.next'], ['tag', '"ab\\000"', 'n.tag'],
    ]);
    // a bit field has no address; an array is indexed
    expect(kids[1]!.address).toBeUndefined();
    expect(kids[3]).toMatchObject({ children: 4, indexed: true });
    expect((await childrenOf(kids[3]!, undefined, 1, 2)).map((k) => [k.name, k.value, k.expression])).toEqual([
      ['[1]', "98 'b'", 'n.tag[1]'], ['[2]', "0 '\\000'", 'n.tag[2]'],
    ]);
  });

  it('follows a pointer to one child, stops at a null one, and names the way there', async () => {
    const p = await inspect('p', new Value(ptr, { kind: 'memory', address: BASE + 8n }, ctx), 'n.next');
    expect(p.children).toBe(1);
    const [target] = await childrenOf(p);
    expect(target).toMatchObject({ name: '*p', expression: '*n.next', type: 'struct node', address: BASE + 0x20n });
    const next = (await childrenOf(target!)).find((k) => k.name === 'next')!;
    expect(next).toMatchObject({ value: '0x0', children: 0, expression: 'n.next->next' });
  });

  it('turns an unreadable value into its text, without children', async () => {
    const bad = await inspect('q', new Value(INT, { kind: 'memory', address: 0x10n }, ctx), 'q');
    expect(bad).toMatchObject({ value: '<error: Cannot access memory at address 0x10>', children: 0 });
    const gone = await inspect('o', new Value(INT, { kind: 'optimized' }, ctx), 'o');
    expect(gone).toMatchObject({ value: '<optimized out>', children: 0 });
  });
});
