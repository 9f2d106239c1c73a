/**
 * `info scope LINESPEC` as gdb 13 prints it (tracepoint.c info_scope_command):
 * the symbols of the block at the location and of each enclosing block out
 * to the function (an inlined call's block is a function's), each with
 * where it lives (src/dwarf/describe-location.ts) and its type's length.
 *
 * gdb keeps a function's (or inlined call's) symbols in declaration order,
 * the inlined function's own symbol first; a lexical block's in a hash
 * table (dictionary.c dict_create_hashed), listed bucket by bucket: the
 * same order here, from the same hash (default_search_name_hash).
 */
import type { DebugInfo } from '../dwarf/debuginfo.js';
import type { Die } from '../dwarf/info.js';
import { AT, OP, TAG } from '../dwarf/constants.js';
import { CommandError } from './parse.js';
import { symbolLocation, type SymbolHost } from './symbol-location.js';
import { addsVariable, blockSymbols, collect, hashedOrder, isFunctionBlock, type Sym } from '../dwarf/block-symbols.js';

/** What the command needs from the session. */
export interface ScopeHost extends SymbolHost {
  /** Whether an executable is loaded (else gdb's "No symbol table is loaded"). */
  hasFile: boolean;
  /** The DWARF of each image, the executable's first (run-time addresses through their bias). */
  debugInfos(): DebugInfo[];
  /** The DWARF whose code holds a run-time pc. */
  debugAt(pc: bigint): DebugInfo | undefined;
  /** `*EXPR`. */
  evalAddress(expr: string): Promise<bigint>;
  /** `FILE:LINE` / `LINE`, as `break` finds them (gdb's words when there are none). */
  lineLocations(file: string | undefined, line: number): Promise<bigint[]>;
}

const REQUIRES = 'requires an argument (function, line or *addr) to define a scope';
const FILE_LINE = /^(?:(.+):)?(\d+)$/;

/** The lines of `info scope ARG`. */
export async function infoScope(host: ScopeHost, arg: string): Promise<string[]> {
  const spec = arg.trim();
  if (!spec) throw new CommandError(REQUIRES);
  if (!host.hasFile) throw new CommandError('No symbol table is loaded.  Use the "file" command.');
  const pc = await resolve(host, spec);
  const debug = pc === undefined ? undefined : host.debugAt(pc);
  const scope = debug && pc !== undefined ? debug.scopeAt(pc) : undefined;
  let count = 0;
  let text = '';
  const say = (syms: Sym[], block: Die) => {
    for (const sym of syms) {
      if (count++ === 0) text += `Scope for ${spec}:\n`;
      text += `Symbol ${sym.name} is ${describeSymbol(sym, block, debug!, host)}`;
    }
  };
  try {
    for (const block of scope ? realBlocks(scope.blocks) : []) {
      say(blockSymbols(block), block);
      if (isFunctionBlock(block)) break;
    }
    // code of a unit outside its functions' DIEs: gdb's static block of the file, then its global block
    const unit = !scope && debug && pc !== undefined ? unitAround(debug, pc - debug.bias) : undefined;
    if (unit) {
      const file = fileSymbols(unit);
      say(hashedOrder(file.statics), unit);
      say(hashedOrder(file.globals), unit);
    }
  } catch (e) {
    // what gdb printed before its error stays on the screen
    throw new CommandError(`${text}${(e as Error).message}`);
  }
  if (count === 0) return [`Scope for ${spec} contains no locals or arguments.`];
  return text.replace(/\n$/, '').split('\n');
}

/** gdb's decode_line_1 (FUNFIRSTLINE) for the first location of the spec. */
async function resolve(host: ScopeHost, spec: string): Promise<bigint | undefined> {
  if (spec.startsWith('*')) return host.evalAddress(spec.slice(1));
  const fileLine = FILE_LINE.exec(spec);
  if (fileLine) {
    const pcs = await host.lineLocations(fileLine[1], Number(fileLine[2]));
    return firstOfLine(host, pcs);
  }
  const name = spec.includes(':') && !spec.includes('::') ? spec.slice(spec.lastIndexOf(':') + 1) : spec;
  for (const debug of host.debugInfos()) {
    const pc = functionLocation(debug, name);
    if (pc !== undefined) return pc;
  }
  // (a library function the program calls is its PLT stub until the library is loaded)
  const sym = host.symbolAddress(name) ?? host.symbolAddress(`${name}@plt`);
  if (sym === undefined) throw new CommandError(`Function "${spec}" not defined.`);
  return sym;
}

