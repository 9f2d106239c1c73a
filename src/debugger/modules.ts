/**
 * The loaded images (the program, its shared libraries, the vDSO) and the
 * program's source files, as values: what a DAP client's Modules and Loaded
 * Sources views list. Read from the process image the console keeps
 * (refreshed at each shared-library event), or the file before `run`.
 */
import { existsSync } from 'node:fs';
import type { Session } from '../commands/session.js';
import type { LoadedModule } from '../elf/index.js';
import { hasDebugInfo } from '../commands/solibs.js';

export interface ModuleInfo {
  /** The path it was mapped from (`[vdso]` for the vDSO). */
  path: string;
  /** Lowest and highest address mapped from it. */
  start: bigint;
  end: bigint;
  /** Its ELF symbols could be read. */
  symbols: boolean;
  /** It has DWARF, in the image or in a separate debug file. */
  debugInfo: boolean;
  /** The program itself (not a library). */
  main: boolean;
}

function infoOf(m: LoadedModule, main: boolean): ModuleInfo {
  return { path: m.path, start: m.start, end: m.end, symbols: !!m.symbols, debugInfo: hasDebugInfo(m), main };
}

/** The process's images in load order, the program first; none without a process. */
export function moduleList(s: Session): ModuleInfo[] {
  const image = s.target ? s.image : undefined;
  if (!image) return [];
  // a file the loader maps that is not an image (ld.so.cache while dlopen runs, locale archives) is no module
  return image.modules.filter((m) => m === image.exe || m.elf !== undefined).map((m) => infoOf(m, m === image.exe));
}

/** The program's source files (full paths from its line tables) that exist on this machine. */
export function sourceList(s: Session): string[] {
  const debug = s.source.exeDebug();
  if (!debug) return [];
  return [...new Set(debug.sourceFiles())].filter((p) => p.startsWith('/') && existsSync(p)).sort();
}
