/** How Session's console parts (threads, x, info, source-level, scripting) reach the session. */
import type { Registers } from '../../target/types.js';
import { expected } from '../../debugger/errors.js';
import { SourceLevel } from '../source/index.js';
import { ConsoleCommands } from '../../console/index.js';
import { captureStdout, expressionNames, memberNames } from '../../console/names.js';
import { ThreadConsole } from '../thread-console.js';
import { InfoConsole } from '../info-console.js';
import { Examiner } from '../examine-console.js';
import type { Session } from '../session.js';
import { collectCommand, executeOne, runLineAs } from './dispatch.js';
import { cmdFrame } from './stack.js';

/** The thread commands (gdb's text). */
export function threads(s: Session): ThreadConsole {
  return new ThreadConsole({
    target: () => s.target,
    table: () => s.threadTable,
    live: () => s.live(),
    selectThread: (tid) => s.selectThread(s.live(), tid),
    withThread: (tid, fn) => s.withThread(s.live(), tid, fn),
    frameSummary: () => s.frameSummary(),
    showFrame: async () => {
      await cmdFrame(s, 0, undefined, '0');
      // a stepi from here compares with this thread's function, as gdb's does
      const d = await s.debug?.describe('frame', undefined).catch(expected(undefined));
      s.lastFunction = d?.fn ?? s.funcName((await s.regs()).rip);
    },
    run: async (command) => { await executeOne(s, command, s.fromTty); },
    out: (text) => s.out(text),
    outLines: (lines) => s.outLines(lines),
    warn: (text) => s.store.write('stderr', `warning: ${text}\n`),
  });
}

/** `x` and what it remembers between commands. */
export function examiner(s: Session): Examiner {
  return new Examiner({
    evalAddress: (expr) => s.evalAsAddress(expr),
    readMemory: (a, l) => s.readMemory(a, l),
    framePc: () => s.framePc(),
    symbolize: (addr) => s.asmSymbolize(addr),
    printSettings: () => s.source.printSettings,
    setConvenience: (name, v) => s.convenience.setScalar(name, v),
    outLines: (lines) => s.outLines(lines),
    write: (text) => s.store.write('stdout', text),
    warn: (text) => s.store.write('stderr', `warning: ${text}\n`),
    setRepeat: (line) => { s.lastRepeat = line; },
    checkQuit: () => s.checkQuit(),
  });
}

/** The Session's own `info` commands. */
export function info(s: Session): InfoConsole {
  return new InfoConsole({
    target: () => s.target,
    live: () => s.live(),
    image: () => s.image,
    lastImage: () => s.lastImage,
    fileSymbols: () => s.fileSymbols,
    exePath: () => s.exePath,
    args: () => s.args,
    debug: () => s.debug,
    solibs: () => s.solibs,
    breakpoints: () => s.bps,
    signals: s.signals,
    selectedFrame: () => s.store.state.selectedFrame,
    frameRegs: () => s.frameRegs(),
    publishRegisters: (regs) => s.publisher.publishRegisters(regs),
    fpState: () => s.fpState(),
    frames: () => s.frames(),
    withStack: () => { s.withStack(); },
    evaluate: (expr) => s.evaluate(expr),
    evalAddress: (expr) => s.evalAsAddress(expr),
    funcName: (pc) => s.funcName(pc),
    symbolize: (addr) => s.symbolize(addr),
    out: (text) => s.out(text),
    outLines: (lines) => s.outLines(lines),
  });
}

/** Source-level commands the DWARF helper adds (list, ptype, info locals, display...). */
export function source(s: Session): SourceLevel {
  return new SourceLevel({
    target: () => (s.target && s.target.state !== 'exited' ? s.target : undefined),
    program: () => s.debug?.program,
    fileElf: () => s.fileElf,
    fileDebug: () => s.debug?.fileDebug,
    registers: () => s.regs(),
    readMemory: (a, l) => s.readMemory(a, l),
    writeMemory: (a, d) => s.writeMemory(a, d),
    writeRegister: async (name, value) => {
      await s.live().setRegisters({ [name]: value } as Partial<Registers>);
      s.registers.invalidate();
    },
    fpState: () => s.fpState(),
    writeFpRegister: (name, bytes) => s.writeFpRegister(name, bytes),
    out: (text) => s.out(text),
    warn: (text) => s.store.write('stderr', `warning: ${text}\n`),
    confirm: (q) => s.confirm(q),
    sourceLine: (path, file, line) => s.sourceText.line(path, file, line),
    history: () => s.history,
    selectedFrame: () => s.store.state.selectedFrame,
    inlineSkip: (pc) => s.debug?.inlineSkipAt(pc) ?? 0,
    selectFrame: (n) => s.store.update({ selectedFrame: n }),
    snapshotAt: (op, start, length) => s.snapConsole.at(op, start, length),
    convenience: s.convenience,
    fromTty: () => s.fromTty,
    setNextAddress: (addr) => {
      s.examiner.setNextAddress(addr);
    },
  });
}

/** The console's own commands (src/console): define, if/while, source, shell, pipe, history, complete. */
export function console(s: Session): ConsoleCommands {
  return new ConsoleCommands({
    run: (line, fromTty) => (s.collecting ? Promise.resolve(collectCommand(s, line).quit) : line.trim() ? runLineAs(s, line, fromTty) : Promise.resolve(undefined)),
    fromTty: () => s.fromTty,
    interactive: () => s.interactive,
    out: (text) => s.out(text),
    write: (text) => s.store.write('stdout', text),
    err: (text) => s.store.write('stderr', text),
    confirm: (q) => s.confirm(q),
    truth: async (e) => (await s.evaluate(e)).value !== 0n,
    integer: async (e) => (await s.evaluate(e)).value,
    capture: async (line) => { const c = await captureStdout(s.store, () => runLineAs(s, line, s.fromTty)); return { text: c.text, quit: c.result }; },
    symbolNames: async () => expressionNames(await s.source.completionNames()),
    locationNames: async () => s.source.completionNames(),
    fieldsOf: async (e) => memberNames(await s.source.expressionType(e)),
    checkpointNames: () => s.store.state.checkpoints.map((c) => c.name).filter((n): n is string => !!n),
    snapshotNames: () => s.store.state.snapshots.filter((s) => !s.owner).map((s) => `0x${s.start.toString(16)}`),
  });
}
