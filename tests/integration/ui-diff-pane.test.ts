/**
 * The snapshot diff pane from fixed states (ink-testing-library), the words
 * for each kind of owner (src/commands/address-name-text.ts), and the layout
 * with the pane. The live program is in ui-diff.test.ts and snapshot-names.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createElement as h } from 'react';
import { frameLines } from './ink-frame.js';
import { DiffPane } from '../../src/ui/diff-pane.js';
import type { DiffView } from '../../src/ui/diff.js';
import { computeLayout } from '../../src/ui/layout.js';
import { namedLines, ownerText } from '../../src/commands/address-name-text.js';
import type { AddressOwner } from '../../src/debugger/inspect/address-names.js';

const lines = frameLines;

const size = { width: 100, height: 5, scroll: 0, focused: false };

describe('snapshot diff pane', () => {
  it('one row per named range: the name, old bytes, new bytes, the address; an error or no change in one line', () => {
    const diff: DiffView = {
      expression: '&cfg', start: 0x404040n, length: 24,
      changes: [{ offset: 0, old: Buffer.from([1]), now: Buffer.from([7]) }, { offset: 8, old: Buffer.from([100, 0]), now: Buffer.from([200, 1]) }],
      names: [
        { start: 0x404040n, length: 1, owner: { kind: 'variable', scope: 'global', expression: 'cfg.flags', type: 'struct config' } },
        { start: 0x404048n, length: 2, owner: { kind: 'variable', scope: 'global', expression: 'cfg.limit', type: 'struct config' } },
      ],
    };
    const out = lines(h(DiffPane, { ...size, diff }));
    expect(out[0]).toMatch(/^─ Snapshot diff: &cfg, 3 bytes changed ─/);
    expect(out[1]).toBe('cfg.flags  01 → 07  at 0x404040');
    expect(out[2]).toBe('cfg.limit  64 00 → c8 01  at 0x404048');
    expect(lines(h(DiffPane, { ...size, diff: { expression: '&cfg', start: 0x404040n, changes: [], names: [] } }))[1]).toBe('No changes.');
    expect(lines(h(DiffPane, { ...size, diff: { expression: 'heap', error: 'No snapshot of the heap is held (take one with "snapshot heap").' } }))[1])
      .toBe('No snapshot of the heap is held (take one with "snapshot heap").');
  });

  it('the words for each owner', () => {
    const chunk = { kind: 'heap' as const, chunk: 0x4052c0n, size: 24, header: false, top: false };
    const cases: Array<[AddressOwner, string]> = [
      [{ kind: 'variable', scope: 'global', expression: 'table[3].next', type: 'struct node [4]' }, 'table[3].next'],
      [{ kind: 'variable', scope: 'local', frame: 0, function: 'main', expression: 'list', type: 'struct node *' }, 'main: list'],
      [{ kind: 'variable', scope: 'local', frame: 1, function: 'build_list', expression: 'n', type: 'int' }, 'frame #1 build_list: n'],
      [{ ...chunk, offset: 0, via: { scope: 'global', expression: 'head', type: 'struct node', typeSize: 16, path: '.value' } },
        '*head (struct node, 16 bytes) .value, heap chunk 0x4052c0 (24 bytes) +0'],
      [{ ...chunk, offset: 16 }, 'heap chunk 0x4052c0 (24 bytes) +16'],
      [{ ...chunk, offset: -8, header: true }, 'malloc header of heap chunk 0x4052c0 (24 bytes)'],
      [{ kind: 'frame', frame: 0, function: 'mutate', offset: -24 }, 'frame #0 mutate (CFA-24)'],
      [{ kind: 'frame', frame: 1, function: 'main', offset: -8, saved: 'rip' }, 'frame #1 main: saved rip'],
      [{ kind: 'stack' }, '<stack>'],
      [{ kind: 'symbol', symbol: 'counter', offset: 4 }, 'counter + 4'],
      [{ kind: 'unknown' }, '<unknown>'],
    ];
    for (const [o, text] of cases) expect(ownerText(o)).toBe(text);
    expect(namedLines([{ start: 0x404040n, length: 4, owner: cases[0]![0] }])).toEqual(['0x404040..0x404044  table[3].next']);
  });

  it('the layout gives the pane rows under the main panes (with the memory pane too)', () => {
    const l = computeLayout(24, 80, 'src', { diff: true });
    expect(l.panes.diff).toEqual({ top: l.panes.src!.height, left: 0, width: 80, height: 3 });
    const both = computeLayout(40, 100, 'src', { memory: true, diff: true });
    expect(both.panes.diff!.top).toBe(both.panes.memory!.top + both.panes.memory!.height);
    expect(both.panes.diff!.top + both.panes.diff!.height).toBe(both.panes.stack!.top);
  });
});
