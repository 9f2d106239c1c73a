/** Breakpoints and watchpoints: number, gdb's margin mark, where, hit count, condition. */
import React from 'react';
import type { BreakpointInfo } from '../debugger/state.js';
import { breakpointMark } from './marks.js';
import { Line, Pane, windowOf } from './pane.js';

export interface BreakpointsPaneProps { breakpoints: readonly BreakpointInfo[]; width: number; height: number; scroll: number; focused: boolean }

export function breakpointLine(b: BreakpointInfo): string {
  const where = b.type !== 'breakpoint' ? `${b.type} ${b.spec}`
    : b.function && b.file && b.line !== undefined ? `${b.function} at ${b.file}:${b.line}`
    : b.verified ? (b.function ?? b.spec) : `<PENDING> ${b.spec}`;
  const hits = b.hits ? ` (${b.hits} hit${b.hits === 1 ? '' : 's'})` : '';
  const cond = b.condition !== undefined ? ` if ${b.condition}` : '';
  return `${String(b.id).padEnd(3)}${breakpointMark([b])} ${where}${hits}${cond}`;
}

export function BreakpointsPane({ breakpoints, width, height, scroll, focused }: BreakpointsPaneProps): React.ReactElement {
  const { shown } = windowOf(breakpoints, height - 1, scroll);
  return (
    <Pane title="Breakpoints" width={width} height={height} focused={focused}>
      {breakpoints.length === 0 ? <Line>No breakpoints or watchpoints.</Line> : shown.map((b) => (
        <Line key={b.id} dimColor={!b.enabled}>{breakpointLine(b)}</Line>
      ))}
    </Pane>
  );
}
