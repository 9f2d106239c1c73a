/**
 * A pane: a title line (inverse when it has the focus) over `height - 1`
 * lines of content, cut to its width, never wrapped.
 */
import React from 'react';
import { Box, Text } from 'ink';

export interface PaneProps {
  title: string;
  width: number;
  height: number;
  focused?: boolean;
  children?: React.ReactNode;
}

export function Pane({ title, width, height, focused = false, children }: PaneProps): React.ReactElement {
  const head = `─ ${title} `;
  const fill = Math.max(0, width - head.length);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text inverse={focused} bold wrap="truncate">{head + '─'.repeat(fill)}</Text>
      {children}
    </Box>
  );
}

/** One line of a pane, cut at its width. */
export function Line(props: React.ComponentProps<typeof Text>): React.ReactElement {
  return <Text wrap="truncate" {...props} />;
}

/** The part of `items` a pane of `rows` lines shows from `top` (clamped so the pane stays full where it can). */
export function windowOf<T>(items: readonly T[], rows: number, top: number): { from: number; shown: readonly T[] } {
  const from = Math.max(0, Math.min(top, items.length - rows));
  return { from, shown: items.slice(from, from + rows) };
}
