/**
 * `info sharedlibrary` as gdb lays it out: the objects of the dynamic
 * loader's list (not the memory map: no ld.so.cache, no vDSO), named as
 * the loader names them (/lib64/ld-linux-x86-64.so.2), From/To the bounds
 * of each one's .text, "Yes (*)" for those without debugging information,
 * in the order gdb learned of them: the program interpreter first when gdb
 * started the program (it knows ld.so before anything loads), then the
 * loader's order; an attached process in the loader's order.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readLinkMap, type LinkMapSource } from '../elf/linkmap.js';
import { separateDebugFile, type LoadedModule, type ProcessImage } from '../elf/index.js';
import { hexWord16 } from '../util/hex.js';
import { expected } from '../debugger/errors.js';

export class SharedLibraries {
  /** Names in the order gdb would have learned them. */
  private readonly order: string[] = [];

  /** `interpreter`: PT_INTERP of a program we started, known before the loader runs. */
  constructor(private readonly interpreter?: string) {
    if (interpreter) this.order.push(interpreter);
  }

  /** The loader's names by load bias, as last read (they stay after the process ends, as gdb's objfiles). */
  private readonly names = new Map<bigint, string>();

  /** The name the loader gave the object loaded at `bias` (read afresh from a live process). */
  async loaderName(process: LinkMapSource | undefined, bias: bigint): Promise<string | undefined> {
    if (process) {
      // (an unreadable list: the names as last read)
      const map = await readLinkMap(process).catch(() => undefined);
      for (const o of map?.objects ?? []) if (o.name) this.names.set(o.addr, o.name);
    }
    return this.names.get(bias);
  }

  /** The table's lines, or gdb's one line when there is nothing to list. */
  async table(process: LinkMapSource, image: ProcessImage): Promise<string[]> {
    // (no link map yet, or an unreadable one: the loader alone, as gdb before the loader has its list)
    const map = await readLinkMap(process).catch(expected(undefined));
    // load biases by name; before the loader has its list, the loader alone (gdb knows it from PT_INTERP)
    const loaded = new Map<string, bigint | undefined>();
    for (const o of map?.objects ?? []) if (o.name && existsSync(o.name)) loaded.set(o.name, o.addr);
    if (!map && this.interpreter) loaded.set(this.interpreter, undefined);
    for (const name of loaded.keys()) if (!this.order.includes(name)) this.order.push(name);
    const rows: Array<{ name: string; module: LoadedModule | undefined }> = [];
    for (const name of this.order) {
      if (!loaded.has(name)) continue;          // dlclose'd
      rows.push({ name, module: await moduleOf(image, name, loaded.get(name)) });
    }
    if (!rows.length) return ['No shared libraries loaded at this time.'];
    let starred = false;
    const lines = rows.map(({ name, module }) => {
      const text = module?.elf?.section('.text');
      const from = text && module ? hexWord16(module.bias + text.addr) : ''.padEnd(18);
      const to = text && module ? hexWord16(module.bias + text.addr + BigInt(text.size)) : ''.padEnd(18);
      const debug = module ? hasDebugInfo(module) : false;
      starred ||= !debug;
      const read = !module?.symbols ? 'No ' : debug ? 'Yes' : 'Yes (*)';
      return `${from}  ${to}  ${read.padEnd(12)}${name}`;
    });
    return ['From                To                  Syms Read   Shared Object Library', ...lines,
      ...(starred ? ['(*): Shared library is missing debugging information.'] : [])];
  }
}

/** The image of a loaded object: by its load bias, or (no list yet) by its file. */
async function moduleOf(image: ProcessImage, name: string, bias: bigint | undefined): Promise<LoadedModule | undefined> {
  const file = bias === undefined ? realpathOr(name) : undefined;
  const find = () => image.libraries.find((m) => m.path !== '[vdso]' && (bias === undefined ? m.path === file : m.bias === bias));
  const found = find();
  if (found) return found;
  await image.refresh();        // loaded since the last solib event we saw
  return find();
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // (a path that does not resolve is shown as the loader gave it)
    return path;
  }
}

/** DWARF in the image or in its separate debug file (libc6-dbg). */
export function hasDebugInfo(m: LoadedModule): boolean {
  const elf = m.elf;
  if (!elf) return false;
  if (elf.section('.debug_info')) return true;
  return separateDebugFile(elf) !== undefined;
}
