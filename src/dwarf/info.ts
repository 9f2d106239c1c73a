/**
 * .debug_abbrev / .debug_info: unit headers (DWARF 2-5), the DIE tree of each
 * unit (built on first use), and attribute decoding for every form, including
 * the DWARF 5 indexed forms (strx, addrx, rnglistx, loclistx).
 *
 * DIE attributes are decoded lazily: building a unit's tree only skips over
 * them, which keeps loading a large binary cheap.
 */
import { Reader, DwarfError, strAt } from './reader.js';
import { AT, FORM, UT } from './constants.js';

/** The raw DWARF sections of one ELF file (undefined when absent). */
export interface DwarfSections {
  info?: Buffer;
  abbrev?: Buffer;
  str?: Buffer;
  lineStr?: Buffer;
  strOffsets?: Buffer;
  addr?: Buffer;
  line?: Buffer;
  rnglists?: Buffer;
  ranges?: Buffer;
  loclists?: Buffer;
  loc?: Buffer;
  aranges?: Buffer;
  /** DWARF 4 type units (-fdebug-types-section). */
  types?: Buffer;
  frame?: Buffer;
  ehFrame?: Buffer;
  /** File address of .eh_frame (its pc-relative pointers are relative to it). */
  ehFrameAddr?: bigint;
  textAddr?: bigint;
}

export class Abbrev {
  constructor(
    readonly code: number,
    readonly tag: number,
    readonly hasChildren: boolean,
    readonly attrs: number[],
    readonly forms: number[],
    /** DW_FORM_implicit_const values, by attribute index. */
    readonly implicit: number[],
    /** Total size of the attributes when every form has a fixed size, else -1. */
    readonly fixedSize: number,
  ) {}
}

const FIXED_SIZE: Record<number, number> = {
  [FORM.addr]: 8, [FORM.data1]: 1, [FORM.data2]: 2, [FORM.data4]: 4, [FORM.data8]: 8, [FORM.data16]: 16,
  [FORM.flag]: 1, [FORM.flag_present]: 0, [FORM.ref1]: 1, [FORM.ref2]: 2, [FORM.ref4]: 4, [FORM.ref8]: 8,
  [FORM.ref_sig8]: 8, [FORM.implicit_const]: 0, [FORM.strx1]: 1, [FORM.strx2]: 2, [FORM.strx3]: 3,
  [FORM.strx4]: 4, [FORM.addrx1]: 1, [FORM.addrx2]: 2, [FORM.addrx3]: 3, [FORM.addrx4]: 4, [FORM.ref_sup4]: 4,
  [FORM.ref_sup8]: 8,
};

export function parseAbbrevs(buf: Buffer, offset: number, offsetSize: number): Map<number, Abbrev> {
  const r = new Reader(buf, offset);
  const out = new Map<number, Abbrev>();
  for (;;) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const hasChildren = r.u8() === 1;
    const attrs: number[] = [];
    const forms: number[] = [];
    const implicit: number[] = [];
    let fixed = 0;
    for (;;) {
      const at = r.uleb();
      const form = r.uleb();
      if (at === 0 && form === 0) break;
      implicit[attrs.length] = form === FORM.implicit_const ? r.sleb() : 0;
      attrs.push(at);
      forms.push(form);
      const size = formFixedSize(form, offsetSize);
      fixed = fixed < 0 || size < 0 ? -1 : fixed + size;
    }
    out.set(code, new Abbrev(code, tag, hasChildren, attrs, forms, implicit, fixed));
  }
  return out;
}

function formFixedSize(form: number, offsetSize: number): number {
  const f = FIXED_SIZE[form];
  if (f !== undefined) return f;
  if (form === FORM.strp || form === FORM.sec_offset || form === FORM.ref_addr || form === FORM.line_strp
    || form === FORM.strp_sup || form === FORM.GNU_ref_alt || form === FORM.GNU_strp_alt) return offsetSize;
  return -1;
}

/** An attribute value as decoded from .debug_info, before any section lookups. */
export type RawValue = number | bigint | Buffer;

