/** Session's program: load the file, run, attach, kill, detach, quit, shared-library events. */
import { resolve as resolvePath } from 'node:path';
import type { StopEvent, Target } from '../../target/types.js';
import { monitorOf } from '../../target/capabilities.js';
import { ElfFile, SymbolTable, AT_ENTRY } from '../../elf/index.js';
import { CommandError } from '../parse.js';
import { engineLabel } from '../../debugger/snapshots.js';
import { expected, isUserError } from '../../debugger/errors.js';
import { DebugBridge } from '../debug.js';
import { SharedLibraries } from '../solibs.js';
import { ThreadTable } from '../threads.js';
import type { Session } from '../session.js';
import { SOLIB_EVENT_NAMES, type StopOutcome } from './types.js';
import { syscallCatchSet } from '../catch-syscall.js';
import { bridgeIo } from './inspect.js';
import { cmdBreak, insertAt, insertOrWarn, insertUserBreakpoints, onPltStub, removeAt, resolveLocations } from './breakpoints.js';
import { disarm } from './watchpoints.js';
import { frameLine, hitBreakpoints, resumeAndReport } from './stop.js';

/** Leave no tracee behind: kill what we started, detach what we attached. */
export async function shutdown(s: Session): Promise<void> {
  const t = s.target;
  if (!t) return;
  s.target = undefined;
  try {
    if (t.state !== 'exited') {
      if (s.origin === 'attached') await t.detach();
      else await t.kill();
    }
  } catch {
    // a detach or kill that failed: kill it rather than leave it (a kill that fails again finds it gone)
    await t.kill().catch(() => undefined);
  }
  forgetProcess(s);
}

// ---- program file and symbols -------------------------------------------------------------

export function loadFile(s: Session, path: string): void {
  const abs = resolvePath(path);
  s.exePath = abs;
  s.lastImage = undefined;
  try {
    s.fileElf = ElfFile.load(abs);
    s.fileSymbols = new SymbolTable(s.fileElf, 0n);
    s.debug = DebugBridge.forFile(s.fileElf, bridgeIo(s));
  } catch (e) {
    const why = (e as Error).message.replace(/^.*?: /, '');
    throw new CommandError(/^not a|ELF/.test(why)
      ? `"${abs}": not in executable format: file format not recognized`
      : `${path}: ${why}.`);
  }
}

// ---- process lifecycle ---------------------------------------------------------------------

export async function cmdRun(s: Session, args: string[] | undefined, stopAt: 'main' | 'first-instruction' | undefined): Promise<void> {
  if (!s.exePath) throw new CommandError('No executable file specified.\nUse the "file" or "exec-file" command.');
  if (s.target && s.target.state !== 'exited') {
    const q = 'The program being debugged has been started already.\nStart it from the beginning? (y or n)';
    if (!(await s.confirm(q))) throw new CommandError('Program not restarted.');
    await s.shutdown();
  }
  if (args) s.args = args;
  // gdb sets start's breakpoint first (pending on the file's address, like any break before run)
  if (stopAt === 'main') await cmdBreak(s, 'main', true, undefined);
  s.chatter(`Starting program: ${s.exePath} ${s.args.join(' ')}`); // gdb's trailing blank without args
  const t = await s.launcher.spawn(s.exePath, s.args, s.launchOpts);
  await s.adopt(t, 'spawned');
  if (stopAt === 'first-instruction') {
    await s.image!.refresh();
    await insertUserBreakpoints(s);
    await armSolibEvents(s);
    s.publisher.detail = { reason: 'entry', breakpoints: [], watch: [] };
    s.out(`\nProgram stopped.\n${await frameLine(s, (await s.regs()).rip, true)}`);
    return;
  }
  if (!(await runToEntry(s))) return;
  if (await stopAtEntryBreakpoint(s)) return;
  await resumeAndReport(s, { kind: 'cont' });
}

/**
 * The program stands at its entry point, where a resume would step over a
 * breakpoint: one there (`break *_start`) is hit by this run, as in gdb.
 */
export async function stopAtEntryBreakpoint(s: Session): Promise<boolean> {
  const t = s.live();
  const pc = (await s.regs()).rip;
  if (!s.bps.some((b) => b.type === 'breakpoint' && b.enabled && s.locationsOf(b).includes(pc))) return false;
  const ev: StopEvent = { pid: t.pid, tid: t.pid, reason: { kind: 'breakpoint', pc } };
  const outcome = await s.classify(ev, []);
  if (outcome !== 'stopped') return false;
  await s.reportStop(ev, outcome);
  return true;
}

