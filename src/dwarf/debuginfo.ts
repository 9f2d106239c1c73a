/**
 * DebugInfo: the DWARF of one ELF image, indexed once (functions, globals,
 * types by name) when loaded; line tables and DIE trees of units are built
 * on first use. Public methods take and return run-time addresses: set
 * `bias` to the image's load bias (0 for non-PIE executables).
 */
import { isCxx, lookupNames, qualifiedName } from './names.js';
import { ElfFile } from '../elf/elf.js';
import { lastAtOrBelow } from '../elf/sorted.js';
import { AT, TAG } from './constants.js';
import { Die, Unit, type DwarfSections, type UnitOwner } from './info.js';
import { LineProgram, type LineRow } from './line.js';
import { readRangeList, readLocationList, type LocationListEntry } from './lists.js';
import { TypeBuilder, type CType, C_BASE_TYPES } from './types.js';
import { DwarfError } from './reader.js';
import { analyzePrologue, fileBytesAt, locationsValidAtEntry } from './prologue.js';

export { analyzePrologue };

export interface FunctionInfo {
  name: string;
  die: Die;
  unit: Unit;
  /** Unrelocated [low, high) ranges; low is the entry point. */
  ranges: Array<[bigint, bigint]>;
  low: bigint;
  high: bigint;
  external: boolean;
}

export interface SourceLine {
  /** Full path as recorded by the compiler. */
  path: string;
  /** File name as written on the command line (`prog.c`). */
  file: string;
  line: number;
  column: number;
  /** Run-time address of the start of the line-table row. */
  address: bigint;
  /** Run-time end of the row (start of the next row). */
  end: bigint;
  isStmt: boolean;
}

export interface LineAddress {
  address: bigint;
  path: string;
  file: string;
  line: number;
  function?: FunctionInfo;
}

interface UnitLines {
  program: LineProgram;
  /** Rows sorted by address; end-of-sequence markers first among equals (gdb's order). */
  sorted: LineRow[];
}

export function sectionsOf(elf: ElfFile): DwarfSections {
  const d = (n: string) => elf.sectionData(n);
  return {
    info: d('.debug_info'), abbrev: d('.debug_abbrev'), str: d('.debug_str'), lineStr: d('.debug_line_str'),
    strOffsets: d('.debug_str_offsets'), addr: d('.debug_addr'), line: d('.debug_line'),
    rnglists: d('.debug_rnglists'), ranges: d('.debug_ranges'), loclists: d('.debug_loclists'), loc: d('.debug_loc'),
    aranges: d('.debug_aranges'), frame: d('.debug_frame'), ehFrame: d('.eh_frame'), types: d('.debug_types'),
    ehFrameAddr: elf.section('.eh_frame')?.addr, textAddr: elf.section('.text')?.addr,
  };
}

export class DebugInfo implements UnitOwner {
  /** Load bias added to every address this class returns. */
  bias = 0n;
  readonly units: Unit[] = [];
  readonly types: TypeBuilder;
  private functions: FunctionInfo[] = [];
  private functionsByName = new Map<string, FunctionInfo[]>();
  private globals = new Map<string, Die[]>();
  /** `extern T x;` declarations (the address comes from the ELF symbol), by name. */
  private declaredGlobals = new Map<string, Die[]>();
  /** Variables defined without a location or value: gdb's LOC_OPTIMIZED_OUT symbols. */
  private optimizedGlobals = new Map<string, Die[]>();
  private typeNames = new Map<string, Die>();
  private enumerators?: Map<string, { type: Die; value: bigint }>;
  /** Enumeration type DIEs; their enumerators are indexed on the first lookup. */
  private enumTypes: Die[] = [];
  private lineCache = new Map<Unit, UnitLines | null>();
  /** Type units by signature (DWARF 5 in .debug_info, DWARF 4 in .debug_types). */
  private typeUnits = new Map<bigint, Unit>();

