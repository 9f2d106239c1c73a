/** Session's watchpoints: set, arm and disarm, scope exits, which one triggered. */
import type { WatchKind } from '../../target/types.js';
import { TargetError } from '../../target/types.js';
import { watchTitle } from '../breakpoint-text.js';
import { CommandError } from '../parse.js';
import { EvalError } from '../expr.js';
import { type Breakpoint } from '../store.js';
import { errorMessage, expected } from '../../debugger/errors.js';
import { DebugBridge, type AnyValue } from '../debug.js';
import { INT_VALUE } from '../convenience.js';
import { armHardwareWatch, disarmHardwareWatch, firstUnfit, sameRanges, snapshot, unfitText, watchHits, watchLocation, watchRanges } from '../watch.js';
import type { Session } from '../session.js';
import { cmdDelete, conditionHolds, insertAt, removeAt } from './breakpoints.js';

export async function cmdWatch(s: Session, expr: string, access: WatchKind, location = false): Promise<void> {
  const any = await s.evaluateAny(expr);
  const at = location ? watchLocation(expr, any.dwarf.optimizedOut ? undefined : await DebugBridge.toScalar(any).catch(expected(undefined))) : undefined;
  if (any.dwarf.optimizedOut) {
    if (access === 'write') return watchUnreadable(s, expr, any);
    throw new CommandError('Expression cannot be implemented with read/access watchpoint.');
  }
  const v = await DebugBridge.toScalar(any);
  if (!v.lval || v.lval.kind !== 'mem') throw new EvalError('Cannot watch constant value `' + expr + "'.");
  const old = await snapshot(any);
  const length = old.bytes.length;    // the value's own size (an __int128 is 16)
  const ranges = await watchRanges(at?.expr ?? expr, { addr: v.lval.addr, length }, (e) => s.evaluate(e));
  s.live();
  const type = access === 'write' ? 'hw watchpoint' : access === 'read' ? 'read watchpoint' : 'acc watchpoint';
  const b: Breakpoint = {
    id: s.nextBpId++, type, spec: at?.spec ?? expr, address: v.lval.addr, enabled: true, disposition: 'keep',
    hits: 0, condition: undefined, ignoreCount: 0, inserted: false, watch: { length, kind: access, old, ranges, expr: at?.expr },
  };
  // (-location watches an address: no scope, no frame)
  b.watch!.scope = at ? undefined : await s.localScope(v.lval.addr);
  b.watch!.frame = at ? undefined : (await s.frames().catch(expected([])))[s.store.state.selectedFrame]?.cfa;
  try {
    if (b.watch!.scope) await insertAt(s, b.watch!.scope.ret);
    await armWatch(s, b).catch(async (e: unknown) => {
      if (b.watch!.scope) await removeAt(s, b.watch!.scope.ret);
      throw e;
    });
    s.convenience.setScalar('bpnum', INT_VALUE(b.id));
  } catch (e) {
    s.nextBpId--;
    throw e;
  }
  s.setBreakpoints([...s.bps, b]);
  s.out(`${watchTitle(b)} ${b.id}: ${b.spec}`);
}

/** gdb's software watchpoint on a value it cannot read (optimized out): set, and deleted at the first step. */
export async function watchUnreadable(s: Session, expr: string, any: AnyValue): Promise<void> {
  s.live();
  const b: Breakpoint = {
    id: s.nextBpId++, type: 'watchpoint', spec: expr, address: undefined, enabled: true, disposition: 'keep', hits: 0,
    condition: undefined, ignoreCount: 0, inserted: true,
    watch: { length: 0, kind: 'write', soft: true, old: { bytes: Buffer.alloc(0), of: any }, ranges: [], unreadable: true },
  };
  s.convenience.setScalar('bpnum', INT_VALUE(b.id));
  s.setBreakpoints([...s.bps, b]);
  s.out(`${watchTitle(b)} ${b.id}: ${expr}`);
}

/** Where a watch of addr stops being valid: the selected frame's return, when addr is in its stack frame. */
export async function localScope(s: Session, addr: bigint): Promise<{ ret: bigint; cfa: bigint } | undefined> {
  const ret = await s.returnOf(s.store.state.selectedFrame, false).catch(expected(undefined));
  // a leaf function keeps its locals in the red zone, the 128 bytes below the stack pointer
  return ret && addr >= ret.frame.sp - 128n && addr < ret.cfa ? { ret: ret.pc, cfa: ret.cfa } : undefined;
}

/** A breakpoint stop at a watched local's scope exit: the watchpoint deleted and the stop reported (gdb's). */
export async function watchScopeExit(s: Session, pc: bigint): Promise<boolean> {
  if (!s.bps.some((b) => b.watch?.scope?.ret === pc)) return false;
  const rsp = (await s.regs()).rsp;
  const gone = s.bps.filter((b) => b.watch?.scope?.ret === pc && rsp > b.watch.scope.cfa - 8n);
  if (!gone.length) return false;
  for (const b of gone) await cmdDelete(s, [b.id]);
  s.scopeExits = gone.map((b) => b.id);
  return true;
}