export class Die {
  private kids?: Die[];
  private vals?: RawValue[];

  constructor(
    readonly unit: Unit,
    readonly offset: number,
    readonly abbrev: Abbrev,
    /** Where the attribute values start in .debug_info. */
    private readonly attrPos: number,
    readonly parent: Die | undefined,
  ) {}

  get tag(): number {
    return this.abbrev.tag;
  }

  /** Child DIEs; asking for them builds the unit's whole tree once. */
  get children(): Die[] {
    if (!this.kids) this.unit.ensureTree();
    return (this.kids ??= []);
  }

  set children(list: Die[]) {
    this.kids = list;
  }

  private values(): RawValue[] {
    if (!this.vals) this.vals = this.unit.decodeAttributes(this.abbrev, this.attrPos);
    return this.vals;
  }

  has(at: number): boolean {
    return this.abbrev.attrs.includes(at);
  }

  formOf(at: number): number | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    return i < 0 ? undefined : this.abbrev.forms[i];
  }

  raw(at: number): RawValue | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    return i < 0 ? undefined : this.values()[i];
  }

  /** Constant attribute as a number (sizes, lines, offsets, bounds). */
  num(at: number): number | undefined {
    const v = this.raw(at);
    if (v === undefined) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(BigInt.asIntN(64, v));
    return undefined;
  }

  /** Constant as a signed number, re-interpreting dataN forms as two's complement. */
  snum(at: number): number | undefined {
    const v = this.raw(at);
    const form = this.formOf(at);
    if (typeof v === 'number') {
      if (form === FORM.data1) return (v << 24) >> 24;
      if (form === FORM.data2) return (v << 16) >> 16;
      if (form === FORM.data4) return v | 0;
      return v;
    }
    if (typeof v === 'bigint') return Number(BigInt.asIntN(64, v));
    return undefined;
  }

  flag(at: number): boolean {
    const v = this.raw(at);
    return v !== undefined && v !== 0;
  }

  str(at: number): string | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return undefined;
    return this.unit.resolveString(this.abbrev.forms[i], this.values()[i]);
  }

  /** Address-class attribute (DW_FORM_addr, addrx*), unrelocated. */
  addr(at: number): bigint | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return undefined;
    return this.unit.resolveAddress(this.abbrev.forms[i], this.values()[i]);
  }

  ref(at: number): Die | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return undefined;
    const form = this.abbrev.forms[i];
    const v = this.values()[i];
    if (form === FORM.ref_addr) return this.unit.info.dieAt(v as number);
    if (form === FORM.ref_sig8) return this.unit.info.typeBySignature(v as bigint);
    if (form === FORM.GNU_ref_alt || form === FORM.ref_sup4 || form === FORM.ref_sup8) {
      return undefined; // supplementary (dwz) files are not read
    }
    // Unit-relative: look in this unit directly (type units live in .debug_types too).
    return this.unit.dieAt(this.unit.offset + (v as number));
  }

  block(at: number): Buffer | undefined {
    const v = this.raw(at);
    return Buffer.isBuffer(v) ? v : undefined;
  }

  /** Name, following abstract_origin/specification like gdb does. */
  get name(): string | undefined {
    const n = this.str(AT.name);
    if (n !== undefined) return n;
    const origin = this.ref(AT.abstract_origin) ?? this.ref(AT.specification);
    return origin && origin !== this ? origin.name : undefined;
  }

  /** Attribute on this DIE or, failing that, on its abstract origin / specification. */
  inherited<T>(get: (d: Die) => T | undefined): T | undefined {
    let d: Die | undefined = this;
    for (let i = 0; d && i < 4; i++) {
      const v = get(d);
      if (v !== undefined) return v;
      d = d.ref(AT.abstract_origin) ?? d.ref(AT.specification);
    }
    return undefined;
  }

  /** Type DIE (undefined for void). */
  get type(): Die | undefined {
    return this.inherited((d) => d.ref(AT.type));
  }

  /** [low, high) pc ranges (unrelocated): low_pc/high_pc or DW_AT_ranges. */
  ranges(): Array<[bigint, bigint]> {
    const low = this.addr(AT.low_pc);
    if (low !== undefined && this.has(AT.high_pc)) {
      const hf = this.formOf(AT.high_pc)!;
      const high = hf === FORM.addr || (hf >= FORM.addrx1 && hf <= FORM.addrx4) || hf === FORM.addrx
        ? this.addr(AT.high_pc)! : low + BigInt(this.num(AT.high_pc)!);
      return [[low, high]];
    }
    if (this.has(AT.ranges)) return this.unit.info.rangeList(this);
    return low !== undefined ? [[low, low + 1n]] : [];
  }

  containsPc(pc: bigint): boolean {
    for (const [lo, hi] of this.ranges()) if (pc >= lo && pc < hi) return true;
    return false;
  }
}

