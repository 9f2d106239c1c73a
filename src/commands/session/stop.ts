/** Session's resuming and stops: why the program stopped and what gdb prints for it (continue, signal, rewind). */
import { withEffects } from '../../syscall/effects.js';
import { vmReader } from '../../syscall/tracer.js';
import { catchHitText, catches, syscallCatchSet, syscallStopOf } from '../catch-syscall.js';
import type { StopEvent } from '../../target/types.js';
import { ignoreText, watchTitle } from '../breakpoint-text.js';
import { CommandError } from '../parse.js';
import { type Value } from '../expr.js';
import { hex16 } from '../format.js';
import { type Breakpoint } from '../store.js';
import type { WatchChange } from '../../debugger/state.js';
import { expected } from '../../debugger/errors.js';
import { SignalTable, parseSignal, signalDescription, signalNameOf, signalNumber } from '../signals.js';
import { INT_VALUE } from '../convenience.js';
import { formatSnap, scopeExitText, snapshot, type WatchSnap } from '../watch.js';
import type { Session } from '../session.js';
import { FILE_LINE, type InternalStop, type StopOutcome } from './types.js';
import { forgetProcess, onSolibEvent, reachEntry } from './program.js';
import { cmdDelete, cmdEnable, hitWhere, insertAt, removeAt } from './breakpoints.js';
import { classifyWatch, insertPendingWatches, watchScopeExit } from './watchpoints.js';
import { fromLibrary } from './stack.js';

const EXECVE = 59;

// ---- execution control --------------------------------------------------------------------

export async function resume(s: Session, step: boolean): Promise<StopEvent> {
  const t = s.live();
  // Always explicit: 0 means "suppress the signal" (handle nopass), never "the target's default".
  let sig = s.pendingSignal ?? 0;
  s.pendingSignal = undefined;
  if (sig && signalNameOf(sig) === '?') {
    // (gdb cannot pass a signal it has no name for: it warns and resumes without it)
    s.store.write('stderr', 'warning: Signal ? does not exist on this system.\n');
    sig = 0;
  }
  s.invalidateMemory();
  s.debug?.clearInlineSkip();   // gdb's clear_inline_frame_state at each resume
  s.stopCount++;
  s.pendingActions = [];
  s.store.update({ selectedFrame: 0 });
  if (!s.store.state.running) {
    s.store.update({ running: true });
    s.store.emit('running', { thread: step ? t.selectedThread : undefined });
  }
  // The target emits the program's output up to the stop before resolving (gdb's order).
  await insertPendingWatches(s);
  t.capabilities.syscalls?.set(withEffects(syscallCatchSet(s.bps), s.snaps.list().length > 0));
  const soft = s.bps.filter((b) => b.watch?.soft && b.enabled && b.inserted);
  const ev = soft.length
    ? await s.softWatch.resume(t, {
      step, signal: sig, watches: soft.flatMap((b) => b.watch!.ranges),
      stopsAt: (pc) => s.inserted.has(pc), unreadable: soft.some((b) => b.watch!.unreadable),
    })
    : step ? await t.step(sig) : await t.cont(sig);
  return ev;
}

/**
 * Decide what a stop means: a user-visible stop (breakpoint/watchpoint/signal
 * to report), an internal stop we asked for, a stop to silently continue
 * from (false condition, ignore count, nostop signal, unchanged watch), or the
 * end of the process.
 */
