/**
 * The program's memory as the core reads it: the live process through a
 * per-stop page cache, or the executable file's sections when no process
 * runs (gdb reads its exec file then), with gdb's one error for what
 * cannot be read.
 */
import type { Target } from '../target/types.js';
import { TargetError } from '../target/types.js';
import { SHT_NOBITS, type ElfFile } from '../elf/index.js';
import { EvalError } from './errors.js';
import { hexWord as hex } from '../util/hex.js';
import { expected } from './errors.js';

const PAGE = 4096;
const PAGE_MASK = ~0xfffn;

export interface MemoryHost {
  /** The live target, or undefined without a process. */
  target(): Target | undefined;
  /** The executable file, read when no process runs. */
  fileElf(): ElfFile | undefined;
  /** Where the last process had the executable (a PIE's addresses stay those after it ended, as gdb's). */
  bias(): bigint;
}

export class ProcessMemory {
  private readonly pageCache = new Map<bigint, Buffer | null>();

  constructor(private readonly host: MemoryHost) {}

  /** Forget what was read (at every resume and every write: ours, restore, rewind). */
  invalidate(): void {
    this.pageCache.clear();
  }

  async read(addr: bigint, len: number): Promise<Buffer> {
    const t = this.host.target();
    if (!t) return this.readFileImage(addr, len);
    if (len > 0 && len <= PAGE && (addr & PAGE_MASK) === ((addr + BigInt(len) - 1n) & PAGE_MASK)) {
      const page = await this.cachedPage(t, addr & PAGE_MASK);
      if (page) {
        const off = Number(addr & (BigInt(PAGE) - 1n));
        return Buffer.from(page.subarray(off, off + len));
      }
    }
    try {
      return await t.readMemory(addr, len);
    } catch (e) {
      if (e instanceof TargetError && e.code !== 'ESRCH') throw new EvalError(`Cannot access memory at address ${hex(addr)}`);
      throw e;
    }
  }

  /** Largest readable prefix (x/s and x/i near the end of a mapping). */
  async readUpTo(addr: bigint, len: number): Promise<Buffer> {
    try {
      return await this.read(addr, len);
    } catch (e) {
      const pageEnd = (addr | 0xfffn) + 1n;
      if (pageEnd - addr >= BigInt(len)) throw e;
      return this.read(addr, Number(pageEnd - addr));
    }
  }

  async write(addr: bigint, data: Buffer): Promise<void> {
    // without a process gdb's exec file is read-only
    const t = this.host.target();
    if (!t) throw new EvalError(`Cannot access memory at address ${hex(addr)}`);
    this.pageCache.clear();
    try {
      await t.writeMemory(addr, data);
    } catch (e) {
      if (e instanceof TargetError && e.code !== 'ESRCH') throw new EvalError(`Cannot access memory at address ${hex(addr)}`);
      throw e;
    }
  }

  /**
   * Pages read since the last stop. Describing one stop (frame arguments,
   * entry values, the unwinder, the source line) reads the same stack words
   * many times: one 4 KiB read per page costs what one 8-byte read does.
   */
  private async cachedPage(t: Target, base: bigint): Promise<Buffer | undefined> {
    let p = this.pageCache.get(base);
    if (p === undefined) {
      // (an unreadable page is remembered as such: the read of the part asked for says so)
      p = await t.readMemory(base, PAGE).catch(expected(null));
      this.pageCache.set(base, p);
    }
    return p ?? undefined;
  }

  private readFileImage(at: bigint, len: number): Buffer {
    const elf = this.host.fileElf();
    const addr = at - this.host.bias();
    // gdb reads the file's allocated sections (not the ELF header a PIE maps at 0), one after
    // another; .bss is zeros. A read that runs out of sections is short.
    const parts: Buffer[] = [];
    let a = addr;
    let left = len;
    while (elf && left > 0) {
      const sec = elf.sections.find((x) => (x.flags & 2n) !== 0n && x.addr !== 0n && a >= x.addr && a < x.addr + BigInt(x.size));
      if (!sec) break;
      const n = Math.min(left, Number(sec.addr + BigInt(sec.size) - a));
      const off = sec.offset + Number(a - sec.addr);
      parts.push(sec.type === SHT_NOBITS ? Buffer.alloc(n) : Buffer.from(elf.data.subarray(off, off + n)));
      a += BigInt(n);
      left -= n;
    }
    if (parts.length === 0) throw new EvalError(`Cannot access memory at address ${hex(at)}`);
    return Buffer.concat(parts);
  }
}