/**
 * The first of a line's addresses as gdb lists them: file by file (the same
 * source in several units: the unit gdb read last first), each in address order.
 */
function firstOfLine(host: ScopeHost, pcs: bigint[]): bigint | undefined {
  const unitOf = (pc: bigint) => {
    const debug = host.debugAt(pc);
    const a = pc - (debug?.bias ?? 0n);
    return debug?.units.find((u) => !u.isTypeUnit && u.root.containsPc(a))?.offset ?? -1;
  };
  return [...pcs].sort((a, b) => unitOf(b) - unitOf(a) || (a < b ? -1 : a > b ? 1 : 0))[0];
}

/**
 * Of a function's out-of-line copies (past their prologue) and the places it
 * was inlined, the one gdb takes first: its symbols are sorted by where they
 * lie in memory, which is mostly the order gdb read them: main's unit first
 * (read at startup), then the DIEs in order.
 */
function functionLocation(debug: DebugInfo, name: string): bigint | undefined {
  const mainUnit = debug.functionsNamed('main')[0]?.unit;
  const found: Array<{ die: Die; pc: bigint }> = [];
  for (const fn of debug.functionsNamed(name)) found.push({ die: fn.die, pc: debug.breakpointAddress(fn) });
  for (const entry of debug.inlinedEntries(name)) {
    const call = debug.scopeAt(entry)?.blocks.find((b) => b.tag === TAG.inlined_subroutine && b.name === name && debug.blockEntry(b) === entry);
    if (call) found.push({ die: call, pc: entry });
  }
  const key = (d: Die) => (d.unit === mainUnit ? -1 : d.offset);
  found.sort((a, b) => key(a.die) - key(b.die) || a.die.offset - b.die.offset);
  return found[0]?.pc;
}

/** The unit whose ranges hold the unrelocated address (gdb's static block of that file). */
function unitAround(debug: DebugInfo, a: bigint): Die | undefined {
  for (const u of debug.units) {
    if (!u.isTypeUnit && u.root.ranges().some(([lo, hi]) => a >= lo && a < hi)) return u.root;
  }
  return undefined;
}

/** The file-level symbols of a unit, split as new_symbol lists them: the file's (static) and the global ones. */
function fileSymbols(root: Die): { statics: Sym[]; globals: Sym[] } {
  const statics: Sym[] = [];
  const globals: Sym[] = [];
  for (const c of root.children) {
    const external = c.inherited((x) => (x.has(AT.external) ? x.flag(AT.external) : undefined)) === true;
    if (c.tag === TAG.subprogram) {
      const name = c.name;
      if (name && (c.has(AT.low_pc) || c.has(AT.ranges))) (external ? globals : statics).push({ name: cName(name), die: c, fn: true });
      continue;
    }
    if (c.tag === TAG.variable) {
      const name = c.name;
      if (!name || !addsVariable(c)) continue;
      (external ? globals : statics).push({ name, die: c });
      continue;
    }
    const list: Sym[] = [];
    collect([c], list);
    for (const sym of list) statics.push({ ...sym, name: cName(sym.name) });
  }
  return { statics, globals };
}

/** gdb's canonical C names of the base types (c_canonicalize_name): `long unsigned int` is `unsigned long`. */
function cName(name: string): string {
  const words = name.split(/\s+/);
  if (!words.every((w) => ['unsigned', 'signed', 'long', 'short', 'int', 'char'].includes(w))) return name;
  const count = (w: string) => words.filter((x) => x === w).length;
  const out: string[] = [];
  if (count('unsigned')) out.push('unsigned');
  if (count('signed') && count('char')) out.push('signed');
  if (count('short')) out.push('short');
  for (let i = 0; i < count('long'); i++) out.push('long');
  if (count('char')) out.push('char');
  if (!count('short') && !count('long') && !count('char')) out.push('int');
  return out.join(' ');
}

/** Blocks with code (a lexical block without ranges is no block to gdb: its symbols are its parent's). */
function realBlocks(blocks: Die[]): Die[] {
  return blocks.filter((b) => b.tag !== TAG.lexical_block || b.has(AT.low_pc) || b.has(AT.ranges));
}

/** `is ...` to the end of the symbol's text (`, length N.` or a bare period). */
function describeSymbol(sym: Sym, block: Die, debug: DebugInfo, host: ScopeHost): string {
  return symbolLocation(sym.die, debug, debug.blockEntry(block), host, 'scope', sym.fn);
}