export async function classify(s: Session, ev: StopEvent, internal: InternalStop[]): Promise<StopOutcome | 'continue'> {
  const r = ev.reason;
  switch (r.kind) {
    case 'exited': case 'killed': return 'gone';
    case 'interrupted': case 'step': return 'stopped';
    case 'exec': return 'stopped';
    case 'signal': {
      const d = s.signals.get(r.signame);
      if (d.pass) s.pendingSignal = r.signal;
      if (!d.stop && d.print) s.out(`\nProgram received signal ${r.signame}, ${signalDescription(r.signame)}.`);
      return d.stop ? 'stopped' : 'continue';
    }
    case 'watchpoint': return classifyWatch(s, r.address);
    case 'syscall':
      if (!r.entry) {
        // a `syscall skip` at the entry: its result, written now so that this stop shows it
        const rv = await s.rewrites.atReturn(ev.tid, { setRegisters: (x) => s.live().setRegisters(x) }, r.nr === EXECVE && r.ret === 0n);
        if (rv !== undefined) (r as { ret?: bigint }).ret = rv;
      }
      if (!r.entry) s.effects.observe(r.nr, r.args, r.ret ?? 0n, vmReader(ev.tid));
      return (await hitWhere(s, (b) => catches(b, r.nr))).length ? 'stopped' : 'continue';
    case 'breakpoint': {
      if (r.pc === s.entryPending) return reachEntry(s, r.pc);
      const hit = await hitBreakpoints(s, r.pc);
      if (hit.length) return 'stopped';
      const scopeExit = await watchScopeExit(s, r.pc);
      const mine = internal.find((stop) => stop.addr === r.pc);
      if (mine && (mine.spAbove === undefined || (await s.regs()).rsp > mine.spAbove) &&
          (mine.cfa === undefined || (await s.frames(1))[0]?.cfa === mine.cfa)) {
        // the step or finish ends here too: it reports the stop, after gdb's word on the watchpoint
        if (scopeExit) s.out(`\n${scopeExitText(s.scopeExits.splice(0))}`);
        return 'internal';
      }
      if (scopeExit) return 'stopped';
      if (mine) return 'continue';
      if (r.pc === s.solibEvent) { await onSolibEvent(s); return 'continue'; }
      if (s.inserted.has(r.pc)) return 'continue';  // a breakpoint whose condition/ignore said go on
      return 'stopped';
    }
  }
}

/** Breakpoints at pc that want to stop (conditions and ignore counts applied, hits counted). */
export async function hitBreakpoints(s: Session, pc: bigint): Promise<Breakpoint[]> {
  const out = await hitWhere(s, (b) => b.type === 'breakpoint' && b.enabled && s.locationsOf(b).includes(pc) &&
    !b.invalid?.includes(s.locationsOf(b).indexOf(pc)));
  if (!out.length && s.bps.some((b) => s.locationsOf(b).includes(pc))) s.publishBreakpoints();
  return out;
}

/** Resume, silently re-resuming past stops that are not for the user, then report the stop. */
export async function resumeAndReport(s: Session, how: { kind: 'cont' } | { kind: 'internal'; stops: InternalStop[] }): Promise<StopOutcome> {
  const internal = how.kind === 'internal' ? how.stops : [];
  for (const stop of internal) await insertAt(s, stop.addr);
  // Internal stops are for the thread being stepped (gdb's thread-specific momentary breakpoints).
  const stepper = s.live().selectedThread;
  try {
    for (;;) {
      const ev = await s.resume(false);
      const outcome = await s.classify(ev, ev.tid === stepper ? internal : []);
      if (outcome === 'continue') continue;
      if (outcome !== 'internal') await s.reportStop(ev, outcome);
      return outcome;
    }
  } finally {
    if (s.target && s.target.state !== 'exited') for (const stop of internal) await removeAt(s, stop.addr);
    else for (const stop of internal) s.inserted.delete(stop.addr);
  }
}

