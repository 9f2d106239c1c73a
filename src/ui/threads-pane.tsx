/** The threads, the selected one marked `*` as in gdb's `info threads`. */
import React from 'react';
import type { ThreadState } from '../debugger/state.js';
import { Line, Pane, windowOf } from './pane.js';

export interface ThreadsPaneProps { threads: readonly ThreadState[]; selected: number | undefined; width: number; height: number; scroll: number; focused: boolean }

export function ThreadsPane({ threads, selected, width, height, scroll, focused }: ThreadsPaneProps): React.ReactElement {
  const { shown } = windowOf(threads, height - 1, scroll);
  return (
    <Pane title="Threads" width={width} height={height} focused={focused}>
      {threads.length === 0 ? <Line>No threads.</Line> : shown.map((t) => (
        <Line key={t.tid}>{`${t.tid === selected ? '*' : ' '} ${t.id} LWP ${t.tid} ${t.name}`}</Line>
      ))}
    </Pane>
  );
}
