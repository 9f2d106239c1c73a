/** SourceLevel's info subcommands over DWARF and symbols: info line, info source, info address, info functions|variables|types. */
import type { DebugInfo } from '../../dwarf/debuginfo.js';
import type { Die } from '../../dwarf/info.js';
import { sourceLines } from '../../dwarf/present.js';
import { declarator } from '../../dwarf/types.js';
import { CommandError } from '../parse.js';
import { pushAll } from '../../arrays.js';
import { gdbLineNumber } from '../examine.js';
import { hexWord, hexWord16 } from '../../util/hex.js';
import { symbolLocation } from '../symbol-location.js';
import type { SourceLevel } from './index.js';
import { wrapHint } from '../../dwarf/wrap.js';

/** gdb's wrap_here (2) in `info line`. */
const W2 = wrapHint(2);

/** `info line [FUNCTION|*ADDR]` in a program without DWARF: gdb's words for an address without a line. */
export async function infoLineWithoutDwarf(s: SourceLevel, arg: string): Promise<void> {
  if (!arg) throw new CommandError('No line number information available.');
  let pc: bigint;
  if (arg.startsWith('*')) {
    const v = await (await s.evaluator()).evaluate(arg.slice(1));
    pc = BigInt.asUintN(64, (await v.bigint()) ?? 0n);
  } else {
    const sym = s.program()?.image.symbolByName(arg)?.symbol ?? s.fileSymbols()?.symbolByName(arg);
    if (!sym || sym.kind !== 'function') throw new CommandError(`Function "${arg}" not defined.`);
    pc = sym.address;
  }
  s.host.out(`No line number information available for address ${hexWord(pc)}${s.sym(pc)}`);
}

/** `info address SYM`: where a variable or function lives, in gdb's words. */
export async function infoAddress(s: SourceLevel, name: string): Promise<string> {
  if (!name) throw new CommandError('Argument required.');
  const ev = await s.evaluator();
  const hit = ev.findVariable(name);
  if (hit) {
    const symbols = { symbolAddress: (n: string) => (s.program()?.image.symbolByName(n)?.symbol ?? s.fileSymbols()?.symbolByName(n))?.address,
      objfile: s.host.fileElf()?.path };
    return `Symbol "${name}" is ${symbolLocation(hit.die, hit.debug, scopeStart(hit.die, hit.debug), symbols, 'address').replace(/\n$/, '')}`;
  }
  const fn = s.program()?.functionsNamed(name)[0] ?? (s.exeDebug()?.functionsNamed(name)[0] && { fn: s.exeDebug()!.functionsNamed(name)[0], debug: s.exeDebug()! });
  if (fn) return `Symbol "${name}" is a function at address ${hexWord(fn.debug.entryOf(fn.fn))}.`;
  const sym = s.program()?.image.symbolByName(name)?.symbol ?? s.fileSymbols()?.symbolByName(name);
  if (sym) return `Symbol "${name}" is at ${hexWord(sym.address)} in a file compiled without debugging.`;
  throw new CommandError(`No symbol "${name}" in current context.`);
}

/**
 * `info functions|variables|types [REGEXP]`: declarations grouped by file
 * like gdb, then the symbols without debug info (functions and variables).
 */
