/** Arguments and locals of the selected frame, a tree: `+` expandable, `-` expanded; the cursor row in reverse when the pane has the focus. */
import React from 'react';
import type { LocalRow } from './locals.js';
import { Line, Pane, windowOf } from './pane.js';

export interface LocalsPaneProps { rows: readonly LocalRow[]; cursor: number; width: number; height: number; scroll: number; focused: boolean }

export function localLine(r: LocalRow): string {
  return `${'  '.repeat(r.depth)}${r.expandable ? (r.expanded ? '-' : '+') : ' '} ${r.name} = ${r.value}`;
}

export function LocalsPane({ rows, cursor, width, height, focused }: LocalsPaneProps): React.ReactElement {
  const visible = height - 1;
  const { from, shown } = windowOf(rows, visible, cursor - visible + 1);
  return (
    <Pane title="Locals" width={width} height={height} focused={focused}>
      {rows.length === 0 ? <Line>No locals.</Line> : shown.map((r, i) => (
        <Line key={r.key} inverse={focused && from + i === cursor}>{localLine(r)}</Line>
      ))}
    </Pane>
  );
}
