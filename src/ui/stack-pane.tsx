/** The selected thread's stack, innermost first, the selected frame marked `>`. */
import React from 'react';
import type { Frame } from '../debugger/state.js';
import { Line, Pane, windowOf } from './pane.js';

export interface StackPaneProps { frames: readonly Frame[]; selected: number; width: number; height: number; scroll: number; focused: boolean }

/** gdb's backtrace line, short: `#1  main at f.c:12`, `#2  0x7ffff7c29d90 in __libc_start_call_main`. */
export function frameLine(f: Frame): string {
  const where = f.file && f.line !== undefined ? ` at ${f.file}:${f.line}` : f.module ? ` from ${f.module}` : '';
  const pc = f.level > 0 && !(f.file && f.line !== undefined) ? `0x${f.pc.toString(16)} in ` : '';
  return `#${f.level}  ${pc}${f.function ?? '??'}${where}`;
}

export function StackPane({ frames, selected, width, height, scroll, focused }: StackPaneProps): React.ReactElement {
  const { shown } = windowOf(frames, height - 1, scroll);
  return (
    <Pane title="Stack" width={width} height={height} focused={focused}>
      {frames.length === 0 ? <Line>No stack.</Line> : shown.map((f) => (
        <Line key={f.level} inverse={f.level === selected}>{`${f.level === selected ? '>' : ' '}${frameLine(f)}`}</Line>
      ))}
    </Pane>
  );
}
