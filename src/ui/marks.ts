/**
 * gdb's TUI margin for breakpoints: `B` a breakpoint hit at least once, `b`
 * one never hit, then `+` enabled or `-` disabled; ours adds `?` (for `+`)
 * on a conditional one.
 */
import type { BreakpointInfo } from '../debugger/state.js';

export function breakpointMark(bps: readonly BreakpointInfo[]): string {
  if (!bps.length) return '  ';
  const hit = bps.some((b) => b.hits > 0);
  const enabled = bps.some((b) => b.enabled);
  const conditional = bps.some((b) => b.enabled && b.condition !== undefined);
  return `${hit ? 'B' : 'b'}${!enabled ? '-' : conditional ? '?' : '+'}`;
}

/** The code breakpoints (not watchpoints) at a line of a file (matched by path, else by name). */
export function breakpointsAtLine(bps: readonly BreakpointInfo[], path: string, line: number): BreakpointInfo[] {
  return bps.filter((b) => b.type === 'breakpoint' && b.line === line && (b.path === path || (!b.path && b.file !== undefined && path.endsWith(`/${b.file}`))));
}

/** The code breakpoints with a location at this address. */
export function breakpointsAtAddress(bps: readonly BreakpointInfo[], addr: bigint): BreakpointInfo[] {
  return bps.filter((b) => b.type === 'breakpoint' && (b.address === addr || b.locations.includes(addr)));
}
