import { describe, expect, it } from 'vitest';
import {
  changedRanges, charLiteral, cString, formatDiff, formatEflags, formatInt, formatMappings, formatRegisterLine,
  formatXLines, hexdump, perLine,
} from '../../src/commands/format.js';
import { disassemble, formatXInsn } from '../../src/commands/disasm.js';
import { disassemblyLine } from '../../src/commands/disassemble.js';
import { stripWrapHints } from '../../src/dwarf/wrap.js';

// Expected strings are gdb 13's output for the same bytes (examples/struct_loop.c, `pt` at 0x404020).
const sym = (a: bigint) => {
  if (a >= 0x404020n && a < 0x404038n) return a === 0x404020n ? 'pt' : `pt+${a - 0x404020n}`;
  if (a === 0x404044n) return 'counter';
  if (a >= 0x401136n && a < 0x401184n) return a === 0x401136n ? 'tick' : `tick+${a - 0x401136n}`;
  if (a === 0x40119fn) return 'main+27';
  return undefined;
};
const pt = Buffer.from('01000000020000000000000000000000737461727400000000000000', 'hex');

describe('x/NFU lines', () => {
  it('x/4xw, x/2xg, x/8xb', () => {
    expect(formatXLines(0x404020n, pt.subarray(0, 16), 'x', 'w', sym)).toEqual(['0x404020 <pt>:\t0x00000001\t0x00000002\t0x00000000\t0x00000000']);
    expect(formatXLines(0x404020n, pt.subarray(0, 16), 'x', 'g', sym)).toEqual(['0x404020 <pt>:\t0x0000000200000001\t0x0000000000000000']);
    expect(formatXLines(0x404020n, pt.subarray(0, 8), 'x', 'b', sym)).toEqual(['0x404020 <pt>:\t0x01\t0x00\t0x00\t0x00\t0x02\t0x00\t0x00\t0x00']);
  });

  it('x/3dw, x/2ow, x/2tb, x/4cb, x/2ub', () => {
    expect(formatXLines(0x404020n, pt.subarray(0, 12), 'd', 'w', sym)).toEqual(['0x404020 <pt>:\t1\t2\t0']);
    expect(formatXLines(0x404020n, pt.subarray(0, 8), 'o', 'w', sym)).toEqual(['0x404020 <pt>:\t01\t02']);
    expect(formatXLines(0x404020n, pt.subarray(0, 2), 't', 'b', sym)).toEqual(['0x404020 <pt>:\t00000001\t00000000']);
    expect(formatXLines(0x404030n, pt.subarray(16, 20), 'c', 'b', sym)).toEqual(["0x404030 <pt+16>:\t115 's'\t116 't'\t97 'a'\t114 'r'"]);
    expect(formatXLines(0x7fffffffe5b0n, Buffer.alloc(2), 'u', 'b', sym)).toEqual(['0x7fffffffe5b0:\t0\t0']);
  });

  it('x/2a symbolizes code addresses, and lines wrap per unit like gdb', () => {
    const stack = Buffer.alloc(16);
    stack.writeBigUInt64LE(0x7fffffffe5c0n, 0);
    stack.writeBigUInt64LE(0x40119fn, 8);
    expect(formatXLines(0x7fffffffe5a0n, stack, 'a', 'g', sym)).toEqual(['0x7fffffffe5a0:\t0x7fffffffe5c0\t0x40119f <main+27>']);
    expect(formatXLines(0x404020n, pt.subarray(0, 24), 'x', 'w', sym)).toEqual([
      '0x404020 <pt>:\t0x00000001\t0x00000002\t0x00000000\t0x00000000',
      '0x404030 <pt+16>:\t0x72617473\t0x00000074',
    ]);
    expect([perLine('x', 'b'), perLine('x', 'h'), perLine('x', 'w'), perLine('x', 'g'), perLine('c', 'w')]).toEqual([8, 8, 4, 2, 8]);
  });
});

describe('print formats', () => {
  it('formats integers like p/x p/o p/t p/c p/d', () => {
    expect(formatInt(255n, 4, 'x', false)).toBe('0xff');
    expect(formatInt(8n, 4, 'o', false)).toBe('010');
    expect(formatInt(5n, 4, 't', false)).toBe('101');
    expect(formatInt(65n, 4, 'c', false)).toBe("65 'A'");
    expect(formatInt(-1n, 4, 'd', false)).toBe('-1');
    expect(formatInt(-1n, 4, 'u', false)).toBe('4294967295');
    expect(formatInt(-1n, 2, 'x', false)).toBe('0xffff');
    expect(formatInt(1n, 4, 'z', false)).toBe('0x00000001');
  });

  it('quotes chars and strings like gdb', () => {
    expect(charLiteral(0)).toBe("'\\000'");
    expect(charLiteral(1)).toBe("'\\001'");
    expect(charLiteral(10)).toBe("'\\n'");
    expect(charLiteral(39)).toBe("'\\''");
    expect(cString(Buffer.from('a"b\n\x01'))).toBe('"a\\"b\\n\\001"');
  });

  it('prints eflags and register lines in gdb columns', () => {
    expect(formatEflags(0x293n)).toBe('[ CF AF SF IF ]');
    expect(formatEflags(0x246n)).toBe('[ PF ZF IF ]');
    expect(formatRegisterLine('rax', 0x401184n, sym)).toBe('rax            0x401184            4198788');
    expect(formatRegisterLine('rbp', 0x7fffffffe5a0n, sym)).toBe('rbp            0x7fffffffe5a0      0x7fffffffe5a0');
    expect(formatRegisterLine('rip', 0x40113en, sym)).toBe('rip            0x40113e            0x40113e <tick+8>');
    expect(formatRegisterLine('eflags', 0x293n, sym)).toBe('eflags         0x293               [ CF AF SF IF ]');
    expect(formatRegisterLine('cs', 0x33n, sym)).toBe('cs             0x33                51');
  });
});

