/**
 * The images mapped into a process: the executable (with its PIE load bias),
 * the shared libraries and the vDSO, each with its own bias and symbols,
 * loaded lazily the first time a lookup needs them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Mapping } from '../target/types.js';
import { ElfFile, ElfError, PT_LOAD } from './elf.js';
import { SymbolTable, type ElfSymbol, type SymbolLocation } from './symbols.js';

export const AT_PHDR = 3n;
export const AT_ENTRY = 9n;
export const AT_BASE = 7n;
export const AT_SYSINFO_EHDR = 33n;

/** What ProcessImage needs from a target (a subset of Target, so tests can pass a plain object). */
export interface ImageSource {
  readonly exePath: string;
  memoryMap(): Promise<Mapping[]>;
  auxv(): Promise<Array<[bigint, bigint]>>;
  readMemory?(addr: bigint, len: number): Promise<Buffer>;
}

/** Load bias of a PIE from the aux vector (AT_PHDR, else AT_ENTRY); 0 for ET_EXEC. */
export function biasFromAuxv(elf: ElfFile, auxv: Array<[bigint, bigint]>): bigint | undefined {
  if (!elf.isPie) return 0n;
  const get = (t: bigint) => auxv.find(([k]) => k === t)?.[1];
  const phdr = get(AT_PHDR);
  const pv = elf.phdrVaddr;
  if (phdr !== undefined && pv !== undefined) return phdr - pv;
  const entry = get(AT_ENTRY);
  if (entry !== undefined) return entry - elf.entry;
  return undefined;
}

/**
 * Load bias from /proc/PID/maps: the mapping of file offset 0 holds the first
 * PT_LOAD segment, so bias = its start - that segment's page-aligned vaddr.
 */
export function biasFromMaps(elf: ElfFile, maps: Mapping[], path: string): bigint | undefined {
  const own = maps.filter((m) => m.path === path);
  if (own.length === 0) return undefined;
  const first = own.find((m) => m.offset === 0n) ?? own.reduce((a, b) => (a.start < b.start ? a : b));
  return first.start - first.offset - elf.firstLoadVaddr;
}

/** Where distributions install separate debug files (libc6-dbg, *-dbgsym). */
const DEBUG_ROOT = '/usr/lib/debug';

/**
 * The separate debug file of an image, as gdb finds it: by build id under
 * /usr/lib/debug/.build-id/, else by .gnu_debuglink next to the file, in its
 * .debug/ directory, or under /usr/lib/debug/<dir>/.
 */
