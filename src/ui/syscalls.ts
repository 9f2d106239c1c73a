/**
 * The syscalls pane's list: the last calls `catch syscall` stopped at
 * (the core publishes each as state.stop.syscall), decoded as strace
 * writes them (src/syscall/decode.ts): `openat(AT_FDCWD, "/etc/hosts",
 * O_RDONLY) = 3`. An entry stop adds a call (`write(1, "hi\n", 3) ...`),
 * its return stop completes it.
 */
import type { Debugger } from '../debugger/debugger.js';
import type { SyscallStop } from '../debugger/state.js';
import { entryText, exitText, returnText } from '../syscall/decode.js';
import type { MemReader } from '../syscall/quote.js';
import { expected } from '../debugger/errors.js';

/** Calls kept. */
export const SYSCALLS_KEPT = 200;

export interface SyscallRow {
  readonly seq: number;
  /** The thread (kernel tid) that made it. */
  readonly tid: number;
  readonly number: number;
  /** Decoded so far: the whole line once it returned. */
  readonly text: string;
  readonly done: boolean;
}

const PAGE = 4096n;

/**
 * Run a decoder that reads memory synchronously over the Debugger's reads:
 * each pass notes the pages it missed, they are read, and it runs again
 * (a string's pages are found a pass at a time; four passes cover paths and buffers).
 */
async function decodeWith<T>(d: Debugger, decode: (read: MemReader) => T): Promise<T> {
  const pages = new Map<bigint, Buffer | null>();
  for (let pass = 0; ; pass++) {
    const missed = new Set<bigint>();
    const read: MemReader = (addr, len) => {
      const parts: Buffer[] = [];
      for (let a = addr; a < addr + BigInt(len);) {
        const page = a - (a % PAGE);
        const got = pages.get(page);
        if (got === undefined) { missed.add(page); return null; }
        if (got === null) break;
        const end = addr + BigInt(len) < page + PAGE ? addr + BigInt(len) : page + PAGE;
        parts.push(got.subarray(Number(a - page), Number(end - page)));
        a = end;
      }
      return parts.length ? Buffer.concat(parts) : null;
    };
    const out = decode(read);
    if (!missed.size || pass === 4) return out;
    for (const p of missed) pages.set(p, await d.readMemory(p, Number(PAGE)).catch(expected(null)));   // (unreadable: shown as its address)
  }
}

export class SyscallLog {
  private rows: SyscallRow[] = [];
  private seq = 0;
  /** Per thread: the call it is in (its row, and where the exit's arguments start). */
  private readonly open = new Map<number, { seq: number; exitFrom: number; entry: string }>();

  /** A `catch syscall` stop of thread `tid`. */
  async add(d: Debugger, tid: number, s: SyscallStop): Promise<void> {
    if (s.entry) {
      const e = await decodeWith(d, (read) => entryText(s.number, s.args, read));
      const seq = ++this.seq;
      this.open.set(tid, { seq, exitFrom: e.exitFrom, entry: e.text });
      this.push({ seq, tid, number: s.number, text: `${e.text}${e.text.endsWith('(') || e.text.endsWith(', ') ? '' : ' '}...`, done: false });
      return;
    }
    const o = this.open.get(tid);
    this.open.delete(tid);
    const ret = returnText(s.number, s.ret);
    if (o && this.rows.some((r) => r.seq === o.seq && r.number === s.number)) {
      const rest = await decodeWith(d, (read) => exitText(s.number, s.args, s.ret ?? 0n, read, o.exitFrom));
      this.rows = this.rows.map((r) => (r.seq === o.seq ? { ...r, text: `${o.entry}${rest} ${ret}`, done: true } : r));
      return;
    }
    // a return whose entry was not seen (caught from its return on): the whole call
    const e = await decodeWith(d, (read) => entryText(s.number, s.args, read));
    const rest = await decodeWith(d, (read) => exitText(s.number, s.args, s.ret ?? 0n, read, e.exitFrom));
    this.push({ seq: ++this.seq, tid, number: s.number, text: `${e.text}${rest} ${ret}`, done: true });
  }

  private push(r: SyscallRow): void {
    this.rows = [...this.rows.slice(-(SYSCALLS_KEPT - 1)), r];
  }

  list(): readonly SyscallRow[] { return this.rows; }

  clear(): void { this.rows = []; this.open.clear(); }
}