export async function adopt(s: Session, t: Target, origin: 'spawned' | 'attached'): Promise<void> {
  s.target = t;
  s.origin = origin;
  s.invalidateMemory();
  s.pendingSignal = undefined;
  t.on('output', s.onOutput);
  s.threadTable = new ThreadTable(t.pid, (tid, pointer) => t.threadTargetId(tid, pointer));
  const threads = await t.threads().catch(expected([]));
  s.threadTable.learn(threads);
  s.threadTable.lastShown = t.selectedThread;
  // gdb names the threads a process it attaches to already has
  for (const th of threads) if (th.tid !== t.pid) s.out(`[New ${s.threadTable.targetId(th.tid, th.threadPointer)}]`);
  t.on('thread', s.onThread);
  s.solibs = new SharedLibraries(origin === 'spawned' ? s.fileElf?.interpreter : undefined);
  if (t.exePath || s.fileElf) {
    s.debug = await DebugBridge.forTarget(t, s.fileElf, bridgeIo(s));
    s.image = s.debug.image;
  } else {
    // a stub that cannot say what it runs (QEMU's gdbstub): addresses only, as gdb
    s.debug = undefined;
    s.image = undefined;
    s.out('warning: No executable has been specified and target does not support\n'
      + 'determining executable automatically.  Try using the "file" command.');
  }
  const engine = s.snaps.adopt(t);
  if (engine) s.out(`Snapshot engine: ${engineLabel(engine)}`);
  publishTarget(s);
}

export function publishTarget(s: Session): void {
  const t = s.target;
  s.store.update({
    process: t ? {
      pid: t.pid, state: t.state, exePath: t.exePath, kind: t.kind, origin: s.origin,
      engine: t.capabilities.snapshots?.name,
    } : undefined,
  });
}

/**
 * Run from the exec stop to the program's entry point: by then ld.so has
 * mapped the libraries, so breakpoints on library functions resolve too.
 */
export async function runToEntry(s: Session): Promise<boolean> {
  const t = s.live();
  const entry = (await t.auxv()).find(([k]) => k === AT_ENTRY)?.[1];
  // A static executable starts right at its entry: nothing to run to.
  if (entry !== undefined && entry !== (await s.regs()).rip) {
    await insertAt(s, entry);
    if (syscallCatchSet(s.bps)) {
      // gdb catches ld.so's calls too: run with the catchpoints, the entry is reached on the way (reachEntry)
      await s.image!.refresh();
      await insertUserBreakpoints(s);   // the program's own addresses are known (gdb lists them so); libraries' at the entry
      s.entryPending = entry;
      await resumeAndReport(s, { kind: 'cont' });
      return false;
    }
    let ev: StopEvent;
    try {
      ev = await t.cont();
    } finally {
      if (t.state !== 'exited') await removeAt(s, entry);
    }
    s.invalidateMemory();
    if (ev.reason.kind !== 'breakpoint' || ev.reason.pc !== entry) {
      await s.reportStop(ev, await s.classify(ev, []));
      return false;
    }
  }
  await s.image!.refresh();
  await insertUserBreakpoints(s);
  await armSolibEvents(s);
  return true;
}

/** The entry point, reached after catch syscall stops before it: what runToEntry does there. */
export async function reachEntry(s: Session, pc: bigint): Promise<StopOutcome | 'continue'> {
  s.entryPending = undefined;
  await removeAt(s, pc);
  for (const b of s.bps) await disarm(s, b);
  await s.image!.refresh();
  await insertUserBreakpoints(s);
  await armSolibEvents(s);
  return (await hitBreakpoints(s, pc)).length ? 'stopped' : 'continue';
}

/**
 * gdb's solib event breakpoint: the dynamic linker calls _dl_debug_state
 * (r_debug.r_brk) before and after every change to the list of loaded
 * objects, so a stop there is when a dlopen'ed library appears and
 * pending breakpoints can resolve. Internal: never reported.
 */
export async function armSolibEvents(s: Session): Promise<void> {
  const hook = SOLIB_EVENT_NAMES.map((n) => s.image?.symbolByName(n)?.symbol).find((x) => x?.kind === 'function');
  if (!hook || s.solibEvent === hook.address) return;
  try {
    await insertAt(s, hook.address);
    s.solibEvent = hook.address;
  } catch (e) {
    expected(undefined)(e);   // no dynamic linker breakpoint: pending breakpoints resolve only at the next run
  }
}

/**
 * A library came or went: resolve what is pending, and move what stands
 * on a PLT stub to the function the library defines (gdb's breakpoint_re_set).
 */
