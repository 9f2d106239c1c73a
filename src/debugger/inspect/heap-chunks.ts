/**
 * glibc malloc's chunks in the [heap] mapping: each chunk starts with
 * prev_size and size (flags in the low 3 bits); the user pointer is 16 bytes
 * in, and a chunk in use may also use the next chunk's prev_size. The main
 * arena's heap starts at the mapping's start (aligned to 16), its first
 * chunk there; the walk goes from chunk to chunk by size up to the top chunk.
 */
import type { Mapping } from '../../target/types.js';
import { expected } from '../errors.js';

export interface HeapChunk {
  /** The chunk's header address (prev_size). */
  header: bigint;
  /** malloc's user pointer (header + 16). */
  user: bigint;
  /** The chunk's size from its header (flags cleared). */
  size: number;
  /** Usable bytes from the user pointer (size - 8: the next chunk's prev_size included). */
  usable: number;
  /** The last chunk: the top chunk (free space malloc has not handed out). */
  top: boolean;
}

const BLOCK = 0x10000;
/** The walk stops there: a heap of more chunks is named up to this many. */
const MAX_CHUNKS = 200_000;

/** Walks one heap mapping, reading it in blocks as the walk goes. */
export class HeapWalk {
  private chunks: HeapChunk[] = [];
  private next: bigint;
  private done = false;
  private readonly blocks = new Map<bigint, Buffer>();

  constructor(readonly mapping: Mapping, private readonly read: (addr: bigint, len: number) => Promise<Buffer>) {
    this.next = (mapping.start + 15n) & ~15n;
  }

  /** The chunk whose header or user bytes hold addr (the previous in-use chunk owns a shared prev_size). */
  async chunkAt(addr: bigint): Promise<{ chunk: HeapChunk; header: boolean } | undefined> {
    if (addr < this.mapping.start || addr >= this.mapping.end) return undefined;
    while (!this.done && this.next <= addr + 16n) await this.step();
    // the last chunks walked are the ones to look at: binary search by header address
    let lo = 0;
    let hi = this.chunks.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid]!.header <= addr) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (at < 0) return undefined;
    const c = this.chunks[at]!;
    const prev = this.chunks[at - 1];
    // the prev_size word: the user bytes of the chunk before (malloc gives them out)
    if (addr < c.header + 8n && prev) return { chunk: prev, header: false };
    if (addr < c.user) return { chunk: c, header: true };
    if (addr < c.header + BigInt(c.size)) return { chunk: c, header: false };
    return undefined;
  }

  /** Every chunk walked so far that starts below `end` (the walk goes on up to there). */
  async chunksBelow(end: bigint): Promise<readonly HeapChunk[]> {
    while (!this.done && this.next < end) await this.step();
    return this.chunks;
  }

  private async step(): Promise<void> {
    const h = this.next;
    const size = await this.u64(h + 8n);
    const bytes = size === undefined ? 0n : size & ~7n;
    // glibc's first chunk says its (absent) predecessor is in use: anything else is no malloc heap we know
    const first = !this.chunks.length && ((size ?? 0n) & 1n) === 0n;
    if (first || bytes < 32n || h + bytes > this.mapping.end || this.chunks.length >= MAX_CHUNKS) { this.done = true; return; }
    const top = h + bytes + 16n > this.mapping.end;
    this.chunks.push({ header: h, user: h + 16n, size: Number(bytes), usable: Number(bytes) - 8, top });
    this.next = h + bytes;
    if (top) this.done = true;
  }

  private async u64(addr: bigint): Promise<bigint | undefined> {
    const base = addr - ((addr - this.mapping.start) % BigInt(BLOCK));
    let b = this.blocks.get(base);
    if (!b) {
      const len = Number(this.mapping.end - base < BigInt(BLOCK) ? this.mapping.end - base : BigInt(BLOCK));
      // (an unreadable block ends the walk there: the chunks before it are still named)
      b = await this.read(base, len).catch(expected(Buffer.alloc(0)));
      this.blocks.set(base, b);
    }
    const off = Number(addr - base);
    return off + 8 <= b.length ? b.readBigUInt64LE(off) : undefined;
  }
}
