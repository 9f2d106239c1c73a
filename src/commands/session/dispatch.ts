/** Session's command lines: execute, breakpoint command lists, the command switch, the Debugger's primitives. */
import { helpText, parseLine, type Command } from '../parse.js';
import { disassemble } from '../disasm.js';
import { disassembleCommand } from '../disassemble.js';
import { printfText } from '../printf.js';
import { cmdInfo, cmdPrint, cmdSetting, cmdSnapshot, disassembleHost, rewriteHost } from './inspect.js';
import { errorMessage, expected, isUserError } from '../../debugger/errors.js';
import { SourceLevel } from '../source/index.js';
import { canUseHwValue, showWatchSetting, snapshot } from '../watch.js';
import { showPending } from '../pending.js';
import { setScreen, showScreen } from '../screen.js';
import type { Session } from '../session.js';
import { type SessionCore, type CommandResult } from './types.js';
import { cmdAttach, cmdDetach, cmdKill, cmdMonitor, cmdQuit, cmdRun, forgetProcess, loadFile } from './program.js';
import { cmdBreak, cmdCatchSyscall, cmdClear, cmdCommands, cmdDelete, cmdEnable, cmdIgnore, setCondition } from './breakpoints.js';
import { cmdWatch } from './watchpoints.js';
import { cmdContinue, cmdHandle, cmdRewind, cmdSignal } from './stop.js';
import { cmdBacktrace, cmdFrame } from './stack.js';
import { cmdFinish, cmdStep, cmdStepi, cmdUntil } from './stepping.js';

/** The primitives for src/debugger/debugger.ts. */
export function core(s: Session): SessionCore {
  return {
    command: (c) => s.run(c),
    quietly: async (fn) => {
      s.quiet++;
      try {
        return await fn();
      } finally {
        s.quiet--;
      }
    },
    load: (program, args, cwd, env) => {
      loadFile(s, program);
      s.args = args;
      if (cwd !== undefined) s.launchOpts.cwd = cwd;
      if (env !== undefined) s.launchOpts.env = env;
    },
    target: () => (s.target && s.target.state !== 'exited' ? s.target : undefined),
    kill: async () => {
      const t = s.live();
      s.target = undefined;
      await t.kill();
      forgetProcess(s);
    },
    lastBreakpointId: () => s.nextBpId - 1,
    breakpoint: (id) => s.bp(id),
    publishBreakpoints: () => s.publishBreakpoints(),
    stack: async (max) => {
      s.withStack();
      const dwarf = s.debug?.program ? await s.debug.frameList(max) : [];
      if (dwarf.some((f) => f.fn)) {
        return Promise.all(dwarf.map(async (f, level) => ({ level, pc: f.pc, cfa: await f.cfa().catch(expected(undefined)), dwarf: f })));
      }
      return (await s.frames(max)).map((f) => ({ level: f.level, pc: f.pc, cfa: f.cfa }));
    },
    selectThread: (tid) => s.selectThread(s.live(), tid),
    withThread: (tid, fn) => s.withThread(s.live(), tid, fn),
    evaluate: (expr, level) => s.evaluateAny(expr, level),
    readMemory: (a, l) => s.readMemory(a, l),
    writeMemory: (a, d) => s.writeMemory(a, d),
    registers: async () => {
      const regs = await s.regs();
      s.publisher.publishRegisters(regs);
      return regs;
    },
    symbolize: s.symbolize,
    readCode: (a, l) => s.readUpTo(a, l),
    invalidateMemory: () => s.invalidateMemory(),
  };
}

/** execute() inside an operation already running (SourceLevel's commands that run others). */
export async function executeNow(s: Session, line: string, fromTty = true, sourcedAt?: string): Promise<CommandResult> {
  if (s.collecting) return collectCommand(s, line);
  s.sourcedAt = sourcedAt;
  let r: CommandResult;
  if (s.commandDepth === 0) s.quitRequested = false;
  s.commandDepth++;
  try {
    r = await executeOne(s, line, fromTty);
  } finally {
    s.sourcedAt = undefined;
    s.commandDepth--;
  }
  if (!s.runningActions) await runBreakpointActions(s);
  return r;
}