describe('disassembly (iced-x86, AT&T like gdb)', () => {
  // tick() of examples/struct_loop_nopie as gcc 12 emits it, plus a call and a nopl.
  const code = Buffer.from('554889e548897df8488b45f88b008d50018b05f72e0000e8e4ffffff0f1f440000c3', 'hex');
  const insns = disassemble(code, 0x401136n, sym);

  it('formats operands, rip-relative comments and call targets like gdb', () => {
    expect(insns.map((i) => i.text)).toEqual([
      'push   %rbp',
      'mov    %rsp,%rbp',
      'mov    %rdi,-0x8(%rbp)',
      'mov    -0x8(%rbp),%rax',
      'mov    (%rax),%eax',
      'lea    0x1(%rax),%edx',
      'mov    0x2ef7(%rip),%eax        # 0x404044 <counter>',
      'call   0x401136 <tick>',
      'nopl   0x0(%rax,%rax,1)',
      'ret',
    ]);
    expect(insns[7]!.isCall).toBe(true);
    expect(insns[7]!.callTarget).toBe(0x401136n);
    expect(insns[9]!.isReturn).toBe(true);
  });

  it('lays out x/i and disassemble lines with the => marker', () => {
    // (x/i has gdb's wrap point after the tab: a terminal breaks a long line there)
    expect(stripWrapHints(formatXInsn(insns[2]!, 0x40113an, sym))).toBe('=> 0x40113a <tick+4>:\tmov    %rdi,-0x8(%rbp)');
    expect(stripWrapHints(formatXInsn(insns[3]!, 0x40113an, sym))).toBe('   0x40113e <tick+8>:\tmov    -0x8(%rbp),%rax');
    expect(disassemblyLine(insns[2]!, ' <+4>', 0x40113an, false)).toBe('=> 0x000000000040113a <+4>:\tmov    %rdi,-0x8(%rbp)');
    // /r: the bytes padded to gdb 13's column (x86: 7 bytes a line)
    expect(disassemblyLine(insns[0]!, ' <+0>', 0x40113an, true)).toBe(`   0x0000000000401136 <+0>:\t${'55'.padEnd(19)}\tpush   %rbp`);
  });
});

describe('mappings, hexdump and diff', () => {
  it('numbers mappings for `snapshot mapping N`', () => {
    const lines = formatMappings(42, [{ start: 0x400000n, end: 0x401000n, perms: 'r--p', offset: 0n, dev: '08:01', inode: 1, path: '/bin/x' }]);
    expect(lines[0]).toBe('process 42');
    expect(lines[4]).toBe('   0           0x400000           0x401000     0x1000        0x0  r--p   /bin/x');
  });

  it('dumps like xxd', () => {
    expect(hexdump(0x1000n, Buffer.from('hello, world!!!!xy'))).toEqual([
      '000000001000: 6865 6c6c 6f2c 2077 6f72 6c64 2121 2121  hello, world!!!!',
      '000000001010: 7879                                     xy',
    ]);
  });

  it('finds changed ranges and marks them without color', () => {
    const a = Buffer.alloc(40);
    const b = Buffer.from(a);
    b[3] = 1; b[4] = 2; b[33] = 9;
    expect(changedRanges(a, b)).toEqual([[3, 2], [33, 1]]);
    const out = formatDiff(0x2000n, a, b, false);
    expect(out[0]).toBe('- 000000002000: 0000 0000 0000 0000 0000 0000 0000 0000  ................');
    expect(out[1]).toBe('+ 000000002000: 0000 0001 0200 0000 0000 0000 0000 0000  ................');
    expect(out[2]).toBe('                       ^^ ^^');
    expect(out[out.length - 1]).toBe('3 bytes changed in 2 ranges: 0x2003..0x2005, 0x2021..0x2022');
  });

  it('colors changed bytes only when asked (a TTY)', () => {
    const a = Buffer.alloc(4);
    const b = Buffer.from([0, 7, 0, 0]);
    expect(formatDiff(0n, a, b, true).join('\n')).toContain('\x1b[1;31m07\x1b[0m');
    expect(formatDiff(0n, a, b, false).join('\n')).not.toContain('\x1b[');
  });
});
