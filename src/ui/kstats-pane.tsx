/** tracer.ko's counts of the process's kernel operations (`info kstats`, src/commands/kstats.ts): the counts that changed since the previous stop in reverse; or why there are none. */
import React from 'react';
import { Text } from 'ink';
import { Line, Pane, windowOf } from './pane.js';

/** The text of `info kstats` at this stop, or its one-line error (the module not loaded, no process). */
export type KstatsView = { readonly lines: readonly string[] } | { readonly error: string };

export interface KstatsPaneProps { kstats: KstatsView | undefined; width: number; height: number; scroll: number; focused: boolean }

/** A count line whose change since the previous stop is not zero (`sched   41  +3`). */
const changed = (l: string): boolean => /\s[+-][1-9]\d*$/.test(l);

export function KstatsPane({ kstats, width, height, scroll, focused }: KstatsPaneProps): React.ReactElement {
  const lines = kstats && 'lines' in kstats ? kstats.lines : [];
  const { from, shown } = windowOf(lines, height - 1, scroll);
  return (
    <Pane title="Kernel stats" width={width} height={height} focused={focused}>
      {/* the reason there are no counts, wrapped: it says what to load */}
      {!kstats ? <Line>The program is not being run.</Line> : 'error' in kstats ? <Text wrap="wrap">{kstats.error}</Text>
        : shown.map((l, i) => <Line key={from + i} inverse={changed(l)}>{l}</Line>)}
    </Pane>
  );
}
