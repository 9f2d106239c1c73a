/**
 * Range lists (.debug_rnglists v5, .debug_ranges v4) and location lists
 * (.debug_loclists v5, .debug_loc v4). Addresses are unrelocated.
 */
import { Reader, DwarfError } from './reader.js';
import type { Unit } from './info.js';

const RLE = { end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4, base_address: 5, start_end: 6, start_length: 7 };
const LLE = { end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4, default_location: 5, base_address: 6, start_end: 7, start_length: 8, GNU_view_pair: 9 };

export function readRangeList(unit: Unit, offset: number): Array<[bigint, bigint]> {
  const s = unit.info.sections;
  const out: Array<[bigint, bigint]> = [];
  let base = unit.baseAddress;
  if (unit.version >= 5) {
    if (!s.rnglists) throw new DwarfError('DW_AT_ranges without .debug_rnglists');
    const r = new Reader(s.rnglists, offset);
    for (;;) {
      const kind = r.u8();
      switch (kind) {
        case RLE.end_of_list: return out;
        case RLE.base_addressx: base = unit.addressIndex(r.uleb()); break;
        case RLE.startx_endx: out.push([unit.addressIndex(r.uleb()), unit.addressIndex(r.uleb())]); break;
        case RLE.startx_length: {
          const a = unit.addressIndex(r.uleb());
          out.push([a, a + r.ulebBig()]);
          break;
        }
        case RLE.offset_pair: {
          const a = r.ulebBig();
          const b = r.ulebBig();
          out.push([base + a, base + b]);
          break;
        }
        case RLE.base_address: base = r.addr(unit.addrSize); break;
        case RLE.start_end: out.push([r.addr(unit.addrSize), r.addr(unit.addrSize)]); break;
        case RLE.start_length: {
          const a = r.addr(unit.addrSize);
          out.push([a, a + r.ulebBig()]);
          break;
        }
        default: throw new DwarfError(`bad range list entry kind ${kind}`);
      }
    }
  }
  if (!s.ranges) throw new DwarfError('DW_AT_ranges without .debug_ranges');
  const r = new Reader(s.ranges, offset);
  const max = unit.addrSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  for (;;) {
    const a = r.addr(unit.addrSize);
    const b = r.addr(unit.addrSize);
    if (a === 0n && b === 0n) return out;
    if (a === max) base = b;
    else out.push([base + a, base + b]);
  }
}

export interface LocationListEntry {
  /** [low, high) unrelocated; undefined for DW_LLE_default_location. */
  low?: bigint;
  high?: bigint;
  expr: Buffer;
}

/** `onBase`: told of each base-address entry, with how many entries precede it (gdb's `info scope` shows them). */
export function readLocationList(unit: Unit, offset: number, onBase?: (base: bigint, before: number) => void): LocationListEntry[] {
  const s = unit.info.sections;
  const out: LocationListEntry[] = [];
  let base = unit.baseAddress;
  if (unit.version >= 5) {
    if (!s.loclists) throw new DwarfError('location list without .debug_loclists');
    const r = new Reader(s.loclists, offset);
    const expr = () => r.bytes(r.uleb());
    for (;;) {
      const kind = r.u8();
      switch (kind) {
        case LLE.end_of_list: return out;
        case LLE.base_addressx: base = unit.addressIndex(r.uleb()); onBase?.(base, out.length); break;
        case LLE.startx_endx: {
          const low = unit.addressIndex(r.uleb());
          const high = unit.addressIndex(r.uleb());
          out.push({ low, high, expr: expr() });
          break;
        }
        case LLE.startx_length: {
          const low = unit.addressIndex(r.uleb());
          const high = low + r.ulebBig();
          out.push({ low, high, expr: expr() });
          break;
        }
        case LLE.offset_pair: {
          const low = base + r.ulebBig();
          const high = base + r.ulebBig();
          out.push({ low, high, expr: expr() });
          break;
        }
        case LLE.default_location: out.push({ expr: expr() }); break;
        // gcc's location views (-gvariable-location-views, on by default): two view numbers
        // qualifying the next entry; addresses alone decide for a stopped program.
        case LLE.GNU_view_pair: r.uleb(); r.uleb(); break;
        case LLE.base_address: base = r.addr(unit.addrSize); onBase?.(base, out.length); break;
        case LLE.start_end: {
          const low = r.addr(unit.addrSize);
          const high = r.addr(unit.addrSize);
          out.push({ low, high, expr: expr() });
          break;
        }
        case LLE.start_length: {
          const low = r.addr(unit.addrSize);
          const high = low + r.ulebBig();
          out.push({ low, high, expr: expr() });
          break;
        }
        default: throw new DwarfError(`bad location list entry kind ${kind}`);
      }
    }
  }
  if (!s.loc) throw new DwarfError('location list without .debug_loc');
  const r = new Reader(s.loc, offset);
  const max = unit.addrSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  for (;;) {
    const a = r.addr(unit.addrSize);
    const b = r.addr(unit.addrSize);
    if (a === 0n && b === 0n) return out;
    if (a === max) {
      base = b;
      onBase?.(base, out.length);
      continue;
    }
    out.push({ low: base + a, high: base + b, expr: r.bytes(r.u16()) });
  }
}
