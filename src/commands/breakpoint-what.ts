/**
 * The What column of `info breakpoints`: gdb marks a wrap point before its
 * `at FILE:LINE`, indented to the column (print_breakpoint_location).
 */
import { wrapHint } from '../dwarf/wrap.js';

const WHAT_COLUMN = 51;

export function whatWrapped(what: string): string {
  const i = what.lastIndexOf(' at ');
  return i < 0 || !what.startsWith('in ') ? what : `${what.slice(0, i + 1)}${wrapHint(WHAT_COLUMN)}${what.slice(i + 1)}`;
}
