/** Session's breakpoints and catchpoints: locations, insertion, break/delete/clear/enable/commands/ignore. */
import { catchSetText, newCatchpoint, parseCatchSyscall } from '../catch-syscall.js';
import { ignoreText } from '../breakpoint-text.js';
import { CommandError, NO_SYMBOLS } from '../parse.js';
import { breakpointsToClear, clearedText, type ClearTarget } from '../clear.js';
import { EvalError, type Value } from '../expr.js';
import { hex } from '../format.js';
import { gdbLineNumber } from '../examine.js';
import { type Breakpoint } from '../store.js';
import { errorMessage, expected, isUserError } from '../../debugger/errors.js';
import { conditionErrors } from '../bp-condition.js';
import { INT_VALUE } from '../convenience.js';
import { LocationNotFound, isNotFound, makePending } from '../pending.js';
import type { Session } from '../session.js';
import { FILE_LINE } from './types.js';
import { armWatch, disarm } from './watchpoints.js';

export async function insertUserBreakpoints(s: Session): Promise<void> {
  for (const b of s.bps) {
    b.inserted = false;
    if (b.type !== 'breakpoint') {
      if (b.enabled && b.address !== undefined && b.watch) await armWatch(s, b).catch((e) => { if (!isUserError(e)) throw e; warnInsert(s, b); });
      continue;
    }
    if (!b.spec.startsWith('*')) {
      // A library function not loaded (yet) in this run: pending again, like gdb.
      try { s.setLocations(b, await resolveLocations(s, b.spec)); } catch (e) { s.setLocations(b, expected([])(e)); }
    } else {
      // gdb re-evaluates `*EXPR` for each process: `*_start` typed before
      // `run` named the file address, and a PIE moves it. A bare number
      // evaluates to itself; an expression that cannot be evaluated now
      // keeps its last address.
      try { b.address = await resolveLocation(s, b.spec); } catch (e) { expected(undefined)(e); /* keep b.address */ }
    }
    if (b.enabled && b.address !== undefined) await insertOrWarn(s, b);
  }
  s.publishBreakpoints();
}

/** Insert b; memory that cannot take it gets gdb's warning, and the breakpoint stays, uninserted. */
export async function insertOrWarn(s: Session, b: Breakpoint): Promise<void> {
  try {
    await insertBp(s, b);
    b.inserted = true;
  } catch (e) {
    if (!isUserError(e)) throw e;
    warnInsert(s, b);
  }
}

export function warnInsert(s: Session, b: Breakpoint): void {
  s.store.write('stderr', `Warning:\nCannot insert breakpoint ${b.id}.\nCannot access memory at address ${hex(b.address ?? 0n)}\n\n`);
}

// ---- breakpoints ----------------------------------------------------------------------------

export async function insertAt(s: Session, addr: bigint): Promise<void> {
  const n = s.inserted.get(addr) ?? 0;
  if (n === 0) await s.live().insertBreakpoint(addr);
  s.inserted.set(addr, n + 1);
}

export async function removeAt(s: Session, addr: bigint): Promise<void> {
  const n = s.inserted.get(addr) ?? 0;
  if (n <= 1) {
    s.inserted.delete(addr);
    if (n === 1 && s.target && s.target.state !== 'exited') await s.target.removeBreakpoint(addr);
  } else {
    s.inserted.set(addr, n - 1);
  }
}

/** gdb's prologue skip without line info: past endbr64, push %rbp, mov %rsp,%rbp. */
export async function skipPrologue(s: Session, start: bigint): Promise<bigint> {
  let code: Buffer;
  try {
    code = await s.readMemory(start, 8);
  } catch (e) {
    return expected(start)(e);   // unreadable code: no prologue to skip
  }
  let off = 0;
  if (code.subarray(0, 4).equals(Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]))) off += 4;
  if (code[off] === 0x55 && code.subarray(off + 1, off + 4).equals(Buffer.from([0x48, 0x89, 0xe5]))) off += 4;
  return start + BigInt(off);
}

export async function resolveLocation(s: Session, spec: string): Promise<bigint> {
  if (spec.startsWith('*')) return s.evalAsAddress(spec.slice(1));
  const fileLine = FILE_LINE.exec(spec);
  if (fileLine) return (await s.lineLocations(fileLine[1], gdbLineNumber(fileLine[2]!)))[0]!;
  const viaDwarf = s.debug?.functionBreakpoint(spec);
  if (viaDwarf !== undefined) return viaDwarf;
  const sym = s.symbolByName(spec);
  if (!sym || sym.kind !== 'function') {
    if (sym) return sym.address;
    // gdb: a library function the program calls has its PLT stub until the library defines it
    const plt = s.symbolByName(`${spec}@plt`);
    if (plt) return plt.address;
    throw new CommandError(`Function "${spec}" not defined.`);
  }
  return skipPrologue(s, sym.address);
}

