import { describe, it, expect } from 'vitest';
import { parseExpression, parseTypeName, ExprError, type Node } from '../../src/dwarf/cexpr.js';
import { evaluateLocation, readLocation, type ExprContext } from '../../src/dwarf/expr.js';
import { formatFloat } from '../../src/dwarf/format.js';

/** Fully parenthesised form of an AST, to check precedence and associativity. */
function show(n: Node): string {
  switch (n.k) {
    case 'int': return String(n.v);
    case 'float': return String(n.v);
    case 'char': return `'${String.fromCharCode(n.v)}'`;
    case 'string': return JSON.stringify(n.v);
    case 'ident': return n.name;
    case 'dollar': return `$${n.name}`;
    case 'unary': return `(${n.op}${show(n.e)})`;
    case 'binary': return `(${show(n.l)} ${n.op} ${show(n.r)})`;
    case 'assign': return `(${show(n.l)} ${n.op} ${show(n.r)})`;
    case 'postfix': return `(${show(n.e)}${n.op}${n.op})`;
    case 'cond': return `(${show(n.c)} ? ${show(n.t)} : ${show(n.f)})`;
    case 'index': return `${show(n.e)}[${show(n.i)}]`;
    case 'member': return `${show(n.e)}${n.arrow ? '->' : '.'}${n.name}`;
    case 'cast': return `((${n.type.base}${'*'.repeat(n.type.pointers)})${show(n.e)})`;
    case 'sizeof': return n.type ? `sizeof(${n.type.base}${'*'.repeat(n.type.pointers)})` : `sizeof ${show(n.e!)}`;
    case 'call': return `${show(n.f)}(${n.args.map(show).join(', ')})`;
    case 'brace': return `({${n.type.base}${'*'.repeat(n.type.pointers)}${(n.type.array ?? []).map((c) => `[${c}]`).join('')}} ${show(n.e)})`;
  }
}
const typedefs = new Set(['config_t', 'u8']);
const p = (s: string) => show(parseExpression(s, (n) => typedefs.has(n)));

