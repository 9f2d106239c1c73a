/** Arguments and locals of the selected frame, a tree: `+` expandable, `-` expanded; the cursor row in reverse when the pane has the focus. */
import React from 'react';
import type { LocalRow } from './locals.js';
import { Line, Pane, windowOf } from './pane.js';

export interface LocalsPaneProps {
  rows: readonly LocalRow[]; cursor: number; width: number; height: number; scroll: number; focused: boolean;
  /** The watch pane (./watch-pane.tsx) is the same tree under its own title. */
  title?: string; empty?: string;
  /** Keys the pane has, in its title while it has the focus. */
  hint?: string;
}

export function localLine(r: LocalRow): string {
  return `${'  '.repeat(r.depth)}${r.expandable ? (r.expanded ? '-' : '+') : ' '} ${r.name} = ${r.value}`;
}

export function LocalsPane({ rows, cursor, width, height, focused, title = 'Locals', empty = 'No locals.', hint }: LocalsPaneProps): React.ReactElement {
  const visible = height - 1;
  const { from, shown } = windowOf(rows, visible, cursor - visible + 1);
  return (
    <Pane title={focused && hint ? `${title} (${hint})` : title} width={width} height={height} focused={focused}>
      {rows.length === 0 ? <Line>{empty}</Line> : shown.map((r, i) => (
        <Line key={r.key} inverse={focused && from + i === cursor}>{localLine(r)}</Line>
      ))}
    </Pane>
  );
}
