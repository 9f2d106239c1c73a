/**
 * The source around the selected frame's line: the line marked `>` and in
 * reverse, breakpoint marks in the margin (./marks.ts), scrolled with the
 * pane's keys (the scroll resets at each stop).
 */
import React from 'react';
import path from 'node:path';
import type { BreakpointInfo, Frame } from '../debugger/state.js';
import type { SourceFile } from './model.js';
import { breakpointMark, breakpointsAtLine } from './marks.js';
import { Line, Pane, windowOf } from './pane.js';

export interface SourcePaneProps {
  source: SourceFile;
  /** The selected frame (its line is marked). */
  frame: Pick<Frame, 'line' | 'path'> | undefined;
  breakpoints: readonly BreakpointInfo[];
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
}

export function SourcePane({ source, frame, breakpoints, width, height, scroll, focused }: SourcePaneProps): React.ReactElement {
  const lines = source.lines ?? [];
  const rows = height - 1;
  const current = frame?.path === source.path || frame?.path === undefined ? frame?.line : undefined;
  const centre = (current ?? 1) - 1 - Math.floor(rows / 2);
  const { from, shown } = windowOf(lines, rows, centre + scroll);
  const digits = String(Math.max(lines.length, 1)).length;
  return (
    <Pane title={path.basename(source.path)} width={width} height={height} focused={focused}>
      {shown.map((text, i) => {
        const n = from + i + 1;
        const mark = breakpointMark(breakpointsAtLine(breakpoints, source.path, n));
        const here = n === current;
        const body = `${mark}${here ? '>' : ' '}${String(n).padStart(digits)} ${text}`;
        return <Line key={n} inverse={here} color={mark.trim() && !here ? 'red' : undefined}>{body}</Line>;
      })}
    </Pane>
  );
}