/** What a Unit needs from its owner: other sections and DIEs of other units. */
export interface UnitOwner {
  readonly sections: DwarfSections;
  dieAt(offset: number): Die | undefined;
  /** The type DIE of a type unit (DW_FORM_ref_sig8). */
  typeBySignature(sig: bigint): Die | undefined;
  rangeList(die: Die): Array<[bigint, bigint]>;
}

export class Unit {
  readonly version: number;
  readonly unitType: number;
  readonly offsetSize: number;
  readonly addrSize: number;
  /** First offset after this unit. */
  readonly end: number;
  private readonly abbrevOffset: number;
  private readonly firstDie: number;
  private abbrevs?: Map<number, Abbrev>;
  private rootDie?: Die;
  private dies?: Map<number, Die>;
  /** The unit DIE's children, made at load without the deeper levels (see topLevel). */
  private shallow?: Map<number, Die>;
  private bases?: { str: number; addr: number; rng: number; loc: number };

  /** Type units: their signature and the offset of their type DIE. */
  readonly typeSignature?: bigint;
  readonly typeOffset?: number;
  /** The section the unit lives in: .debug_info, or .debug_types for DWARF 4 type units. */
  private readonly buf: Buffer;

  constructor(readonly info: UnitOwner, readonly offset: number, inTypesSection = false) {
    const buf = (inTypesSection ? info.sections.types : info.sections.info)!;
    this.buf = buf;
    const r = new Reader(buf, offset);
    const [length, offsetSize] = r.initialLength();
    this.offsetSize = offsetSize;
    this.end = r.pos + length;
    this.version = r.u16();
    if (this.version < 2 || this.version > 5) throw new DwarfError(`wrong version in compilation unit header (is ${this.version}, should be 2, 3, 4 or 5)`);
    if (this.version >= 5) {
      this.unitType = r.u8();
      this.addrSize = r.u8();
      this.abbrevOffset = r.offset(offsetSize);
      if (this.unitType === UT.skeleton || this.unitType === UT.split_compile) r.pos += 8; // dwo_id
      else if (this.unitType === UT.type || this.unitType === UT.split_type) {
        this.typeSignature = r.u64();
        this.typeOffset = r.offset(offsetSize);
      }
    } else {
      this.unitType = inTypesSection ? UT.type : UT.compile;
      this.abbrevOffset = r.offset(offsetSize);
      this.addrSize = r.u8();
      if (inTypesSection) {
        this.typeSignature = r.u64();
        this.typeOffset = r.offset(offsetSize);
      }
    }
    this.firstDie = r.pos;
  }

  private get abbrevTable(): Map<number, Abbrev> {
    if (!this.abbrevs) this.abbrevs = parseAbbrevs(this.info.sections.abbrev!, this.abbrevOffset, this.offsetSize);
    return this.abbrevs;
  }

