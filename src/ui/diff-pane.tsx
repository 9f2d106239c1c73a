/**
 * `snapshot diff` on screen: one row per changed range: what it belongs to
 * (cyan), the old bytes (red), the new (green) and its address; what it belongs to is
 * (a variable's field, a heap chunk, a stack slot: src/commands/address-name-text.ts).
 */
import React from 'react';
import { Box, Text } from 'ink';
import { ownerText } from '../commands/address-name-text.js';
import { Line, Pane, windowOf } from './pane.js';
import { pieceBytes, type DiffView } from './diff.js';

export interface DiffPaneProps { diff: DiffView; width: number; height: number; scroll: number; focused: boolean }

const MAX_BYTES = 8;
const bytesText = (b: Buffer) => [...b.subarray(0, MAX_BYTES)].map((x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > MAX_BYTES ? ' …' : '');

export function diffTitle(v: DiffView): string {
  if (!v.changes) return `Snapshot diff: ${v.expression}`;
  const n = v.changes.reduce((s, c) => s + c.old.length, 0);
  return `Snapshot diff: ${v.expression}, ${n} byte${n === 1 ? '' : 's'} changed`;
}

export function DiffPane({ diff, width, height, scroll, focused }: DiffPaneProps): React.ReactElement {
  const pieces = diff.names ?? [];
  const { shown } = windowOf(pieces, height - 1, scroll);
  let body: React.ReactNode;
  if (diff.error !== undefined) body = <Line>{diff.error}</Line>;
  else if (diff.changes && !diff.changes.length) body = <Line>No changes.</Line>;
  else {
    body = shown.map((p) => {
      const { old, now } = pieceBytes(diff, p);
      return (
        <Box key={p.start.toString()} flexDirection="row" width={width} overflow="hidden">
          <Text color="cyan" wrap="truncate">{`${ownerText(p.owner)}  `}</Text>
          <Text color="red" wrap="truncate">{bytesText(old)}</Text>
          <Text> → </Text>
          <Text color="green" bold wrap="truncate">{bytesText(now)}</Text>
          <Text wrap="truncate">{`  at 0x${p.start.toString(16)}`}</Text>
        </Box>
      );
    });
  }
  return <Pane title={diffTitle(diff)} width={width} height={height} focused={focused}>{body}</Pane>;
}
