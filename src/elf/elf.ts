/**
 * ELF64 little-endian (x86-64) file parsing: header, section headers, program
 * headers, and the raw symbol tables. Only what a debugger needs; the file is
 * read once into memory and sections are handed out as zero-copy subarrays.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// zlib only for compressed debug sections (SHF_COMPRESSED), loaded then: it is a fair share of start-up
const zlib = (): typeof import('node:zlib') => createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const SHT_NOBITS = 8;
export const SHT_SYMTAB = 2;
export const SHT_DYNSYM = 11;
export const SHN_UNDEF = 0;
export const SHF_COMPRESSED = 0x800n;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
export const SHN_ABS = 0xfff1;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export interface SectionHeader {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: bigint;
  entsize: number;
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

/**
 * The first `count` entries of an ELF64 program header table (those that fit
 * in `table`): from a file, or from a process's memory (AT_PHDR, a mapped header).
 */
export function parseProgramHeaders(table: Buffer, count: number, entsize = 56): ProgramHeader[] {
  const out: ProgramHeader[] = [];
  for (let i = 0; i < count && i * entsize + 56 <= table.length; i++) {
    const p = i * entsize;
    out.push({
      type: table.readUInt32LE(p),
      flags: table.readUInt32LE(p + 4),
      offset: table.readBigUInt64LE(p + 8),
      vaddr: table.readBigUInt64LE(p + 16),
      paddr: table.readBigUInt64LE(p + 24),
      filesz: table.readBigUInt64LE(p + 32),
      memsz: table.readBigUInt64LE(p + 40),
      align: table.readBigUInt64LE(p + 48),
    });
  }
  return out;
}

/** One entry of .symtab or .dynsym, value not yet relocated by the load bias. */
export interface RawSymbol {
  name: string;
  value: bigint;
  size: bigint;
  type: number;     // STT_*
  bind: number;     // STB_*
  shndx: number;
  /** 'symtab' | 'dynsym': where it came from. */
  table: string;
}

export class ElfFile {
  readonly type: number;
  readonly machine: number;
  readonly entry: bigint;
  readonly phoff: bigint;
  readonly sections: SectionHeader[];
  readonly programHeaders: ProgramHeader[];
  private readonly byName = new Map<string, SectionHeader>();
  private readonly decompressed = new Map<string, Buffer>();

  constructor(readonly data: Buffer, readonly path = '<memory>') {
    if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46) {
      throw new ElfError(`${path}: not an ELF file`);
    }
    if (data[4] !== 2) throw new ElfError(`${path}: not a 64-bit ELF file`);
    if (data[5] !== 1) throw new ElfError(`${path}: not a little-endian ELF file`);
    this.type = data.readUInt16LE(16);
    this.machine = data.readUInt16LE(18);
    this.entry = data.readBigUInt64LE(24);
    this.phoff = data.readBigUInt64LE(32);
    this.programHeaders = this.readProgramHeaders();
    this.sections = this.readSections();
    for (const s of this.sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  static load(path: string): ElfFile {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      throw new ElfError(`${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot read'}`);
    }
    return new ElfFile(data, path);
  }

  /** Position-independent (ET_DYN): loaded at a bias chosen by the kernel/ld.so. */
  get isPie(): boolean {
    return this.type === ET_DYN;
  }

  section(name: string): SectionHeader | undefined {
    return this.byName.get(name);
  }

  /** Contents of a section (empty for NOBITS, decompressed if SHF_COMPRESSED), or undefined if absent. */
  sectionData(name: string): Buffer | undefined {
    const s = this.byName.get(name);
    if (!s) return undefined;
    if (s.type === SHT_NOBITS) return Buffer.alloc(0);
    if (s.offset + s.size > this.data.length) throw new ElfError(`${this.path}: section ${name} is truncated`);
    const raw = this.data.subarray(s.offset, s.offset + s.size);
    if ((s.flags & SHF_COMPRESSED) === 0n) return raw;
    let cached = this.decompressed.get(name);
    if (!cached) {
      cached = decompressSection(raw, `${this.path}: ${name}`);
      this.decompressed.set(name, cached);
    }
    return cached;
  }