  /** The unit DIE (DW_TAG_compile_unit), parsed without the rest of the tree. */
  get root(): Die {
    if (!this.rootDie) {
      if (this.dies) this.rootDie = this.dies.get(this.firstDie)!;
      else {
        const r = new Reader(this.buf, this.firstDie);
        const code = r.uleb();
        const ab = this.abbrevTable.get(code);
        if (!ab) throw new DwarfError(`bad abbreviation code ${code} at 0x${this.firstDie.toString(16)}`);
        this.rootDie = new Die(this, this.firstDie, ab, r.pos, undefined);
      }
    }
    return this.rootDie;
  }

  get name(): string {
    return this.root.str(AT.name) ?? '';
  }
  get compDir(): string {
    return this.root.str(AT.comp_dir) ?? '';
  }
  /** Base address for location and range lists (DW_AT_low_pc of the unit). */
  get baseAddress(): bigint {
    return this.root.addr(AT.low_pc) ?? 0n;
  }

  /** The whole DIE tree; built on first call. */
  get tree(): Die {
    this.buildTree();
    return this.rootDie!;
  }

  dieAt(offset: number): Die | undefined {
    // References from top-level DIEs mostly land on top-level DIEs: no need for the whole tree.
    const top = this.dies ? undefined : this.shallow?.get(offset);
    if (top) return top;
    this.buildTree();
    return this.dies!.get(offset);
  }

  ensureTree(): void {
    this.buildTree();
  }

  /**
   * The unit DIE's children (functions, variables, types), read without
   * building the deeper levels: what the load-time index needs. Subtrees are
   * skipped through DW_AT_sibling when the compiler gave it, else by walking
   * their abbreviations without creating objects.
   */
  topLevel(): Die[] {
    if (this.dies) return this.root.children;
    if (!this.shallow) {
      const root = this.root;
      const out = new Map<number, Die>();
      const r = new Reader(this.buf, this.firstDie);
      r.uleb();
      this.skipDieAttributes(r, root.abbrev);
      if (root.abbrev.hasChildren) {
        while (r.pos < this.end) {
          const off = r.pos;
          const code = r.uleb();
          if (code === 0) break;
          const ab = this.abbrevTable.get(code);
          if (!ab) throw new DwarfError(`bad abbreviation code ${code} at 0x${off.toString(16)}`);
          const die = new Die(this, off, ab, r.pos, root);
          out.set(off, die);
          this.skipDieAttributes(r, ab);
          if (!ab.hasChildren) continue;
          const sib = ab.attrs.includes(AT.sibling) ? die.num(AT.sibling) : undefined;
          if (sib !== undefined && this.offset + sib > r.pos && this.offset + sib <= this.end) r.pos = this.offset + sib;
          else this.skipSubtree(r);
        }
      }
      this.shallow = out;
    }
    return [...this.shallow.values()];
  }

  private skipDieAttributes(r: Reader, ab: Abbrev): void {
    if (ab.fixedSize >= 0) r.pos += ab.fixedSize;
    else this.skipAttributes(r, ab);
  }

  /** Past the children of the DIE just read (up to and including their end marker). */
  private skipSubtree(r: Reader): void {
    let depth = 1;
    while (depth > 0 && r.pos < this.end) {
      const code = r.uleb();
      if (code === 0) {
        depth--;
        continue;
      }
      const ab = this.abbrevTable.get(code);
      if (!ab) throw new DwarfError(`bad abbreviation code ${code} at 0x${(r.pos - 1).toString(16)}`);
      this.skipDieAttributes(r, ab);
      if (ab.hasChildren) depth++;
    }
  }

  /** All DIEs of the unit in file order. */
  allDies(): IterableIterator<Die> {
    this.buildTree();
    return this.dies!.values();
  }

