/**
 * gdb's `disassemble [/MODIFIERS] [FUNCTION | ADDRESS | START,END | START,+LENGTH]`:
 * a function's code (`<+off>` after each address) or a range's (`<sym+off>`,
 * instructions that start before END), `=>` at the selected frame's pc, /r
 * with the bytes padded as gdb 13 pads them (x86: 7 bytes a line), gdb's
 * errors for bad modifiers.
 */
import { CommandError } from '../debugger/errors.js';
import { disassemble, type Insn } from './disasm.js';
import type { Symbolizer } from './format.js';
import { hexWord16 } from '../util/hex.js';
import { readReadable } from './examine.js';

/** What `disassemble` needs from the Session. */
export interface DisassembleHost {
  evalAddress(expr: string): Promise<bigint>;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  framePc(): Promise<bigint | undefined>;
  symbolize: Symbolizer;
  /** The function symbol containing addr: its name, start and size. */
  functionAt(addr: bigint): { name: string; start: bigint; size: bigint } | undefined;
  outLines(lines: string[]): void;
  /** gdb's find_pc_line: the line-table row at a pc (file, line, the row's end). */
  lineAt(pc: bigint): { path: string; file: string; line: number; end: bigint } | undefined;
  /** gdb's first_le: the line of the first line-table row in [low, high) of low's file. */
  firstLineIn(low: bigint, high: bigint): number | undefined;
  /** `17\tTEXT` of a source line, as `list` prints it. */
  sourceLine(path: string, file: string, line: number): string;
}

/** x86's bytes per line in libopcodes: gdb 13 pads /r's bytes to that many less one column. */
const RAW_WIDTH = 7 * 3 - 2;

export interface DisassembleArgs { raw: boolean; mixed?: 'm' | 's'; what: string }

/** The modifiers (`/r`, `/rs`, `/r /m`...) and the rest, with gdb's errors. */
export function parseDisassembleArgs(text: string): DisassembleArgs {
  let rest = text.trim();
  let raw = false;
  let m = false;
  let s = false;
  while (rest.startsWith('/')) {
    let i = 1;
    for (; i < rest.length && !/\s/.test(rest[i]!); i++) {
      const c = rest[i]!;
      if (c === 'r') raw = true;
      else if (c === 'm') m = true;
      else if (c === 's') s = true;
      else throw new CommandError('Invalid disassembly modifier.');
    }
    if (i === 1) throw new CommandError('Missing modifier.');
    rest = rest.slice(i).trimStart();
  }
  if (m && s) throw new CommandError('Cannot specify both /m and /s.');
  return { raw, mixed: m ? 'm' : s ? 's' : undefined, what: rest };
}

/** START,END split at the first comma outside brackets and quotes; undefined without one. */
function splitRange(what: string): [string, string] | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < what.length; i++) {
    const c = what[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) return [what.slice(0, i), what.slice(i + 1)];
  }
  return undefined;
}

/** A `disassemble` line: `=> 0x000000000040113a <+4>:\tmov ...` (label ` <+4>` or ` <main+4>`), /r's bytes padded. */
export function disassemblyLine(i: Insn, label: string, pc: bigint | undefined, raw: boolean): string {
  const marker = i.address === pc ? '=> ' : '   ';
  const bytes = raw ? `${[...i.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(RAW_WIDTH)}\t` : '';
  return `${marker}${hexWord16(i.address)}${label}:\t${bytes}${i.text}`;
}

/** The instructions of [start, end): those that start before end. */
async function code(h: DisassembleHost, start: bigint, end: bigint): Promise<Insn[]> {
  if (end <= start) return [];
  // the last instruction may run past end: up to 15 bytes more
  const { data } = await readReadable((a, l) => h.readMemory(a, l), start, Number(end - start) + 15);
  return disassemble(data, start, h.symbolize).filter((i) => i.address < end);
}

/** `disassemble ...` (after its modifiers). */
export async function disassembleCommand(h: DisassembleHost, args: DisassembleArgs): Promise<void> {
  const pc = await h.framePc();
  const range = splitRange(args.what);
  if (range) {
    if (!range[0].trim()) throw new CommandError(`A syntax error in expression, near \`${args.what.trim()}'.`);
    const start = await h.evalAddress(range[0]);
    const second = range[1].trim();
    if (!second) return disassembleFunction(h, args, start, pc);
    const end = second.startsWith('+') ? start + (await h.evalAddress(second.slice(1))) : await h.evalAddress(second);
    let insns = await code(h, start, end);
    // /m shows the whole line-table row of the last instruction, past END (gdb's dump_insns of each row)
    const lastRow = args.mixed === 'm' && insns.length ? h.lineAt(insns[insns.length - 1]!.address) : undefined;
    if (lastRow && lastRow.end > end) insns = await code(h, start, lastRow.end);
    const label = (a: bigint) => {
      const s = h.symbolize(a);
      return s ? ` <${s.includes('+') ? s : `${s}+0`}>` : '';
    };
    const body = args.mixed ? withSource(h, insns, args.mixed, (i) => disassemblyLine(i, label(i.address), pc, args.raw), [start, end]) : insns.map((i) => disassemblyLine(i, label(i.address), pc, args.raw));
    h.outLines([`Dump of assembler code from ${hex(start)} to ${hex(end)}:`, ...body, 'End of assembler dump.']);
    return;
  }
  let addr: bigint;
  if (args.what) addr = await h.evalAddress(args.what);
  else if (pc !== undefined) addr = pc;
  else throw new CommandError('No frame selected.');
  await disassembleFunction(h, args, addr, pc);
}

