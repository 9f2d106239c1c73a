/**
 * Strings of 16- and 32-bit characters as gdb 13 prints them (`x/sh`,
 * `x/sw`: char16_t and char32_t, UTF-16 and UTF-32): gdb's generic_printstr
 * and print_wchar with a UTF-8 host. The prefix (u, U) once in front; runs
 * longer than `repeats` as `'c' <repeats N times>`; printable characters as
 * themselves (a UTF-16 surrogate pair as one), the C escapes (\a \b \f \n \r
 * \t \v), others as \ooo up to 0777 else \xHEX, a hex digit right after a
 * numeric escape escaped too; `...` when cut at `print elements`.
 */
import { expected, rethrowUnexpected } from '../debugger/errors.js';

export type CharWidth = 2 | 4;

const PREFIX: Record<CharWidth, string> = { 2: 'u', 4: 'U' };
const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Whether gdb's host (glibc, UTF-8) prints a character as itself (iswprint). */
function printable(cp: number): boolean {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  // (U+E000..U+E0FF mark wrap points in our console text (dwarf/wrap.ts): escaped, where gdb prints them)
  if (cp >= 0xe000 && cp <= 0xe0ff) return false;
  return !/[\p{Cc}\p{Cn}]/u.test(String.fromCodePoint(cp));
}

const isXdigit = (cp: number) => (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x46) || (cp >= 0x61 && cp <= 0x66);

/** The characters of some code units inside `quote`s; `units` of one width, a surrogate pair one character. */
function quoteUnits(units: number[], width: CharWidth, quote: string): string {
  let out = '';
  let needEscape = false;
  for (let i = 0; i < units.length; i++) {
    let cp = units[i]!;
    let orig = [cp];
    const next = units[i + 1];
    if (width === 2 && cp >= 0xd800 && cp <= 0xdbff && next !== undefined && next >= 0xdc00 && next <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
      orig = [units[i]!, next];
      i++;
    }
    const esc = C_ESCAPES[cp];
    if (esc) {
      out += esc;
      needEscape = false;
    } else if (printable(cp) && !(needEscape && isXdigit(cp))) {
      const ch = String.fromCodePoint(cp);
      out += ch === quote || ch === '\\' ? `\\${ch}` : ch;
      needEscape = false;
    } else {
      for (const u of orig) out += u <= 0o777 ? `\\${u.toString(8).padStart(3, '0')}` : `\\x${u.toString(16)}`;
      needEscape = true;
    }
  }
  return out;
}

/**
 * `units` as gdb prints the string (one trailing NUL dropped unless `force`:
 * its reader stopped before the end, which prints `...`).
 */
export function printWideString(units: number[], width: CharWidth, threshold: number, limit: number, force = false): string {
  let length = units.length;
  if (!force && length > 0 && units[length - 1] === 0) length--;
  const prefix = PREFIX[width];
  if (length === 0) return `${prefix}""`;
  const parts: string[] = [];
  let text: number[] = [];
  const flushText = () => {
    if (text.length) parts.push(`"${quoteUnits(text, width, '"')}"`);
    text = [];
  };
  let pos = 0;
  for (let counted = 0; counted < limit && pos < length;) {
    let n = 1;
    while (pos + n < length && units[pos + n] === units[pos]) n++;
    if (n > threshold) {
      flushText();
      parts.push(`'${quoteUnits([units[pos]!], width, "'")}' <repeats ${n} times>`);
    } else {
      for (let k = 0; k < n; k++) text.push(units[pos]!);
    }
    pos += n;
    counted += n;
  }
  flushText();
  return prefix + parts.join(', ') + (force || pos < length ? '...' : '');
}

/**
 * The string of `width`-byte characters at addr, read up to its NUL or
 * `limit` characters, as gdb's x/sh and x/sw show it, with the bytes it
 * took (its NUL included); undefined when nothing there is readable.
 */
export async function wideStringAt(
  read: (addr: bigint, len: number) => Promise<Buffer>, addr: bigint, width: CharWidth, limit: number, threshold: number,
): Promise<{ text: string; length: number } | undefined> {
  const units: number[] = [];
  const unit = (b: Buffer, i: number) => (width === 2 ? b.readUInt16LE(i) : b.readUInt32LE(i));
  let a = addr;
  let foundNul = false;
  while (units.length < limit && !foundNul) {
    const room = Number(((a | 0xfffn) + 1n) - a);
    const want = Math.min(64, limit - units.length) * width;
    let chunk: Buffer;
    try {
      // within one page (a string that ends before an unmapped page still reads), whole characters
      chunk = await read(a, Math.max(width, Math.min(want, room - (room % width))));
    } catch (e) {
      rethrowUnexpected(e);
      chunk = Buffer.alloc(0);   // (an unreadable page ends the string there, as in gdb)
    }
    const whole = chunk.length - (chunk.length % width);
    if (whole === 0) break;
    for (let i = 0; i < whole && units.length < limit; i += width) {
      const u = unit(chunk, i);
      units.push(u);
      if (u === 0) { foundNul = true; break; }
    }
    a += BigInt(whole);
  }
  if (units.length === 0) return undefined;
  let force = false;
  if (!foundNul) {
    // (nothing readable after the last character: the string is not cut short)
    const next = await read(addr + BigInt(units.length * width), width).catch(expected(undefined));
    force = next !== undefined && next.length === width && unit(next, 0) !== 0;
  }
  return { text: printWideString(units, width, threshold, limit, force), length: units.length * width };
}
