/**
 * An approximate memory map for stubs that cannot serve /proc/PID/maps
 * (no vFile): the PT_LOAD segments of every loaded ELF object, read from the
 * process's own memory. The objects come from the auxiliary vector (the
 * program: AT_PHDR; the dynamic loader: AT_BASE; the vDSO: AT_SYSINFO_EHDR)
 * and the loader's list (qXfer:libraries-svr4: l_addr of each library).
 *
 * Approximate: heap, stack and anonymous mmaps are missing; segments are
 * rounded to pages (.bss shows as part of the data segment); the offsets are
 * the segments' file offsets; paths are the loader's names (which may be
 * symlinks of the kernel's, e.g. /lib vs /usr/lib). Exact maps
 * come from vFile (see RemoteTarget.memoryMap).
 */
import type { Mapping, Target } from '../target/types.js';
import { PT_LOAD, PT_PHDR, parseProgramHeaders, type ProgramHeader } from '../elf/elf.js';

const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const AT_PHDR = 3n;
const AT_PHNUM = 5n;
const AT_BASE = 7n;
const AT_SYSINFO_EHDR = 33n;
const PAGE = 0xfffn;

function segments(phdrs: ProgramHeader[], bias: bigint, path: string): Mapping[] {
  return phdrs.filter((p) => p.type === PT_LOAD && p.memsz > 0n).map((p) => ({
    start: (bias + p.vaddr) & ~PAGE,
    end: (bias + p.vaddr + p.memsz + PAGE) & ~PAGE,
    perms: `${p.flags & PF_R ? 'r' : '-'}${p.flags & PF_W ? 'w' : '-'}${p.flags & PF_X ? 'x' : '-'}p`,
    offset: p.offset & ~PAGE,
    dev: '00:00',
    inode: 0,
    path,
  }));
}

/** PT_LOAD segments of the ELF object whose header is mapped at `base` (load bias `bias`). */
async function objectAt(target: Target, header: bigint, bias: bigint, path: string): Promise<Mapping[]> {
  const ehdr = await target.readMemory(header, 64);
  if (ehdr.readUInt32BE(0) !== 0x7f454c46) return [];
  const phoff = ehdr.readBigUInt64LE(32);
  const entsize = ehdr.readUInt16LE(54);
  const phnum = ehdr.readUInt16LE(56);
  if (entsize < 56) return [];
  return segments(parseProgramHeaders(await target.readMemory(header + phoff, phnum * entsize), phnum, entsize), bias, path);
}

export async function mapsFromImages(target: Target, exePath: string, librariesXml: string): Promise<Mapping[]> {
  const auxv = new Map(await target.auxv());
  const out: Mapping[] = [];
  const phdr = auxv.get(AT_PHDR);
  const phnum = Number(auxv.get(AT_PHNUM) ?? 0n);
  if (phdr !== undefined && phnum > 0) {
    const phdrs = parseProgramHeaders(await target.readMemory(phdr, phnum * 56), phnum);
    const self = phdrs.find((p) => p.type === PT_PHDR);
    // without PT_PHDR (rare static binaries) assume a non-PIE program: bias 0
    out.push(...segments(phdrs, self ? phdr - self.vaddr : 0n, exePath));
  }
  const vdso = auxv.get(AT_SYSINFO_EHDR);
  // the loader lists the vDSO too (linux-vdso.so.1): take it from auxv once
  const seen = new Set<bigint>(vdso ? [vdso] : []);
  const base = auxv.get(AT_BASE);
  for (const m of librariesXml.matchAll(/<library name="([^"]*)"[^>]*?l_addr="(0x[0-9a-f]+)"/g)) {
    const bias = BigInt(m[2]!);
    // l_addr is the bias: shared objects put their header at vaddr 0
    if (bias === 0n || seen.has(bias)) continue;
    seen.add(bias);
    // (an object whose headers cannot be read remotely: no mappings for it; the rest stand)
    out.push(...await objectAt(target, bias, bias, m[1]!).catch(() => []));
  }
  // (the loader's and the vDSO's headers likewise: unreadable, no mappings for them)
  if (base && !seen.has(base)) out.push(...await objectAt(target, base, base, '[interpreter]').catch(() => []));
  if (vdso) out.push(...(await objectAt(target, vdso, vdso, '[vdso]').catch(() => [])).map((m) => ({ ...m, offset: 0n })));
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}
