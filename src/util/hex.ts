/**
 * Numbers in hex as gdb and the snapshot/RSP messages write them. Two
 * flavours, named for what they print:
 *  - hexWord: a 64-bit machine word (an address, a register, a pointer
 *    value): a negative bigint is its two's complement, -1 is 0xffffffffffffffff;
 *  - hexNumber: the number itself, at any width (a count, a size, a value
 *    known to be non-negative that may exceed 64 bits).
 * For an address (0 <= a < 2^64) both print the same.
 */

/** `0x401136`: a 64-bit word, negatives as their two's complement. */
export function hexWord(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

/** `0x0000000000401136`: a 64-bit word padded to 16 digits (gdb's addresses in bt, info breakpoints, x/i). */
export function hexWord16(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/** `0x1f`: a non-negative number at its own width (no wrap to 64 bits). */
export function hexNumber(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** `0a`: one byte as two hex digits (RSP packets). */
export function hexByte(n: number): string {
  return n.toString(16).padStart(2, '0');
}
