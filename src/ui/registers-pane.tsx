/**
 * The registers of a group (`tui reg GROUP`, ./reg-groups.ts): the general
 * ones in columns, the x87/SSE/AVX ones a line each; those changed since the
 * previous stop in reverse (gdb's TUI highlights them so).
 */
import React from 'react';
import { Box, Text } from 'ink';
import type { RegisterState } from '../debugger/state.js';
import { generalNames, type FpRow, type RegGroup } from './reg-groups.js';
import { Line, Pane, windowOf } from './pane.js';

/** gdb's order of `info registers`, but the pc, stack and flags first: they show in the smallest pane. */
export const REGISTER_ORDER = [
  'rip', 'rsp', 'rbp', 'eflags', 'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base',
] as const;

const CELL = 26;

export interface RegistersPaneProps {
  registers: RegisterState | undefined;
  /** The group shown (general by default) and its x87/SSE/AVX lines, with the names whose text changed since the previous stop. */
  group?: RegGroup;
  fp?: readonly FpRow[];
  fpChanged?: readonly string[];
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
}

type Row = { key: string; names: readonly string[] } | { key: string; fp: FpRow };

export function RegistersPane({ registers, group = 'general', fp = [], fpChanged = [], width, height, scroll, focused }: RegistersPaneProps): React.ReactElement {
  const perRow = Math.max(1, Math.floor(width / CELL));
  const general = generalNames(group, REGISTER_ORDER);
  const rows: Row[] = [];
  for (let i = 0; i < general.length; i += perRow) rows.push({ key: general[i]!, names: general.slice(i, i + perRow) });
  for (const r of fp) rows.push({ key: `fp-${r.name}`, fp: r });
  const { shown } = windowOf(rows, height - 1, scroll);
  const changed = new Set([...(registers?.changed ?? []), ...fpChanged]);
  const title = group === 'general' ? 'Registers' : `Register group: ${group}`;
  return (
    <Pane title={title} width={width} height={height} focused={focused}>
      {!registers ? <Line>[ Register Values Unavailable ]</Line> : shown.map((row) => 'fp' in row
        ? <Line key={row.key} inverse={changed.has(row.fp.name)}>{row.fp.text}</Line>
        : (
          <Box key={row.key} flexDirection="row">
            {row.names.map((n) => (
              <Box key={n} width={CELL}>
                <Text wrap="truncate" inverse={changed.has(n)}>{`${n.padEnd(7)} 0x${(registers.values as Record<string, bigint>)[n]!.toString(16)}`}</Text>
              </Box>
            ))}
          </Box>
        ))}
    </Pane>
  );
}