export async function reportStop(s: Session, ev: StopEvent, outcome: StopOutcome | 'continue'): Promise<void> {
  const r = ev.reason;
  if (outcome === 'gone') {
    const pid = ev.pid;
    if (r.kind === 'exited') {
      s.out(r.code === 0 ? `[Inferior 1 (process ${pid}) exited normally]`
        : `[Inferior 1 (process ${pid}) exited with code ${r.code.toString(8).padStart(2, '0')}]`);
      s.convenience.setScalar('_exitcode', INT_VALUE(r.code));
    } else if (r.kind === 'killed') {
      s.out(`\nProgram terminated with signal ${r.signame}, ${signalDescription(r.signame)}.\nThe program no longer exists.`);
    }
    forgetProcess(s);
    s.publisher.exit(ev);
    return;
  }
  const pc = 'pc' in r ? r.pc : (await s.regs()).rip;
  const { hit: hitHead, received, switching } = await s.threads.stopHeads(ev);
  // gdb announces a signal before the thread switch, a breakpoint after it
  const signalled = r.kind === 'signal' || r.kind === 'interrupted' || (r.kind === 'breakpoint' && !s.lastHit.length);
  if (switching && !signalled) s.out(switching);
  const sw = switching && signalled ? `\n${switching}` : '';
  switch (r.kind) {
    case 'breakpoint': {
      const hit = s.lastHit;
      s.lastHit = [];
      s.publisher.detail = { reason: 'signal', breakpoints: [], watch: [], signal: 'SIGTRAP' };
      if (!hit.length && s.scopeExits.length) {
        s.publisher.detail = { reason: 'watchpoint', breakpoints: [...s.scopeExits], watch: [] };
        s.out(`\n${scopeExitText(s.scopeExits.splice(0))}\n${await frameLine(s, pc, false)}`);
        return;
      }
      if (hit.length) {
        const b = hit[0]!;
        s.publisher.detail = { reason: 'breakpoint', breakpoints: hit.map((x) => x.id), watch: [] };
        s.pendingActions = hit.flatMap((x) => x.commands ?? []);
        s.debug?.skipInlinedAtBreakpoint(pc, hit.map((x) => (x.spec.startsWith('*') || FILE_LINE.test(x.spec) ? undefined : x.spec)));
        if (b.commands?.[0] !== 'silent') {
          // several locations: gdb names the one hit (1.2)
          const num = b.more ? `${b.id}.${s.locationsOf(b).indexOf(pc) + 1}` : `${b.id}`;
          s.out(`\n${hitHead}${b.disposition === 'del' ? 'Temporary breakpoint' : 'Breakpoint'} ${num}, ${await frameLine(s, pc, false)}`);
        }
        for (const x of hit) {
          if (x.disposition === 'del') await cmdDelete(s, [x.id]);
          else if (x.disposition === 'dis') await cmdEnable(s, [x.id], false, false);
        }
        return;
      }
      s.out(`\n${received} signal SIGTRAP, Trace/breakpoint trap.${sw}\n${await frameLine(s, pc, true)}`);
      return;
    }
    case 'watchpoint': {
      const changes: WatchChange[] = [];
      for (const w of s.lastWatch.splice(0)) {
        const fmt = (v: WatchSnap) => formatSnap(v, s.symbolize);
        const old = w.old ? await fmt(w.old) : undefined;
        const now = await fmt(w.now);
        changes.push({ breakpoint: w.b.id, expression: w.b.spec, old, new: now });
        const body = old !== undefined ? `Old value = ${old}\nNew value = ${now}` : `Value = ${now}`;
        s.out(`\n${hitHead}${watchTitle(w.b)} ${w.b.id}: ${w.b.spec}\n\n${body}`);
      }
      s.publisher.detail = { reason: 'watchpoint', breakpoints: [...new Set(changes.map((c) => c.breakpoint))], watch: changes };
      s.out(await frameLine(s, pc, false));
      return;
    }
    case 'signal':
      s.publisher.detail = { reason: 'signal', breakpoints: [], watch: [], signal: r.signame };   // gdb's SRC_AND_LOC: a signal never ends a step, the frame is always shown
      // Inlined calls starting at the pc are hidden, as at any stop but a user breakpoint's (skip_inline_frames).
      s.debug?.setInlineSkip(pc, s.debug.inlineCallsStartingAt(pc).length);
      s.out(`\n${received} signal ${r.signame}, ${signalDescription(r.signame)}.${sw}\n${await frameLine(s, pc, false)}`);
      return;
    case 'interrupted':
      s.publisher.detail = { reason: 'interrupted', breakpoints: [], watch: [], signal: 'SIGINT' };
      s.out(`\n${received} signal SIGINT, Interrupt.${sw}\n${await frameLine(s, pc, true)}`);
      return;
    case 'syscall': {
      const hit = s.lastHit.splice(0);
      const b = hit[0]!;
      s.publisher.detail = { reason: 'syscall', breakpoints: hit.map((x) => x.id), watch: [], syscall: syscallStopOf(r) };
      s.pendingActions = hit.flatMap((x) => x.commands ?? []);
      if (b.commands?.[0] !== 'silent') s.out(`\n${hitHead}${catchHitText(b, r.nr, r.entry)}, ${await frameLine(s, pc, false)}`);
      for (const x of hit) if (x.disposition === 'del') await cmdDelete(s, [x.id]);
      return;
    }
    case 'exec':
      s.publisher.detail = { reason: 'exec', breakpoints: [], watch: [] };
      s.out(`process ${ev.pid} is executing new program: ${r.path}`);
      await s.image?.refresh();
      return;
    case 'step':
      s.publisher.detail = { reason: 'step', breakpoints: [], watch: [] };
      s.out(await frameLine(s, pc, true));
      return;
  }
}

