/**
 * gdb 13's words for where a variable lives (dwarf2/loc.c): the DWARF
 * expression disassembler (disassemble_dwarf_expression), the one-piece
 * shorthands (locexpr_describe_location_piece: "a variable in $rdi", "the
 * constant 3", ...), a whole expression with its pieces
 * (locexpr_describe_location_1) and a location list
 * (loclist_describe_location). `info scope` and `info address` print them.
 */
import { Reader, DwarfError } from './reader.js';
import { OP, X86_64_DWARF_REGS } from './constants.js';

/** What describing an expression needs from its unit and program. */
export interface DescribeContext {
  addrSize: number;
  offsetSize: number;
  /** gdb's type_print of the type DIE at a unit-relative offset (DW_OP_const_type and kin). */
  typeName(unitOffset: number): string;
  /** An address from .debug_addr (DW_OP_addrx), unrelocated as gdb prints it. */
  addressIndex(index: number): bigint;
  /** The frame base expression of the function whose code holds addr (for DW_OP_fbreg). */
  frameBase?(addr: bigint): Buffer | undefined;
  /** The objfile's name (thread-local variables). */
  objfile?: string;
}

/** gdb's dwarf2.def names of the location operators. */
const NAMES = new Map<number, string>();
for (const [k, v] of Object.entries(OP)) NAMES.set(v, `DW_OP_${k}`);
for (let i = 0; i < 32; i++) {
  NAMES.set(0x30 + i, `DW_OP_lit${i}`);
  NAMES.set(0x50 + i, `DW_OP_reg${i}`);
  NAMES.set(0x70 + i, `DW_OP_breg${i}`);
}
for (const [code, name] of [[0x98, 'call2'], [0x99, 'call4'], [0x9a, 'call_ref'], [0x95, 'xderef_size'], [0xa7, 'xderef_type'],
  [0xf0, 'GNU_uninit'], [0xf1, 'GNU_encoded_addr'], [0xfd, 'GNU_variable_value'], [0xe0, 'GNU_push_tls_address'],
  [0xe1, 'HP_is_value'], [0xe2, 'HP_fltconst4'], [0xe3, 'HP_fltconst8'], [0xe4, 'HP_mod_range'], [0xe5, 'HP_unmod_range'],
  [0xe6, 'HP_tls'], [0xe8, 'PGI_omp_thread_num'], [0xfe, 'GNU_const_index'] as const] as Array<[number, string]>) {
  if (!NAMES.has(code)) NAMES.set(code, `DW_OP_${name}`);
}
NAMES.set(0xfc, 'DW_OP_GNU_const_index');