/** A breakpoint that stands on a PLT stub: the library that defines the function may load. */
export function onPltStub(s: Session, b: Breakpoint): boolean {
  if (b.address === undefined || b.spec.startsWith('*')) return false;
  const loc = s.image ? s.image.symbolAt(b.address) : s.fileSymbols?.symbolAt(b.address);
  return loc?.offset === 0n && loc.name === `${b.spec}@plt`;
}

/**
 * Every location of a breakpoint spec: for a function also inlined, the
 * out-of-line copy and each inlined call (gdb's "(N locations)"); else one.
 */
export async function resolveLocations(s: Session, spec: string): Promise<bigint[]> {
  const fileLine = FILE_LINE.exec(spec);
  // a line in a function that was also inlined: one location per block, as gdb
  if (fileLine) return s.lineLocations(fileLine[1], gdbLineNumber(fileLine[2]!));
  if (!spec.startsWith('*') && s.debug) {
    const all = s.debug.functionBreakpoints(spec);
    if (all.length > 1 || (all.length === 1 && s.debug.functionBreakpoint(spec) === undefined)) {
      // the executable's own function without DWARF is one of them (its PLT stub is not)
      const own = s.image?.exe.symbols?.symbolByName(spec);
      if (own?.kind === 'function' && s.debug.functionBreakpoint(spec) === undefined) {
        const at = await skipPrologue(s, own.address);
        if (!all.includes(at)) all.push(at);
      }
      // its PLT stub while no library defines it by an ELF symbol (gdb drops the trampoline once one does):
      // at `starti`, `break malloc` is malloc@plt and ld.so's inlined copies
      const plt = s.image && !s.debug.libraryDefines(spec) ? s.image.exe.symbols?.symbolByName(`${spec}@plt`) : undefined;
      if (plt && !all.includes(plt.address)) all.push(plt.address);
      return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
  }
  return [await resolveLocation(s, spec)];
}

/** The addresses of FILE:LINE (the current file without FILE), one per block, lowest first. */
export async function lineLocations(s: Session, file: string | undefined, line: number): Promise<bigint[]> {
  // gdb's linespec without symbols: FILE:LINE is not found (pending is offered), a bare LINE has no default file
  if (!s.debug?.fileDebug) throw file === undefined ? new CommandError(NO_SYMBOLS) : new LocationNotFound(NO_SYMBOLS);
  const pc = s.target && s.target.state !== 'exited' ? (await s.regs()).rip : undefined;
  return s.debug.addressesForLine(file, line, pc);
}

/** gdb: a condition that does not parse at some locations disables them, with a warning each; at all, an error. */
/** `condition N [EXPR]`: checked at each location as at `break ... if` (gdb numbers them N.K here). */
export function setCondition(s: Session, b: Breakpoint, expr: string | undefined): void {
  const locs = s.locationsOf(b);
  const invalid = expr && !b.watch ? invalidLocations(s, locs, expr, `${b.id}.`) : undefined;
  locs.forEach((_, i) => {
    if (b.invalid?.includes(i) && !invalid?.includes(i)) s.out(`Breakpoint ${b.id}'s condition is now valid at location ${i + 1}, enabling.`);
  });
  b.condition = expr;
  b.invalid = invalid?.length ? invalid : undefined;
}

export function invalidLocations(s: Session, locs: bigint[], condition: string, label = ''): number[] | undefined {
  const d = s.debug?.fileDebug;
  if (!d) return undefined;
  const isGlobal = (n: string) => d.globalVariables(n).length > 0 || d.functionsNamed(n).length > 0 || !!d.enumerator(n)
    || !!d.lookupType(n) || !!s.symbolByName(n) || !!s.symbolByName(`${n}@plt`);
  const program = s.debug?.program;
  const errors = conditionErrors((pc) => (program ? program.functionAt(pc)?.debug : d), locs, condition, isGlobal);
  if (locs.length && errors.every((e) => e)) throw new CommandError(errors[0]!);
  if (locs.length < 2) return undefined;
  errors.forEach((e, i) => { if (e) s.store.write('stderr', `warning: failed to validate condition at location ${label}${i + 1}, disabling:\n  ${e}\n`); });
  return errors.flatMap((e, i) => (e ? [i] : []));
}

/** Insert every location of b, or none (what was inserted is taken out again on a failure). */
export async function insertBp(s: Session, b: Breakpoint): Promise<void> {
  const done: bigint[] = [];
  try {
    for (const a of s.locationsOf(b)) {
      await insertAt(s, a);
      done.push(a);
    }
  } catch (e) {
    for (const a of done) await removeAt(s, a).catch(expected(undefined));
    throw e;
  }
}

export async function cmdBreak(s: Session, location: string | undefined, temporary: boolean, condition: string | undefined): Promise<void> {
  let spec = location;
  if (!spec) {
    const { regs } = await s.frameRegs().catch((e) => { throw isUserError(e) ? new CommandError('No default breakpoint location now selected.') : e; });
    spec = `*${hex(regs.rip)}`;
  }
  let locs: bigint[] = [];
  s.debug?.keptLines.clear();
  try {
    locs = await resolveLocations(s, spec);
  } catch (e) {
    // a location no loaded object defines yet may wait for a library that does
    // (resolved at run and at each library load): `set breakpoint pending` decides.
    if (!isNotFound(e) || s.breakpointPending === 'off') throw e;
    s.store.write('stderr', `${e.message}\n`);
    if (!(await makePending(s.breakpointPending, s.confirm))) return;
  }
  const invalid = condition ? invalidLocations(s, locs, condition) : undefined;
  const address = locs[0];
  const b: Breakpoint = {
    id: s.nextBpId++, type: 'breakpoint', spec, address, enabled: true,
    disposition: temporary ? 'del' : 'keep', hits: 0, condition, ignoreCount: 0, inserted: false, invalid,
  };
  s.setLocations(b, locs);
  const kept = locs.map((a) => s.debug?.keptLines.get(a));
  if (address !== undefined && !b.more) b.line = kept[0]; else if (kept.some((l) => l !== undefined)) b.lines = kept;
  s.convenience.setScalar('bpnum', INT_VALUE(b.id));
  if (address === undefined) {
    s.setBreakpoints([...s.bps, b]);
    s.out(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} (${spec}) pending.`);
    return;
  }
  if (s.target && s.target.state !== 'exited') {
    await insertBp(s, b).catch((e) => { throw isUserError(e) ? new EvalError(`Cannot access memory at address ${hex(address)}`) : e; });
    b.inserted = true;
  }
  s.setBreakpoints([...s.bps, b]);
  const head = `${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} at ${hex(address)}`;
  if (b.more) {
    // gdb names a bare line number by the full path of its file
    const bare = /^\d+$/.test(spec) ? s.debug?.fileDebug?.lineForAddress(address)?.path : undefined;
    // (gdb names the spec only when the first location has a file: not an IFUNC resolver's)
    const hasLine = !s.debug?.noLine.has(address) && !!(s.debug?.program ?? s.debug?.fileDebug)?.lineForAddress(address);
    const named = hasLine ? `: ${bare ? `${bare}:${spec}` : spec}.` : '';
    s.out(`${head}${named} (${locs.length} locations)`);
    return;
  }
  // (in a library too, through its separate debug file: `file ./malloc/malloc.c, line 3288`)
  const line = s.debug?.noLine.has(address) ? undefined : (s.debug?.program ?? s.debug?.fileDebug)?.lineForAddress(address);
  s.out(`${head}${line ? `: file ${line.file}, line ${b.line ?? line.line}.` : ''}`);
}

export async function cmdDelete(s: Session, ids: number[]): Promise<void> {
  const all = s.bps;
  // gdb asks before deleting them all, when typed (the question auto-answers without a terminal)
  if (!ids.length && all.length && s.fromTty && !(await s.confirm('Delete all breakpoints? (y or n)'))) return;
  const victims = ids.length ? ids.map((id) => s.bp(id)) : all;
  for (const b of victims) await disarm(s, b);
  s.setBreakpoints(all.filter((b) => !victims.includes(b)));
}

/** gdb's `clear [LOCATION]`: the breakpoints there (see clear.ts), named when typed. */
export async function cmdClear(s: Session, spec: string | undefined): Promise<void> {
  const lineOf = (a: bigint) => s.debug?.fileDebug?.lineForAddress(a);
  const target: ClearTarget = { pcs: [], lines: [] };
  const explicitLine = spec === undefined ? undefined : FILE_LINE.exec(spec);
  if (spec === undefined) {
    const { regs } = await s.frameRegs().catch((e) => { throw isUserError(e) ? new CommandError('No source file specified.') : e; });
    const line = lineOf(s.store.state.selectedFrame > 0 ? regs.rip - 1n : regs.rip);
    target.pcs.push(regs.rip);
    if (line) target.lines.push(line);
  } else if (explicitLine) {
    if (!s.debug?.fileDebug) throw new CommandError(NO_SYMBOLS);   // gdb's linespec: no symbols, no lines
    const n = Number(explicitLine[2]);
    const file = explicitLine[1];
    const here = await s.frameRegs().then(({ regs }) => lineOf(regs.rip)).catch(expected(undefined));
    const home = here ?? ((m) => (m === undefined ? undefined : lineOf(m)))(s.debug?.functionBreakpoint('main'));
    const paths = new Set<string>();
    for (const b of s.bps) {
      for (const a of s.locationsOf(b)) {
        const l = lineOf(a);
        if (l && (file ? l.file === file || l.path.endsWith(`/${file}`) : !home || l.path === home.path)) paths.add(l.path);
      }
    }
    for (const path of paths) target.lines.push({ path, line: n });
  } else {
    target.pcs.push(...await resolveLocations(s, spec));
  }
  const ids = breakpointsToClear(s.bps, target, (b) => s.locationsOf(b), lineOf);
  if (!ids.length) throw new CommandError(`No breakpoint at ${spec ?? 'this line'}.`);
  await cmdDelete(s, ids);
  // gdb: "Always report if deleted more than one"
  if (s.fromTty || ids.length > 1) s.out(clearedText(ids));
}

export async function cmdEnable(s: Session, ids: number[], enable: boolean, once: boolean): Promise<void> {
  const targets = ids.length ? ids.map((id) => s.bp(id)) : s.bps;
  for (const b of targets) {
    b.enabled = enable;
    if (once) b.disposition = 'dis';
    if (!enable) await disarm(s, b);
    else if (!b.inserted && s.target && s.target.state !== 'exited' && b.address !== undefined) {
      if (b.watch) await armWatch(s, b);
      else { await insertBp(s, b); b.inserted = true; }
    }
  }
  s.publishBreakpoints();
}

export function cmdCommands(s: Session, ids: number[]): void {
  const all = s.bps;
  const targets = ids.length ? ids.map((id) => s.bp(id)) : all.slice(-1);
  if (!targets.length) throw new CommandError('No breakpoints specified.');
  s.collecting = { targets, lines: [] };
  if (s.interactive) {
    s.out(`Type commands for breakpoint(s) ${targets.map((b) => b.id).join(' ')}, one per line.\nEnd with a line saying just "end".`);
  }
}

export function cmdIgnore(s: Session, id: number, count: number): void {
  s.bp(id).ignoreCount = count;
  s.chatter(count === 0 ? `Will stop next time breakpoint ${id} is reached.`
    : `${ignoreText(id, count)}.`);
  s.publishBreakpoints();
}

/** `catch syscall ...` / `tcatch syscall ...` (src/commands/catch-syscall.ts). */
export function cmdCatchSyscall(s: Session, args: string, temporary: boolean): void {
  const calls = parseCatchSyscall(args);
  if (s.target && s.target.state !== 'exited' && !s.target.capabilities.syscalls) {
    throw new CommandError("The feature 'catch syscall' is not supported on this target.");
  }
  const b = newCatchpoint(s.nextBpId++, calls, temporary);
  s.convenience.setScalar('bpnum', INT_VALUE(b.id));
  s.setBreakpoints([...s.bps, b]);
  s.out(catchSetText(b.id, calls));
}

/** A breakpoint's or watchpoint's condition at this stop (none: true); one that cannot be evaluated stops, as in gdb. */
export async function conditionHolds(s: Session, b: Breakpoint): Promise<boolean> {
  if (!b.condition) return true;
  const v = await s.evaluate(b.condition).catch((e) => {
    s.store.write('stderr', `Error in testing breakpoint condition:\n${errorMessage(e)}\n`);
    return { value: 1n } as Value;
  });
  return v.value !== 0n;
}

/** The breakpoints (or catchpoints) `match` picks that want to stop: conditions and ignore counts applied, hits counted. */
export async function hitWhere(s: Session, match: (b: Breakpoint) => boolean): Promise<Breakpoint[]> {
  const out: Breakpoint[] = [];
  for (const b of s.bps) {
    if (!match(b)) continue;
    if (!(await conditionHolds(s, b))) continue;
    b.hits++;
    if (b.ignoreCount > 0) { b.ignoreCount--; continue; }
    out.push(b);
  }
  if (out.length) s.publishBreakpoints();
  s.lastHit = out;
  return out;
}