  private buildTree(): void {
    if (this.dies) return;
    const dies = new Map<number, Die>();
    const buf = this.buf;
    const abbrevs = this.abbrevTable;
    const r = new Reader(buf, this.firstDie);
    const stack: Die[] = [];
    let root: Die | undefined;
    while (r.pos < this.end) {
      const off = r.pos;
      const code = r.uleb();
      if (code === 0) {
        stack.pop();
        if (stack.length === 0) break;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) throw new DwarfError(`bad abbreviation code ${code} at 0x${off.toString(16)}`);
      const parent = stack[stack.length - 1];
      // Top-level DIEs handed out by topLevel() stay the same objects.
      const die = this.shallow?.get(off) ?? new Die(this, off, ab, r.pos, parent);
      die.children = [];
      if (parent) parent.children.push(die);
      else if (!root) root = die;
      dies.set(off, die);
      if (ab.fixedSize >= 0) r.pos += ab.fixedSize;
      else this.skipAttributes(r, ab);
      if (ab.hasChildren) stack.push(die);
      else if (!parent) break; // a unit DIE without children
    }
    this.dies = dies;
    // Keep an already-handed-out root object identical to the tree's root.
    if (this.rootDie && root) {
      dies.set(this.rootDie.offset, this.rootDie);
      this.rootDie.children = root.children;
      for (const c of root.children) (c as { parent: Die | undefined }).parent = this.rootDie;
    } else this.rootDie = root;
  }

  private skipAttributes(r: Reader, ab: Abbrev): void {
    for (let i = 0; i < ab.forms.length; i++) this.skipForm(r, ab.forms[i]);
  }

  private skipForm(r: Reader, form: number): void {
    const fixed = formFixedSize(form, this.offsetSize);
    if (fixed >= 0) {
      r.pos += form === FORM.addr ? this.addrSize : fixed;
      return;
    }
    switch (form) {
      case FORM.string: r.skipCstr(); return;
      // Read the length first: `r.pos += r.u8()` would add it to the old position.
      case FORM.block1: { const n = r.u8(); r.pos += n; return; }
      case FORM.block2: { const n = r.u16(); r.pos += n; return; }
      case FORM.block4: { const n = r.u32(); r.pos += n; return; }
      case FORM.block: case FORM.exprloc: { const n = r.uleb(); r.pos += n; return; }
      case FORM.indirect: this.skipForm(r, r.uleb()); return;
      default: r.skipLeb(); // udata, sdata, ref_udata, strx, addrx, loclistx, rnglistx, GNU_*_index
    }
  }

  decodeAttributes(ab: Abbrev, pos: number): RawValue[] {
    const r = new Reader(this.buf, pos);
    const out: RawValue[] = new Array(ab.forms.length);
    for (let i = 0; i < ab.forms.length; i++) {
      out[i] = ab.forms[i] === FORM.implicit_const ? ab.implicit[i] : this.readForm(r, ab.forms[i]);
    }
    return out;
  }

  private readForm(r: Reader, form: number): RawValue {
    switch (form) {
      case FORM.addr: return r.addr(this.addrSize);
      case FORM.data1: case FORM.ref1: case FORM.flag: case FORM.strx1: case FORM.addrx1: return r.u8();
      case FORM.data2: case FORM.ref2: case FORM.strx2: case FORM.addrx2: return r.u16();
      case FORM.strx3: case FORM.addrx3: return r.u24();
      case FORM.data4: case FORM.ref4: case FORM.strx4: case FORM.addrx4: case FORM.ref_sup4: return r.u32();
      case FORM.data8: {
        const v = r.u64();
        return v <= 0x1fffffffffffffn ? Number(v) : v;
      }
      case FORM.ref_sig8: return r.u64();
      case FORM.ref8: case FORM.ref_sup8: return r.u64n();
      case FORM.data16: return r.bytes(16);
      case FORM.sdata: return r.sleb();
      case FORM.udata: case FORM.ref_udata: case FORM.strx: case FORM.addrx: case FORM.loclistx:
      case FORM.rnglistx: case FORM.GNU_addr_index: case FORM.GNU_str_index:
        return r.uleb();
      case FORM.string: {
        const p = r.pos; // resolved lazily by resolveString
        r.skipCstr();
        return p;
      }
      case FORM.strp: case FORM.line_strp: case FORM.sec_offset: case FORM.ref_addr: case FORM.strp_sup:
      case FORM.GNU_ref_alt: case FORM.GNU_strp_alt:
        return r.offset(this.offsetSize);
      case FORM.block1: return r.bytes(r.u8());
      case FORM.block2: return r.bytes(r.u16());
      case FORM.block4: return r.bytes(r.u32());
      case FORM.block: case FORM.exprloc: return r.bytes(r.uleb());
      case FORM.flag_present: return 1;
      case FORM.implicit_const: return 0;
      case FORM.indirect: return this.readForm(r, r.uleb());
      default:
        throw new DwarfError(`unknown DWARF form 0x${form.toString(16)}`);
    }
  }

