/**
 * Array helpers for data of any size. `a.push(...b)` and `Math.max(...b)`
 * pass every element as an argument on the stack and die with "Maximum call
 * stack size exceeded" past ~100,000 elements (the line table of the sqlite3
 * amalgamation at -O2): use these instead on anything a program decides.
 */
export function pushAll<T>(to: T[], items: Iterable<T>): T[] {
  for (const x of items) to.push(x);
  return to;
}

/** The largest of `items` and `floor` (Math.max(floor, ...items) for any count). */
export function maxOf(floor: number, items: Iterable<number>): number {
  let m = floor;
  for (const x of items) if (x > m) m = x;
  return m;
}