export function separateDebugFile(elf: ElfFile): string | undefined {
  const note = elf.sectionData('.note.gnu.build-id');
  if (note && note.length > 16) {
    const namesz = note.readUInt32LE(0);
    const descsz = note.readUInt32LE(4);
    const start = 12 + ((namesz + 3) & ~3);
    const id = note.subarray(start, start + descsz).toString('hex');
    const p = `${DEBUG_ROOT}/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
    if (id.length > 2 && existsSync(p)) return p;
  }
  const link = elf.sectionData('.gnu_debuglink');
  if (link && elf.path.startsWith('/')) {
    const name = link.toString('latin1', 0, Math.max(0, link.indexOf(0)));
    const dir = dirname(elf.path);
    for (const p of [join(dir, name), join(dir, '.debug', name), join(DEBUG_ROOT, dir, name)]) {
      if (p !== elf.path && existsSync(p)) return p;
    }
  }
  return undefined;
}

export class LoadedModule {
  private elfCache?: ElfFile | null;
  private symCache?: SymbolTable | null;
  /** Why the image could not be read, if it could not. */
  error?: string;

  constructor(
    /** Path as mapped ('[vdso]' for the vDSO). */
    readonly path: string,
    /** Lowest and highest address mapped from this image. */
    readonly start: bigint,
    readonly end: bigint,
    private biasValue: bigint | undefined,
    private readonly loader: () => ElfFile,
  ) {}

  static fromElf(elf: ElfFile, path: string, start: bigint, end: bigint, bias: bigint): LoadedModule {
    const m = new LoadedModule(path, start, end, bias, () => elf);
    m.elfCache = elf;
    return m;
  }

  get elf(): ElfFile | undefined {
    if (this.elfCache === undefined) {
      try {
        this.elfCache = this.loader();
      } catch (e) {
        this.elfCache = null;
        this.error = e instanceof ElfError ? e.message : String(e);
      }
    }
    return this.elfCache ?? undefined;
  }

  get bias(): bigint {
    if (this.biasValue === undefined) {
      const elf = this.elf;
      this.biasValue = elf ? this.start - elf.firstLoadVaddr : 0n;
    }
    return this.biasValue;
  }

  /**
   * .symtab + .dynsym; for a stripped library, also the .symtab of its
   * separate debug file (libc6-dbg names `_IO_stdfile_1_lock` and friends).
   */
  get symbols(): SymbolTable | undefined {
    if (this.symCache === undefined) {
      const elf = this.elf;
      let extra: ElfFile | undefined;
      if (elf && !elf.section('.symtab') && elf.path.startsWith('/')) {
        const path = separateDebugFile(elf);
        try {
          extra = path ? ElfFile.load(path) : undefined;
        } catch {
          extra = undefined; // unreadable debug file: the image's own symbols still work
        }
      }
      this.symCache = elf ? new SymbolTable(elf, this.bias, extra) : null;
    }
    return this.symCache ?? undefined;
  }

  /** In the image's mappings, or in its .bss past the last file-backed page (an anonymous mapping). */
  contains(addr: bigint): boolean {
    if (addr < this.start) return false;
    if (addr < this.end) return true;
    if (this.loadEnd === undefined) {
      const elf = this.elf;
      let hi = 0n;
      for (const ph of elf?.programHeaders ?? []) if (ph.type === PT_LOAD && ph.vaddr + ph.memsz > hi) hi = ph.vaddr + ph.memsz;
      this.loadEnd = hi ? hi + this.bias : this.end;
    }
    return addr < this.loadEnd;
  }

  private loadEnd?: bigint;

  /** Short name for display: 'libc.so.6'. */
  get basename(): string {
    const i = this.path.lastIndexOf('/');
    return i < 0 ? this.path : this.path.slice(i + 1);
  }
}

export interface ProcessSymbolLocation extends SymbolLocation {
  module: LoadedModule;
}

export class ProcessImage {
  private constructor(
    readonly exe: LoadedModule,
    private libs: LoadedModule[],
    private readonly source: ImageSource,
  ) {}

  /**
   * Build from a stopped target. The executable's bias comes from the aux
   * vector (valid from the very first instruction, before ld.so has mapped
   * anything), the libraries from the memory map.
   */
  static async create(source: ImageSource, exeElf?: ElfFile): Promise<ProcessImage> {
    const elf = exeElf ?? ElfFile.load(source.exePath);
    // (a target that cannot give auxv or maps: the bias comes from the file alone)
    const [auxv, maps] = await Promise.all([source.auxv().catch(() => []), source.memoryMap().catch(() => [])]);
    const bias = biasFromAuxv(elf, auxv) ?? biasFromMaps(elf, maps, source.exePath) ?? 0n;
    const own = maps.filter((m) => m.path === source.exePath);
    const start = own.length ? own[0].start : elf.firstLoadVaddr + bias;
    const end = own.length ? own[own.length - 1].end : start;
    const exe = LoadedModule.fromElf(elf, source.exePath, start, end, bias);
    const image = new ProcessImage(exe, [], source);
    image.libs = await image.librariesFrom(maps);
    return image;
  }

  /** Shared libraries (and the vDSO) in load order, without the executable. */
  get libraries(): readonly LoadedModule[] {
    return this.libs;
  }

  get modules(): LoadedModule[] {
    return [this.exe, ...this.libs];
  }

  /** Re-read the memory map (after ld.so ran or dlopen); keeps already-loaded images. */
  async refresh(): Promise<void> {
    const maps = await this.source.memoryMap();
    this.libs = await this.librariesFrom(maps);
  }

  /** Executable first, then libraries in load order: gdb's lookup order for globals. */
  symbolByName(name: string): { symbol: ElfSymbol; module: LoadedModule } | undefined {
    for (const m of this.modules) {
      const s = m.symbols?.symbolByName(name);
      if (s) return { symbol: s, module: m };
    }
    return undefined;
  }

  moduleAt(addr: bigint): LoadedModule | undefined {
    return this.modules.find((m) => m.contains(addr));
  }

  symbolAt(addr: bigint): ProcessSymbolLocation | undefined {
    const m = this.moduleAt(addr);
    const loc = m?.symbols?.symbolAt(addr);
    return loc && m ? { ...loc, module: m } : undefined;
  }

  private async librariesFrom(maps: Mapping[]): Promise<LoadedModule[]> {
    const previous = new Map(this.libs.map((l) => [`${l.path}@${l.start}`, l]));
    const groups = new Map<string, Mapping[]>();
    for (const m of maps) {
      if (m.path === this.exe.path) continue;
      const file = m.path.startsWith('/') && !m.path.endsWith(' (deleted)');
      if (!file && m.path !== '[vdso]') continue;
      const g = groups.get(m.path);
      if (g) g.push(m);
      else groups.set(m.path, [m]);
    }
    const out: LoadedModule[] = [];
    for (const [path, ms] of groups) {
      const start = ms[0].start;
      const end = ms[ms.length - 1].end;
      const key = `${path}@${start}`;
      const old = previous.get(key);
      if (old) {
        out.push(old);
        continue;
      }
      if (path === '[vdso]') {
        const mod = await this.vdsoModule(start, end);
        if (mod) out.push(mod);
        continue;
      }
      const first = ms.find((m) => m.offset === 0n);
      if (!first) continue; // a data file mapped at an offset, not an ELF image
      const mod = new LoadedModule(path, start, end, undefined, () => ElfFile.load(path));
      out.push(mod);
    }
    // Non-ELF files mapped at offset 0 (locale archives...) stay as modules without symbols.
    return out;
  }

  private async vdsoModule(start: bigint, end: bigint): Promise<LoadedModule | undefined> {
    if (!this.source.readMemory) return undefined;
    try {
      const data = await this.source.readMemory(start, Number(end - start));
      const elf = new ElfFile(data, '[vdso]');
      return LoadedModule.fromElf(elf, '[vdso]', start, end, start - elf.firstLoadVaddr);
    } catch {
      return undefined; // unreadable vDSO: no symbols for it, nothing else is affected
    }
  }
}
