/**
 * .debug_line: v2-v5 program headers and the line-number state machine.
 * A unit's program yields rows sorted by address within each sequence.
 */
import { Reader, DwarfError, strAt } from './reader.js';
import { FORM } from './constants.js';
import type { DwarfSections } from './info.js';
import { pushAll } from '../arrays.js';

export interface LineRow {
  address: bigint;
  /** Index into LineProgram.files. */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
}

export interface LineFile {
  /** Full path as the compiler recorded it (dir joined with name). */
  path: string;
  name: string;
  dir: string;
  /** What gdb displays (`filename-display relative`): the name, prefixed by its include directory if any. */
  display: string;
}

const LNCT = { path: 1, directory_index: 2, timestamp: 3, size: 4, MD5: 5 };

function joinPath(dir: string, name: string): string {
  if (name.startsWith('/') || dir === '') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export class LineProgram {
  readonly version: number;
  readonly files: LineFile[] = [];
  /** Every row the program emits, in order (what readelf --debug-dump=decodedline lists). */
  readonly rows: LineRow[] = [];
  /** The rows gdb keeps of them (GdbLineTable): what lookups and breakpoints use. */
  readonly table: LineRow[] = [];

  constructor(sections: DwarfSections, offset: number, compDir: string, cuName: string) {
    const buf = sections.line;
    if (!buf) throw new DwarfError('no .debug_line section');
    const r = new Reader(buf, offset);
    const [length, offsetSize] = r.initialLength();
    const end = r.pos + length;
    this.version = r.u16();
    let addrSize = 8;
    if (this.version >= 5) {
      addrSize = r.u8();
      r.u8(); // segment selector size
    }
    const headerLength = r.offset(offsetSize);
    const programStart = r.pos + headerLength;
    const minInst = r.u8();
    if (this.version >= 4) r.u8(); // maximum_operations_per_instruction (VLIW only)
    const defaultIsStmt = r.u8() !== 0;
    const lineBase = r.i8();
    const lineRange = r.u8();
    const opcodeBase = r.u8();
    if (lineRange === 0 || opcodeBase === 0) throw new DwarfError(`bad line table header at offset 0x${offset.toString(16)}`);
    const stdLengths: number[] = [0];
    for (let i = 1; i < opcodeBase; i++) stdLengths.push(r.u8());

    if (this.version >= 5) this.readV5Tables(r, sections, offsetSize);
    else this.readV4Tables(r, compDir, cuName);
    this.nameLikeGdb(compDir, cuName);

    r.pos = programStart;
    this.run(r, end, { minInst, defaultIsStmt, lineBase, lineRange, opcodeBase, stdLengths, addrSize });
  }

  /**
   * gdb's symtab names (dwarf2_start_subfile + start_subfile): an entry is
   * shown as dir/name, unless that is the unit's own file, which keeps the
   * unit's DW_AT_name (`prog.c` when compiled as `gcc -g prog.c`).
   */
  private nameLikeGdb(compDir: string, cuName: string): void {
    const primaryAbs = joinPath(compDir, cuName);
    for (const f of this.files) {
      if (f.display === cuName) continue;
      const abs = f.display.startsWith('/');
      if (f.display === cuName || (abs && f.display === primaryAbs)) f.display = cuName;
    }
  }

  private readV4Tables(r: Reader, compDir: string, cuName: string): void {
    const dirs = [compDir];
    for (;;) {
      const d = r.cstr();
      if (d === '') break;
      dirs.push(d);
    }
    // DWARF 4 file numbers start at 1; slot 0 stands for the unit's primary file.
    this.files.push({ path: joinPath(compDir, cuName), name: cuName, dir: compDir, display: cuName });
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dirIndex = r.uleb();
      r.uleb();
      r.uleb();
      const dir = joinPath(compDir, dirs[dirIndex] ?? '');
      const display = dirIndex === 0 ? name : joinPath(dirs[dirIndex] ?? '', name);
      this.files.push({ path: joinPath(dir, name), name, dir, display });
    }
  }

  private readV5Tables(r: Reader, sections: DwarfSections, offsetSize: number): void {
    const readEntries = (): Array<Record<number, string | number>> => {
      const fmtCount = r.u8();
      const fmt: Array<[number, number]> = [];
      for (let i = 0; i < fmtCount; i++) fmt.push([r.uleb(), r.uleb()]);
      const count = r.uleb();
      const out: Array<Record<number, string | number>> = [];
      for (let i = 0; i < count; i++) {
        const e: Record<number, string | number> = {};
        for (const [type, form] of fmt) e[type] = this.readForm(r, form, sections, offsetSize);
        out.push(e);
      }
      return out;
    };
    const dirs = readEntries().map((e) => String(e[LNCT.path] ?? ''));
    const compDir = dirs[0] ?? '';
    for (const e of readEntries()) {
      const name = String(e[LNCT.path] ?? '');
      const di = Number(e[LNCT.directory_index] ?? 0);
      const dir = di === 0 ? compDir : joinPath(compDir, dirs[di] ?? '');
      // DWARF 5 lists directory 0 (the compilation directory) explicitly, and gdb joins it too.
      const display = joinPath(dirs[di] ?? '', name);
      this.files.push({ path: joinPath(dir, name), name, dir, display });
    }
  }

  private readForm(r: Reader, form: number, s: DwarfSections, offsetSize: number): string | number {
    switch (form) {
      case FORM.string: return r.cstr();
      case FORM.line_strp: return strAt(s.lineStr, r.offset(offsetSize));
      case FORM.strp: return strAt(s.str, r.offset(offsetSize));
      case FORM.udata: return r.uleb();
      case FORM.data1: return r.u8();
      case FORM.data2: return r.u16();
      case FORM.data4: return r.u32();
      case FORM.data8: return r.u64n();
      case FORM.data16: r.bytes(16); return 0;
      case FORM.block: r.bytes(r.uleb()); return 0;
      default: throw new DwarfError(`unsupported form 0x${form.toString(16)} in line table header`);
    }
  }

  private run(r: Reader, end: number, h: {
    minInst: number; defaultIsStmt: boolean; lineBase: number; lineRange: number; opcodeBase: number;
    stdLengths: number[]; addrSize: number;
  }): void {
    // the file register starts at 1 in every version (DWARF 5 table 6.4), though
    // version 5 numbers files from 0
    const firstFile = 1;
    let address = 0n;
    let file = firstFile;
    let line = 1;
    let column = 0;
    let isStmt = h.defaultIsStmt;
    let prologueEnd = false;
    let discriminator = 0;
    const minInst = BigInt(h.minInst);
    const table = new GdbLineTable(this.files);
    const reset = () => {
      address = 0n; file = firstFile; line = 1; column = 0; isStmt = h.defaultIsStmt; prologueEnd = false;
      discriminator = 0;
      table.startSequence();
    };
    const emit = (endSequence: boolean) => {
      const row = { address, file, line, column, isStmt, endSequence, prologueEnd };
      this.rows.push(row);
      table.record(row);
      prologueEnd = false;
      discriminator = 0;
    };
    const advanceLine = (delta: number) => {
      line += delta;
      table.advanceLine(delta, discriminator);
    };
    reset();
    while (r.pos < end) {
      const op = r.u8();
      if (op >= h.opcodeBase) {
        const adj = op - h.opcodeBase;
        address += BigInt(Math.floor(adj / h.lineRange)) * minInst;
        advanceLine(h.lineBase + (adj % h.lineRange));
        emit(false);
        continue;
      }
      switch (op) {
        case 0: {
          const len = r.uleb();
          const next = r.pos + len;
          const sub = r.u8();
          if (sub === 1) {
            emit(true);
            reset();
          } else if (sub === 2) address = r.addr(len - 1);
          else if (sub === 4) {
            discriminator = r.uleb();
            table.setDiscriminator(discriminator);
          }
          // define_file (3) does not affect the rows we keep.
          r.pos = next;
          break;
        }
        case 1: emit(false); break;
        case 2: address += r.ulebBig() * minInst; break;
        case 3: advanceLine(r.sleb()); break;
        case 4: file = r.uleb(); break;
        case 5: column = r.uleb(); break;
        case 6: isStmt = !isStmt; break;
        case 7: break;
        case 8: address += BigInt(Math.floor((255 - h.opcodeBase) / h.lineRange)) * minInst; break;
        case 9: address += BigInt(r.u16()); break;
        case 10: prologueEnd = true; break;
        case 11: break;
        case 12: r.uleb(); break;
        default:
          for (let i = 0; i < h.stdLengths[op]; i++) r.uleb();
      }
    }
    pushAll(this.table, table.rows());
  }
}

