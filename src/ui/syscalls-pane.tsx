/** The last system calls `catch syscall` stopped at (./syscalls.ts), strace's text, the newest last; a call not yet returned ends in `...`. */
import React from 'react';
import type { SyscallRow } from './syscalls.js';
import { Line, Pane, windowOf } from './pane.js';

export interface SyscallsPaneProps { calls: readonly SyscallRow[]; width: number; height: number; scroll: number; focused: boolean }

export function SyscallsPane({ calls, width, height, scroll, focused }: SyscallsPaneProps): React.ReactElement {
  const rows = height - 1;
  // scrolled back from the newest call
  const { shown } = windowOf(calls, rows, calls.length - rows - scroll);
  return (
    <Pane title="Syscalls" width={width} height={height} focused={focused}>
      {calls.length === 0 ? <Line>No system calls caught: catch syscall [NAME...].</Line> : shown.map((c) => (
        <Line key={c.seq} bold={!c.done}>{c.text}</Line>
      ))}
    </Pane>
  );
}
