/**
 * The DWARF location describer and op disassembler (src/dwarf/describe-location.ts)
 * on expressions taken from gcc's output, against the text gdb 13 printed for them.
 */
import { describe, expect, it } from 'vitest';
import { describeExpression, describeLocationList, disassembleDwarf, type DescribeContext } from '../../src/dwarf/describe-location.js';

const ctx: DescribeContext = { addrSize: 8, offsetSize: 4, typeName: () => 'long', addressIndex: (i) => BigInt(0x4000 + 8 * i) };
const bytes = (...b: number[]) => Buffer.from(b);
const describe1 = (b: Buffer, c = ctx) => describeExpression(b, 0x1000n, c, 'v');

describe('gdb 13 words for DWARF locations', () => {
  it('-O0 frame-base offsets with a CFA frame base: disassembled', () => {
    expect(describe1(bytes(0x91, 0x60))).toBe('a complex DWARF expression:\n     0: DW_OP_fbreg -32\n');
  });

  it('a frame base register (clang): the shorthand', () => {
    expect(describe1(bytes(0x91, 0x6c), { ...ctx, frameBase: () => bytes(0x56) })).toBe('a variable at frame base reg $rbp offset 0+-20');
  });

  it('registers, constants, entry values', () => {
    expect(describe1(bytes(0x55))).toBe('a variable in $rdi');
    expect(describe1(bytes(0x90, 0x11))).toBe('a variable in $xmm0');
    expect(describe1(bytes(0x31, 0x9f))).toBe('the constant 1');
    expect(describe1(bytes(0xa3, 0x01, 0x55, 0x9f))).toBe(
      'a complex DWARF expression:\n     0: DW_OP_entry_value\n       2: DW_OP_reg5 [$rdi]\n     3: DW_OP_stack_value\n');
    expect(describe1(bytes(0x7e, 0x7f, 0x9f))).toBe('a complex DWARF expression:\n     0: DW_OP_breg14 -1 [$r14]\n     2: DW_OP_stack_value\n');
  });

  it('pieces: described, empty, and disassembled ones', () => {
    expect(describe1(bytes(0x51, 0x93, 0x08, 0x93, 0x08))).toBe('a variable in $rdx [8-byte piece], and an empty 8-byte piece');
    expect(describe1(bytes(0xa3, 0x01, 0x55, 0x08, 0x20, 0x24, 0x08, 0x20, 0x26, 0x9f, 0x93, 0x08, 0x53, 0x93, 0x08))).toBe(
      'a complex DWARF expression:\n     0: DW_OP_entry_value\n       2: DW_OP_reg5 [$rdi]\n     3: DW_OP_const1u 32\n     5: DW_OP_shl\n'
      + '     6: DW_OP_const1u 32\n     8: DW_OP_shra\n     9: DW_OP_stack_value\n    [8-byte piece], and a variable in $rbx [8-byte piece]');
  });

  it('operands: addresses, typed ops, branches, implicit pointers', () => {
    expect(disassembleDwarf(bytes(0x03, 0x28, 0x40, 0, 0, 0, 0, 0, 0), ctx, 0, 0, 9).text).toBe('     0: DW_OP_addr 0x4028\n');
    expect(disassembleDwarf(bytes(0xa1, 0x02), ctx, 0, 0, 2).text).toBe('     0: DW_OP_addrx 0x4010\n');
    expect(disassembleDwarf(bytes(0xa8, 0x2a, 0xa8, 0x00), ctx, 0, 0, 4).text).toBe('     0: DW_OP_convert<long [0x2a]>\n     2: DW_OP_convert<0>\n');
    expect(disassembleDwarf(bytes(0x2f, 0x02, 0x00, 0x96, 0x96), ctx, 0, 0, 5).text).toBe('     0: DW_OP_skip to 5\n     3: DW_OP_nop\n     4: DW_OP_nop\n');
    expect(disassembleDwarf(bytes(0xa0, 0x11, 0xdd, 0x06, 0x00, 0x00), ctx, 0, 0, 6).text).toBe('     0: DW_OP_implicit_pointer DIE 6dd11 offset 0\n');
    expect(disassembleDwarf(bytes(0xfa, 0x72, 0x49, 0x00, 0x00, 0x9f), ctx, 0, 0, 6).text).toBe('     0: DW_OP_GNU_parameter_ref offset 4972\n     5: DW_OP_stack_value\n');
  });

  it('a location list: base-address entries before their range', () => {
    const text = describeLocationList([
      { base: 0x2350n }, { low: 0x2350n, high: 0x2373n, expr: bytes(0x55) },
      { low: 0x24ddn, high: 0x4730n, expr: bytes(0xa3, 0x01, 0x55, 0x9f) },
    ], ctx, 'argc');
    expect(text).toBe('multi-location:\n  Base address 0x2350  Range 0x2350-0x2373: a variable in $rdi\n'
      + '  Range 0x24dd-0x4730: a complex DWARF expression:\n     0: DW_OP_entry_value\n       2: DW_OP_reg5 [$rdi]\n     3: DW_OP_stack_value\n\n');
  });

  it('an unknown operator: gdb\'s error', () => {
    expect(() => describe1(bytes(0xff))).toThrow('Unrecognized DWARF opcode 0xff at 0');
  });
});
