/**
 * The dynamic loader's list of loaded objects, read from a live process's
 * memory the way gdbserver does (linux-low.cc, linux_qxfer_libraries_svr4):
 *   auxv AT_PHDR -> program headers -> PT_DYNAMIC -> DT_DEBUG -> r_debug
 *   -> r_map -> link_map chain (l_addr, l_name, l_ld, l_next).
 * The first link_map is the main program. Used by `tsdbg serve`
 * (qXfer:libraries-svr4:read) and by `info sharedlibrary`.
 */

/** What reading the list needs from a process (a Target has both). */
export interface LinkMapSource {
  auxv(): Promise<Array<[bigint, bigint]>>;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
}

/** One struct link_map. */
export interface LinkMapEntry {
  lm: bigint;
  /** l_addr: the object's load bias. */
  addr: bigint;
  /** l_name, as the loader has it ('' for the main program; "linux-vdso.so.1" for the vDSO). */
  name: string;
  /** l_ld: its _DYNAMIC. */
  ld: bigint;
}

export interface LinkMap {
  /** The main program's link_map. */
  main: LinkMapEntry;
  /** The other objects, in the loader's order (load order). */
  objects: LinkMapEntry[];
}

const AT_PHDR = 3n;
const AT_PHNUM = 5n;
const PT_DYNAMIC = 2;
const PT_PHDR = 6;
const DT_NULL = 0n;
const DT_DEBUG = 21n;
/** A corrupt or cyclic list must not hang the reader. */
const MAX_OBJECTS = 4096;

/** Address of the program's _DYNAMIC, from its program headers in memory. */
async function dynamicAddress(src: LinkMapSource): Promise<bigint | undefined> {
  const auxv = await src.auxv();
  const phdr = auxv.find(([t]) => t === AT_PHDR)?.[1];
  const phnum = auxv.find(([t]) => t === AT_PHNUM)?.[1];
  if (phdr === undefined || phnum === undefined || phnum > 256n) return undefined;
  const table = await src.readMemory(phdr, Number(phnum) * 56);
  let bias: bigint | undefined;
  let dynVaddr: bigint | undefined;
  for (let i = 0; i < Number(phnum); i++) {
    const type = table.readUInt32LE(i * 56);
    const vaddr = table.readBigUInt64LE(i * 56 + 16);
    if (type === PT_PHDR) bias = phdr - vaddr;
    if (type === PT_DYNAMIC) dynVaddr = vaddr;
  }
  if (dynVaddr === undefined) return undefined; // static executable: no loader list
  return dynVaddr + (bias ?? 0n);
}

/** r_debug's address (DT_DEBUG), 0 until ld.so has filled it in. */
async function rDebug(src: LinkMapSource, dyn: bigint): Promise<bigint> {
  for (let i = 0; i < 512; i++) {
    const entry = await src.readMemory(dyn + BigInt(i * 16), 16);
    const tag = entry.readBigUInt64LE(0);
    if (tag === DT_NULL) return 0n;
    if (tag === DT_DEBUG) return entry.readBigUInt64LE(8);
  }
  return 0n;
}

async function cString(src: LinkMapSource, addr: bigint): Promise<string> {
  if (addr === 0n) return '';
  const parts: Buffer[] = [];
  for (let off = 0n; off < 4096n; off += 256n) {
    // read in small pieces so a string near the end of a mapping still reads
    const piece = await src.readMemory(addr + off, 256).catch(() => src.readMemory(addr + off, 1));
    const nul = piece.indexOf(0);
    if (nul >= 0) {
      parts.push(piece.subarray(0, nul));
      break;
    }
    parts.push(piece);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The loader's list; undefined for a static program, or before ld.so has set r_debug up. */
export async function readLinkMap(src: LinkMapSource): Promise<LinkMap | undefined> {
  const dyn = await dynamicAddress(src);
  if (dyn === undefined) return undefined;
  const rdebug = await rDebug(src, dyn);
  if (rdebug === 0n) return undefined;
  let lm = (await src.readMemory(rdebug + 8n, 8)).readBigUInt64LE(0);
  const entries: LinkMapEntry[] = [];
  for (let n = 0; lm !== 0n && n < MAX_OBJECTS; n++) {
    const raw = await src.readMemory(lm, 40);
    const entry = { lm, addr: raw.readBigUInt64LE(0), name: '', ld: raw.readBigUInt64LE(16) };
    // the main program's l_name is "" (not worth a read)
    if (entries.length > 0) entry.name = await cString(src, raw.readBigUInt64LE(8));
    entries.push(entry);
    lm = raw.readBigUInt64LE(24);
  }
  const [main, ...objects] = entries;
  return main ? { main, objects } : undefined;
}
