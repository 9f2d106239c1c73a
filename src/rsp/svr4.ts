/**
 * qXfer:libraries-svr4:read for the server: the dynamic loader's list of
 * loaded objects, read from the target's memory the way gdbserver does
 * (linux-low.cc, linux_qxfer_libraries_svr4):
 *   auxv AT_PHDR -> program headers -> PT_DYNAMIC -> DT_DEBUG -> r_debug
 *   -> r_map -> link_map chain (l_addr, l_name, l_ld, l_next).
 * The first link_map is the main program: it becomes main-lm, not a library.
 */
import type { Target } from '../target/types.js';

const AT_PHDR = 3n;
const AT_PHNUM = 5n;
const PT_DYNAMIC = 2;
const PT_PHDR = 6;
const DT_NULL = 0n;
const DT_DEBUG = 21n;
/** A corrupt or cyclic list must not hang the server. */
const MAX_OBJECTS = 4096;

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Address of the program's _DYNAMIC, from its program headers in memory. */
async function dynamicAddress(target: Target): Promise<bigint | undefined> {
  const auxv = await target.auxv();
  const phdr = auxv.find(([t]) => t === AT_PHDR)?.[1];
  const phnum = auxv.find(([t]) => t === AT_PHNUM)?.[1];
  if (phdr === undefined || phnum === undefined || phnum > 256n) return undefined;
  const table = await target.readMemory(phdr, Number(phnum) * 56);
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
async function rDebug(target: Target, dyn: bigint): Promise<bigint> {
  for (let i = 0; i < 512; i++) {
    const entry = await target.readMemory(dyn + BigInt(i * 16), 16);
    const tag = entry.readBigUInt64LE(0);
    if (tag === DT_NULL) return 0n;
    if (tag === DT_DEBUG) return entry.readBigUInt64LE(8);
  }
  return 0n;
}

async function cString(target: Target, addr: bigint): Promise<string> {
  if (addr === 0n) return '';
  const parts: Buffer[] = [];
  for (let off = 0n; off < 4096n; off += 256n) {
    // read in small pieces so a string near the end of a mapping still reads
    const piece = await target.readMemory(addr + off, 256).catch(() => target.readMemory(addr + off, 1));
    const nul = piece.indexOf(0);
    if (nul >= 0) {
      parts.push(piece.subarray(0, nul));
      break;
    }
    parts.push(piece);
  }
  return Buffer.concat(parts).toString('utf8');
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The <library-list-svr4> document gdb expects. */
export async function librariesSvr4(target: Target): Promise<string> {
  const empty = '<library-list-svr4 version="1.0"/>';
  const dyn = await dynamicAddress(target);
  if (dyn === undefined) return empty;
  const rdebug = await rDebug(target, dyn);
  if (rdebug === 0n) return empty;
  let lm = (await target.readMemory(rdebug + 8n, 8)).readBigUInt64LE(0);
  let mainLm: bigint | undefined;
  const libs: string[] = [];
  for (let n = 0; lm !== 0n && n < MAX_OBJECTS; n++) {
    const raw = await target.readMemory(lm, 40);
    const lAddr = raw.readBigUInt64LE(0);
    const lName = raw.readBigUInt64LE(8);
    const lLd = raw.readBigUInt64LE(16);
    const next = raw.readBigUInt64LE(24);
    if (mainLm === undefined) {
      mainLm = lm;
    } else {
      const name = await cString(target, lName);
      if (name) {
        libs.push(`<library name="${xmlEscape(name)}" lm="${hex(lm)}" l_addr="${hex(lAddr)}" l_ld="${hex(lLd)}" lmid="0x0"/>`);
      }
    }
    lm = next;
  }
  return `<library-list-svr4 version="1.0" main-lm="${hex(mainLm ?? 0n)}">${libs.join('')}</library-list-svr4>`;
}