export function infoSymbols(s: SourceLevel, kind: 'functions' | 'variables' | 'types', arg: string): string {
  const re = gdbRegex(arg.trim());
  const exe = s.exeDebug();
  const debugs = s.program()?.debugInfos() ?? (exe ? [exe] : []);
  const byFile = new Map<string, Array<{ name: string; text: string }>>();
  const add = (file: string | undefined, name: string, text: string) => {
    const key = file ?? '';
    const list = byFile.get(key) ?? [];
    if (!list.some((e) => e.text === text)) list.push({ name, text });
    byFile.set(key, list);
  };
  const covered = new Set<string>();
  for (const d of debugs) {
    if (kind === 'functions') {
      for (const fn of d.allFunctions()) {
        covered.add(fn.name);
        if (!re.test(fn.name)) continue;
        const die = fn.die.ref(0x47 /* specification */) ?? fn.die.ref(0x31 /* abstract_origin */) ?? fn.die;
        const line = die.num(0x3b /* decl_line */);
        const decl = declarator(d.typeOf(fn.die), fn.name);
        add(d.declFile(die), fn.name, `${line ?? ''}:\t${fn.external ? '' : 'static '}${decl};`);
      }
    } else if (kind === 'variables') {
      for (const v of d.allGlobals()) {
        const name = v.name!;
        covered.add(name);
        if (!re.test(name)) continue;
        const external = v.inherited((x) => (x.has(0x3f /* external */) ? true : undefined)) ?? false;
        const line = v.inherited((x) => x.num(0x3b));
        add(d.declFile(v), name, `${line ?? ''}:\t${external ? '' : 'static '}${declarator(d.typeOf(v.type), name)};`);
      }
    } else {
      for (const [key, die] of d.allTypeDies()) {
        const name = key.replace(/^(struct|union|enum) /, '');
        if (!re.test(name)) continue;
        const line = die.num(0x3b);
        const t = d.typeOf(die);
        const text = t.kind === 'typedef' ? `typedef ${declarator(t.target, t.name)};` : t.kind === 'base' ? t.name : `${key};`;
        add(d.declFile(die), name, line === undefined ? `\t${text}` : `${line}:\t${text}`);
      }
    }
  }
  const what = kind === 'functions' ? 'functions' : kind === 'variables' ? 'variables' : 'types';
  const out = [arg.trim() ? `All ${what} matching regular expression "${arg.trim()}":` : `All defined ${what}:`];
  for (const file of [...byFile.keys()].sort()) {
    const entries = byFile.get(file)!.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push('', `File ${file}:`);
    pushAll(out, entries.map((e) => e.text));
  }
  if (kind !== 'types') {
    const image = s.program()?.image;
    const modules = image ? image.modules : [];
    const tables = modules.length ? modules.map((m) => m.symbols) : [s.fileSymbols()];
    const minimal: Array<[bigint, string]> = [];
    for (const t of tables) {
      for (const sym of t?.all ?? []) {
        const wanted = kind === 'functions' ? sym.kind === 'function' : sym.kind === 'object';
        if (wanted && !covered.has(sym.name) && re.test(sym.name)) minimal.push([sym.address, sym.name]);
      }
    }
    if (minimal.length) {
      minimal.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
      out.push('', 'Non-debugging symbols:');
      pushAll(out, minimal.map(([a, n]) => `${hexWord16(a)}  ${n}`));
    }
  }
  return out.join('\n');
}

export async function infoLine(s: SourceLevel, arg: string): Promise<void> {
  const debug = s.exeDebug()!;
  let pc: bigint;
  if (!arg) {
    if (!s.program()) throw new CommandError('No line number information available.');
    pc = (await s.selected()).lookupPc;
  } else if (arg.startsWith('*')) {
    const v = await (await s.evaluator()).evaluate(arg.slice(1));
    pc = BigInt.asUintN(64, (await v.bigint()) ?? 0n);
  } else {
    const fileLine = /^(.+):(\d+)$/.exec(arg);
    if (fileLine || /^\d+$/.test(arg)) {
      const file = fileLine ? fileLine[1] : (await s.currentFile()) ?? '';
      const wanted = gdbLineNumber(fileLine ? fileLine[2]! : arg);
      const hits = wanted > 0 ? debug.addressesForLine(file, wanted, true) : [];
      if (!hits.length) {
        // past the last line with code: gdb names the file as its line table does
        const first = debug.addressesForLine(file, 1)[0];
        const shown = first ? debug.lineForAddress(first.address)?.file : undefined;
        throw new CommandError(`Line number ${wanted} is out of range for "${shown ?? file}".`);
      }
      pc = hits[0].address;
      const at = debug.lineForAddress(pc)!;
      if (at.line === wanted) {
        s.host.out(`Line ${at.line} of "${at.file}"${W2} starts at address ${hexWord(at.address)}${s.sym(at.address)}${W2} and ends at ${hexWord(at.end)}${s.sym(at.end)}.`);
      } else {
        // a line without code: gdb names the address of the next line that has some
        s.host.out(`Line ${wanted} of "${at.file}"${W2} is at address ${hexWord(at.address)}${s.sym(at.address)}${W2} but contains no code.`);
      }
      s.setLineAddress(at.address);
      return;
    }
    const entries = functionEntries(debug, arg);
    if (!entries.length) throw new CommandError(`Function "${arg}" not defined.`);
    // gdb says each: every inlined copy and the out-of-line one
    for (const e of entries.slice(0, -1)) lineAt(s, debug, e);
    pc = entries[entries.length - 1]!;
  }
  lineAt(s, debug, pc);
}

