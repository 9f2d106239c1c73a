/**
 * Which kind of watchpoint `watch` sets, as gdb decides it: a hardware one
 * (debug registers, or the stub's Z2-Z4) when `can-use-hw-watchpoints` is
 * not 0, the target's debug registers really trap (src/target/debugregs.ts)
 * and the insert is accepted; otherwise a software one (./watch-soft.ts),
 * which only write watchpoints can be.
 */
import type { Target } from '../target/types.js';
import { TargetError } from '../target/types.js';
import type { Breakpoint } from './store.js';
import { CommandError } from './parse.js';
import type { AnyValue } from './debug.js';
import { Value as DwarfValue } from '../dwarf/value.js';
import { typeName, type Value } from './expr.js';
import type { WatchedRange } from './watch-soft.js';
import { chunksOf } from '../target/debugregs.js';
import { expected } from '../debugger/errors.js';

type Watch = NonNullable<Breakpoint['watch']>;

/** x86-64 has four address debug registers, each watching an aligned 1, 2, 4 or 8 bytes. */
export const DEBUG_REGISTERS = 4;

export { chunksOf };

const key = (c: WatchedRange) => `${c.addr}:${c.length}`;

/** Debug registers the ranges need (identical pieces share one, as in gdb). */
export function registersFor(ranges: WatchedRange[]): number {
  // more than 4 x 8 bytes never fits (and a huge array is not cut into pieces to learn it)
  if (ranges.some((r) => r.length > DEBUG_REGISTERS * 8)) return DEBUG_REGISTERS + 1;
  return new Set(ranges.flatMap(chunksOf).map(key)).size;
}

/**
 * The hardware watchpoint gdb names when they do not all fit at a resume: it
 * inserts the locations in address order, each whole or not at all.
 */
export function firstUnfit(watches: { id: number; ranges: WatchedRange[] }[]): number | undefined {
  const locs = watches.flatMap((w) => w.ranges.map((r) => ({ id: w.id, r }))).sort((a, b) => (a.r.addr < b.r.addr ? -1 : a.r.addr > b.r.addr ? 1 : 0));
  const used = new Set<string>();
  for (const l of locs) {
    const keys = chunksOf(l.r).map(key);
    const fresh = keys.filter((k) => !used.has(k));
    if (used.size + new Set(fresh).size > DEBUG_REGISTERS) return l.id;
    for (const k of keys) used.add(k);
  }
  return undefined;
}

/** gdb's words when the hardware watchpoints do not fit at a resume (the command is aborted). */
export function unfitText(id: number): string {
  return `Warning:\nCould not insert hardware watchpoint ${id}.\nCould not insert hardware breakpoints:\nYou may have requested too many hardware breakpoints/watchpoints.\n`;
}

/** Insert the hardware watchpoint if it can be one: true, or false for a software one. */
export async function armHardwareWatch(t: Target, w: Watch, canUseHw: number, others: Watch[]): Promise<boolean> {
  if (canUseHw === 0 || t.capabilities.hardwareBreakpoints !== true || registersFor(w.ranges) > DEBUG_REGISTERS) {
    if (w.kind !== 'write') {
      throw new CommandError(registersFor(w.ranges) > DEBUG_REGISTERS && canUseHw !== 0 && t.capabilities.hardwareBreakpoints === true
        ? 'Expression cannot be implemented with read/access watchpoint.'
        : "Can't set read/access watchpoint when hardware watchpoints are disabled.");
    }
    return false;
  }
  const done: WatchedRange[] = [];
  try {
    for (const c of ownChunks(w, others)) {
      await t.insertWatchpoint(c.addr, c.length, w.kind);
      done.push(c);
    }
    return true;
  } catch (e) {
    // (undoing a partial insert: the original error is what the user sees)
    for (const c of done) await t.removeWatchpoint(c.addr, c.length, w.kind).catch(() => undefined);
    if (!(e instanceof TargetError) || e.code !== 'ENOTSUP') throw e;
    if (w.kind !== 'write') throw new CommandError('Target does not support this type of hardware watchpoint.');
    return false;
  }
}

/**
 * The pieces only this watch uses: a piece another inserted hardware watch of
 * the same kind has too (p of `*p` and `p->x`) takes one register, inserted
 * and removed once (gdb's reference-counted debug registers).
 */
function ownChunks(w: Watch, others: Watch[]): WatchedRange[] {
  const theirs = new Set(others.filter((o) => o !== w && o.kind === w.kind).flatMap((o) => o.ranges.flatMap(chunksOf)).map(key));
  const mine = new Map(w.ranges.flatMap(chunksOf).map((c) => [key(c), c] as const));
  return [...mine].filter(([k]) => !theirs.has(k)).map(([, c]) => c);
}

export async function disarmHardwareWatch(t: Target, w: Watch, others: Watch[]): Promise<void> {
  for (const c of ownChunks(w, others)) await t.removeWatchpoint(c.addr, c.length, w.kind);
}

