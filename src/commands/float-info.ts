/**
 * gdb's `info float` on x86 (i387_print_float_info): the x87 data registers
 * by physical number with their tags, then the status, control and tag
 * words and the last instruction/operand pointers, in gdb's exact layout.
 */
import { readFpRegister } from '../target/fpregs.js';
import { formatX87 } from '../dwarf/format.js';

const TAGS = ['Valid   ', 'Zero    ', 'Special ', 'Empty   '];
const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;
const u32 = (area: Buffer, name: string): number => readFpRegister(area, name).readUInt32LE(0);
/** ` XX` when the bit is set, three spaces when not (gdb's flag columns). */
const bit = (v: number, mask: number, name: string): string => ` ${v & mask ? name : '  '}`;

export function formatInfoFloat(area: Buffer): string[] {
  const fstat = u32(area, 'fstat');
  const fctrl = u32(area, 'fctrl');
  const ftag = u32(area, 'ftag');
  const top = (fstat >> 11) & 7;
  const lines: string[] = [];
  for (let phys = 7; phys >= 0; phys--) {
    const tag = (ftag >> (phys * 2)) & 3;
    const raw = readFpRegister(area, `st${(phys + 8 - top) % 8}`);
    const value = tag === 3 ? '' : x87Value(raw);
    lines.push(`${phys === top ? '=>' : '  '}R${phys}: ${TAGS[tag]}0x${Buffer.from(raw).reverse().toString('hex')}${value}`);
  }
  lines.push('');
  lines.push(`Status Word:         ${hex4(fstat)}  ` +
    [[1, 'IE'], [2, 'DE'], [4, 'ZE'], [8, 'OE'], [0x10, 'UE'], [0x20, 'PE']].map(([m, n]) => bit(fstat, m as number, n as string)).join('') +
    `  ${bit(fstat, 0x80, 'ES')}  ${bit(fstat, 0x40, 'SF')}  ` +
    [[0x100, 'C0'], [0x200, 'C1'], [0x400, 'C2'], [0x4000, 'C3']].map(([m, n]) => bit(fstat, m as number, n as string)).join(''));
  lines.push(`                       TOP: ${top}`);
  lines.push(`Control Word:        ${hex4(fctrl)}  ` +
    [[1, 'IM'], [2, 'DM'], [4, 'ZM'], [8, 'OM'], [0x10, 'UM'], [0x20, 'PM']].map(([m, n]) => bit(fctrl, m as number, n as string)).join(''));
  lines.push(`                       PC: ${['Single Precision (24-bits)', 'Reserved', 'Double Precision (53-bits)', 'Extended Precision (64-bits)'][(fctrl >> 8) & 3]}`);
  lines.push(`                       RC: ${['Round to nearest', 'Round down', 'Round up', 'Round toward zero'][(fctrl >> 10) & 3]}`);
  lines.push(`Tag Word:            ${hex4(ftag)}`);
  const ptr = (seg: string, off: string) => `0x${u32(area, seg).toString(16).padStart(2, '0')}:0x${u32(area, off).toString(16).padStart(8, '0')}`;
  lines.push(`Instruction Pointer: ${ptr('fiseg', 'fioff')}`);
  lines.push(`Operand Pointer:     ${ptr('foseg', 'fooff')}`);
  const fop = u32(area, 'fop');
  lines.push(`Opcode:              ${hex4(fop ? fop | 0xd800 : 0)}`);
  return lines;
}

/** gdb's print_i387_ext: ` %-+27.19g` for numbers, or the kind of special value. */
function x87Value(raw: Buffer): string {
  const sign = raw[9]! & 0x80;
  const integer = raw[7]! & 0x80;
  const exponent = raw.readUInt16LE(8) & 0x7fff;
  const lo = raw.readUInt32LE(0);
  const hi = raw.readUInt32LE(4) & 0x7fffffff;
  if (exponent === 0x7fff && integer) {
    if (lo === 0 && hi === 0) return ` ${sign ? '-' : '+'}Inf`;
    if (sign && lo === 0 && hi === 0x40000000) return ' Real Indefinite (QNaN)';
    return hi & 0x40000000 ? ' QNaN' : ' SNaN';
  }
  const number = (): string => {
    const text = formatX87(raw, 19, true);
    return ` ${(text.startsWith('-') ? text : `+${text}`).padEnd(27)}`;
  };
  if (exponent < 0x7fff && exponent > 0 && integer) return number();
  if (exponent === 0) return number() + (integer ? ' Pseudo-denormal' : lo || hi ? ' Denormal' : '');
  return ' Unsupported';
}