/** Lines after `commands N`, up to `end`, become the breakpoints' command list. */
export function collectCommand(s: Session, line: string): CommandResult {
  const c = s.collecting!;
  if (line.trim() === 'end') {
    for (const b of c.targets) b.commands = c.lines;
    s.collecting = undefined;
    s.publishBreakpoints();
  } else {
    c.lines.push(line.trim());
  }
  return { ok: true };
}

/**
 * gdb's bpstat_do_actions: after a command stopped the program at
 * breakpoints with command lists, run them; a command that resumes ends
 * that list, and the new stop's lists run next (a loop, not recursion).
 */
export async function runBreakpointActions(s: Session): Promise<void> {
  s.runningActions = true;
  try {
    while (s.pendingActions.length) {
      const lines = s.pendingActions;
      s.pendingActions = [];
      for (const l of lines) {
        if (l === 'silent') continue;
        const stopsBefore = s.stopCount;
        const r = await executeOne(s, l, false);
        if (r.quit !== undefined || s.stopCount !== stopsBefore) break;
      }
    }
  } finally {
    s.runningActions = false;
  }
}

export function executeOne(s: Session, line: string, fromTty: boolean): Promise<CommandResult> {
  return withFromTty(s, fromTty, () => executeText(s, line));
}

/** Run fn with the from_tty of a command it runs (see execute). */
async function withFromTty<T>(s: Session, fromTty: boolean, fn: () => Promise<T>): Promise<T> {
  const outer = s.fromTty;
  s.fromTty = fromTty;
  try {
    return await fn();
  } finally {
    s.fromTty = outer;
  }
}

export async function executeText(s: Session, line: string): Promise<CommandResult> {
  try {
    const quit = await runLine(s, line);
    return quit === undefined ? { ok: true } : { ok: true, quit };
  } catch (e) {
    const msg = errorMessage(e);
    s.store.write('stderr', `${s.sourcedAt ? `${s.sourcedAt}: Error in sourced command file:\n` : ''}${msg}\n`);
    if (process.env.TSDBG_DEBUG && !isUserError(e)) console.error(e);
    return { ok: false, error: msg };
  }
}

/** One command line, its error thrown (the console's scripts run lines this way); the quit code if it quit. */
export async function runLine(s: Session, line: string): Promise<number | undefined> {
  if (s.console.collecting) return s.console.collect(line);
  let text = line;
  if (!text.trim()) {
    if (!s.lastRepeat) return undefined;
    text = s.lastRepeat;
  }
  if (await s.frontEnd?.(text)) { s.lastRepeat = undefined; return undefined; }   // the front end's own commands (src/ui/commands.ts)
  const mine = await s.console.execute(text);
  if (mine) {
    s.lastRepeat = undefined;
    return mine.quit;
  }
  const parsed = parseLine(text);
  if (parsed.command.kind === 'nop') return undefined;
  s.lastRepeat = parsed.repeats ? text : undefined;
  return s.run(parsed.command);
}

export function runLineAs(s: Session, line: string, fromTty: boolean): Promise<number | undefined> {
  return withFromTty(s, fromTty, () => runLine(s, line));
}

// ---- dispatch --------------------------------------------------------------------------

