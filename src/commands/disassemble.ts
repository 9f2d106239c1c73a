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

function line(i: Insn, label: string, pc: bigint | undefined, raw: boolean): string {
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
    const insns = await code(h, start, end);
    const label = (a: bigint) => {
      const s = h.symbolize(a);
      return s ? ` <${s.includes('+') ? s : `${s}+0`}>` : '';
    };
    h.outLines([`Dump of assembler code from ${hex(start)} to ${hex(end)}:`, ...insns.map((i) => line(i, label(i.address), pc, args.raw)), 'End of assembler dump.']);
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
  h.outLines([`Dump of assembler code for function ${fn.name}:`, ...insns.map((i) => line(i, ` <+${i.address - fn.start}>`, pc, args.raw)), 'End of assembler dump.']);
}

const hex = (a: bigint) => `0x${a.toString(16)}`;