/** gdb's name of a DWARF register number on amd64 (amd64_dwarf_regmap), `bad_register_number` for none. */
export function dwarfRegisterName(n: number): string {
  if (n >= 0 && n < X86_64_DWARF_REGS.length) return X86_64_DWARF_REGS[n];
  if (n >= 17 && n <= 32) return `xmm${n - 17}`;
  if (n >= 33 && n <= 40) return `st${n - 33}`;
  if (n === 49) return 'eflags';
  if (n >= 50 && n <= 55) return ['es', 'cs', 'ss', 'ds', 'fs', 'gs'][n - 50];
  if (n === 64) return 'mxcsr';
  if (n === 65) return 'fctrl';
  if (n === 66) return 'fstat';
  return 'bad_register_number';
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

function pieceEnd(buf: Buffer, p: number, end: number): boolean {
  return p === end || buf[p] === OP.piece || buf[p] === OP.bit_piece;
}

/**
 * disassemble_dwarf_expression: one line per operator from `pos`, offsets
 * counted from `start`, stopping at a piece unless `all`. Returns the text
 * and where it stopped.
 */
export function disassembleDwarf(buf: Buffer, ctx: DescribeContext, start: number, pos: number, end: number,
  indent = 0, all = false): { text: string; next: number } {
  const r = new Reader(buf, pos);
  let text = '';
  while (r.pos < end && (all || (buf[r.pos] !== OP.piece && buf[r.pos] !== OP.bit_piece))) {
    const at = r.pos;
    const op = r.u8();
    const name = NAMES.get(op);
    if (!name) throw new DwarfError(`Unrecognized DWARF opcode 0x${op.toString(16).padStart(2, '0')} at ${at - start}`);
    text += `  ${String(at - start).padStart(indent + 4)}: ${name}`;
    const typeRef = (off: bigint) => `<${ctx.typeName(Number(off))} [0x${off.toString(16)}]>`;
    if (op >= 0x50 && op <= 0x6f) text += ` [$${dwarfRegisterName(op - 0x50)}]`;
    else if (op >= 0x70 && op <= 0x8f) text += ` ${r.slebBig()} [$${dwarfRegisterName(op - 0x70)}]`;
    else {
      switch (op) {
        case OP.addr: text += ` ${hex(r.addr(ctx.addrSize))}`; break;
        case OP.const1u: text += ` ${r.u8()}`; break;
        case OP.const1s: text += ` ${r.i8()}`; break;
        case OP.const2u: text += ` ${r.u16()}`; break;
        case OP.const2s: text += ` ${r.i16()}`; break;
        case OP.const4u: text += ` ${r.u32()}`; break;
        case OP.const4s: text += ` ${r.i32()}`; break;
        case OP.const8u: text += ` ${r.u64()}`; break;
        case OP.const8s: text += ` ${r.i64()}`; break;
        case OP.constu: case OP.plus_uconst: text += ` ${r.ulebBig()}`; break;
        case OP.consts: case OP.fbreg: text += ` ${r.slebBig()}`; break;
        case OP.regx: {
          const reg = r.uleb();
          text += ` ${reg} [$${dwarfRegisterName(reg)}]`;
          break;
        }
        case OP.implicit_value: {
          const n = r.uleb();
          r.pos += n;
          text += ` ${n}`;
          break;
        }
        case OP.bregx: {
          const reg = r.uleb();
          text += ` register ${reg} [$${dwarfRegisterName(reg)}] offset ${r.slebBig()}`;
          break;
        }
        case 0x95 /* xderef_size */: case OP.deref_size: case OP.pick: text += ` ${r.u8()}`; break;
        case OP.skip: {
          const l = r.i16();
          text += ` to ${r.pos + l - start}`;
          break;
        }
        case OP.bra: {
          const l = r.i16();
          text += ` ${r.pos + l - start}`;
          break;
        }
        // (gdb's phex_nz: hexadecimal without 0x)
        case 0x98 /* call2 */: text += ` offset ${r.u16().toString(16)}`; break;
        case 0x99 /* call4 */: case OP.GNU_parameter_ref: text += ` offset ${r.u32().toString(16)}`; break;
        case 0x9a /* call_ref */: case 0xfd /* GNU_variable_value */: text += ` offset ${r.offset(ctx.offsetSize).toString(16)}`; break;
        case OP.piece: text += ` ${r.ulebBig()} (bytes)`; break;
        case OP.bit_piece: {
          const size = r.ulebBig();
          text += ` size ${size} offset ${r.ulebBig()} (bits)`;
          break;
        }
        case OP.implicit_pointer: case OP.GNU_implicit_pointer: {
          const die = r.offset(ctx.offsetSize);
          text += ` DIE ${die.toString(16)} offset ${r.slebBig()}`;
          break;
        }
        case OP.deref_type: case OP.GNU_deref_type: {
          const size = r.u8();
          text += `${typeRef(r.ulebBig())} ${size}`;
          break;
        }
        case OP.const_type: case OP.GNU_const_type: {
          text += typeRef(r.ulebBig());
          const n = r.u8();
          text += ` ${n} byte block:`;
          for (const b of r.bytes(n)) text += ` ${b.toString(16).padStart(2, '0')}`;
          break;
        }
        case OP.regval_type: case OP.GNU_regval_type: {
          const reg = r.uleb();
          text += `${typeRef(r.ulebBig())} [$${dwarfRegisterName(reg)}]`;
          break;
        }
        case OP.convert: case OP.GNU_convert: case OP.reinterpret: case OP.GNU_reinterpret: {
          const off = r.ulebBig();
          text += off === 0n ? '<0>' : typeRef(off);
          break;
        }
        case OP.entry_value: case OP.GNU_entry_value: {
          const n = r.uleb();
          text += '\n';
          text += disassembleDwarf(buf, ctx, start, r.pos, r.pos + n, indent + 2, all).text;
          r.pos += n;
          continue;
        }
        case OP.addrx: case OP.GNU_addr_index: text += ` ${hex(ctx.addressIndex(r.uleb()))}`; break;
        case 0xfc /* GNU_const_index */: text += ` ${ctx.addressIndex(r.uleb())}`; break;
        default: break;
      }
    }
    text += '\n';
  }
  return { text, next: r.pos };
}

/** locexpr_describe_location_piece: the shorthand for a piece gdb knows, or undefined (then disassembled). */
function describePiece(buf: Buffer, p: number, end: number, addr: bigint, ctx: DescribeContext): { text: string; next: number } | undefined {
  const op = buf[p];
  if (op >= 0x50 && op <= 0x6f) return { text: `a variable in $${dwarfRegisterName(op - 0x50)}`, next: p + 1 };
  if (op === OP.regx) {
    const r = new Reader(buf, p + 1);
    const reg = r.uleb();
    return { text: `a variable in $${dwarfRegisterName(reg)}`, next: r.pos };
  }
  if (op === OP.fbreg) {
    const r = new Reader(buf, p + 1);
    const offset = r.slebBig();
    if (!pieceEnd(buf, r.pos, end)) return undefined;
    const base = ctx.frameBase?.(addr);
    if (!base || base.length === 0) return undefined;
    let reg: number;
    let baseOffset = 0n;
    if (base[0] >= 0x70 && base[0] <= 0x8f) {
      reg = base[0] - 0x70;
      const br = new Reader(base, 1);
      baseOffset = br.slebBig();
      if (br.pos !== base.length) return undefined;
    } else if (base[0] >= 0x50 && base[0] <= 0x6f) reg = base[0] - 0x50;
    else return undefined;
    return { text: `a variable at frame base reg $${dwarfRegisterName(reg)} offset ${baseOffset}+${offset}`, next: r.pos };
  }
  const size = ctx.addrSize;
  if (p + 1 + size < end && (op === OP.addr || (size === 8 && op === OP.const8u) || (size === 4 && op === OP.const4u))
    && (buf[p + 1 + size] === OP.GNU_push_tls_address || buf[p + 1 + size] === OP.form_tls_address)
    && pieceEnd(buf, p + 2 + size, end)) {
    const offset = new Reader(buf, p + 1).addr(size);
    return { text: `a thread-local variable at offset 0x${offset.toString(16)} in the thread-local storage for \`${ctx.objfile ?? ''}'`, next: p + 2 + size };
  }
  if (op >= 0x30 && op <= 0x4f && p + 1 < end && buf[p + 1] === OP.stack_value) return { text: `the constant ${op - 0x30}`, next: p + 2 };
  return undefined;
}

/** locexpr_describe_location_1: each piece's words, `, and ` between pieces. `addr`: where the scope starts. */
export function describeExpression(buf: Buffer, addr: bigint, ctx: DescribeContext, symbol: string): string {
  const end = buf.length;
  let p = 0;
  let text = '';
  let first = true;
  while (p < end) {
    const here = p;
    if (!first) text += ', and ';
    first = false;
    let disassemble = true;
    const piece = describePiece(buf, p, end, addr, ctx);
    if (piece) {
      text += piece.text;
      p = piece.next;
    }
    if (p !== here || buf[p] === OP.piece || buf[p] === OP.bit_piece) disassemble = false;
    if (disassemble) {
      text += 'a complex DWARF expression:\n';
      const d = disassembleDwarf(buf, ctx, p, p, end);
      text += d.text;
      p = d.next;
    }
    if (p < end) {
      const empty = p === here;
      if (disassemble) text += '   ';
      const r = new Reader(buf, p + 1);
      if (buf[p] === OP.piece) {
        const bytes = r.ulebBig();
        text += empty ? `an empty ${bytes}-byte piece` : ` [${bytes}-byte piece]`;
      } else if (buf[p] === OP.bit_piece) {
        const bits = r.ulebBig();
        const offset = r.ulebBig();
        text += empty ? `an empty ${bits}-bit piece` : ` [${bits}-bit piece, offset ${offset} bits]`;
      } else throw new DwarfError(`Corrupted DWARF2 expression for symbol "${symbol}".`);
      p = r.pos;
    }
  }
  if (p > end) throw new DwarfError(`Corrupted DWARF2 expression for symbol "${symbol}".`);
  return text;
}

/** A location list as gdb walks it: base-address entries too, ranges with addresses as gdb prints them. */
export type LocationListItem = { base: bigint } | { low: bigint; high: bigint; expr: Buffer };

/** loclist_describe_location: `multi-location:` and a line per range. */
export function describeLocationList(items: LocationListItem[], ctx: DescribeContext, symbol: string): string {
  let text = 'multi-location:\n';
  for (const it of items) {
    if ('base' in it) {
      text += `  Base address ${hex(it.base)}`;
      continue;
    }
    text += `  Range ${hex(it.low)}-${hex(it.high)}: ${describeExpression(it.expr, it.low, ctx, symbol)}\n`;
  }
  return text;
}
