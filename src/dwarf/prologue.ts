/**
 * Where `break FUNCTION` goes without a prologue_end marker, as gdb 13
 * decides it on x86-64: whether a unit's locations hold at the entry pc,
 * and amd64_analyze_prologue over the function's first bytes.
 */
import type { ElfFile } from '../elf/elf.js';
import { AT, FORM, TAG } from './constants.js';
import type { Unit } from './info.js';

/** Per unit: its locations hold at every pc (see locationsValidAtEntry). */
const locationsValid = new WeakMap<Unit, boolean>();

/**
 * gdb's amd64_analyze_prologue: returns the offset just after
 * `[endbr64] push %rbp; mov %rsp,%rbp`, or 0 when the function is frameless.
 */
export function analyzePrologue(code: Buffer): number {
  let p = 0;
  if (code.length >= 4 && code[0] === 0xf3 && code[1] === 0x0f && code[2] === 0x1e && code[3] === 0xfa) p = 4;
  if (code[p] !== 0x55) return 0;
  const m = code.subarray(p + 1, p + 4);
  if ((m[0] === 0x48 && m[1] === 0x89 && m[2] === 0xe5) || (m[0] === 0x48 && m[1] === 0x8b && m[2] === 0xec)) return p + 4;
  return 0;
}

/** Bytes of the file image at an unrelocated address (for prologue analysis). */
export function fileBytesAt(elf: ElfFile, addr: bigint, len: number): Buffer | undefined {
  for (const s of elf.sections) {
    if (s.type === 8 || s.addr === 0n) continue;
    if (addr >= s.addr && addr < s.addr + BigInt(s.size)) {
      const off = s.offset + Number(addr - s.addr);
      return elf.data.subarray(off, Math.min(off + len, s.offset + s.size));
    }
  }
  return undefined;
}

/** gcc >= 4.5 units with location lists: gdb trusts locations at the entry pc. */
export function locationsValidAtEntry(u: Unit): boolean {
  let v = locationsValid.get(u);
  if (v === undefined) {
    v = false;
    const producer = u.root.str(AT.producer) ?? '';
    if (/^GNU /.test(producer)) {
      for (const d of u.allDies()) {
        if (d.tag !== TAG.variable && d.tag !== TAG.formal_parameter) continue;
        const f = d.formOf(AT.location);
        if (f === FORM.sec_offset || f === FORM.loclistx || (f === FORM.data4 || f === FORM.data8) && u.version < 4) {
          v = true;
          break;
        }
      }
    }
    locationsValid.set(u, v);
  }
  return v;
}
