/**
 * Binary search over tables sorted by address (symbols, functions, line
 * rows): the "nearest at or below" lookup gdb does for every pc it names.
 */

/** Index of the last element whose key is <= x, or -1 when every key is above x. */
export function lastAtOrBelow<T>(sorted: readonly T[], x: bigint, key: (item: T) => bigint): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(sorted[mid]!) <= x) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return idx;
}