describe('C expression parser', () => {
  it('follows C precedence and associativity', () => {
    expect(p('1 + 2 * 3')).toBe('(1 + (2 * 3))');
    expect(p('a - b - c')).toBe('((a - b) - c)');
    expect(p('a = b = 3')).toBe('(a = (b = 3))');
    expect(p('x << 1 + 2 < y')).toBe('((x << (1 + 2)) < y)');
    expect(p('a && b || c && d')).toBe('((a && b) || (c && d))');
    expect(p('a & b == c')).toBe('(a & (b == c))');
    expect(p('c ? x : y ? 1 : 2')).toBe('(c ? x : (y ? 1 : 2))');
    expect(p('-*p->next')).toBe('(-(*p->next))');
    expect(p('*a[i].b')).toBe('(*a[i].b)');
    expect(p('&s.f[2]')).toBe('(&s.f[2])');
    expect(p('*numbers@3')).toBe('((*numbers) @ 3)');
  });

  it('parses casts to named types, typedefs and pointers, and sizeof', () => {
    expect(p('(struct node *)p')).toBe('((struct node*)p)');
    expect(p('(unsigned long)x + 1')).toBe('(((unsigned long)x) + 1)');
    expect(p('(config_t *)0')).toBe('((config_t*)0)');
    expect(p('(x)')).toBe('x');
    expect(p('sizeof(struct node)')).toBe('sizeof(struct node)');
    expect(p('sizeof x + 1')).toBe('(sizeof x + 1)');
    expect(p('(const char **)argv')).toBe('((char**)argv)');
  });

  it('reads literals like gdb: hex, octal, suffixes, chars with escapes, floats', () => {
    expect(parseExpression('0x1f', () => false)).toMatchObject({ k: 'int', v: 31n });
    expect(parseExpression('017', () => false)).toMatchObject({ k: 'int', v: 15n });
    expect(parseExpression('10UL', () => false)).toMatchObject({ k: 'int', v: 10n, unsigned: true, long: true });
    expect(parseExpression("'\\n'", () => false)).toMatchObject({ k: 'char', v: 10 });
    expect(parseExpression("'\\101'", () => false)).toMatchObject({ k: 'char', v: 65 });
    expect(parseExpression('1.5e3', () => false)).toMatchObject({ k: 'float', v: 1500 });
    expect(parseExpression('$rip', () => false)).toMatchObject({ k: 'dollar', name: 'rip' });
    expect(parseExpression('$$2', () => false)).toMatchObject({ k: 'dollar', name: '$2' });
  });

  it("parses gdb's {type} ADDR and C++ scoped names (the no-debug-info evaluator shares this parser)", () => {
    expect(p('{long} 0x1008')).toBe('({long} 4104)');
    expect(p('{char[4]} $sp = "abc"')).toBe('(({char[4]} $sp) = "abc")');
    expect(p('{config_t *} p + 1')).toBe('(({config_t*} p) + 1)');
    expect(p('ns::counter + 1')).toBe('(ns::counter + 1)');
    expect(p('i++ + ++j')).toBe('((i++) + (j += 1))');
    expect(p('*p--')).toBe('(*(p--))');
    expect(() => parseExpression('{x} 0', () => false)).toThrow("A syntax error in expression, near `x} 0'.");
    expect(() => parseExpression('{int 0', () => false)).toThrow("A syntax error in expression, near `0'.");
  });

  it('rejects bad numbers and character constants as gdb does, and keeps string bytes', () => {
    expect(() => parseExpression('09', () => false)).toThrow('Invalid number "09".');
    expect(() => parseExpression('12ab + 1', () => false)).toThrow('Invalid number "12ab".');
    expect(() => parseExpression('0x1g', () => false)).toThrow('Invalid number "0x1g".');
    expect(() => parseExpression("'ab'", () => false)).toThrow('Invalid character constant.');
    expect(() => parseExpression('"abc', () => false)).toThrow('Unterminated string in expression.');
    expect(() => parseExpression('1 + )', () => false)).toThrow("A syntax error in expression, near `)'.");
    // Non-ASCII source text becomes its UTF-8 bytes, as the program would hold it.
    expect(parseExpression('"é\\x41"', () => false)).toMatchObject({ k: 'string', v: '\xc3\xa9A' });
  });

  it('says what is wrong in gdb words, never crashes', () => {
    expect(() => parseExpression('1 +', () => false)).toThrow(ExprError);
    expect(() => parseExpression('(1', () => false)).toThrow(/A syntax error in expression/);
    expect(() => parseExpression("'a", () => false)).toThrow(/Unmatched single quote/);
    expect(() => parseExpression('a # b', () => false)).toThrow(/Invalid character '#'/);
    // Random garbage: only ExprError, whatever the input.
    const alphabet = ['a', '1', '(', ')', '*', '&', '->', '.', '[', ']', '?', ':', '+', '$', "'", '"', 'sizeof', 'struct', ' '];
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % alphabet.length;
    for (let i = 0; i < 2000; i++) {
      const src = Array.from({ length: 1 + (i % 12) }, () => alphabet[rnd()]).join('');
      try {
        parseExpression(src, () => false);
      } catch (e) {
        expect(e, src).toBeInstanceOf(ExprError);
      }
    }
  });

  it('tells type names from expressions', () => {
    expect(parseTypeName('struct node *', () => false)).toEqual({ base: 'struct node', pointers: 1 });
    expect(parseTypeName('unsigned long', () => false)).toEqual({ base: 'unsigned long', pointers: 0 });
    expect(parseTypeName('int [3]', () => false)).toEqual({ base: 'int', pointers: 0, array: [3] });
    expect(parseTypeName('counter', () => false)).toBeUndefined();
    expect(parseTypeName('u8', (n) => typedefs.has(n))).toEqual({ base: 'u8', pointers: 0 });
  });
});

