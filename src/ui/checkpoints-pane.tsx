/**
 * Checkpoints (the newest one held by the engine) and snapshots, under a
 * gauge of the bytes older checkpoints hold in tsdbg's buffers against
 * `set checkpoint-limit`.
 */
import React from 'react';
import type { CheckpointInfo, Limits, SnapshotInfo } from '../debugger/state.js';
import { Line, Pane, windowOf } from './pane.js';

export interface CheckpointsPaneProps {
  checkpoints: readonly CheckpointInfo[];
  snapshots: readonly SnapshotInfo[];
  limits: Limits;
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** `[####......] 12.0 KiB of 64.0 MiB` (or `of unlimited`). */
export function gauge(held: number, limit: number | undefined, width: number): string {
  const text = ` ${bytesText(held)} of ${limit === undefined ? 'unlimited' : bytesText(limit)}`;
  const cells = Math.max(4, Math.min(20, width - text.length - 2));
  const full = limit ? Math.min(cells, Math.round((held / limit) * cells)) : 0;
  return `[${'#'.repeat(full)}${'.'.repeat(cells - full)}]${text}`;
}

export function CheckpointsPane({ checkpoints, snapshots, limits, width, height, scroll, focused }: CheckpointsPaneProps): React.ReactElement {
  const held = checkpoints.filter((c) => !c.inEngine).reduce((s, c) => s + c.bytes, 0);
  const own = snapshots.filter((s) => s.owner === undefined);
  const lines = [
    ...checkpoints.map((c) => `${c.inEngine ? '*' : ' '} ${c.name}  ${bytesText(c.bytes)}  pc 0x${c.pc.toString(16)}`),
    ...own.map((s) => `  snap 0x${s.start.toString(16)} ${bytesText(s.length)} ${s.region}`),
  ];
  const { shown } = windowOf(lines, height - 2, scroll);
  return (
    <Pane title="Checkpoints" width={width} height={height} focused={focused}>
      <Line color="cyan">{gauge(held, limits.checkpointBuffer, width)}</Line>
      {lines.length === 0 ? <Line>No checkpoints.</Line> : shown.map((l, i) => <Line key={i}>{l}</Line>)}
    </Pane>
  );
}
