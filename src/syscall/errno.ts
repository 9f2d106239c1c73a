/** errno names and glibc's texts, for `= -1 ENOENT (No such file or directory)`. */
import { ERRNO_ROWS } from './errno-data.js';

const BY_NR = new Map<number, readonly [number, string, string]>(ERRNO_ROWS.map((r) => [r[0], r]));
const BY_NAME = new Map<string, number>(ERRNO_ROWS.map((r) => [r[1], r[0]]));
BY_NAME.set('EWOULDBLOCK', 11);
BY_NAME.set('ENOTSUP', 95);
BY_NAME.set('EDEADLOCK', 35);

export const errnoName = (n: number): string => BY_NR.get(n)?.[1] ?? `E${n}`;
export const errnoText = (n: number): string => BY_NR.get(n)?.[2] ?? `Unknown error ${n}`;
/** ENOENT or 2 -> 2; undefined for neither. */
export function errnoNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  return BY_NAME.get(s.toUpperCase());
}
/** A return value the kernel means as an error (-4095..-1). */
export const isErrorReturn = (rv: bigint): boolean => rv < 0n && rv >= -4095n;
