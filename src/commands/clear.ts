/**
 * gdb's `clear [LOCATION]` (clear_command): which breakpoints stand at a
 * location. Without an argument, those at the selected frame's pc or on its
 * source line; with FILE:LINE or LINE, those on that line; with a function
 * or *ADDRESS, those at its address. Watchpoints are never cleared.
 */
import type { Breakpoint } from './store.js';

export interface ClearTarget {
  /** Addresses a breakpoint location may equal (the pc, the function's breakpoint address). */
  pcs: bigint[];
  /** Source lines a location may be on (full path and line). */
  lines: Array<{ path: string; line: number }>;
}

/** The ids of the breakpoints `clear` deletes, lowest first. */
export function breakpointsToClear(
  bps: Breakpoint[], target: ClearTarget,
  locations: (b: Breakpoint) => bigint[],
  lineOf: (addr: bigint) => { path: string; line: number } | undefined,
): number[] {
  const hit = (addr: bigint) => {
    if (target.pcs.includes(addr)) return true;
    const l = lineOf(addr);
    return l !== undefined && target.lines.some((t) => t.line === l.line && t.path === l.path);
  };
  return bps.filter((b) => !b.watch && locations(b).some(hit)).map((b) => b.id).sort((a, b) => a - b);
}

/** What `clear` says (at a terminal): gdb's trailing space after each number included. */
export function clearedText(ids: number[]): string {
  return `Deleted breakpoint${ids.length > 1 ? 's' : ''} ${ids.map((id) => `${id} `).join('')}`;
}
