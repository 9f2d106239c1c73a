/**
 * The `x` command's counts and reads, as gdb 13 does them: the count is C's
 * `atoi` into an int (`x/4294967296` is 0 and prints nothing, 150 nines is
 * -1), a negative count examines backwards from the address, and a read
 * that runs into unmapped memory prints what it could read and then names
 * the first unreadable address (`x/100000xb $sp` up to the stack's end).
 */
import { rethrowUnexpected } from '../debugger/errors.js';

/** gdb's count for `x/N`: `atoi` (a long clamped like strtol) truncated to an int. */
export function xCount(digits: string): number {
  const neg = digits.startsWith('-');
  let v = BigInt(digits.replace(/^-/, '') || '0');
  const LONG_MAX = (1n << 63n) - 1n;
  if (v > LONG_MAX) v = LONG_MAX;
  return Number(BigInt.asIntN(32, neg ? -v : v));
}

/**
 * A line number as gdb reads it in a location: an unsigned long (saturating)
 * kept in an int, so 18446744073709551615 is line -1 and 4294967296 line 0.
 */
export function gdbLineNumber(digits: string): number {
  return xCount(digits);
}

/** Bytes readable from `addr` on, up to `len`, read in chunks; `end` is the first unreadable address when short. */
export async function readReadable(read: (addr: bigint, len: number) => Promise<Buffer>, addr: bigint, len: number):
  Promise<{ data: Buffer; end?: bigint }> {
  const parts: Buffer[] = [];
  let got = 0;
  const CHUNK = 1 << 16;
  while (got < len) {
    const at = addr + BigInt(got);
    const want = Math.min(CHUNK, len - got);
    try {
      const b = await read(at, want);
      parts.push(b);
      // a short read (the file's sections ran out before the program runs) ends there
      if (b.length < want) return { data: Buffer.concat(parts), end: at + BigInt(b.length) };
      got += want;
      continue;
    } catch (e) {
      // find the end page by page within this chunk
      rethrowUnexpected(e);
    }
    let a = at;
    const stop = at + BigInt(want);
    for (;;) {
      const pageEnd = (a | 0xfffn) + 1n;
      const n = Number((pageEnd < stop ? pageEnd : stop) - a);
      try {
        const b = await read(a, n);
        parts.push(b);
        if (b.length < n) return { data: Buffer.concat(parts), end: a + BigInt(b.length) };
      } catch (e) {
        // (the first unreadable page ends the data)
        rethrowUnexpected(e);
        return { data: Buffer.concat(parts), end: a };
      }
      got += n;
      a += BigInt(n);
      if (a >= stop) break;
    }
  }
  return { data: Buffer.concat(parts) };
}
