/**
 * ELF layer of tsdbg: executable and shared-library images, their symbols and
 * load biases. Imports nothing above src/target/.
 *
 * API
 *   ElfFile.load(path) / new ElfFile(buffer)
 *     .type .entry .isPie .interpreter .sections .programHeaders
 *     .section(name) .sectionData(name) -> Buffer   (e.g. '.debug_info', '.eh_frame')
 *     .firstLoadVaddr .phdrVaddr .rawSymbols()
 *   new SymbolTable(elf, bias, extra?)     one image's .symtab + .dynsym + name@plt stubs, addresses
 *                                          + bias (extra: its separate debug file's .symtab)
 *     .symbolByName(name) -> ElfSymbol {name, address, size, kind, bind, section}
 *     .symbolAt(addr)     -> {symbol, name, offset}   (for `<main+4>`, `info symbol`)
 *   biasFromAuxv(elf, auxv) / biasFromMaps(elf, maps, path)   PIE load bias
 *   separateDebugFile(elf)                 /usr/lib/debug/.build-id/xx/yyyy.debug or .gnu_debuglink
 *   ProcessImage.create(target)            the executable + shared libraries + vDSO of a
 *                                          stopped process; libraries load lazily
 *     .exe .libraries .modules             LoadedModule {path, start, end, bias, elf, symbols}
 *     .symbolByName(name) -> {symbol, module}   executable first, then libraries in load order
 *     .symbolAt(addr)     -> {symbol, name, offset, module}
 *     .moduleAt(addr) .refresh()           call refresh() after ld.so/dlopen mapped more
 *   formatSymbolic(loc) -> 'main+4'         gdb's `<main+4>` text without the brackets
 */
export * from './elf.js';
export * from './symbols.js';
export * from './process.js';

import type { SymbolLocation } from './symbols.js';

/** 'main' or 'main+4', as inside gdb's `<...>` in x/i and print output. */
export function formatSymbolic(loc: SymbolLocation): string {
  return loc.offset === 0n ? loc.name : `${loc.name}+${loc.offset}`;
}