export async function onSolibEvent(s: Session): Promise<void> {
  const images = () => s.image?.modules.map((m) => m.path).join('\n');
  const loaded = images();
  await s.image?.refresh();
  if (images() !== loaded) s.store.emit('modules');
  let changed = false;
  for (const b of s.bps) {
    if (b.type !== 'breakpoint' || (b.address !== undefined && !onPltStub(s, b))) continue;
    const before = b.address;
    try {
      s.setLocations(b, await resolveLocations(s, b.spec));
    } catch (e) {
      if (isUserError(e)) continue;   // still nowhere to be found: it stays pending
      throw e;
    }
    if (b.address === before) continue;
    if (before !== undefined && b.inserted) {
      await removeAt(s, before).catch(expected(undefined));
      b.inserted = false;
    }
    changed = true;
    if (b.enabled) await insertOrWarn(s, b);
  }
  if (changed) s.publishBreakpoints();
}

/** gdb asks before ending a live program, at a terminal only (batch mode and EOF never ask). */
export async function cmdQuit(s: Session): Promise<void> {
  const t = s.target;
  if (t && t.state !== 'exited') {
    // gdb asks in every mode; without a terminal the question is answered yes, visibly
    const fate = s.origin === 'attached' ? 'detached' : 'killed';
    const q = `A debugging session is active.\n\n\tInferior 1 [process ${t.pid}] will be ${fate}.\n\nQuit anyway? (y or n)`;
    if (!(await s.confirm(q))) throw new CommandError('Not confirmed.');
    if (s.origin === 'attached') await cmdDetach(s);
  }
  await s.shutdown();
}

export async function cmdKill(s: Session): Promise<void> {
  const t = s.live();
  if (!(await s.confirm('Kill the program being debugged? (y or n)'))) throw new CommandError('Not confirmed.');
  const pid = t.pid;
  s.target = undefined;
  await new Promise((r) => setImmediate(r));
  await t.kill();
  forgetProcess(s);
  s.out(`[Inferior 1 (process ${pid}) killed]`);
}

export async function cmdDetach(s: Session): Promise<void> {
  const t = s.live();
  s.chatter(`Detaching from program: ${t.exePath}, process ${t.pid}`);
  await s.snaps.release(t);
  s.target = undefined;
  await t.detach();
  forgetProcess(s);
  s.out(`[Inferior 1 (process ${t.pid}) detached]`);
}

/** gdb's `monitor`: the stub's own command, its output as it printed it. */
export async function cmdMonitor(s: Session, text: string): Promise<void> {
  const t = s.target;
  if (!t || t.state === 'exited') throw new CommandError('"monitor" command not supported by this target.');
  const out = await monitorOf(t)(text);
  if (out) s.out(out.replace(/\r?\n$/, '').replace(/\r\n/g, '\n'));
}

export async function cmdAttach(s: Session, pid: number): Promise<void> {
  const busy = s.target && s.target.state !== 'exited';
  if (busy && !(await s.confirm('A program is being debugged already.  Kill it? (y or n)'))) throw new CommandError('Not killed.');
  s.chatter(`Attaching to process ${pid}`);
  // Attach first: a pid that cannot be attached to leaves the current program alone.
  const t = await s.launcher.attach(pid, s.launchOpts);
  if (busy) await s.shutdown();
  if (!s.exePath || s.exePath !== t.exePath) loadFile(s, t.exePath);
  await s.takeOver(t, 'attached');
}

/**
 * Debug a stopped process that is already under control: an attach, or
 * the process behind a remote stub (tsdbg connect). `origin` decides what
 * quit and shutdown do to it: 'spawned' kills, 'attached' detaches.
 */
export async function takeOver(s: Session, t: Target, origin: 'spawned' | 'attached'): Promise<void> {
  await s.adopt(t, origin);
  await insertUserBreakpoints(s);
  await armSolibEvents(s);
  const regs = await s.regs();
  s.publisher.detail = { reason: 'interrupted', breakpoints: [], watch: [] };
  s.out(await frameLine(s, regs.rip, false));
}

/** The process is gone: drop everything that belonged to it. */
export function forgetProcess(s: Session): void {
  s.target?.off('output', s.onOutput);
  s.target?.off('thread', s.onThread);
  s.threadTable = undefined;
  s.target = undefined;
  s.lastImage = s.image;
  s.image = undefined;
  s.solibEvent = undefined;
  s.rewrites.reset();
  s.entryPending = undefined;
  s.inserted.clear();
  s.softWatch.reset();
  s.invalidateMemory();
  s.pendingSignal = undefined;
  s.snaps.forget();
  s.effects.forget();
  s.publisher.forget();
  for (const b of s.bps) b.inserted = false;
  s.store.update({ snapshots: [], checkpoints: [] });
  s.store.update({ selectedFrame: 0 });
  publishTarget(s);
}
