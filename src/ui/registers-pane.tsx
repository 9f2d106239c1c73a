/** The general registers in columns; those changed since the previous stop in reverse (gdb's TUI highlights them so). */
import React from 'react';
import { Box, Text } from 'ink';
import type { RegisterState } from '../debugger/state.js';
import { Line, Pane, windowOf } from './pane.js';

/** gdb's order of `info registers`, but the pc, stack and flags first: they show in the smallest pane. */
export const REGISTER_ORDER = [
  'rip', 'rsp', 'rbp', 'eflags', 'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base',
] as const;

const CELL = 26;

export interface RegistersPaneProps {
  registers: RegisterState | undefined;
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
}

export function RegistersPane({ registers, width, height, scroll, focused }: RegistersPaneProps): React.ReactElement {
  const perRow = Math.max(1, Math.floor(width / CELL));
  const rows: (typeof REGISTER_ORDER[number])[][] = [];
  for (let i = 0; i < REGISTER_ORDER.length; i += perRow) rows.push(REGISTER_ORDER.slice(i, i + perRow));
  const { shown } = windowOf(rows, height - 1, scroll);
  const changed = new Set(registers?.changed ?? []);
  return (
    <Pane title="Registers" width={width} height={height} focused={focused}>
      {!registers ? <Line>[ Register Values Unavailable ]</Line> : shown.map((names) => (
        <Box key={names[0]} flexDirection="row">
          {names.map((n) => (
            <Box key={n} width={CELL}>
              <Text wrap="truncate" inverse={changed.has(n)}>{`${n.padEnd(7)} 0x${registers.values[n].toString(16)}`}</Text>
            </Box>
          ))}
        </Box>
      ))}
    </Pane>
  );
}
