/**
 * `break FUNCTION` in the shared libraries of a running program, as gdb's
 * linespec finds it in every objfile: the library's ELF symbol of that name
 * (libc's `malloc`, an alias of `__libc_malloc`), its debug-info functions of
 * that name, and each place the function was inlined — from the library's
 * separate debug file (libc6-dbg), loaded only when a `break` asks for it.
 * ld.so's 45 inlined copies of `malloc` make gdb's `(46 locations)`.
 */
import type { LoadedModule, ProcessImage } from '../elf/index.js';
import type { DebugInfo } from '../dwarf/debuginfo.js';
import type { ProgramInfo } from '../dwarf/program.js';
import { fileBytesAt } from '../dwarf/prologue.js';

export interface LibraryLocations {
  /** Run-time addresses, lowest first. */
  addresses: bigint[];
  /** Those gdb shows without a file and line (`<fn+off>`): inlined copies, IFUNC resolvers. */
  noLine: Set<bigint>;
}

/** Every location of FUNCTION in the libraries. */
export function libraryLocations(program: ProgramInfo, image: ProcessImage, name: string): LibraryLocations {
  const found = new Set<bigint>();
  const noLine = new Set<bigint>();
  for (const m of image.modules) {
    if (m === image.exe || !m.path.startsWith('/')) continue;
    const debug = program.moduleDebug(m);
    // every function symbol of the name (libc's .dynsym and its debug file's .symtab both name `memcpy`)
    for (const sym of m.symbols?.all ?? []) {
      if (sym.name !== name || sym.kind !== 'function' || found.has(sym.address)) continue;
      // an IFUNC not yet resolved: gdb breaks at its resolver, named without a line (`<strlen_ifunc>`)
      if (sym.ifunc) {
        found.add(sym.address);
        noLine.add(sym.address);
      } else {
        found.add(debug ? startPast(debug, m, sym.address) : sym.address);
      }
    }
    if (!debug) continue;
    for (const fn of debug.functionsNamed(name)) found.add(debug.breakpointAddress(fn, codeAt(m, fn.low)));
    // (gdb 13 keeps no file and line for a library's inlined copies: `<_dl_close_worker+1469>`)
    for (const a of debug.inlinedEntries(name)) {
      if (found.has(a)) continue;
      found.add(a);
      noLine.add(a);
    }
  }
  return { addresses: [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), noLine };
}

/** Where gdb breaks for an ELF symbol: past the prologue of the debug-info function that starts there. */
function startPast(debug: DebugInfo, m: LoadedModule, addr: bigint): bigint {
  const fn = debug.functionAt(addr);
  return fn && debug.entryOf(fn) === addr ? debug.breakpointAddress(fn, codeAt(m, fn.low)) : addr;
}

/** The code of a stripped library's function (its debug file has no .text). */
function codeAt(m: LoadedModule, linkAddr: bigint): Buffer | undefined {
  return m.elf ? fileBytesAt(m.elf, linkAddr, 16) : undefined;
}