/**
 * The rows gdb 13 keeps of a line program (dwarf2/read.c lnp_state_machine::
 * record_line and buildsym.c record_line), one table per source file:
 * - a row repeating the line of the previous row kept in the same sequence
 *   and file is dropped when that line has had a non-zero discriminator
 *   (dwarf_record_line_p, gdb PR 17276): at -O2 this decides which addresses
 *   start a line, hence where `next` stops and when gdb shows the pc;
 * - rows of line 0 are dropped;
 * - switching to another file ends the previous file's table at that address
 *   and the end of a sequence ends the current one; an end marker removes the
 *   rows of its table at its own address;
 * - a non-statement row of another file at an address that already has a
 *   statement row is dropped (it would end that statement's table there).
 */
class GdbLineTable {
  private readonly byFile = new Map<string, LineRow[]>();
  private lastFile: string | undefined;
  private lastLine = 0;
  private lineHasDiscriminator = false;
  private lastAddress = 0n;
  private stmtAtAddress = false;

  constructor(private readonly files: LineFile[]) {}

  startSequence(): void {
    this.lastFile = undefined;
    this.lastLine = 0;
    this.lineHasDiscriminator = false;
    this.lastAddress = 0n;
    this.stmtAtAddress = false;
  }

  setDiscriminator(d: number): void {
    if (d !== 0) this.lineHasDiscriminator = true;
  }

