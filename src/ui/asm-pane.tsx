/** Disassembly of the selected frame's function: the pc marked `>` and in reverse, breakpoint marks in the margin. */
import React from 'react';
import type { Instruction } from '../debugger/debugger.js';
import type { BreakpointInfo } from '../debugger/state.js';
import { breakpointMark, breakpointsAtAddress } from './marks.js';
import { Line, Pane, windowOf } from './pane.js';

export interface AsmPaneProps {
  instructions: readonly Instruction[];
  pc: bigint | undefined;
  breakpoints: readonly BreakpointInfo[];
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
}

export function AsmPane({ instructions, pc, breakpoints, width, height, scroll, focused }: AsmPaneProps): React.ReactElement {
  const rows = height - 1;
  const at = instructions.findIndex((i) => i.address === pc);
  const { from, shown } = windowOf(instructions, rows, Math.max(0, at) - Math.floor(rows / 3) + scroll);
  const title = instructions.length ? `asm: ${instructions[0]!.function ?? instructions[0]!.symbol ?? ''}` : '[ No Assembly Available ]';
  return (
    <Pane title={title} width={width} height={height} focused={focused}>
      {shown.map((ins, i) => {
        const here = from + i === at;
        const mark = breakpointMark(breakpointsAtAddress(breakpoints, ins.address));
        const sym = ins.symbol ? ` <${ins.symbol}>` : '';
        return <Line key={String(ins.address)} inverse={here}>{`${mark}${here ? '>' : ' '}0x${ins.address.toString(16)}${sym}  ${ins.text}`}</Line>;
      })}
    </Pane>
  );
}
