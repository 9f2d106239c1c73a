/** strace's string quoting: `"\177ELF\2\1"...`, octal escapes, `...` past -s bytes. */

/** Reads tracee memory: the bytes at addr (fewer at an unmapped page), or null if none are readable. */
export type MemReader = (addr: bigint, len: number) => Buffer | null;

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;

/** Quote bytes as strace does (octal escapes; `hex`: every byte as \xNN, as for getrandom). */
export function quoteBytes(b: Buffer, hex = false): string {
  let s = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (hex) { s += '\\x' + c.toString(16).padStart(2, '0'); continue; }
    switch (c) {
      case 0x22: s += '\\"'; continue;
      case 0x5c: s += '\\\\'; continue;
      case 0x0c: s += '\\f'; continue;
      case 0x0a: s += '\\n'; continue;
      case 0x0d: s += '\\r'; continue;
      case 0x09: s += '\\t'; continue;
      case 0x0b: s += '\\v'; continue;
    }
    if (c >= 0x20 && c < 0x7f) { s += String.fromCharCode(c); continue; }
    // the shortest octal form unless the next character is an octal digit
    s += '\\' + (isOctal(b[i + 1]) ? c.toString(8).padStart(3, '0') : c.toString(8));
  }
  return s + '"';
}

/** strace -s: how many bytes of a buffer or string are shown. */
export const DEFAULT_STRSIZE = 32;

/** A buffer of `len` bytes at addr, shortened to `max` with `...` after the quote; the address when unreadable. */
export function printBuffer(read: MemReader, addr: bigint, len: number, max = DEFAULT_STRSIZE, hex = false): string {
  if (addr === 0n) return 'NULL';
  const n = Math.min(len, max);
  const b = n > 0 ? read(addr, n) : Buffer.alloc(0);
  if (!b || b.length < n) return hex0x(addr);
  return quoteBytes(b, hex) + (len > max ? '...' : '');
}

/** A NUL-terminated string at addr: whole up to `max` (paths: PATH_MAX), `...` past it. */
export function printCString(read: MemReader, addr: bigint, max = 4096): string {
  if (addr === 0n) return 'NULL';
  const s = readCString(read, addr, max + 1);
  if (s === null) return hex0x(addr);
  if (s.length > max) return quoteBytes(s.subarray(0, max)) + '...';
  return quoteBytes(s);
}

/** The bytes of the NUL-terminated string at addr (without the NUL), at most `limit`; null if unreadable. */
export function readCString(read: MemReader, addr: bigint, limit: number): Buffer | null {
  const parts: Buffer[] = [];
  let total = 0;
  let a = addr;
  while (total < limit) {
    // page by page, so a string at the end of a mapping is still read
    const toPage = 4096 - Number(a & 4095n);
    const chunk = read(a, Math.min(toPage, limit - total));
    if (!chunk || chunk.length === 0) return total > 0 ? Buffer.concat(parts) : null;
    const nul = chunk.indexOf(0);
    if (nul >= 0) { parts.push(chunk.subarray(0, nul)); return Buffer.concat(parts); }
    parts.push(chunk);
    total += chunk.length;
    a += BigInt(chunk.length);
  }
  return Buffer.concat(parts);
}

export const hex0x = (v: bigint): string => '0x' + v.toString(16);
export const ptr = (v: bigint): string => (v === 0n ? 'NULL' : hex0x(v));
