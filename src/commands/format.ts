/**
 * Output formats, byte for byte like gdb where gdb has one: `print` values,
 * `x/NFU` lines, `info registers`, `info proc mappings`, plus an `xxd`-style
 * hexdump and a highlighted diff for snapshots. Pure functions: no target.
 */
import type { CType, Value } from './expr.js';
import { fit, sizeOf, typeName } from './expr.js';
import type { Mapping, Registers } from '../target/types.js';
import { charLiteral, escapeChar, formatFlags, formatFloatBits } from '../dwarf/format.js';
import { EFLAGS_FLAGS } from '../dwarf/regtypes.js';
import { hexWord } from '../util/hex.js';

/** `sym+off` for an address, or undefined when no symbol covers it. */
export type Symbolizer = (addr: bigint) => string | undefined;

/** The session's names for them (src/util/hex.ts). */
export { hexWord as hex, hexWord16 as hex16 } from '../util/hex.js';

/** `0x401136 <main+4>`, or just `0x401136`. */
export function addrWithSym(addr: bigint, sym: Symbolizer): string {
  const s = sym(addr);
  return s ? `${hexWord(addr)} <${s}>` : hexWord(addr);
}

// ---- print/FMT ------------------------------------------------------------------

export type PrintFormat = 'x' | 'd' | 'u' | 'o' | 't' | 'c' | 'a' | 'z' | 's' | 'i' | 'f';

/** gdb's char literal: 'A', '\n', '\001', '\377' (src/dwarf/format.ts's). */
export { charLiteral };

/** Integer in format f, `size` bytes wide (x/t/z/o pad like gdb's x command when pad is set). */
export function formatInt(v: bigint, size: number, f: PrintFormat, pad: boolean, sym: Symbolizer = () => undefined): string {
  const bits = BigInt(size * 8);
  const u = BigInt.asUintN(Number(bits), v);
  switch (f) {
    case 'x': return `0x${pad ? u.toString(16).padStart(size * 2, '0') : u.toString(16)}`;
    case 'z': return `0x${u.toString(16).padStart(size * 2, '0')}`;
    case 'o': return u === 0n && !pad ? '0' : `0${pad ? u.toString(8).padStart(Math.ceil((size * 8) / 3), '0') : u.toString(8)}`;
    case 't': return pad ? u.toString(2).padStart(size * 8, '0') : u.toString(2);
    case 'd': return BigInt.asIntN(Number(bits), v).toString();
    case 'u': return u.toString();
    case 'c': {
      const b = Number(BigInt.asUintN(8, v));
      return `${BigInt.asIntN(8, v)} ${charLiteral(b)}`;
    }
    case 'a': return addrWithSym(u, sym);
    case 'f': {
      // gdb reinterprets a float- or double-sized integer as one (float_type_from_length)
      if (size !== 4 && size !== 8) return BigInt.asIntN(Number(bits), v).toString();
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(u);
      return formatFloatBits(b.subarray(0, size), size);
    }
    default: return u.toString();
  }
}

/** `[ CF AF SF IF ]`, flags in bit order like gdb. */
export function formatEflags(v: bigint): string {
  return formatFlags(v, EFLAGS_FLAGS);
}

/** Quote bytes the way gdb prints a C string: "abc\n\001". */
export function cString(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += escapeChar(b, 0x22);
  return `"${s}"`;
}

/** The right-hand side of `$1 = ...` for a value, with an optional /FMT. */
export function formatValue(v: Value, fmt: PrintFormat | undefined, sym: Symbolizer): string {
  const t = v.type;
  if (v.bytes) return cString(v.bytes);
  if (t.kind === 'void') return 'void';
  if (fmt && fmt !== 's' && fmt !== 'i') {
    const size = t.kind === 'int' ? t.size : 8;
    return formatInt(v.value, t.kind === 'flags' ? 4 : size, fmt, fmt === 'z', sym);
  }
  switch (t.kind) {
    case 'int':
      if (t.size === 1 && (t.name === 'char' || t.name === 'unsigned char' || t.name === 'signed char')) {
        return `${fit(v.value, t)} ${charLiteral(Number(BigInt.asUintN(8, v.value)))}`;
      }
      return fit(v.value, t).toString();
    case 'flags':
      return formatEflags(v.value);
    case 'func':
      return `{${typeName(t)}} ${addrWithSym(v.value, sym)}`;
    case 'code':
      return `{void (void)} ${addrWithSym(v.value, sym)}`;
    case 'ptr':
      return `(${pointerTypeName(t)}) ${pointerText(v.value, t.to, sym)}`;
    case 'array':
      return `<array of ${t.count} ${typeName(t.of)} at ${hexWord(v.value)}>`;
  }
}