  constructor(readonly sections: DwarfSections, readonly elf?: ElfFile) {
    this.types = new TypeBuilder((kind, tag) => this.typeNames.get(`${kind} ${tag}`));
    if (sections.info && sections.abbrev) {
      let off = 0;
      while (off < sections.info.length) {
        const u = new Unit(this, off);
        this.units.push(u);
        if (u.typeSignature !== undefined) this.typeUnits.set(u.typeSignature, u);
        off = u.end;
      }
    }
    if (sections.types && sections.abbrev) {
      let off = 0;
      while (off < sections.types.length) {
        const u = new Unit(this, off, true);
        this.typeUnits.set(u.typeSignature!, u);
        off = u.end;
      }
    }
    this.buildIndex();
  }

  static load(source: string | ElfFile): DebugInfo {
    const elf = typeof source === 'string' ? ElfFile.load(source) : source;
    return new DebugInfo(sectionsOf(elf), elf);
  }

  get hasDebugInfo(): boolean {
    return this.units.length > 0;
  }

  // ---- UnitOwner ----
  dieAt(offset: number): Die | undefined {
    let lo = 0;
    let hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = this.units[mid];
      if (offset < u.offset) hi = mid - 1;
      else if (offset >= u.end) lo = mid + 1;
      else return u.dieAt(offset);
    }
    return undefined;
  }

  typeBySignature(sig: bigint): Die | undefined {
    const u = this.typeUnits.get(sig);
    return u && u.typeOffset !== undefined ? u.dieAt(u.offset + u.typeOffset) : undefined;
  }

  rangeList(die: Die): Array<[bigint, bigint]> {
    const off = die.unit.listOffsetOf(die, AT.ranges, 'rng');
    return off === undefined ? [] : readRangeList(die.unit, off);
  }

  locationList(die: Die, at: number = AT.location): LocationListEntry[] {
    const off = die.unit.listOffsetOf(die, at, 'loc');
    return off === undefined ? [] : readLocationList(die.unit, off);
  }

  // ---- index ----
  private buildIndex(): void {
    for (const u of this.units) {
      if (u.isTypeUnit) continue;
      this.indexChildren(u, u.topLevel());
    }
    // Types defined only in type units (-fdebug-types-section) are still found by name.
    for (const u of this.typeUnits.values()) this.indexChildren(u, u.topLevel());
    this.functions.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0));
  }

  private indexChildren(u: Unit, dies: Die[]): void {
    for (const d of dies) {
      switch (d.tag) {
        case TAG.subprogram: this.indexFunction(u, d); break;
        case TAG.variable: {
          const name = d.name;
          if (!name) break;
          // gdb's new_symbol: a definition; else an external variable with a type (LOC_UNRESOLVED, its
          // address from the ELF symbol: `extern T x;`, an alias); else, not a declaration, optimized out.
          const map = d.has(AT.location) || d.has(AT.const_value) ? this.globals
            : d.flag(AT.external) && d.has(AT.type) ? this.declaredGlobals
              : d.flag(AT.declaration) ? undefined : this.optimizedGlobals;
          const list = map?.get(name);
          if (list) list.push(d);
          else map?.set(name, [d]);
          break;
        }
        case TAG.structure_type: case TAG.class_type: case TAG.union_type: case TAG.enumeration_type: case TAG.typedef: case TAG.base_type: {
          if (d.tag === TAG.enumeration_type) this.enumTypes.push(d);
          const name = d.str(AT.name);
          if (!name) break;
          const kind = d.tag === TAG.structure_type ? 'struct ' : d.tag === TAG.class_type ? 'class ' : d.tag === TAG.union_type ? 'union '
            : d.tag === TAG.enumeration_type ? 'enum ' : '';
          // C++ names a type by its qualified name, with or without the keyword: `struct ns::S`, `ns::S`
          const keys = isCxx(d) ? [kind + qualifiedName(d)!, qualifiedName(d)!] : [kind + name];
          for (const key of keys) {
            const prev = this.typeNames.get(key);
            if (!prev || (prev.flag(AT.declaration) && !d.flag(AT.declaration))) this.typeNames.set(key, d);
          }
          break;
        }
        case TAG.namespace: this.indexChildren(u, d.children); break;
        default: break;
      }
    }
  }

  /** An enumerator constant by name (`RED`), with its enum type DIE. */
  enumerator(name: string): { type: Die; value: bigint } | undefined {
    if (!this.enumerators) {
      const map = new Map<string, { type: Die; value: bigint }>();
      for (const d of this.enumTypes) {
        for (const e of d.children) {
          const n = e.tag === TAG.enumerator ? e.str(AT.name) : undefined;
          if (!n || map.has(n)) continue;
          const raw = e.raw(AT.const_value);
          map.set(n, { type: d, value: typeof raw === 'bigint' ? raw : BigInt(e.snum(AT.const_value) ?? 0) });
        }
      }
      this.enumerators = map;
    }
    return this.enumerators.get(name);
  }

  private indexFunction(u: Unit, d: Die): void {
    if (!d.has(AT.low_pc) && !d.has(AT.ranges)) return; // declaration or abstract instance
    const name = d.name;
    if (!name) return;
    const ranges = d.ranges();
    if (ranges.length === 0) return;
    // A function split in parts (hot/cold) is entered at its first range (gdb's BLOCK_ENTRY_PC).
    const low = d.addr(AT.low_pc) ?? (ranges.find(([lo, hi]) => hi > lo) ?? ranges[0])[0];
    const high = ranges.reduce((m, r) => (r[1] > m ? r[1] : m), ranges[0][1]);
    const fn: FunctionInfo = { name, die: d, unit: u, ranges, low, high, external: d.inherited((x) => (x.has(AT.external) ? true : undefined)) ?? false };
    this.functions.push(fn);
    // C++: also by each qualified form, `S::get` and `ns::S::get`
    for (const key of isCxx(d) ? new Set([name, ...lookupNames(d)]) : [name]) {
      const list = this.functionsByName.get(key);
      if (list) list.push(fn);
      else this.functionsByName.set(key, [fn]);
    }
  }

  // ---- functions ----
  /** The function whose code contains pc (run-time address). */
  functionAt(pc: bigint): FunctionInfo | undefined {
    const a = pc - this.bias;
    const fs = this.functions;
    const idx = lastAtOrBelow(fs, a, (f) => f.low);
    for (let i = idx; i >= 0 && i > idx - 16; i--) {
      const f = fs[i];
      if (f.ranges.some(([l, h]) => a >= l && a < h)) return f;
    }
    // Functions split in several ranges (hot/cold): their cold part may lie far away.
    return fs.find((f) => f.ranges.length > 1 && f.ranges.some(([l, h]) => a >= l && a < h));
  }

  functionsNamed(name: string): FunctionInfo[] {
    return this.functionsByName.get(name) ?? [];
  }

  allFunctions(): readonly FunctionInfo[] {
    return this.functions;
  }

  /** Run-time entry address of a function. */
  entryOf(fn: FunctionInfo): bigint {
    return fn.low + this.bias;
  }

  /**
   * Where `break FUNCTION` goes, as gdb 13 decides it on x86-64: a
   * prologue_end marker if the line table has one; the entry itself when the
   * unit's locations are valid at every pc (gcc with location lists); else
   * past `push %rbp; mov %rsp,%rbp` to the start of the next line.
   */
  breakpointAddress(fn: FunctionInfo, code?: Buffer): bigint {
    const lines = this.unitLines(fn.unit);
    if (!lines) return fn.low + this.bias;
    const rows = lines.sorted.filter((r) => !r.endSequence && r.address >= fn.low && r.address < fn.high);
    const marked = rows.find((r) => r.prologueEnd && r.address > fn.low);
    if (marked) return marked.address + this.bias;
    if (locationsValidAtEntry(fn.unit)) return fn.low + this.bias;
    const bytes = code ?? (this.elf && fileBytesAt(this.elf, fn.low, 16));
    const after = bytes ? analyzePrologue(bytes) : 0;
    if (after === 0) return fn.low + this.bias;
    const pc = fn.low + BigInt(after);
    if (rows.some((r) => r.address === pc)) return pc + this.bias;
    const next = rows.find((r) => r.address > pc);
    return (next ? next.address : pc) + this.bias;
  }

  /**
   * Run-time entry addresses of the places `name` was inlined (gdb 13's
   * block entry pc: the start of the first range an inlined call lists),
   * lowest first. One walk of every unit's DIEs indexes all names.
   */
  inlinedEntries(name: string): bigint[] {
    if (!this.inlinedByName) {
      const index = new Map<string, Set<bigint>>();
      for (const u of this.units) {
        if (u.isTypeUnit) continue;
        for (const d of u.allDies()) {
          if (d.tag !== TAG.inlined_subroutine) continue;
          const n = d.name;
          const first = blockRanges(d)[0];   // (empty ranges have no effect, as gdb reads them)
          if (n === undefined || !first) continue;
          let set = index.get(n);
          if (!set) index.set(n, set = new Set());
          set.add(first[0]);
        }
      }
      this.inlinedByName = new Map([...index].map(([n, set]) => [n, [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))]));
    }
    return (this.inlinedByName.get(name) ?? []).map((a) => a + this.bias);
  }

  private inlinedByName: Map<string, bigint[]> | undefined;

  // ---- lines ----
  private unitLines(u: Unit): UnitLines | undefined {
    let c = this.lineCache.get(u);
    if (c === undefined) {
      const off = u.root.num(AT.stmt_list);
      if (off === undefined || !this.sections.line) c = null;
      else {
        const program = new LineProgram(this.sections, off, u.compDir, u.name);
        const sorted = program.table.map((r, i) => ({ r, i }));
        sorted.sort((x, y) => x.r.address < y.r.address ? -1 : x.r.address > y.r.address ? 1
          : x.r.endSequence !== y.r.endSequence ? (x.r.endSequence ? -1 : 1) : x.i - y.i);
        c = { program, sorted: sorted.map((x) => x.r) };
      }
      this.lineCache.set(u, c);
    }
    return c ?? undefined;
  }

  /** Unit whose code covers an unrelocated address. */
  private unitForAddress(a: bigint): Unit | undefined {
    const f = this.functionAt(a + this.bias);
    if (f) return f.unit;
    return this.units.find((u) => !u.isTypeUnit && u.root.containsPc(a));
  }

  /** The source line of a run-time pc (gdb's find_pc_line). */
  lineForAddress(pc: bigint): SourceLine | undefined {
    const a = pc - this.bias;
    const u = this.unitForAddress(a);
    const lines = u && this.unitLines(u);
    if (!lines) return undefined;
    const rows = lines.sorted;
    const idx = lastAtOrBelow(rows, a, (r) => r.address);
    if (idx < 0 || rows[idx].endSequence) return undefined;
    let row = rows[idx];
    // A non-statement row: prefer a statement row at the same address.
    if (!row.isStmt) {
      for (let i = idx - 1; i >= 0 && rows[i].address === row.address; i--) {
        if (rows[i].isStmt && !rows[i].endSequence) {
          row = rows[i];
          break;
        }
      }
    }
    let end = row.address + 1n;
    for (let i = idx + 1; i < rows.length; i++) {
      if (rows[i].address > row.address) {
        end = rows[i].address;
        break;
      }
    }
    if (row.line === 0) return undefined;
    const f = lines.program.files[row.file];
    return {
      path: f?.path ?? '??', file: f?.display ?? '??', line: row.line, column: row.column,
      address: row.address + this.bias, end: end + this.bias, isStmt: row.isStmt,
    };
  }

  /**
   * gdb's first_le of `disassemble /s`: the line of the first row in [low, high)
   * (by address, in table order) of the file of `low`'s line; 0 for an end of sequence.
   */
  firstLineIn(low: bigint, high: bigint): number | undefined {
    const at = this.lineForAddress(low);
    const lines = at && this.unitLines(this.unitForAddress(low - this.bias)!);
    if (!at || !lines) return undefined;
    for (const r of lines.sorted) {
      const a = r.address + this.bias;
      if (a < low || lines.program.files[r.file]?.path !== at.path) continue;
      return a < high ? r.line : undefined;
    }
    return undefined;
  }

  /**
   * Where an inlined call was made (DW_AT_call_file/call_line), as the line of
   * the frame that made it; `address` is that frame's pc, so no address shows.
   */
  callSite(inlined: Die, pc: bigint): SourceLine | undefined {
    const line = inlined.num(AT.call_line);
    const lines = this.unitLines(inlined.unit);
    const f = lines?.program.files[inlined.num(AT.call_file) ?? -1];
    if (line === undefined || !f) return undefined;
    return { path: f.path, file: f.display, line, column: 0, address: pc, end: pc + 1n, isStmt: true };
  }

  /** The name gdb shows for a source file given by its full path: the line table's. */
  displayOf(path: string): string | undefined {
    for (const u of this.units) {
      const f = this.unitLines(u)?.program.files.find((x) => x.path === path);
      if (f) return f.display;
    }
    return undefined;
  }

  /** Source files known to the line tables: full paths. */
  sourceFiles(): string[] {
    const out = new Set<string>();
    for (const u of this.units) {
      const l = this.unitLines(u);
      if (l) for (const f of l.program.files) out.add(f.path);
    }
    return [...out];
  }

  /**
   * The unit of a source file (a line-table path): the one it is the primary file of, else the first
   * whose line table names it (a header). gdb's "current source symtab" block for frame-less lookups.
   */
  unitOfSource(path: string): Unit | undefined {
    const named = (u: Unit) => this.unitLines(u)?.program.files ?? [];
    return this.units.find((u) => !u.isTypeUnit && named(u)[0]?.path === path)
      ?? this.units.find((u) => !u.isTypeUnit && named(u).some((f) => f.path === path));
  }

  /**
   * Addresses of `file:line` as gdb's `break FILE:LINE` picks them: the
   * is_stmt rows of that exact line (else of the nearest later line that has
   * code), one per lexical block, moved past the prologue when the row is a
   * function's entry (not when `raw`: `info line` names the rows themselves).
   */
  addressesForLine(file: string, line: number, raw = false): LineAddress[] {
    type Cand = { row: LineRow; unit: Unit; path: string; display: string };
    const cands: Cand[] = [];
    for (const u of this.units) {
      if (u.isTypeUnit) continue;
      const lines = this.unitLines(u);
      if (!lines) continue;
      const files = lines.program.files;
      const matching = new Set<number>();
      files.forEach((f, i) => {
        if (fileMatches(f.path, f.name, file)) matching.add(i);
      });
      if (matching.size === 0) continue;
      for (const row of lines.program.table) {
        if (row.endSequence || !row.isStmt || !matching.has(row.file) || row.line < line) continue;
        cands.push({ row, unit: u, path: files[row.file].path, display: files[row.file].display });
      }
    }
    if (cands.length === 0) return [];
    const best = cands.reduce((m, c) => Math.min(m, c.row.line), Infinity);
    const exact = cands.filter((c) => c.row.line === best).sort((x, y) => (x.row.address < y.row.address ? -1 : x.row.address > y.row.address ? 1 : 0));
    const seenBlocks = new Set<Die | undefined>();
    const out: LineAddress[] = [];
    const seenAddr = new Set<bigint>();
    for (const c of exact) {
      const pc = c.row.address + this.bias;
      const fn = this.functionAt(pc);
      const block = fn ? this.innermostBlock(fn.die, c.row.address) : undefined;
      if (seenBlocks.has(block) && block !== undefined) continue;
      seenBlocks.add(block);
      let address = pc;
      // `break` skips the prologue of a function's first line; `info line` (raw) names the row itself
      if (fn && c.row.address === fn.low && !raw) address = this.breakpointAddress(fn);
      if (seenAddr.has(address)) continue;
      seenAddr.add(address);
      const at = this.lineForAddress(address);
      // `break` keeps the line asked for (its best line) where the address did not move past a prologue:
      // on optimized code many lines' rows share the function's first address (gdb's skip_prologue_sal).
      const line = address === pc && !raw ? best : at?.line ?? best;
      out.push({ address, path: at?.path ?? c.path, file: at?.file ?? c.display, line, function: fn });
    }
    return out;
  }

  /** Innermost lexical block / inlined subroutine / subprogram DIE containing an unrelocated pc. */
  innermostBlock(fnDie: Die, a: bigint): Die {
    let cur = fnDie;
    for (;;) {
      const next = cur.children.find((c) => (c.tag === TAG.lexical_block || c.tag === TAG.inlined_subroutine) && c.containsPc(a));
      if (!next) {
        // Blocks without pc ranges still group their children's scopes.
        const transparent = cur.children.find((c) => c.tag === TAG.lexical_block && !c.has(AT.low_pc) && !c.has(AT.ranges)
          && c.children.some((g) => (g.tag === TAG.lexical_block || g.tag === TAG.inlined_subroutine) && g.containsPc(a)));
        if (!transparent) return cur;
        cur = transparent;
        continue;
      }
      cur = next;
    }
  }

  /** Blocks from innermost to the function DIE, for a run-time pc. */
  scopeAt(pc: bigint): { function: FunctionInfo; blocks: Die[] } | undefined {
    const fn = this.functionAt(pc);
    if (!fn) return undefined;
    const blocks: Die[] = [];
    for (let d: Die | undefined = this.innermostBlock(fn.die, pc - this.bias); d; d = d.parent) {
      blocks.push(d);
      if (d === fn.die) break;
    }
    return { function: fn, blocks };
  }

  /**
   * The inlined calls gdb 13 hides at a stop at pc (inline-frame.c
   * skip_inline_frames), innermost first: those whose block is entered at pc,
   * at its entry (the start of its first range, gdb's BLOCK_ENTRY_PC) or at
   * the start of another of its ranges. A `step` there enters them one by one
   * without running; `next` steps over them.
   */
  inlineCallsStartingAt(pc: bigint): Die[] {
    const scope = this.scopeAt(pc);
    if (!scope) return [];
    const a = pc - this.bias;
    const out: Die[] = [];
    for (const b of scope.blocks) {
      if (b === scope.function.die) break;
      if (b.tag !== TAG.inlined_subroutine) continue;
      const ranges = blockRanges(b);
      const entry = ranges[0]?.[0];
      if (entry !== a && ranges.some(([lo, hi]) => a - 1n >= lo && a - 1n < hi)) break;
      out.push(b);
    }
    return out;
  }

  /** End of an inlined call's code (run-time): its highest range end, gdb's BLOCK_END. */
  blockEnd(b: Die): bigint {
    return blockRanges(b).reduce((m, [, hi]) => (hi > m ? hi : m), 0n) + this.bias;
  }

  /** Run-time entry of an inlined call's block (gdb 13: the start of its first range). */
  blockEntry(b: Die): bigint {
    return (blockRanges(b)[0]?.[0] ?? 0n) + this.bias;
  }

  // ---- globals and types ----
  /** Definition DIEs of global/static variables of that name (this image). */
  globalVariables(name: string): Die[] {
    return this.globals.get(name) ?? [];
  }

  /** External variables of that name without a location (`extern int x[];`, an alias), each with its unit's type. */
  globalDeclarations(name: string): Die[] {
    return this.declaredGlobals.get(name) ?? [];
  }

  /** Variables of that name defined without a location (optimized out). */
  optimizedOutGlobals(name: string): Die[] {
    return this.optimizedGlobals.get(name) ?? [];
  }

  /** Named type DIEs of every unit ('struct node', 'color_t', 'int' with their DIE), for `info types`. */
  allTypeDies(): Array<[string, Die]> {
    const out: Array<[string, Die]> = [];
    for (const u of [...this.units.filter((x) => !x.isTypeUnit), ...this.typeUnits.values()]) {
      for (const d of u.topLevel()) {
        const name = d.str(AT.name);
        if (!name || d.flag(AT.declaration)) continue;
        const kind = d.tag === TAG.structure_type ? 'struct ' : d.tag === TAG.union_type ? 'union '
          : d.tag === TAG.enumeration_type ? 'enum ' : d.tag === TAG.typedef || d.tag === TAG.base_type ? '' : undefined;
        if (kind !== undefined) out.push([kind + name, d]);
      }
    }
    return out;
  }

  /** Every global/static variable definition, for `info variables`. */
  allGlobals(): Die[] {
    return [...this.globals.values()].flat();
  }

  /** The file a DIE was declared in (DW_AT_decl_file), else its unit's own file, as gdb names it. */
  declFile(die: Die): string | undefined {
    const idx = die.inherited((d) => d.num(AT.decl_file));
    if (idx === undefined) return die.unit.name || undefined;
    return this.unitLines(die.unit)?.program.files[idx]?.display;
  }

  allGlobalNames(): string[] {
    return [...this.globals.keys()];
  }

  typeOf(die: Die | undefined): CType {
    return this.types.fromDie(die);
  }

  /** A named type: 'int', 'unsigned long', 'struct node', 'config_t', 'enum color'. */
  lookupType(name: string): CType | undefined {
    const n = name.replace(/\s+/g, ' ').trim();
    const die = this.typeNames.get(n);
    if (die) return this.types.fromDie(die);
    return C_BASE_TYPES[normalizeBaseName(n)];
  }

  /** Throws a one-line error when the image has no DWARF at all. */
  requireDebugInfo(): void {
    if (!this.hasDebugInfo) throw new DwarfError('No symbol table is loaded.  Use the "file" command.');
  }
}