export async function armWatch(s: Session, b: Breakpoint): Promise<void> {
  try {
    b.watch!.soft = !(await armHardwareWatch(s.live(), b.watch!, s.canUseHw, hardwareWatches(s)));
  } catch (e) {
    // gdb accepts it and fails at the resume, when they do not all fit (resume())
    if (!(e instanceof TargetError) || e.code !== 'ENOSPC') throw e;
    b.watch!.soft = false;
    return;
  }
  if (b.watch!.kind === 'write') b.type = b.watch!.soft ? 'watchpoint' : 'hw watchpoint';
  b.inserted = true;
}

export async function disarm(s: Session, b: Breakpoint): Promise<void> {
  if (!b.inserted) return;
  b.inserted = false;
  if (!s.target || s.target.state === 'exited') return;
  if (b.watch) {
    if (!b.watch.soft) await disarmHardwareWatch(s.target, b.watch, hardwareWatches(s));
    if (b.watch.scope) await removeAt(s, b.watch.scope.ret);
  }
  else for (const a of s.locationsOf(b)) await removeAt(s, a);
}

/** Hardware watchpoints that did not fit when set: inserted now, or the resume refused as gdb does. */
export async function insertPendingWatches(s: Session): Promise<void> {
  const hw = s.bps.filter((b) => b.watch && !b.watch.soft && b.enabled);
  if (hw.every((b) => b.inserted)) return;
  for (const b of hw) if (!b.inserted) await armWatch(s, b);
  if (hw.every((b) => b.inserted)) return;
  const id = firstUnfit(hw.map((b) => ({ id: b.id, ranges: b.watch!.ranges }))) ?? hw.find((b) => !b.inserted)!.id;
  throw new CommandError(`${unfitText(id)}\nCommand aborted.`);
}

export async function classifyWatch(s: Session, addr: bigint): Promise<'stopped' | 'continue'> {
  // as gdb: every watch whose range the trap is in, and the software ones (checked at each step)
  const live = s.bps.filter((x) => x.watch && x.enabled && x.inserted);
  const hitBy = live.filter((x) => x.watch!.soft || x.watch!.ranges.some((r) => addr >= r.addr && addr < r.addr + BigInt(r.length)));
  const candidates = hitBy.length ? hitBy : live.slice(0, 1);
  if (!candidates.length) return 'stopped';
  s.lastWatch = [];
  for (const b of candidates) {
    if (b.watch!.unreadable) {
      // gdb: the first check fails; the watchpoint is deleted and the program stops there
      const err = await s.evaluateAny(b.watch!.expr ?? b.spec).then((a) => DebugBridge.toScalar(a)).then(() => undefined, (e: unknown) => errorMessage(e));
      s.out(`Error evaluating expression for watchpoint ${b.id}`);
      s.store.write('stderr', `${err ?? 'value has been optimized out'}\n`);
      s.out(`Watchpoint ${b.id} deleted.`);
      await cmdDelete(s, [b.id]);
      continue;
    }
    const level = await watchLevel(s, b);
    const any = await s.evaluateAny(b.watch!.expr ?? b.spec, level);
    const now = await snapshot(any);
    const seen = watchHits(b.watch!, now, b.watch!.ranges.length);
    await rewatch(s, b, any, level);
    // a change that its condition or ignore count passes over goes on, the old value moved on (as gdb's)
    if (!seen.length || !(await conditionHolds(s, b))) continue;
    b.hits += seen.length;     // gdb counts each location that stops
    if (b.ignoreCount > 0) { b.ignoreCount--; continue; }
    s.lastWatch.push(...seen.map((h) => ({ b, ...h })));
  }
  s.publishBreakpoints();
  return s.lastWatch.length || candidates.some((b) => b.watch!.unreadable) ? 'stopped' : 'continue';
}

/** The inserted hardware watchpoints (pieces they share are inserted once). */
export function hardwareWatches(s: Session): NonNullable<Breakpoint['watch']>[] {
  return s.bps.filter((b) => b.watch && !b.watch.soft && b.inserted).map((b) => b.watch!);
}

/** The level of the frame a watchpoint's expression is checked in: the one it was set in, while it is on the stack. */
export async function watchLevel(s: Session, b: Breakpoint): Promise<number> {
  const cfa = b.watch!.frame;
  if (cfa === undefined) return s.store.state.selectedFrame;
  const level = (await s.frames().catch(expected([]))).findIndex((f) => f.cfa === cfa);
  return level >= 0 ? level : s.store.state.selectedFrame;
}

/** A pointer on the way changed (p of `watch p->x`): watch where the expression now leads (in frame `level`). */
export async function rewatch(s: Session, b: Breakpoint, any: AnyValue, level: number): Promise<void> {
  const v = await DebugBridge.toScalar(any).catch(expected(undefined));
  if (!v?.lval || v.lval.kind !== 'mem') return;
  const ranges = await watchRanges(b.watch!.expr ?? b.spec, { addr: v.lval.addr, length: b.watch!.length }, async (e) => DebugBridge.toScalar(await s.evaluateAny(e, level)));
  if (sameRanges(ranges, b.watch!.ranges)) return;
  if (b.inserted && !b.watch!.soft) await disarmHardwareWatch(s.live(), b.watch!, hardwareWatches(s));
  b.watch!.ranges = ranges;
  b.address = v.lval.addr;
  if (b.inserted && !b.watch!.soft) {
    b.inserted = false;
    await armWatch(s, b);
  }
}
