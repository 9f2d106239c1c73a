/** The program's own output, from its pty, scrollable (what it printed last at the bottom). */
import React from 'react';
import { allLines, tail, type Lines } from './text.js';
import { Line, Pane } from './pane.js';

export interface OutputPaneProps { output: Lines; width: number; height: number; scroll: number; focused: boolean }

export function OutputPane({ output, width, height, scroll, focused }: OutputPaneProps): React.ReactElement {
  const shown = tail(allLines(output, width), height - 1, scroll);
  return (
    <Pane title={scroll ? `Program output (${scroll} up)` : 'Program output'} width={width} height={height} focused={focused}>
      {shown.map((l, i) => <Line key={i}>{l}</Line>)}
    </Pane>
  );
}