/** `unsigned` -> `unsigned int`, `long int` -> `long`, as gdb canonicalises C type names. */
export function normalizeBaseName(n: string): string {
  const map: Record<string, string> = {
    unsigned: 'unsigned int', signed: 'int', 'signed int': 'int', 'long int': 'long', 'long long int': 'long long',
    'unsigned long int': 'unsigned long', 'long unsigned int': 'unsigned long', 'short int': 'short',
    'unsigned short int': 'unsigned short', 'short unsigned int': 'unsigned short', 'long signed int': 'long',
    'long long unsigned int': 'unsigned long long', 'unsigned long long int': 'unsigned long long', 'signed long': 'long',
  };
  return map[n] ?? n;
}

/** `file` as typed by the user matches a line-table file by full path, path suffix or basename. */
export function fileMatches(fullPath: string, name: string, file: string): boolean {
  if (fullPath === file || name === file) return true;
  if (fullPath.endsWith('/' + file)) return true;
  const base = fullPath.slice(fullPath.lastIndexOf('/') + 1);
  return base === file;
}

/** A block's non-empty ranges in DWARF order (gdb drops empty ones; a single range is contiguous). */
function blockRanges(b: Die): Array<[bigint, bigint]> {
  return b.ranges().filter(([lo, hi]) => hi > lo);
}