function pointerTypeName(t: CType & { kind: 'ptr' }): string {
  return t.to.kind === 'code' ? 'void (*)()' : typeName(t);
}

/** gdb shows `<sym>` after pointers into code and data, never after stack or heap ones. */
function pointerText(addr: bigint, to: CType, sym: Symbolizer): string {
  if (addr === 0n) return '0x0';
  const s = sym(addr);
  if (to.kind === 'int' && to.size === 1 && !s) return hexWord(addr);
  return s ? `${hexWord(addr)} <${s}>` : hexWord(addr);
}

// ---- x/NFU ------------------------------------------------------------------------

export type Unit = 'b' | 'h' | 'w' | 'g';
export const UNIT_SIZE: Record<Unit, number> = { b: 1, h: 2, w: 4, g: 8 };

/** Values per line of `x`: gdb prints 8 bytes-or-halves, 4 words, 2 giants (and 8 chars). */
export function perLine(fmt: PrintFormat, unit: Unit): number {
  if (fmt === 'c') return 8;
  if (fmt === 'a') return 2;
  switch (unit) {
    case 'b': return 8;
    case 'h': return 8;
    case 'w': return 4;
    case 'g': return 2;
  }
}

/** Label at the start of an `x` line: `0x404020 <pt+16>:`. */
export function xLabel(addr: bigint, sym: Symbolizer): string {
  return `${addrWithSym(addr, sym)}:`;
}

/** Lines of `x/N{x,d,u,o,t,c,a,z}{b,h,w,g}` over already-read memory. */
export function formatXLines(addr: bigint, data: Buffer, fmt: PrintFormat, unit: Unit, sym: Symbolizer): string[] {
  const size = UNIT_SIZE[unit];
  const n = Math.floor(data.length / size);
  const lines: string[] = [];
  const per = perLine(fmt, unit);
  for (let i = 0; i < n; i += per) {
    const cells: string[] = [];
    for (let j = i; j < Math.min(n, i + per); j++) {
      const v = readLE(data, j * size, size);
      cells.push(formatInt(fmt === 'd' ? BigInt.asIntN(size * 8, v) : v, size, fmt, fmt === 'x' || fmt === 't' || fmt === 'z', sym));
    }
    lines.push(`${xLabel(addr + BigInt(i * size), sym)}\t${cells.join('\t')}`);
  }
  return lines;
}

export function readLE(data: Buffer, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[off + i]!);
  return v;
}

// ---- registers --------------------------------------------------------------------

/** gdb's `info registers` order. */
export const INFO_REGISTERS_ORDER = [
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base',
] as const;

/** A general register's natural value as `info registers` shows it (rip with its symbol, eflags as flags). */
export function registerNatural(name: string, value: bigint, sym: Symbolizer): string {
  if (name === 'rip') return addrWithSym(value, sym);
  if (name === 'rsp' || name === 'rbp') return hexWord(value);
  if (name === 'eflags') return formatEflags(value);
  if (['cs', 'ss', 'ds', 'es', 'fs', 'gs'].includes(name)) return BigInt.asIntN(32, value).toString();
  return BigInt.asIntN(64, value).toString();
}

/** One `info registers` line: name, raw hex, natural value in gdb's columns. */
export function formatRegisterLine(name: string, value: bigint, sym: Symbolizer): string {
  return `${name.padEnd(15)}${hexWord(value).padEnd(19)} ${registerNatural(name, value, sym)}`;
}

export function formatRegisters(regs: Registers, sym: Symbolizer, only?: string[]): string[] {
  const names = only ?? INFO_REGISTERS_ORDER;
  return names.map((n) => formatRegisterLine(n, regs[n as keyof Registers], sym));
}

// ---- info proc mappings -------------------------------------------------------------