/** A frame given as plain data: registers, a little memory, a frame base. */
function frame(regs: Record<number, bigint>, mem: Record<string, Buffer> = {}, fb?: bigint): ExprContext {
  return {
    reg: (n) => regs[n],
    readMemory: async (a, len) => {
      for (const [k, v] of Object.entries(mem)) {
        const base = BigInt(k);
        if (a >= base && a + BigInt(len) <= base + BigInt(v.length)) return v.subarray(Number(a - base), Number(a - base) + len);
      }
      throw new Error('unmapped');
    },
    frameBase: async () => fb,
    cfa: async () => 0x7000n,
    bias: 0x1000n,
  };
}

describe('DWARF expressions (DWARF 5 section 2.5)', () => {
  const ops = (...b: number[]) => Buffer.from(b);

  it('computes memory locations from frame base, registers, constants and DW_OP_addr', async () => {
    expect(await evaluateLocation(ops(0x91, 0x70), frame({}, {}, 0x8000n))).toEqual({ kind: 'memory', address: 0x8000n - 16n });
    expect(await evaluateLocation(ops(0x76, 0x08), frame({ 6: 0x100n }))).toEqual({ kind: 'memory', address: 0x108n });
    expect(await evaluateLocation(ops(0x03, 0x10, 0, 0, 0, 0, 0, 0, 0), frame({}))).toEqual({ kind: 'memory', address: 0x1010n });
    expect(await evaluateLocation(ops(0x9c), frame({}))).toEqual({ kind: 'memory', address: 0x7000n });
    // lit5 lit3 minus -> 2 ; dup mul -> 4 ; stack_value
    expect(await evaluateLocation(ops(0x35, 0x33, 0x1c, 0x12, 0x1e, 0x9f), frame({}))).toEqual({ kind: 'value', value: 4n });
  });

  it('handles registers, pieces, implicit values, branches and dereferences', async () => {
    expect(await evaluateLocation(ops(0x53), frame({}))).toEqual({ kind: 'register', reg: 3 });
    const pieces = await evaluateLocation(ops(0x50, 0x93, 0x04, 0x51, 0x93, 0x04), frame({ 0: 0x11223344n, 1: 0x55667788n }));
    expect(await readLocation(pieces, 8, frame({ 0: 0x11223344n, 1: 0x55667788n }))).toEqual(Buffer.from([0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]));
    expect(await evaluateLocation(ops(0x9e, 0x02, 0xab, 0xcd), frame({}))).toEqual({ kind: 'bytes', bytes: Buffer.from([0xab, 0xcd]) });
    // lit1 bra +1 (skip lit7) lit9 stack_value -> 9
    expect(await evaluateLocation(ops(0x31, 0x28, 0x01, 0x00, 0x37, 0x39, 0x9f), frame({}))).toEqual({ kind: 'value', value: 9n });
    const mem = { '0x5000': Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    expect(await evaluateLocation(ops(0x0a, 0x00, 0x50, 0x06, 0x9f), frame({}, mem))).toEqual({ kind: 'value', value: 0x0807060504030201n });
    expect(await evaluateLocation(ops(0x0a, 0x00, 0x50, 0x94, 0x02, 0x9f), frame({}, mem))).toEqual({ kind: 'value', value: 0x0201n });
  });

  it('is optimized out when a needed register or entry value is unknown', async () => {
    expect(await evaluateLocation(ops(0x76, 0x00), frame({}))).toEqual({ kind: 'optimized' });
    expect(await evaluateLocation(ops(0xa3, 0x01, 0x55, 0x9f), frame({}))).toEqual({ kind: 'optimized' });
    expect(await evaluateLocation(ops(), frame({}))).toEqual({ kind: 'optimized' });
  });
});

describe("gdb's float printing (%g with 9 or 17 digits)", () => {
  it.each([
    [2.5, 8, '2.5'], [1.1, 8, '1.1000000000000001'], [0.1, 4, '0.100000001'], [1e20, 8, '1e+20'],
    [1.5e-7, 8, '1.4999999999999999e-07'], [-0, 8, '-0'], [Infinity, 8, 'inf'], [123456789, 4, '123456792'],
  ])('%s (%d bytes) -> %s', (x, size, want) => {
    expect(formatFloat(x, size)).toBe(want);
  });
});