/** A watched value as seen at one moment: its bytes, typed by the value it came from. */
export interface WatchSnap { bytes: Buffer; of: AnyValue }

export async function snapshot(of: AnyValue): Promise<WatchSnap> {
  return { bytes: (await of.dwarf.bytes()) ?? Buffer.alloc(0), of };
}

export const sameSnap = (a: WatchSnap, b: WatchSnap): boolean => a.bytes.equals(b.bytes);

/** The value as `print` shows it (pointers with their type, structs, chars, enums ...). */
export async function formatSnap(s: WatchSnap, symbolize: (a: bigint) => string | undefined): Promise<string> {
  return s.of.ev!.format(DwarfValue.fromBytes(s.of.dwarf.type, s.bytes, s.of.dwarf.ctx));
}

/**
 * The pointers the expression goes through (`p` of `p->x`, `*p`, `p->next->x`):
 * gdb watches them too, so a watch of `p->x` fires when p changes.
 */
export function derefBases(expr: string): string[] {
  const out: string[] = [];
  const e = expr.trim();
  const arrow = e.lastIndexOf('->');
  if (arrow > 0 && /^[A-Za-z_][\w.]*$/.test(e.slice(arrow + 2).trim())) {
    const base = e.slice(0, arrow).trim();
    out.push(...derefBases(base), base);
  } else if (/^\*\s*[A-Za-z_(]/.test(e) && !e.includes('*', 1)) {
    const base = e.slice(1).trim();
    out.push(...derefBases(base), base);
  }
  return out;
}

/** `set can-use-hw-watchpoints N`: gdb's zinteger setting. */
export async function canUseHwValue(value: string, evaluate: (expr: string) => Promise<{ value: bigint }>): Promise<number> {
  if (!value) throw new CommandError('Argument required (integer to set it to).');
  return Number((await evaluate(value)).value);
}

export function showWatchSetting(name: string, canUseHw: number): string | undefined {
  return name === 'can-use-hw-watchpoints' ? `Debugger's willingness to use watchpoint hardware is ${canUseHw}.` : undefined;
}

/** gdb's words when a watched local's frame returns (the watchpoint is deleted). */
export function scopeExitText(ids: number[]): string {
  return ids.map((id) => `Watchpoint ${id} deleted because the program has left the block in\nwhich its expression is valid.`).join('\n');
}

/** What a watch of expr covers: the pointers it goes through, then the object itself (gdb's value chain). */
export async function watchRanges(expr: string, self: WatchedRange, evaluate: (e: string) => Promise<Value>): Promise<WatchedRange[]> {
  const out: WatchedRange[] = [];
  for (const base of derefBases(expr)) {
    // (a base that does not evaluate here is not watched for re-pointing)
    const v = await evaluate(base).catch(expected(undefined));
    if (v?.lval?.kind === 'mem' && v.type.kind === 'ptr') out.push({ addr: v.lval.addr, length: 8 });
  }
  out.push(self);
  return out;
}

export const sameRanges = (a: WatchedRange[], b: WatchedRange[]): boolean =>
  a.length === b.length && a.every((r, i) => r.addr === b[i]!.addr && r.length === b[i]!.length);

/** One report of a watchpoint at a stop: `Old value`/`New value`, or `Value =` (no old). */
export interface WatchHit { old?: WatchSnap; now: WatchSnap }

/**
 * What gdb reports for a triggered watchpoint: one check per location (the
 * object and each pointer on the way), each against the value the previous
 * one left. A changed value is reported by `watch` and `awatch`, and not by
 * `rwatch` (on x86 it is an access watchpoint, and a change is a write); an
 * unchanged one by `rwatch` and `awatch` as `Value =`. So `awatch p->x`
 * reports a write as Old/New and then Value, as gdb 13 does.
 */
export function watchHits(w: Watch, now: WatchSnap, locations: number): WatchHit[] {
  const out: WatchHit[] = [];
  for (let i = 0; i < Math.max(1, locations); i++) {
    const old = w.old;
    w.old = now;
    const changed = !sameSnap(old, now);
    if (changed && w.kind !== 'read') out.push({ old, now });
    else if (!changed && w.kind !== 'write') out.push({ now });
  }
  return out;
}

/**
 * `watch -location EXPR`: gdb watches the address EXPR has now, as `* (TYPE *) ADDR` (no scope, no
 * frame), and calls it `-location EXPR`; an EXPR not in memory has no address to watch.
 */
export function watchLocation(expr: string, v: Value | undefined): { spec: string; expr: string } | undefined {
  // (a constant is not an lvalue: the caller says gdb's `Cannot watch constant value`)
  if (v && !v.lval) return undefined;
  if (!v?.lval || v.lval.kind !== 'mem') throw new CommandError('Attempt to take address of value not located in memory.');
  return { spec: `-location ${expr}`, expr: `* (${typeName(v.type)} *) 0x${v.lval.addr.toString(16)}` };
}
