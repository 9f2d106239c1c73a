/**
 * Where a DWARF symbol lives, in gdb 13's words, for `info scope`
 * (tracepoint.c: "Symbol X is ..., length N.") and `info address`
 * (printcmd.c: "Symbol \"X\" is ....").  Symbols with a DWARF location are
 * described by dwarf2/loc.c (src/dwarf/describe-location.ts); the others by
 * their class: static storage, constants, labels, functions, optimized out.
 */
import type { DebugInfo } from '../dwarf/debuginfo.js';
import type { Die } from '../dwarf/info.js';
import { AT, FORM, OP, TAG } from '../dwarf/constants.js';
import { readLocationList } from '../dwarf/lists.js';
import { Reader } from '../dwarf/reader.js';
import { sizeOf, typeName } from '../dwarf/types.js';
import { inheritedAttr } from '../dwarf/block-symbols.js';
import { describeExpression, describeLocationList, type DescribeContext, type LocationListItem } from '../dwarf/describe-location.js';

export interface SymbolHost {
  /** The ELF symbol's address (an `extern` variable declared in a block). */
  symbolAddress(name: string): bigint | undefined;
  /** The executable's path (thread-local variables name their objfile). */
  objfile?: string;
}


/**
 * The text after `Symbol X is ` (`scope`) or `Symbol "X" is ` (`address`),
 * to its end of line. `pc`: where the scope starts (DW_OP_fbreg's frame
 * base); `fn`: the symbol is an inlined (or nested) function's own.
 */
export function symbolLocation(d: Die, debug: DebugInfo, pc: bigint, host: SymbolHost, mode: 'scope' | 'address', fn = false): string {
  const scope = mode === 'scope';
  const typeLength = () => {
    if (d.tag === TAG.enumerator) return sizeOf(debug.typeOf(d.parent!));
    const t = d.type;
    return t ? sizeOf(debug.typeOf(t)) : 4;   // (a variable without a type is an int to gdb)
  };
  // `info scope` gives the type's length, except for what it says and goes on from
  const end = (n?: number) => (scope && n !== undefined ? `, length ${n}.\n` : '.\n');
  const address = (a: bigint) => `0x${a.toString(16)}`;
  if (fn || d.tag === TAG.subprogram) return `a function at address ${address(debug.blockEntry(d))}${end(1)}`;
  switch (d.tag) {
    case TAG.label: {
      const low = d.addr(AT.low_pc);
      if (low === undefined) return 'optimized out.\n';
      return `a label at address ${address(low + debug.bias)}${end(8)}`;
    }
    case TAG.typedef: case TAG.base_type: case TAG.enumeration_type: case TAG.structure_type: case TAG.union_type: case TAG.class_type:
      return 'a typedef.\n';
  }
  const constant = d.tag === TAG.enumerator ? d : inheritedAttr(d, AT.const_value);
  if (constant) return `${scope ? constantText(constant) : 'constant'}${end(typeLength())}`;
  const locDie = inheritedAttr(d, AT.location);
  if (!locDie) {
    if (d.tag === TAG.variable && inheritedAttr(d, AT.external) && d.type) {
      const a = host.symbolAddress(d.name!);
      if (a === undefined) return `${scope ? 'Unresolved Static' : 'unresolved'}${end(typeLength())}`;
      return `static storage at address ${address(a)}${end(typeLength())}`;
    }
    return 'optimized out.\n';
  }
  const expr = locDie.block(AT.location);
  const ctx = describeContext(locDie, debug, host);
  const name = d.name ?? '';
  const staticAt = (a: bigint) => `${scope ? 'in ' : ''}static storage at address ${address(a + debug.bias)}${end(typeLength())}`;
  if (expr) {
    if (expr.length === 0) return 'optimized out.\n';
    if (expr[0] === OP.addr && expr.length === 1 + locDie.unit.addrSize) return staticAt(new Reader(expr, 1).addr(locDie.unit.addrSize));
    if ((expr[0] === OP.addrx || expr[0] === OP.GNU_addr_index) && lebEnds(expr, 1)) return staticAt(ctx.addressIndex(new Reader(expr, 1).uleb()));
    return `${describeExpression(expr, pc, ctx, name)}${end(typeLength())}`;
  }
  const off = locDie.unit.listOffsetOf(locDie, AT.location, 'loc');
  const items: LocationListItem[] = [];
  const bases: Array<{ base: bigint; before: number }> = [];
  const entries = off === undefined ? [] : readLocationList(locDie.unit, off, (base, before) => bases.push({ base, before }));
  entries.forEach((e, i) => {
    for (const b of bases) if (b.before === i) items.push({ base: b.base });
    // (gdb relocates the ranges but prints a base address as the DWARF has it)
    items.push({ low: (e.low ?? 0n) + debug.bias, high: (e.high ?? 0n) + debug.bias, expr: e.expr });
  });
  for (const b of bases) if (b.before === entries.length) items.push({ base: b.base });
  return `${describeLocationList(items, ctx, name)}${end(typeLength())}`;
}

/** Whether a ULEB128 starting at i ends the buffer. */
function lebEnds(buf: Buffer, i: number): boolean {
  while (i < buf.length && buf[i] & 0x80) i++;
  return i === buf.length - 1;
}

/** LOC_CONST (`a constant with value N (0xN)`) or LOC_CONST_BYTES (`constant bytes:  01 02`). */
function constantText(d: Die): string {
  const raw = d.raw(AT.const_value);
  const form = d.formOf(AT.const_value);
  const bytes = (b: Buffer) => `constant bytes: ${[...b].map((x) => ` ${x.toString(16).padStart(2, '0')}`).join('')}`;
  if (Buffer.isBuffer(raw)) return bytes(raw);
  if (form === FORM.string || form === FORM.strp || form === FORM.line_strp || form === FORM.strx
    || (form !== undefined && form >= FORM.strx1 && form <= FORM.strx4)) {
    return bytes(Buffer.from(`${d.str(AT.const_value) ?? ''}\0`));
  }
  let v: bigint;
  if (form === FORM.sdata || form === FORM.implicit_const) v = BigInt(d.snum(AT.const_value) ?? 0);
  else if (form === FORM.data8 || form === FORM.udata) v = BigInt.asIntN(64, typeof raw === 'bigint' ? raw : BigInt(raw as number));
  else v = typeof raw === 'bigint' ? raw : BigInt(raw as number);   // data1/2/4: zero-extended, as gdb reads them
  return `a constant with value ${v} (0x${BigInt.asUintN(64, v).toString(16)})`;
}

function describeContext(d: Die, debug: DebugInfo, host: SymbolHost): DescribeContext {
  const unit = d.unit;
  return {
    addrSize: unit.addrSize,
    offsetSize: unit.offsetSize,
    typeName: (off) => {
      const t = unit.dieAt(unit.offset + off);
      return t ? typeName(debug.typeOf(t)) : '<unknown type>';
    },
    addressIndex: (i) => unit.addressIndex(i),
    frameBase: (addr) => debug.functionAt(addr)?.die.block(AT.frame_base),
    objfile: host.objfile,
  };
}