/** `info line`'s sentence for one address. */
function lineAt(s: SourceLevel, debug: DebugInfo, pc: bigint): void {
  const at = (s.program()?.lineForAddress(pc)) ?? debug.lineForAddress(pc);
  if (!at) {
    s.host.out(`No line number information available for address ${hexWord(pc)}${s.sym(pc)}`);
    return;
  }
  const where = at.address === pc ? 'starts at address' : `starts at address ${hexWord(at.address)}${s.sym(at.address)}${W2} and ends at ${hexWord(at.end)}${s.sym(at.end)}.`;
  if (at.address === pc) s.host.out(`Line ${at.line} of "${at.file}"${W2} ${where} ${hexWord(at.address)}${s.sym(at.address)}${W2} and ends at ${hexWord(at.end)}${s.sym(at.end)}.`);
  else s.host.out(`Line ${at.line} of "${at.file}"${W2} ${where}`);
  s.setLineAddress(at.address);
}

export function sym(s: SourceLevel, addr: bigint): string {
  const image = s.program()?.image;
  const loc = image?.symbolAt(addr);
  if (loc) return ` <${loc.offset === 0n ? loc.name : `${loc.name}+${loc.offset}`}>`;
  const debug = s.exeDebug();
  const fn = debug?.functionAt(addr);
  if (!fn || !debug) {
    const loc = image ? undefined : s.fileSymbols()?.symbolAt(addr);
    return loc ? ` <${loc.offset === 0n ? loc.name : `${loc.name}+${loc.offset}`}>` : '';
  }
  const off = addr - debug.entryOf(fn);
  return ` <${off === 0n ? fn.name : `${fn.name}+${off}`}>`;
}

export async function infoSource(s: SourceLevel): Promise<void> {
  if (!s.program()) {
    s.host.out('No current source file.');
    return;
  }
  const f = await s.selected();
  const line = f.line;
  if (!line || !f.fn) {
    s.host.out('No current source file.');
    return;
  }
  const unit = f.fn.unit;
  const lines = sourceLines(line.path);
  const out = [`Current source file is ${line.file}`, `Compilation directory is ${unit.compDir}`];
  out.push(`Located in ${line.path}`);
  if (lines) out.push(`Contains ${lines.length} lines.`);
  out.push('Source language is c.', `Producer is ${unit.root.str(0x25) ?? 'unknown'}.`, `Compiled with DWARF ${unit.version} debugging format.`,
    'Does not include preprocessor macro info.');
  s.host.out(out.join('\n'));
}

/**
 * gdb's listing of a simple location expression (`     0: DW_OP_fbreg -20`),
 * one operation per line with its byte offset; undefined for what it cannot name.
 */
/** Where the function (or block) holding a symbol starts: DW_OP_fbreg's frame base is that function's. */
export function scopeStart(d: Die, debug: DebugInfo): bigint {
  for (let p = d.parent; p; p = p.parent) if (p.has(0x11 /* low_pc */) || p.has(0x55 /* ranges */)) return debug.blockEntry(p);
  return 0n;
}

/** gdb's regular expressions are POSIX basic ones: ( ) | + ? { } are literal unless escaped. */
export function gdbRegex(src: string): RegExp {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      const n = src[++i];
      out += '()|+?{}'.includes(n) ? n : `\\${n}`;
    } else out += '()|+?{}'.includes(c) ? `\\${c}` : c;
  }
  try {
    return new RegExp(out);
  } catch {
    throw new CommandError(`Invalid regexp: ${src}`);
  }
}

/**
 * Where gdb's linespec puts FUNCTION for `list` and `info line`: its
 * out-of-line copy past the prologue, else (a function only inlined, at -O2)
 * the entry of its first inlined call.
 */
/** The entries of a function in gdb's order: each inlined copy's, highest first, then the out-of-line copy's. */
function functionEntries(debug: DebugInfo, name: string): bigint[] {
  return [...new Set([...[...debug.inlinedEntries(name)].reverse(), ...debug.functionsNamed(name).map((fn) => debug.entryOf(fn))])];
}

export function functionEntry(debug: DebugInfo, name: string): bigint | undefined {
  const fn = debug.functionsNamed(name)[0];
  return fn ? debug.entryOf(fn) : debug.inlinedEntries(name)[0];
}
