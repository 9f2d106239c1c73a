/**
 * The diff pane's data (`tui diff ADDR|heap|stack`, or the last `snapshot
 * diff` typed): the snapshot that holds the place, what changed since, and
 * what each changed range belongs to. It asks the core (Debugger.diff,
 * Debugger.names); ./diff-pane.tsx draws it.
 */
import type { Debugger } from '../debugger/debugger.js';
import type { NamedPiece } from '../debugger/inspect/address-names.js';
import { CommandError, errorMessage, expected, rethrowUnexpected } from '../debugger/errors.js';

export interface DiffChange { readonly offset: number; readonly old: Buffer; readonly now: Buffer }

export interface DiffView {
  /** What the user named: `heap`, `stack`, `&cfg`, `0x404040`. */
  readonly expression: string;
  readonly start?: bigint;
  readonly length?: number;
  readonly changes?: readonly DiffChange[];
  /** The changed bytes, split by what they belong to. */
  readonly names?: readonly NamedPiece[];
  /** Why there is no diff (gdb-style one line). */
  readonly error?: string;
}

/** The diff of the snapshot that holds `expression`'s place, and its names. */
export async function loadDiff(d: Debugger, expression: string): Promise<DiffView> {
  try {
    const start = await snapshotStart(d, expression);
    const diff = await d.diff(start);
    const ranges = diff.changes.map((c) => ({ start: start + BigInt(c.offset), length: c.old.length }));
    // (names that cannot be read: the changed bytes alone)
    const names = ranges.length ? await d.names(ranges).catch(expected(undefined)) : [];
    return { expression, start, length: diff.length, changes: diff.changes, names };
  } catch (e) {
    return { expression, error: errorMessage(e) };
  }
}

/** The start of the user's snapshot that holds the place (the mapping's for `heap` / `stack`). */
async function snapshotStart(d: Debugger, expression: string): Promise<bigint> {
  const own = d.state.snapshots.filter((s) => !s.owner);
  if (expression === 'heap' || expression === 'stack') {
    const s = own.find((x) => x.region === `[${expression}]`);
    if (!s) throw new CommandError(`No snapshot of the ${expression} is held (take one with "snapshot ${expression}").`);
    return s.start;
  }
  // an address, a pointer, or an object (its address)
  // (not a scalar, e.g. a struct: its address; the error said is the second's)
  const r = await d.evaluate(`(unsigned long)(${expression})`)
    .catch((e: unknown) => { rethrowUnexpected(e); return d.evaluate(`(unsigned long)&(${expression})`); });
  const at = BigInt(r.text);
  const s = own.find((x) => at >= x.start && at < x.start + BigInt(x.length));
  if (!s) throw new CommandError(`No snapshot holds ${expression} (0x${at.toString(16)}).`);
  return s.start;
}

/** The old and new bytes of a piece (the changes hold them). */
export function pieceBytes(v: DiffView, p: NamedPiece): { old: Buffer; now: Buffer } {
  const off = Number(p.start - (v.start ?? 0n));
  const c = v.changes?.find((x) => off >= x.offset && off < x.offset + x.old.length);
  if (!c) return { old: Buffer.alloc(0), now: Buffer.alloc(0) };
  const from = off - c.offset;
  return { old: c.old.subarray(from, from + p.length), now: c.now.subarray(from, from + p.length) };
}
