/**
 * The info row has room for three panes in 80 columns (stack, locals, and
 * breakpoints or checkpoints): focusing one it has no room for (`focus
 * threads`) shows it in the place of the row's last pane while it has the
 * focus.
 */
import type { Layout, PaneName } from './layout.js';

export const INFO_PANES: readonly PaneName[] = ['stack', 'locals', 'watch', 'breakpoints', 'threads', 'checkpoints'];

/** `layout` with `pane` in the last place of its info row, when it is an info pane not shown. */
export function withInfoPane(layout: Layout, pane: PaneName | undefined): Layout {
  if (!pane || !INFO_PANES.includes(pane) || layout.panes[pane]) return layout;
  let last: PaneName | undefined;
  for (const n of INFO_PANES) {
    const r = layout.panes[n];
    if (r && (!last || r.left > layout.panes[last]!.left)) last = n;
  }
  if (!last) return layout;
  const panes = { ...layout.panes, [pane]: layout.panes[last] };
  delete panes[last];
  return { ...layout, panes };
}
