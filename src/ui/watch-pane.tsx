/** The watch list (./watch.ts): `display` and `tui watch` expressions, a tree as the locals pane's. */
import React from 'react';
import { LocalsPane, type LocalsPaneProps } from './locals-pane.js';

export function WatchPane(props: Omit<LocalsPaneProps, 'title' | 'empty'>): React.ReactElement {
  return <LocalsPane {...props} title="Watch" empty="No expressions: display EXPR or tui watch EXPR." />;
}