async function disassembleFunction(h: DisassembleHost, args: DisassembleArgs, addr: bigint, pc: bigint | undefined): Promise<void> {
  const fn = h.functionAt(addr);
  if (!fn || fn.size === 0n) throw new CommandError('No function contains specified address.');
  const insns = await code(h, fn.start, fn.start + fn.size);
  const show = (i: Insn) => disassemblyLine(i, ` <+${i.address - fn.start}>`, pc, args.raw);
  const body = args.mixed ? withSource(h, insns, args.mixed, show, [fn.start, fn.start + fn.size]) : insns.map(show);
  h.outLines([`Dump of assembler code for function ${fn.name}:`, ...body, 'End of assembler dump.']);
}

/**
 * /s (gdb's do_mixed_source_and_assembly): in address order, each line's
 * source before its instructions, a blank line between groups, the file's
 * name when it changes, and the source lines skipped since the last one shown
 * that have no code in the range; before the first line, those from the range's
 * first line-table row (the opening brace of a function whose prologue -O2
 * removed). /m (source-centric, deprecated): the same
 * groups with no file names and a blank line after each; gdb sorts them by
 * line, tsdbg keeps address order (the same on code in line order).
 */
function withSource(h: DisassembleHost, insns: Insn[], mode: 'm' | 's', show: (i: Insn) => string, [low, high]: [bigint, bigint]): string[] {
  if (mode === 'm') return sourceCentric(h, insns, show);
  const key = (path: string, line: number) => `${path}:${line}`;
  const withCode = new Set<string>();
  for (const i of insns) {
    const sal = h.lineAt(i.address);
    if (sal) withCode.add(key(sal.path, sal.line));
  }
  const out: string[] = [];
  let lastPath: string | undefined;
  let lastLine = 0;
  let end = -1n;
  let first = true;
  for (const i of insns) {
    if (i.address < end) { out.push(show(i)); continue; }
    const sal = h.lineAt(i.address);
    end = sal ? sal.end : i.address + 1n;
    const samePath = (sal?.path) === lastPath && !first;
    const newLine = !samePath || (sal !== undefined && sal.line !== lastLine);
    if (newLine) {
      if (!first) out.push('');
      if (!samePath) out.push(`${sal?.file ?? 'unknown'}:`);
      const firstLine = first && sal ? h.firstLineIn(low, high) : undefined;
      if (sal && firstLine) for (let k = firstLine; k < sal.line; k++) out.push(h.sourceLine(sal.path, sal.file, k));
      if (sal && samePath && sal.line > lastLine + 1 && lastLine !== 0) {
        let l = sal.line - 1;
        for (; l > lastLine; l--) if (withCode.has(key(sal.path, l))) break;
        for (let k = l + 1; k < sal.line; k++) out.push(h.sourceLine(sal.path, sal.file, k));
      }
      out.push(sal ? h.sourceLine(sal.path, sal.file, sal.line) : '--- no source info for this pc ---');
    }
    out.push(show(i));
    first = false;
    lastPath = sal?.path;
    lastLine = sal?.line ?? 0;
  }
  return out;
}

/**
 * /m (gdb's do_mixed_source_and_assembly_deprecated): the instructions in
 * groups by line, the groups sorted by line (in address order within one),
 * each line's source once with the lines since the last one shown, and a
 * blank line after a line's last group.
 */
function sourceCentric(h: DisassembleHost, insns: Insn[], show: (i: Insn) => string): string[] {
  type Group = { sal: { path: string; file: string; line: number } | undefined; insns: Insn[] };
  const groups: Group[] = [];
  let end = -1n;
  for (const i of insns) {
    if (i.address < end && groups.length) { groups[groups.length - 1]!.insns.push(i); continue; }
    const sal = h.lineAt(i.address);
    end = sal ? sal.end : i.address + 1n;
    const last = groups[groups.length - 1];
    if (last && last.sal?.line === sal?.line && last.sal?.path === sal?.path) last.insns.push(i);
    else groups.push({ sal, insns: [i] });
  }
  // gdb reads one file's line table: the one of the first instruction's line
  const path = groups[0]?.sal?.path;
  const ordered = groups.map((g, k) => ({ g, k })).sort((x, y) => (x.g.sal?.line ?? 0) - (y.g.sal?.line ?? 0) || x.k - y.k).map((x) => x.g);
  const out: string[] = [];
  let next = 0;
  ordered.forEach((g, k) => {
    const sal = g.sal;
    if (sal && sal.path === path && sal.line >= next) {
      for (let l = next === 0 ? sal.line : next; l <= sal.line; l++) out.push(h.sourceLine(sal.path, sal.file, l));
      next = sal.line + 1;
    }
    out.push(...g.insns.map(show));
    const following = ordered[k + 1];
    if (!following || (following.sal?.line ?? 0) > (sal?.line ?? 0)) out.push('');
  });
  return out;
}

const hex = (a: bigint) => `0x${a.toString(16)}`;