/**
 * Where the program stopped, as gdb says it: with DWARF `tick (p=...) at
 * f.c:17` and the source line (only the line while stepping in the same
 * function); without, `0x000000000040113a in tick ()` (`from LIB` in a library).
 */
export async function frameLine(s: Session, pc: bigint, afterStep: boolean): Promise<string> {
  const d = await s.debug?.describe(afterStep ? 'step' : 'frame', s.lastFunction).catch(expected(undefined));
  if (d) {
    s.lastFunction = d.fn;
    const displays = await s.source.afterStop().catch(expected(undefined));
    return displays ? `${d.text}\n${displays}` : d.text;
  }
  s.lastFunction = s.funcName(pc);
  return `${hex16(pc)} in ${s.funcName(pc)} ()${fromLibrary(s, pc)}`;
}

export async function cmdContinue(s: Session, count: number): Promise<void> {
  s.live();
  if (count > 1) {
    const stopBp = s.lastHit.length ? s.lastHit[0] : bpAtPc(s);
    const b = await stopBp;
    if (b) {
      b.ignoreCount = count - 1;
      s.chatter(`${ignoreText(b.id, count - 1)}.  Continuing.`);
    } else {
      s.chatter('Not stopped at any breakpoint; argument ignored.');
      s.chatter('Continuing.');
    }
  } else {
    s.chatter('Continuing.');
  }
  await resumeAndReport(s, { kind: 'cont' });
}

export async function bpAtPc(s: Session): Promise<Breakpoint | undefined> {
  const pc = (await s.regs()).rip;
  return s.bps.find((b) => b.type === 'breakpoint' && s.locationsOf(b).includes(pc));
}

export async function cmdSignal(s: Session, sig: string): Promise<void> {
  s.live();
  if (sig === '0') {
    s.pendingSignal = undefined;
    s.chatter('Continuing with no signal.');
  } else {
    const [name] = parseSignal(sig);
    s.pendingSignal = signalNumber(name!);
    if (s.pendingSignal === undefined) throw new CommandError(`Signal ${name} does not exist on this system.`);
    s.chatter(`Continuing with signal ${name}.`);
  }
  await resumeAndReport(s, { kind: 'cont' });
}

export async function cmdHandle(s: Session, signal: string, actions: string[]): Promise<void> {
  const names: string[] = [];
  for (const n of parseSignal(signal)) {
    // gdb's handle_command: the debugger's own signals only when confirmed (`all` leaves them out)
    if ((n === 'SIGINT' || n === 'SIGTRAP') && !(await s.confirm(`${n} is used by the debugger.\nAre you sure you want to change it? (y or n)`))) {
      s.out('Not confirmed, unchanged.');
      continue;
    }
    names.push(n);
  }
  for (const n of names) s.signals.apply(n, actions);
  if (!names.length) return;
  // (gdb shows the new table only to a person typing the command)
  if (s.fromTty) s.outLines([...SignalTable.header(), ...names.map((n) => s.signals.line(n))]);
}

// ---- snapshots and checkpoints (src/debugger/snapshots.ts; text: ./snapshot-console.ts) ----------

export async function cmdRewind(s: Session, name: string | undefined, force: boolean): Promise<void> {
  const r = await s.snapConsole.rewind(name, force);
  s.outLines(s.effects.rewound(r.checkpoint.name));
  s.store.update({ selectedFrame: 0 });
  s.publisher.detail = { reason: 'rewind', breakpoints: [], watch: [] };
  s.out(await frameLine(s, r.checkpoint.regs.rip, false));
}
