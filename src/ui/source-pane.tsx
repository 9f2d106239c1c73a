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
import { Text } from 'ink';
import { Line, Pane, windowOf } from './pane.js';
import { isCSource, tokenize, type TokenKind } from './c-syntax.js';

/** The colours of C's tokens (GNU source-highlight's, as gdb's TUI shows them). */
const COLOURS: Partial<Record<TokenKind, { color: string; bold?: boolean; dimColor?: boolean }>> = {
  keyword: { color: 'blue', bold: true }, type: { color: 'green' }, string: { color: 'red' },
  comment: { color: 'yellow', dimColor: true }, number: { color: 'cyan' }, preprocessor: { color: 'magenta' },
};

export interface SourcePaneProps {
  source: SourceFile;
  /** The selected frame (its line is marked). */
  frame: Pick<Frame, 'line' | 'path'> | undefined;
  breakpoints: readonly BreakpointInfo[];
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
  /** Syntax colour (`set style enabled`, off with NO_COLOR or TERM=dumb). */
  colour?: boolean;
}

export function SourcePane({ source, frame, breakpoints, width, height, scroll, focused, colour = false }: SourcePaneProps): React.ReactElement {
  const lines = source.lines ?? [];
  const rows = height - 1;
  const current = frame?.path === source.path || frame?.path === undefined ? frame?.line : undefined;
  const centre = (current ?? 1) - 1 - Math.floor(rows / 2);
  const { from, shown } = windowOf(lines, rows, centre + scroll);
  const digits = String(Math.max(lines.length, 1)).length;
  const tokens = colour && isCSource(source.path) ? tokenize(lines) : undefined;
  return (
    <Pane title={path.basename(source.path)} width={width} height={height} focused={focused}>
      {shown.map((text, i) => {
        const n = from + i + 1;
        const mark = breakpointMark(breakpointsAtLine(breakpoints, source.path, n));
        const here = n === current;
        const margin = `${mark}${here ? '>' : ' '}${String(n).padStart(digits)} `;
        const marked = mark.trim() && !here ? 'red' : undefined;
        if (!tokens) return <Line key={n} inverse={here} color={marked}>{margin + text}</Line>;
        return (
          <Line key={n} inverse={here}>
            <Text color={marked}>{margin}</Text>
            {tokens[n - 1]!.map((t, j) => <Text key={j} {...COLOURS[t.kind]}>{t.text}</Text>)}
          </Line>
        );
      })}
    </Pane>
  );
}
