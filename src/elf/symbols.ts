/**
 * Symbol tables of one ELF image (gdb's "minimal symbols"): name -> address
 * and address -> nearest preceding symbol, with the image's load bias applied.
 */
import { lastAtOrBelow } from './sorted.js';
import {
  ElfFile, RawSymbol, SHN_UNDEF, SHN_ABS, STB_GLOBAL, STB_WEAK, STB_LOCAL,
  STT_FUNC, STT_OBJECT, STT_NOTYPE, STT_GNU_IFUNC, STT_COMMON,
} from './elf.js';

export type SymbolKind = 'function' | 'object' | 'other';

export interface ElfSymbol {
  name: string;
  /** Run-time address (file value + load bias). */
  address: bigint;
  size: bigint;
  kind: SymbolKind;
  bind: 'local' | 'global' | 'weak';
  /** Name of the section the symbol lives in ('.text', '.data', ...), '' if none. */
  section: string;
  /** An STT_GNU_IFUNC: its address is the resolver's. */
  ifunc?: boolean;
}

/**
 * The name gdb prints for a symbol: gcc's local statics (`version.0`, a
 * function's `static char version[15]`) without their numbered suffix.
 */
export function printName(s: ElfSymbol): string {
  const m = s.bind === 'local' && s.kind === 'object' ? /^(.+)\.\d+$/.exec(s.name) : null;
  return m ? m[1]! : s.name;
}

const SHF_EXECINSTR = 0x4n;

/**
 * Whether gdb names an address after this symbol in `<...>` (build_address_symbolic):
 * not after a zero-sized one outside code (`_GLOBAL_OFFSET_TABLE_`, `_end`);
 * `info symbol` still finds those.
 */
export function namesAddresses(s: ElfSymbol, elf: ElfFile | undefined): boolean {
  if (s.size !== 0n || s.kind === 'function') return true;
  const sec = s.section ? elf?.section(s.section) : undefined;
  return sec !== undefined && (sec.flags & SHF_EXECINSTR) !== 0n;
}

export interface SymbolLocation {
  symbol: ElfSymbol;
  name: string;
  /** addr - symbol.address */
  offset: bigint;
}

function kindOf(type: number): SymbolKind | undefined {
  switch (type) {
    case STT_FUNC:
    case STT_GNU_IFUNC:
      return 'function';
    case STT_OBJECT:
    case STT_COMMON:
      return 'object';
    case STT_NOTYPE:
      return 'other';
    default:
      return undefined; // sections, files, TLS offsets: not addresses
  }
}

function bindOf(b: number): ElfSymbol['bind'] | undefined {
  if (b === STB_GLOBAL) return 'global';
  if (b === STB_WEAK) return 'weak';
  if (b === STB_LOCAL) return 'local';
  return 'global'; // STB_GNU_UNIQUE and OS-specific bindings behave as global for lookup
}

/** Rank when several symbols share an address: the one gdb would print wins. */
function preference(s: ElfSymbol): number {
  const b = s.bind === 'global' ? 0 : s.bind === 'weak' ? 1 : 2;
  const k = s.kind === 'function' ? 0 : s.kind === 'object' ? 0 : 3;
  return k * 4 + b;
}

export class SymbolTable {
  /** Sorted by address, one entry per address (the preferred symbol). */
  private readonly sorted: ElfSymbol[];
  private readonly byName = new Map<string, ElfSymbol>();
  readonly all: ElfSymbol[];