export function formatMappings(pid: number, maps: Mapping[]): string[] {
  const col = (s: string, w: number) => s.padStart(w);
  const out = [`process ${pid}`, 'Mapped address spaces:', '',
    `${'Num'.padStart(4)} ${col('Start Addr', 18)} ${col('End Addr', 18)} ${col('Size', 10)} ${col('Offset', 10)}  Perms  objfile`];
  maps.forEach((m, i) => {
    out.push(`${String(i).padStart(4)} ${col(hexWord(m.start), 18)} ${col(hexWord(m.end), 18)} ${col(hexWord(m.end - m.start), 10)} ${col(hexWord(m.offset), 10)}  ${m.perms.padEnd(5)}  ${m.path}`);
  });
  return out;
}

// ---- hexdump and diff -------------------------------------------------------------

const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');

/** `xxd` layout: `00000000: 0100 0000 0200 0000 ...  ................`, offsets as addresses. */
export function hexdump(base: bigint, data: Buffer, highlight?: (i: number) => boolean, color = false): string[] {
  const lines: string[] = [];
  const on = color ? '\x1b[1;31m' : '';
  const off = color ? '\x1b[0m' : '';
  for (let i = 0; i < data.length; i += 16) {
    let hexPart = '';
    let ascii = '';
    for (let j = 0; j < 16; j++) {
      const k = i + j;
      if (k < data.length) {
        const h = data[k]!.toString(16).padStart(2, '0');
        const hl = highlight?.(k) ?? false;
        hexPart += hl && color ? `${on}${h}${off}` : h;
        ascii += hl && color ? `${on}${printable(data[k]!)}${off}` : printable(data[k]!);
      } else {
        hexPart += '  ';
      }
      if (j % 2 === 1 && j !== 15) hexPart += ' ';
    }
    lines.push(`${(base + BigInt(i)).toString(16).padStart(12, '0')}: ${hexPart}  ${ascii}`);
  }
  return lines;
}

/** Maximal runs of differing bytes: [offset, length]. */
export function changedRanges(a: Buffer, b: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n) {
    if (a[i] === b[i]) { i++; continue; }
    const start = i;
    while (i < n && a[i] !== b[i]) i++;
    out.push([start, i - start]);
  }
  return out;
}

/**
 * `snapshot diff`: the 16-byte lines that changed, old bytes over new bytes,
 * changed bytes marked (ANSI color on a TTY, `^^` under them otherwise).
 */
export function formatDiff(base: bigint, old: Buffer, now: Buffer, color: boolean, maxLines = 64): string[] {
  const ranges = changedRanges(old, now);
  const changed = ranges.reduce((s, [, l]) => s + l, 0);
  const lines: string[] = [];
  const changedAt = (i: number) => old[i] !== now[i];
  const rows = new Set<number>();
  for (const [o, l] of ranges) for (let r = Math.floor(o / 16); r <= Math.floor((o + l - 1) / 16); r++) rows.add(r);
  let shown = 0;
  for (const r of [...rows].sort((a, b) => a - b)) {
    if (shown++ >= maxLines) {
      lines.push(`... ${rows.size - maxLines} more changed lines`);
      break;
    }
    const s = r * 16;
    const o = old.subarray(s, s + 16);
    const n = now.subarray(s, s + 16);
    const [oldLine] = hexdump(base + BigInt(s), o, (i) => changedAt(s + i), color);
    const [newLine] = hexdump(base + BigInt(s), n, (i) => changedAt(s + i), color);
    lines.push(`- ${oldLine}`);
    lines.push(`+ ${newLine}`);
    if (!color) {
      let marks = '';
      for (let j = 0; j < 16; j++) {
        marks += s + j < old.length && changedAt(s + j) ? '^^' : '  ';
        if (j % 2 === 1 && j !== 15) marks += ' ';
      }
      lines.push(`  ${' '.repeat(14)}${marks.trimEnd()}`);
    }
  }
  const rangeText = ranges.slice(0, 8).map(([o, l]) => `${hexWord(base + BigInt(o))}..${hexWord(base + BigInt(o + l))}`).join(', ');
  lines.push(`${changed} byte${changed === 1 ? '' : 's'} changed in ${ranges.length} range${ranges.length === 1 ? '' : 's'}` +
    (ranges.length ? `: ${rangeText}${ranges.length > 8 ? ', ...' : ''}` : ''));
  return lines;
}

/** Human size: 4096 -> "4.0 KiB". */
export function humanSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export { sizeOf };