  advanceLine(delta: number, discriminator: number): void {
    if (delta !== 0) this.lineHasDiscriminator = discriminator !== 0;
  }

  record(row: LineRow): void {
    this.keep(row);
    if (row.address !== this.lastAddress) {
      this.lastAddress = row.address;
      this.stmtAtAddress = false;
    }
    if (row.isStmt) this.stmtAtAddress = true;
  }

  private keep(row: LineRow): void {
    const file = this.files[row.file]?.path ?? `#${row.file}`;
    if (row.endSequence) {
      if (this.lastFile !== undefined) this.finish(this.lastFile, row);
      return;
    }
    const changed = file !== this.lastFile;
    if (row.line === 0 || (changed && row.address === this.lastAddress && !row.isStmt && this.stmtAtAddress)) return;
    if (changed && this.lastFile !== undefined) this.finish(this.lastFile, { ...row, endSequence: true, line: 0 });
    if (changed || row.line !== this.lastLine || !this.lineHasDiscriminator) {
      this.table(file).push(row);
      this.lastFile = file;
      this.lastLine = row.line;
    }
  }

  /** buildsym's end marker: drops the table's rows at its address, then ends the table there. */
  private finish(file: string, marker: LineRow): void {
    const t = this.table(file);
    let last: LineRow | undefined;
    while (t.length && t[t.length - 1].address === marker.address) last = t.pop();
    if (t.length) last = t[t.length - 1];
    if (!last || last.line === 0 || last.endSequence) return;   // an empty sequence: no marker
    t.push({ ...marker, endSequence: true });
  }

  private table(file: string): LineRow[] {
    let t = this.byFile.get(file);
    if (!t) this.byFile.set(file, (t = []));
    return t;
  }

  rows(): LineRow[] {
    return [...this.byFile.values()].flat();
  }
}