  /** Lowest p_vaddr of the PT_LOAD segments, page aligned: where the image starts. */
  get firstLoadVaddr(): bigint {
    let lo: bigint | undefined;
    for (const ph of this.programHeaders) {
      if (ph.type !== PT_LOAD) continue;
      const a = ph.vaddr & ~0xfffn;
      if (lo === undefined || a < lo) lo = a;
    }
    return lo ?? 0n;
  }

  /** Virtual address of the program headers in memory (what AT_PHDR points to, minus the bias). */
  get phdrVaddr(): bigint | undefined {
    const pt = this.programHeaders.find((p) => p.type === PT_PHDR);
    if (pt) return pt.vaddr;
    // No PT_PHDR: the headers live in the segment that maps file offset phoff.
    for (const ph of this.programHeaders) {
      if (ph.type === PT_LOAD && this.phoff >= ph.offset && this.phoff < ph.offset + ph.filesz) {
        return ph.vaddr + (this.phoff - ph.offset);
      }
    }
    return undefined;
  }

  /** Program interpreter (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2. */
  get interpreter(): string | undefined {
    const ph = this.programHeaders.find((p) => p.type === PT_INTERP);
    if (!ph) return undefined;
    const start = Number(ph.offset);
    const end = this.data.indexOf(0, start);
    return this.data.toString('latin1', start, end < 0 ? start + Number(ph.filesz) : end);
  }

  /** Symbols of .symtab (or [] when stripped) and .dynsym. */
  rawSymbols(): RawSymbol[] {
    const out: RawSymbol[] = [];
    for (const s of this.sections) {
      if (s.type === SHT_SYMTAB) this.readSymbolTable(s, 'symtab', out);
      else if (s.type === SHT_DYNSYM) this.readSymbolTable(s, 'dynsym', out);
    }
    return out;
  }

  /**
   * `name@plt` for each PLT stub (.plt, .plt.sec, .plt.got), as gdb (BFD's
   * synthetic symbols) names them: each stub's `jmp *slot(%rip)` is decoded
   * and the GOT slot's dynamic relocation gives the symbol.
   */
  pltSymbols(): RawSymbol[] {
    const relocs = new Map<bigint, string>();
    const dynsym = this.sections.find((x) => x.type === SHT_DYNSYM);
    if (!dynsym) return [];
    const names: string[] = [];
    this.readSymbolTable(dynsym, 'dynsym', [], names);
    for (const sec of ['.rela.plt', '.rela.dyn']) {
      const rel = this.sectionData(sec);
      if (!rel) continue;
      for (let o = 0; o + 24 <= rel.length; o += 24) {
        const sym = Number(rel.readBigUInt64LE(o + 8) >> 32n);
        if (sym > 0 && names[sym]) relocs.set(rel.readBigUInt64LE(o), names[sym]);
      }
    }
    const out: RawSymbol[] = [];
    // gdb's elf_rel_plt_read_minimal_symbols: `name@got.plt` for each .rela.plt slot in .got.plt
    const got = this.section('.got.plt') ?? this.section('.got');
    const relplt = this.sectionData('.rela.plt');
    for (let o = 0; got && relplt && o + 24 <= relplt.length; o += 24) {
      const slot = relplt.readBigUInt64LE(o);
      const name = names[Number(relplt.readBigUInt64LE(o + 8) >> 32n)];
      if (!name || slot < got.addr || slot >= got.addr + BigInt(got.size)) continue;
      out.push({ name: `${name}@got.plt`, value: slot, size: 8n, type: STT_OBJECT, bind: STB_LOCAL, shndx: got.index, table: 'plt' });
    }
    for (const [name, size, skip] of [['.plt', 16, 16], ['.plt.sec', 16, 0], ['.plt.got', 8, 0]] as const) {
      const sec = this.section(name);
      const code = this.sectionData(name);
      if (!sec || !code) continue;
      for (let o = skip; o + size <= code.length; o += size) {
        // endbr64 and a bnd prefix may come first; find the jmp *rel32(%rip) (ff 25).
        const at = code.subarray(o, o + size).indexOf(Buffer.from([0xff, 0x25]));
        if (at < 0 || o + at + 6 > code.length) continue;
        const slot = sec.addr + BigInt(o + at + 6) + BigInt(code.readInt32LE(o + at + 2));
        const target = relocs.get(slot);
        if (target) out.push({ name: `${target}@plt`, value: sec.addr + BigInt(o), size: BigInt(size), type: STT_FUNC, bind: STB_LOCAL, shndx: sec.index, table: 'plt' });
      }
    }
    return out;
  }

