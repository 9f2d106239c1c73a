/** Session's inspection commands: print, set, disassemble, info, snapshot; the evaluator's context. */
import type { Registers } from '../../target/types.js';
import { fpRegistersOf } from '../../target/capabilities.js';
import { parsePrintOptions } from '../print-options.js';
import { formatInfoFloat } from '../float-info.js';
import { CommandError, SNAPSHOT_USAGE, type InfoWhat, type SnapshotCommand } from '../parse.js';
import { EvalError } from '../expr.js';
import { type PrintFormat } from '../format.js';
import { type DisassembleHost } from '../disassemble.js';
import { infoSyscall, type SyscallHere } from '../info-syscall.js';
import { vmReader } from '../../syscall/tracer.js';
import { DebugBridge, type AnyValue } from '../debug.js';
import { SourceLevel } from '../source/index.js';
import { snapshot } from '../watch.js';
import { parsePendingMode } from '../pending.js';
import { infoScope, type ScopeHost } from '../info-scope.js';
import type { Session } from '../session.js';
import { readFileSync } from 'node:fs';
import type { RewriteHost } from '../syscall-rewrite.js';

/** What the C evaluator (DebugBridge) needs of the session. */
export function bridgeIo(s: Session) {
  return {
    readMemory: (a: bigint, l: number) => s.readMemory(a, l),
    writeMemory: (a: bigint, d: Buffer) => s.writeMemory(a, d),
    regs: () => s.regs(),
    fpState: () => s.fpState(),
    writeFpRegister: (name: string, bytes: Buffer) => s.writeFpRegister(name, bytes),
    history: () => s.history,
    readRegister: (name: string) => s.readRegister(name),
    writeRegister: (name: string, value: bigint) => s.writeRegister(name, value),
    sourceLine: (path: string, file: string, line: number) => s.sourceText.line(path, file, line),
    convenience: s.convenience,
    warn: (m: string) => s.store.write('stderr', `warning: ${m}\n`),
    error: (line: string) => s.store.write('stderr', `${line}\n`),
    sourceFile: () => s.source.defaultSourcePath(),
  };
}

// ---- data ------------------------------------------------------------------------------------

export async function cmdPrint(s: Session, text: string | undefined, slashFmt: PrintFormat | undefined, style: 'print' | 'output' | 'call'): Promise<void> {
  // `print -elements 3 -- EXPR` (gdb's print options; `output` takes none)
  const options = style !== 'output' && text !== undefined && !slashFmt ? parsePrintOptions(text) : undefined;
  const expr = options ? options.expr : text;
  const fmt = options ? options.fmt : slashFmt;
  if (expr === undefined && !s.history.length) throw new EvalError('History is empty.');   // never: `$` is void
  const any: AnyValue = expr === undefined ? s.history[s.history.length - 1]! : await s.evaluateAny(expr);
  s.registers.invalidate();
  if (style === 'call' && any.dwarf.type.kind === 'void') return;   // `call f()` of a void function prints nothing
  const shown = await DebugBridge.format(any, fmt, options?.settings);
  if (style === 'output') { s.store.write('stdout', shown); return; }
  s.history.push(any);
  s.out(`$${s.history.length} = ${shown}`);
}

export function cmdSetting(s: Session, name: string, value: string): void {
  if (name === 'args') { s.args = value ? value.split(/\s+/) : []; return; }
  if (name === 'checkpoint-limit') { s.snaps.setBufferLimit(value); return; }
  if (name === 'checkpoint-method') { s.snaps.setMethod(value); return; }
  if (name === 'breakpoint pending') { s.breakpointPending = parsePendingMode(value); return; }
  if (name === 'disassembly-flavor' && value !== 'att') throw new CommandError('tsdbg disassembles in AT&T syntax only.');
  // listsize, verbose, logging...: accepted and have no effect.
}

/** What `disassemble` (src/commands/disassemble.ts) needs of the session. */
export function disassembleHost(s: Session): DisassembleHost {
  return {
    evalAddress: (e) => s.evalAddress(e),
    readMemory: (a, l) => s.readMemory(a, l),
    framePc: () => s.framePc(),
    symbolize: (a) => s.asmSymbolize(a),
    functionAt: (a) => {
      const loc = s.image ? s.image.symbolAt(a) : s.fileSymbols?.symbolAt(a);
      return loc && loc.symbol.kind === 'function' ? { name: loc.name, start: loc.symbol.address, size: loc.symbol.size } : undefined;
    },
    outLines: (lines) => s.outLines(lines),
    lineAt: (pc) => (s.debug?.program ? s.debug.lineForAddress(pc) : s.debug?.fileDebug?.lineForAddress(pc)),
    sourceLine: (path, file, line) => s.sourceText.line(path, file, line),
    firstLineIn: (low, high) => (s.debug?.program ? s.debug.program.functionAt(low)?.debug : s.debug?.fileDebug)?.firstLineIn(low, high),
  };
}

