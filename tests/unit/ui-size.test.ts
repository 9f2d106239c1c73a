/** The UI's size on a terminal that reports none, and an info pane focused where the row has no room for it. */
import { describe, expect, it } from 'vitest';
import { uiSize } from '../../src/ui/size.js';
import { withInfoPane } from '../../src/ui/info-pick.js';
import { computeLayout } from '../../src/ui/layout.js';

describe('uiSize', () => {
  it('the terminal\'s size when it has one; else $LINES x $COLUMNS; else 24x80', () => {
    expect(uiSize({ rows: 40, columns: 120 }, { LINES: '10', COLUMNS: '50' })).toEqual({ rows: 40, cols: 120 });
    expect(uiSize({ rows: 0, columns: 0 }, { LINES: '30', COLUMNS: '100' })).toEqual({ rows: 30, cols: 100 });
    expect(uiSize({ rows: 0, columns: 0 }, {})).toEqual({ rows: 24, cols: 80 });
    expect(uiSize({}, { LINES: 'x', COLUMNS: '-3' })).toEqual({ rows: 24, cols: 80 });
  });
});

describe('withInfoPane', () => {
  it('threads in 80 columns take the last place of the info row; a pane shown already changes nothing', () => {
    const l = computeLayout(24, 80, 'src', { checkpoints: true });
    expect(l.panes.threads).toBeUndefined();
    const t = withInfoPane(l, 'threads');
    expect(t.panes.threads).toEqual(l.panes.checkpoints);
    expect(t.panes.checkpoints).toBeUndefined();
    expect(t.panes.stack).toEqual(l.panes.stack);
    expect(withInfoPane(l, 'stack')).toBe(l);
    expect(withInfoPane(l, 'cmd')).toBe(l);
    expect(withInfoPane(l, undefined)).toBe(l);
  });
});