  /** @param extra another image of the same file (its separate debug file) whose symbols join these */
  constructor(readonly elf: ElfFile, readonly bias: bigint, extra?: ElfFile) {
    this.all = this.collect(elf, bias);
    if (extra) {
      const have = new Set(this.all.map((x) => `${x.name}@${x.address}`));
      for (const x of this.collect(extra, bias)) {
        if (have.has(`${x.name}@${x.address}`)) continue;
        this.all.push(x);
        this.fromExtra.add(x);
      }
    }
    for (const s of this.all) {
      const prev = this.byName.get(s.name);
      // .symtab and .dynsym repeat globals; a global beats a file-local of the same name.
      if (!prev || preference(s) < preference(prev)) this.byName.set(s.name, s);
    }
    // gdb names addresses from .symtab alone when there is one (elf_symtab_read skips .dynsym
    // then): `<stderr@GLIBC_2.2.5>`, the copy-relocated variable's .symtab name
    const naming = this.all.filter((x) => !this.fromDynsym.has(x));
    // at one address a sized symbol wins over zero-sized ones (gdb's best_zero_sized: `stderr@GLIBC_2.2.5`, not `__TMC_END__`)
    const zero = (x: ElfSymbol) => (x.size === 0n ? 1 : 0);
    // then the image's own symbols over its debug file's (gdb asks the objfile before its separate
    // debug objfile), and of several names the last in strcmp order (gdb's minimal symbols sort by
    // address, then name, and take the last): `printf`, not `_IO_printf`
    const own = (x: ElfSymbol) => (this.fromExtra.has(x) ? 1 : 0);
    const byName = (a: ElfSymbol, b: ElfSymbol) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
    const sorted = naming.sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : zero(a) - zero(b) || own(a) - own(b) || byName(a, b));
    this.sorted = sorted.filter((s, i) => i === 0 || sorted[i - 1].address !== s.address);
  }

  /** Symbols that only the separate debug file has. */
  private readonly fromExtra = new Set<ElfSymbol>();

  /** .dynsym's symbols of an image that has a .symtab: found by name, never naming an address. */
  private readonly fromDynsym = new Set<ElfSymbol>();

  private collect(elf: ElfFile, bias: bigint): ElfSymbol[] {
    const seen = new Set<string>();
    const out: ElfSymbol[] = [];
    const raw = elf.rawSymbols();
    const hasSymtab = raw.some((r) => r.table === 'symtab');
    for (const r of [...raw, ...elf.pltSymbols()]) {
      const sym = SymbolTable.convert(elf, r, bias);
      if (!sym) continue;
      const key = `${sym.name}@${sym.address}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(sym);
      if (hasSymtab && r.table === 'dynsym') this.fromDynsym.add(sym);
    }
    return out;
  }

  private static convert(elf: ElfFile, r: RawSymbol, bias: bigint): ElfSymbol | undefined {
    const kind = kindOf(r.type);
    if (!kind || r.name === '' || r.shndx === SHN_UNDEF) return undefined;
    const bind = bindOf(r.bind)!;
    const absolute = r.shndx === SHN_ABS || r.shndx >= 0xff00;
    if (absolute) return undefined; // not an address in this image
    const sec = elf.sections[r.shndx];
    // Version suffixes only appear in dynsym via versym; names here are plain.
    const sym: ElfSymbol = { name: r.name, address: r.value + bias, size: r.size, kind, bind, section: sec?.name ?? '' };
    if (r.type === STT_GNU_IFUNC) sym.ifunc = true;
    return sym;
  }

  symbolByName(name: string): ElfSymbol | undefined {
    return this.byName.get(name);
  }

  /**
   * The symbol covering addr, gdb-style: the nearest symbol at or below addr
   * whose size covers it; a zero-sized symbol covers up to the next symbol.
   */
  symbolAt(addr: bigint): SymbolLocation | undefined {
    const a = this.sorted;
    const idx = lastAtOrBelow(a, addr, (s) => s.address);
    // Bounded walk: nested/overlapping sized symbols are rare and close together.
    for (let i = idx; i >= 0 && i > idx - 64; i--) {
      const s = a[i];
      if (s.size > 0n) {
        if (addr < s.address + s.size) return { symbol: s, name: printName(s), offset: addr - s.address };
        // Sized symbol that ends before addr: an earlier, larger one may still cover it.
        continue;
      }
      if (i === idx && this.inSection(s, addr)) return { symbol: s, name: printName(s), offset: addr - s.address };
    }
    return undefined;
  }

  /**
   * A zero-sized symbol covers up to the next one only inside its own section,
   * as gdb's minimal symbols: the PLT's first stub after `_init` (.init) is `??`.
   */
  private inSection(s: ElfSymbol, addr: bigint): boolean {
    const sec = s.section ? this.elf.section(s.section) : undefined;
    if (!sec || sec.addr === 0n) return true; // (no section header to bound it: as before)
    return addr < sec.addr + BigInt(sec.size) + this.bias;
  }

  /** Symbols whose name matches, e.g. for completion or `info functions REGEX`. */
  matching(re: RegExp): ElfSymbol[] {
    return [...this.byName.values()].filter((s) => re.test(s.name));
  }
}