/** What `syscall rewrite` / `syscall skip` need of the session: the stop, the registers, the evaluator. */
export function rewriteHost(s: Session): RewriteHost {
  return {
    stop: () => {
      const st = s.store.state.stop;
      const t = s.target;
      return st?.syscall && t && t.state !== 'exited' ? { tid: st.thread, pid: t.pid, syscall: st.syscall } : undefined;
    },
    // traced by this process (a remote stub's program is not, even where its pid is one of ours)
    local: () => { const t = s.target; return !!t && tracerOf(t.pid) === process.pid; },
    regs: () => s.regs(),
    setRegisters: async (r) => { await s.live().setRegisters(r); s.registers.invalidate(); },
    evaluate: async (e) => BigInt.asUintN(64, (await s.evaluate(e)).value),
    changed: ({ index, value }) => {
      const st = s.store.state.stop;
      if (!st?.syscall) return;
      const args = [...st.syscall.args];
      if (index !== undefined) args[index] = value;
      s.store.update({ stop: { ...st, syscall: { ...st.syscall, args, ret: index === undefined ? value : st.syscall.ret } } });
    },
    out: (line) => s.out(line),
  };
}

/** The TracerPid of process `pid` (undefined: no such process here). */
function tracerOf(pid: number): number | undefined {
  try {
    return Number(/^TracerPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;   // (no such process on this machine: not ours)
  }
}

/** The catch syscall stop the program is at, for `info syscall` (src/commands/info-syscall.ts). */
export function syscallHere(s: Session): SyscallHere {
  const stop = s.store.state.stop;
  const live = !!s.target && s.target.state !== 'exited';
  return { live, stop: live ? stop?.syscall : undefined, read: stop && live ? vmReader(stop.thread) : undefined };
}

/** `snapshot ...`: an object named by expression goes by its type (SourceLevel), the rest by address. */
export async function cmdSnapshot(s: Session, cmd: SnapshotCommand): Promise<void> {
  switch (cmd.op) {
    case 'object':
      if (!(await s.source.snapshotExpression(cmd.expr))) throw new CommandError(SNAPSHOT_USAGE);
      return;
    case 'diff': {
      const obj = await s.source.snapshotObject(cmd.addr, true);
      if (obj) return s.source.snapshotDiff(obj);
      break;
    }
    case 'show': case 'drop': {
      const obj = await s.source.snapshotObject(cmd.addr, false);
      if (obj) return s.snapConsole.at(cmd.op, obj.address);
      break;
    }
    default: break;
  }
  await s.snapConsole.snapshot(cmd);
}

// ---- info ------------------------------------------------------------------------------------

export async function cmdInfo(s: Session, what: InfoWhat, arg: string): Promise<void> {
  switch (what) {
    case 'registers': await s.info.registers(arg); return;
    case 'all-registers': await s.info.registers(arg, true); return;
    case 'float': {
      if (!s.target || s.target.state === 'exited') throw new CommandError('The program has no registers now.');
      s.outLines(formatInfoFloat(await fpRegistersOf(s.target).get()));
      return;
    }
    case 'breakpoints': case 'watchpoints': await s.info.breakpoints(what === 'watchpoints', arg); return;
    case 'proc': await s.info.proc(arg); return;
    case 'symbol': await s.info.symbol(arg); return;
    case 'signals': s.info.signals(arg); return;
    case 'snapshots': await s.snapConsole.list(() => s.store.state.snapshots); return;
    case 'checkpoints': s.snapConsole.checkpoints(); return;
    case 'sharedlibrary': await s.info.shared(); return;
    case 'frame': await s.info.frame(arg); return;
    case 'inferiors': s.info.inferiors(); return;
    case 'threads': await s.threads.info(arg); return;
    case 'scope': s.outLines(await infoScope(scopeHost(s), arg)); return;
    case 'syscall': s.outLines(infoSyscall(arg, syscallHere(s))); return;
    case 'kstats': s.outLines(await s.kstats.info(s.target && s.target.state !== 'exited' ? s.target.pid : undefined)); return;
    default: await s.source.info(what, arg);
  }
}

/** What `info scope` (info-scope.ts) reads: the images' DWARF, linespecs, ELF symbols. */
export function scopeHost(s: Session): ScopeHost {
  const program = s.debug?.program;
  const exe = s.debug?.exeDebug;
  return {
    hasFile: !!s.exePath,
    debugInfos: () => program?.debugInfos() ?? (exe ? [exe] : []),
    debugAt: (pc) => (program ? program.debugAt(pc) : exe),
    evalAddress: (e) => s.evalAddress(e),
    lineLocations: (file, line) => s.lineLocations(file, line).catch((e) => { throw new CommandError((e as Error).message); }),
    symbolAddress: (name) => s.symbolByName(name)?.address,
    objfile: s.exePath,
  };
}