  private readProgramHeaders(): ProgramHeader[] {
    const d = this.data;
    const off = Number(this.phoff);
    const entsize = d.readUInt16LE(54);
    const num = d.readUInt16LE(56);
    if (off === 0 || num === 0) return [];
    if (entsize < 56 || off + num * entsize > d.length) throw new ElfError(`${this.path}: bad program header table`);
    return parseProgramHeaders(d.subarray(off, off + num * entsize), num, entsize);
  }

  private readSections(): SectionHeader[] {
    const d = this.data;
    const off = Number(d.readBigUInt64LE(40));
    const entsize = d.readUInt16LE(58);
    let num = d.readUInt16LE(60);
    let shstrndx = d.readUInt16LE(62);
    if (off === 0) return [];
    if (entsize < 64 || off + 64 > d.length) throw new ElfError(`${this.path}: bad section header table`);
    // Extended numbering: the real counts live in section 0.
    if (num === 0) num = Number(d.readBigUInt64LE(off + 32));
    if (shstrndx === 0xffff) shstrndx = d.readUInt32LE(off + 40);
    if (off + num * entsize > d.length) throw new ElfError(`${this.path}: truncated section header table`);
    const raw: SectionHeader[] = [];
    for (let i = 0; i < num; i++) {
      const p = off + i * entsize;
      raw.push({
        index: i,
        name: '',
        type: d.readUInt32LE(p + 4),
        flags: d.readBigUInt64LE(p + 8),
        addr: d.readBigUInt64LE(p + 16),
        offset: Number(d.readBigUInt64LE(p + 24)),
        size: Number(d.readBigUInt64LE(p + 32)),
        link: d.readUInt32LE(p + 40),
        info: d.readUInt32LE(p + 44),
        addralign: d.readBigUInt64LE(p + 48),
        entsize: Number(d.readBigUInt64LE(p + 56)),
      });
      raw[i].name = String(d.readUInt32LE(p)); // resolved below, once shstrtab is known
    }
    const strtab = raw[shstrndx];
    for (const s of raw) {
      s.name = strtab ? cString(d, strtab.offset + Number(s.name)) : '';
    }
    return raw;
  }

  private readSymbolTable(s: SectionHeader, table: string, out: RawSymbol[], names?: string[]): void {
    const d = this.data;
    const strtab = this.sections[s.link];
    if (!strtab) return;
    const entsize = s.entsize || 24;
    const n = Math.floor(s.size / entsize);
    for (let i = 1; i < n; i++) {
      const p = s.offset + i * entsize;
      const info = d[p + 4];
      if (names) {
        names[i] = cString(d, strtab.offset + d.readUInt32LE(p));
        continue;
      }
      out.push({
        name: cString(d, strtab.offset + d.readUInt32LE(p)),
        type: info & 0xf,
        bind: info >> 4,
        shndx: d.readUInt16LE(p + 6),
        value: d.readBigUInt64LE(p + 8),
        size: d.readBigUInt64LE(p + 16),
        table,
      });
    }
  }
}

/** Elf64_Chdr + payload -> the section's bytes (debug sections of distribution debug files). */
function decompressSection(raw: Buffer, what: string): Buffer {
  if (raw.length < 24) throw new ElfError(`${what}: bad compressed section header`);
  const type = raw.readUInt32LE(0);
  const size = Number(raw.readBigUInt64LE(8));
  if (type === ELFCOMPRESS_ZSTD) throw new ElfError(`${what}: zstd-compressed debug info is not supported`);
  if (type !== ELFCOMPRESS_ZLIB) throw new ElfError(`${what}: unknown compression type ${type}`);
  const out = zlib().inflateSync(raw.subarray(24));
  if (out.length !== size) throw new ElfError(`${what}: decompressed size mismatch`);
  return out;
}

/** NUL-terminated string at `off` (latin1: symbol names are bytes). */
export function cString(d: Buffer, off: number): string {
  let end = d.indexOf(0, off);
  if (end < 0) end = d.length;
  return d.toString('latin1', off, end);
}