export async function run(s: Session, c: Command): Promise<number | undefined> {
  switch (c.kind) {
    case 'nop': return undefined;
    case 'run': await cmdRun(s, c.args, c.stopAt); return undefined;
    case 'break': await cmdBreak(s, c.location, c.temporary, c.condition); return undefined;
    case 'watch': await cmdWatch(s, c.expr, c.access, c.location); return undefined;
    case 'catch-syscall': cmdCatchSyscall(s, c.args, c.temporary); return undefined;
    case 'delete': await cmdDelete(s, c.ids); return undefined;
    case 'clear': await cmdClear(s, c.location); return undefined;
    case 'list': s.source.listCommand(c.arg); return undefined;
    case 'ptype': await s.source.ptype(c.expr, c.whatis, c.offsets); return undefined;
    case 'display': await s.source.displayCommand(c.expr, c.fmt); return undefined;
    case 'undisplay': await s.source.undisplayCommand(c.arg, c.viaDelete); return undefined;
    case 'enable': await cmdEnable(s, c.ids, c.enable, c.once); return undefined;
    case 'condition': setCondition(s, s.bp(c.id), c.expr); s.publishBreakpoints(); return undefined;
    case 'ignore': cmdIgnore(s, c.id, c.count); return undefined;
    case 'commands': cmdCommands(s, c.ids); return undefined;
    case 'continue': await cmdContinue(s, c.count); return undefined;
    case 'stepi': await cmdStepi(s, c.count, c.over); return undefined;
    case 'step': await cmdStep(s, c.count, c.over); return undefined;
    case 'finish': await cmdFinish(s); return undefined;
    case 'until': await cmdUntil(s, c.location, c.advance); return undefined;
    case 'print': await cmdPrint(s, c.expr, c.fmt, c.style); return undefined;
    case 'x': await s.examiner.examine(c.expr, c.count, c.fmt, c.unit); return undefined;
    case 'set-expr': await s.evaluateAny(c.expr); s.registers.invalidate(); return undefined;
    case 'setting':
      if (await s.source.printCommand('set', `${c.name} ${c.value}`)) return undefined;
      if (c.name === 'can-use-hw-watchpoints') s.canUseHw = await canUseHwValue(c.value, (e) => s.evaluate(e));
      else if (!(await setScreen(s.screen, c.name, c.value, (e) => s.evaluate(e)))) cmdSetting(s, c.name, c.value);
      return undefined;
    case 'show':
      if (await s.source.printCommand('show', c.name)) return undefined;
      s.out(showWatchSetting(c.name, s.canUseHw) ?? showScreen(s.screen, c.name) ?? showPending(c.name, s.breakpointPending) ?? s.snapConsole.showMethod(c.name) ?? `${c.name}: not a setting tsdbg keeps.`); return undefined;
    case 'disassemble': await disassembleCommand(disassembleHost(s), c.args); return undefined;
    case 'backtrace': await cmdBacktrace(s, c.limit); return undefined;
    case 'frame': await cmdFrame(s, c.index, c.relative, c.text); return undefined;
    case 'info': await cmdInfo(s, c.what, c.arg); return undefined;
    case 'thread': await s.threads.thread(c.id); return undefined;
    case 'handle': await cmdHandle(s, c.signal, c.actions); return undefined;
    case 'signal': await cmdSignal(s, c.signal); return undefined;
    case 'kill': await cmdKill(s); return undefined;
    case 'detach': await cmdDetach(s); return undefined;
    case 'monitor': await cmdMonitor(s, c.text); return undefined;
    case 'attach': await cmdAttach(s, c.pid); return undefined;
    case 'quit': await cmdQuit(s); return c.code ? Number(c.code) || 0 : 0;
    case 'help': s.outLines(helpText(c.topic)); return undefined;
    case 'echo': s.store.write('stdout', unescapeEcho(c.text)); return undefined;
    case 'syscall': await s.rewrites.command(c.args, rewriteHost(s)); return undefined;
    case 'printf': s.store.write('stdout', await printfText(c.text, { evaluate: (e) => s.evaluateAny(e), readMemory: (a, l) => s.readMemory(a, l) })); return undefined;
    case 'snapshot': await cmdSnapshot(s, c.cmd); return undefined;
    case 'snapshots': await s.snapConsole.list(() => s.store.state.snapshots); return undefined;
    case 'restore': {
      const obj = await s.source.snapshotObject(c.addr, false);
      await (obj ? s.snapConsole.at('restore', obj.address) : s.snapConsole.restore(c.addr));
      return undefined;
    }
    case 'checkpoint': await s.snapConsole.checkpoint(c.name); s.effects.mark(s.snaps.list().at(-1)!.name); return undefined;
    case 'checkpoint-delete': await s.snapConsole.deleteCheckpoint(c.name); s.effects.forget(c.name); return undefined;
    case 'checkpoints': s.snapConsole.checkpoints(); return undefined;
    case 'rewind': await cmdRewind(s, c.name, c.force); return undefined;
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function unescapeEcho(text: string): string {
  return text.replace(/\\(n|t|\\|"|a|e|[0-7]{1,3})|\\$/g, (_m, c: string | undefined) => {
    if (c === undefined) return '';
    const map: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', a: '\x07', e: '\x1b' };
    return map[c] ?? String.fromCharCode(parseInt(c, 8));
  });
}


