/**
 * A hexdump of the memory at an expression (`tui memory EXPR`), read again
 * at every stop: 16 bytes a row from 80 columns (8 below), bytes that
 * changed since the previous stop in reverse.
 */
import React from 'react';
import { Box, Text } from 'ink';
import { Line, Pane, windowOf } from './pane.js';

export interface MemoryView {
  readonly expression: string;
  readonly address?: bigint;
  readonly bytes?: Buffer;
  /** The previous stop's bytes at the same address, for the changes. */
  readonly before?: Buffer;
  /** Why nothing could be read (gdb's one-line error). */
  readonly error?: string;
}

export interface MemoryPaneProps { memory: MemoryView; width: number; height: number; scroll: number; focused: boolean }

export function bytesPerRow(width: number): number {
  return width >= 80 ? 16 : 8;
}

const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');

export function MemoryPane({ memory, width, height, scroll, focused }: MemoryPaneProps): React.ReactElement {
  const per = bytesPerRow(width);
  const { bytes, address, before } = memory;
  const rows: number[] = [];
  if (bytes && address !== undefined) for (let o = 0; o < bytes.length; o += per) rows.push(o);
  const { shown } = windowOf(rows, height - 1, scroll);
  return (
    <Pane title={`Memory: ${memory.expression}`} width={width} height={height} focused={focused}>
      {memory.error !== undefined ? <Line>{memory.error}</Line> : shown.map((o) => {
        const row = [...bytes!.subarray(o, o + per)];
        return (
          <Box key={o} flexDirection="row">
            <Text>{`${(address! + BigInt(o)).toString(16).padStart(12, '0')}: `}</Text>
            {row.map((b, i) => (
              <Text key={i} inverse={before !== undefined && before[o + i] !== b}>{b.toString(16).padStart(2, '0')}</Text>
            )).flatMap((t, i) => (i < row.length - 1 ? [t, <Text key={`s${i}`}>{i % 8 === 7 ? '  ' : ' '}</Text>] : [t]))}
            <Text wrap="truncate">{`  ${row.map(printable).join('')}`}</Text>
          </Box>
        );
      })}
    </Pane>
  );
}