  /** DW_AT_str_offsets_base, addr_base, rnglists_base, loclists_base of the unit DIE. */
  private get baseOffsets(): { str: number; addr: number; rng: number; loc: number } {
    if (!this.bases) {
      const root = this.root;
      const hdr = this.offsetSize === 8 ? 16 : 8;
      this.bases = {
        str: root.num(AT.str_offsets_base) ?? hdr,
        addr: root.num(AT.addr_base) ?? root.num(AT.GNU_addr_base) ?? hdr,
        rng: root.num(AT.rnglists_base) ?? 0,
        loc: root.num(AT.loclists_base) ?? 0,
      };
    }
    return this.bases;
  }

  resolveString(form: number, v: RawValue): string | undefined {
    const s = this.info.sections;
    switch (form) {
      case FORM.string: return strAt(this.buf, v as number);
      case FORM.strp: return strAt(s.str, v as number);
      case FORM.line_strp: return strAt(s.lineStr, v as number);
      case FORM.strx: case FORM.strx1: case FORM.strx2: case FORM.strx3: case FORM.strx4: case FORM.GNU_str_index: {
        const so = s.strOffsets;
        if (!so) return undefined;
        const p = this.baseOffsets.str + (v as number) * this.offsetSize;
        const off = this.offsetSize === 8 ? Number(so.readBigUInt64LE(p)) : so.readUInt32LE(p);
        return strAt(s.str, off);
      }
      default: return undefined;
    }
  }

  resolveAddress(form: number, v: RawValue): bigint | undefined {
    if (form === FORM.addr) return v as bigint;
    if (form === FORM.addrx || form === FORM.GNU_addr_index || (form >= FORM.addrx1 && form <= FORM.addrx4)) {
      return this.addressIndex(v as number);
    }
    if (typeof v === 'number') return BigInt(v);
    return typeof v === 'bigint' ? v : undefined;
  }

  /** Entry `index` of this unit's .debug_addr contribution. */
  addressIndex(index: number): bigint {
    const a = this.info.sections.addr;
    if (!a) throw new DwarfError('DW_FORM_addrx without .debug_addr');
    const p = this.baseOffsets.addr + index * this.addrSize;
    return this.addrSize === 8 ? a.readBigUInt64LE(p) : BigInt(a.readUInt32LE(p));
  }

  /** Offset in .debug_rnglists / .debug_loclists of list `index` (rnglistx/loclistx forms). */
  listOffset(kind: 'rng' | 'loc', index: number): number {
    const sec = kind === 'rng' ? this.info.sections.rnglists : this.info.sections.loclists;
    const base = kind === 'rng' ? this.baseOffsets.rng : this.baseOffsets.loc;
    if (!sec) throw new DwarfError(`DW_FORM_${kind}listx without its section`);
    const p = base + index * this.offsetSize;
    return base + (this.offsetSize === 8 ? Number(sec.readBigUInt64LE(p)) : sec.readUInt32LE(p));
  }

  /** Offset of the list an attribute (sec_offset or *listx form) designates. */
  listOffsetOf(die: Die, at: number, kind: 'rng' | 'loc'): number | undefined {
    const form = die.formOf(at);
    const v = die.num(at);
    if (form === undefined || v === undefined) return undefined;
    if (form === FORM.rnglistx || form === FORM.loclistx) return this.listOffset(kind, v);
    return v;
  }

  get isTypeUnit(): boolean {
    return this.unitType === UT.type || this.unitType === UT.split_type;
  }
}
