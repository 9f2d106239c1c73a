/**
 * Session: executes gdb-style command lines against a Target.
 *
 *   const s = new Session({ launcher, exePath, args });
 *   s.store.on('output', (chunk) => ...);
 *   const r = await s.execute('break main');   // { ok, error?, quit? }
 *
 * The line-mode CLI, `tsdbg test` scripts and the UI share this API; all the
 * state they display lives in `s.store`. Every failure becomes one line in
 * gdb's wording and the session goes on.
 */
import { EffectLog, withEffects } from '../syscall/effects.js';
import { vmReader } from '../syscall/tracer.js';
import { catchHitText, catchSetText, catches, newCatchpoint, parseCatchSyscall, syscallCatchSet, syscallStopOf } from './catch-syscall.js';
import { resolve as resolvePath } from 'node:path';
import type { Registers, StopEvent, Target, ThreadEvent, WatchKind } from '../target/types.js';
import { TargetError } from '../target/types.js';
import { fpRegistersOf, monitorOf, terminalOf } from '../target/capabilities.js';
import { readReturnRegs } from '../dwarf/abi.js';
import { historyIndex } from '../dwarf/evaluator.js';
import { SourceText } from '../dwarf/present.js';
import { parsePrintOptions } from './print-options.js';
import { formatInfoFloat } from './float-info.js';
import { ElfFile, SymbolTable, type ProcessImage, formatSymbolic, AT_ENTRY } from '../elf/index.js';
import type { ElfSymbol } from '../elf/index.js';
import type { StackFrame } from '../dwarf/program.js';
import { ignoreText, watchTitle } from './breakpoint-text.js';
import { CommandError, SNAPSHOT_USAGE, helpText, parseLine, type Command, type InfoWhat, type SnapshotCommand } from './parse.js';
import { breakpointsToClear, clearedText, type ClearTarget } from './clear.js';
import {
  EvalError, addressOf, evaluate as builtinEvaluate, sizeOf,
  type EvalContext, type Evaluator, type SymbolValue, type Value,
} from './expr.js';
import { formatValue, hex, hex16, type PrintFormat, type Symbolizer } from './format.js';
import { disassemble, formatDisasLine } from './disasm.js';
import { gdbLineNumber } from './examine.js';
import { SessionStore, type Breakpoint } from './store.js';
import { Snapshots, engineLabel } from '../debugger/snapshots.js';
import { SnapshotConsole } from './snapshot-console.js';
import type { CommandEnd, CommandInfo } from '../debugger/store.js';
import type { WatchChange } from '../debugger/state.js';
import { breakpointInfo, frameOfDwarf, frameOfPc, NOWHERE, type Place } from '../debugger/publish.js';
import { Serial } from '../debugger/queue.js';
import { StatePublisher } from '../debugger/publisher.js';
import { RegisterFile } from '../debugger/registers.js';
import { ProcessMemory } from '../debugger/memory.js';
import { errorMessage, expected, isUserError } from '../debugger/errors.js';

export { errorMessage } from '../debugger/errors.js';
import { KernelStats, kstatsSourceFor } from './kstats.js';
import { SignalTable, parseSignal, signalDescription, signalNameOf, signalNumber } from './signals.js';
import { FramePointerUnwinder, type Frame, type Unwinder } from './unwind.js';
import { conditionErrors } from './bp-condition.js';
import { DebugBridge, FP_REGISTER_EXPR, type AnyValue } from './debug.js';
import { SourceStepper, type StepEnd } from './step.js';
import { SourceLevel, relativeFrame } from './source/index.js';
import { ConvenienceVars, INT_VALUE } from './convenience.js';
import { SharedLibraries } from './solibs.js';
import { ConsoleCommands } from '../console/index.js';
import { captureStdout, expressionNames, memberNames } from '../console/names.js';
import { ThreadTable } from './threads.js';
import { ThreadConsole } from './thread-console.js';
import { InfoConsole } from './info-console.js';
import { Examiner } from './examine-console.js';
import {
  armHardwareWatch, canUseHwValue, disarmHardwareWatch, firstUnfit, formatSnap, sameRanges, scopeExitText, showWatchSetting, snapshot,
  unfitText, watchHits, watchRanges, type WatchHit, type WatchSnap,
} from './watch.js';
import { SoftwareWatcher } from './watch-soft.js';
import { isNotFound, makePending, parsePendingMode, showPending, type PendingMode } from './pending.js';
import { defaultScreen, setScreen, showScreen, type ScreenSettings } from './screen.js';
import { infoScope, type ScopeHost } from './info-scope.js';

/** A breakpoint location by line: `FILE:LINE` or `LINE`. */
const FILE_LINE = /^(?:([\w./+-]+):)?(\d+)$/;

export interface LaunchOptions {
  /** Keep address-space randomization (gdb disables it by default). */
  aslr: boolean;
  engine?: 'kernel' | 'userspace';
  /** The program's environment (default: ours); cli/run/inferior-env.ts adds gdb's LINES and COLUMNS. */
  env?: NodeJS.ProcessEnv;
  /** The program's working directory (default: ours). */
  cwd?: string;
}

/** How the session gets a Target; cli/run.ts supplies the local ptrace one. */
export interface Launcher {
  spawn(exePath: string, args: string[], opts: LaunchOptions): Promise<Target>;
  attach(pid: number, opts: LaunchOptions): Promise<Target>;
}

export interface SessionOptions {
  launcher: Launcher;
  exePath?: string;
  args?: string[];
  launch?: LaunchOptions;
  /** Answer yes/no questions (restart? kill?). Line mode answers yes like gdb without a terminal. */
  confirm?: (question: string, defaultNo?: boolean) => Promise<boolean>;
  /** ANSI color in diffs. */
  color?: boolean;
  /** A person is typing (prompts like `commands`' instructions are shown). */
  interactive?: boolean;
  /** The screen's size as gdb starts with it (width to wrap at; undefined: unlimited). */
  screen?: { width?: number; height?: number };
}

/**
 * The session's primitives the structured Debugger (src/debugger/debugger.ts)
 * is built on. Not queued: the Debugger runs each call inside exclusive().
 */
export interface SessionCore {
  /** Run a parsed command (the console's vocabulary, without its text). */
  command(c: Command): Promise<number | undefined>;
  /** Run fn with the console's text (stdout) left out: the caller renders the result. */
  quietly<T>(fn: () => Promise<T>): Promise<T>;
  load(program: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): void;
  target(): Target | undefined;
  /** Kill the program without asking. */
  kill(): Promise<void>;
  lastBreakpointId(): number;
  breakpoint(id: number): Breakpoint;
  publishBreakpoints(): void;
  /** The stack of the selected thread, innermost first (DWARF frames where there are). */
  stack(max: number): Promise<{ level: number; pc: bigint; cfa: bigint | undefined; dwarf?: StackFrame }[]>;
  selectThread(tid: number): void;
  withThread<T>(tid: number, fn: () => Promise<T>): Promise<T>;
  evaluate(expr: string, level: number): Promise<AnyValue>;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;
  /** The selected thread's registers (published, with what changed since the last stop). */
  registers(): Promise<Registers>;
  symbolize: Symbolizer;
  readCode(addr: bigint, len: number): Promise<Buffer>;
  invalidateMemory(): void;
}

export interface CommandResult {
  ok: boolean;
  error?: string;
  /** `quit` was executed: the caller should exit with this code. */
  quit?: number;
}

/** A location where a stop is wanted that is not a user breakpoint (finish, until, nexti). */
interface InternalStop {
  addr: bigint;
  /** Only stop when rsp is above this (the frame being left is gone). */
  spAbove?: bigint;
  /** Only stop in the frame of this CFA (gdb's frame-specific momentary breakpoint: `until LOCATION`). */
  cfa?: bigint;
}

type StopOutcome = 'stopped' | 'internal' | 'gone';

const MAX_FRAMES = 256;
/** gdb's solib_break_names: the function the dynamic linker calls at each library change. */
const SOLIB_EVENT_NAMES = ['_dl_debug_state', '_r_debug_state', 'r_debug_state'];

export class Session {
  readonly store = new SessionStore();
  /** The breakpoints' own records (mutable, private); the store publishes frozen copies. */
  private bps: Breakpoint[] = [];
  /** Operations (console lines, the Debugger's calls) run one at a time through this. */
  private readonly serial = new Serial();
  private opSeq = 0;
  /** What the core publishes after each operation (src/debugger/publisher.ts). */
  private readonly publisher = new StatePublisher({
    store: this.store,
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    program: () => this.exePath,
    displays: () => this.source.displayList(),
    checkpointBufferLimit: () => this.snaps.bufferLimit,
    registers: () => this.regs(),
    place: (pc) => this.place(pc),
    threadTable: () => this.threadTable,
    publishProcess: () => this.publishTarget(),
  });
  private target: Target | undefined;
  private origin: 'spawned' | 'attached' = 'spawned';
  private image: ProcessImage | undefined;
  /** The image of the process that ended: its breakpoints keep their run-time addresses. */
  private lastImage: ProcessImage | undefined;
  private fileElf: ElfFile | undefined;
  private fileSymbols: SymbolTable | undefined;
  private exePath: string | undefined;
  private args: string[];
  private readonly launchOpts: LaunchOptions;
  private readonly launcher: Launcher;
  private readonly confirm: (q: string, defaultNo?: boolean) => Promise<boolean>;
  /** `set width/height/pagination/confirm`: the console wraps at screen.width. */
  readonly screen: ScreenSettings;
  private breakpointPending: PendingMode = 'auto';
  private readonly color: boolean;
  private readonly interactive: boolean;

  private nextBpId = 1;
  /** gdb's can-use-hw-watchpoints, and the stepping engine of the software watchpoints it falls back to. */
  private canUseHw = 1;
  private readonly softWatch = new SoftwareWatcher();
  /** The dynamic linker's r_brk (_dl_debug_state) breakpoint, while inserted. */
  private solibEvent: bigint | undefined;
  /** Breakpoint addresses inserted in the target, with how many users (breakpoints + internal stops). */
  private readonly inserted = new Map<bigint, number>();
  private pendingSignal: number | undefined;
  private readonly history: AnyValue[] = [];
  /** Convenience variables ($foo, $_, $_exitcode), from either evaluator. */
  private readonly convenience = new ConvenienceVars({
    _thread: () => INT_VALUE(this.selectedThreadNumber()),
    _gthread: () => INT_VALUE(this.selectedThreadNumber()),
    _inferior: () => INT_VALUE(1),
  });

  /** gdb's number of the selected thread; 0 without a process. */
  private selectedThreadNumber(): number {
    const t = this.target;
    return t && t.state !== 'exited' && this.threadTable ? this.threadTable.number(t.selectedThread) : 0;
  }
  private lastRepeat: string | undefined;
  private readonly signals = new SignalTable();
  /** `info kstats` (tracer.ko's counts of the process). */
  private readonly kstats = new KernelStats(() => kstatsSourceFor(this.target));
  /** Snapshots and checkpoints of the process (the core's), and their console commands. */
  readonly snaps: Snapshots = new Snapshots({
    live: () => this.live(),
    symbolize: (addr) => this.symbolize(addr),
    readMemory: (a, l) => this.readMemory(a, l),
    invalidateMemory: () => this.invalidateMemory(),
    publish: (snapshots, checkpoints) => this.store.update({ snapshots, checkpoints }),
  });
  /** Calls with effects outside memory since the checkpoints (src/syscall/effects.ts). */
  private readonly effects = new EffectLog();
  private readonly snapConsole = new SnapshotConsole({
    snaps: this.snaps,
    evalAddress: (e) => this.evalAddress(e),
    symbolize: (addr) => this.symbolize(addr),
    color: () => this.color,
    out: (lines) => this.outLines(lines),
  });
  /** The built-in evaluator (no DWARF); DebugBridge runs the DWARF one. */
  private readonly evaluator: Evaluator = builtinEvaluate;
  /** DWARF of the program (types, lines, CFI), when it has any. */
  private debug: DebugBridge | undefined;
  /** Function of the last reported stop, to print a frame line only when it changes (gdb's stepi). */
  private lastFunction: string | undefined;
  /** The current line as shown, one stop after another (gdb says a missing file once). */
  private readonly sourceText = new SourceText();
  /** For a stack without a process image to read CFI from (a QEMU stub), and past main. */
  private readonly unwinder: Unwinder = new FramePointerUnwinder();
  private readonly onOutput = (b: Buffer) => this.store.write('inferior', b.toString('utf8'));
  /** gdb's numbers and names for the threads of the process. */
  private threadTable: ThreadTable | undefined;
  /** The thread commands (gdb's text). */
  private readonly threads = new ThreadConsole({
    target: () => this.target,
    table: () => this.threadTable,
    live: () => this.live(),
    selectThread: (tid) => this.selectThread(this.live(), tid),
    withThread: (tid, fn) => this.withThread(this.live(), tid, fn),
    frameSummary: () => this.frameSummary(),
    showFrame: async () => {
      await this.cmdFrame(0, undefined, '0');
      // a stepi from here compares with this thread's function, as gdb's does
      const d = await this.debug?.describe('frame', undefined).catch(expected(undefined));
      this.lastFunction = d?.fn ?? this.funcName((await this.regs()).rip);
    },
    run: async (command) => { await this.executeOne(command, this.fromTty); },
    out: (text) => this.out(text),
    outLines: (lines) => this.outLines(lines),
    warn: (text) => this.store.write('stderr', `warning: ${text}\n`),
  });
  /** The process's shared libraries in gdb's order (`info sharedlibrary`). */
  private solibs: SharedLibraries | undefined;
  private readonly onThread = (e: ThreadEvent) => {
    const line = this.threadTable?.onEvent(e);
    if (line) this.out(line);
    this.store.emit('thread', { kind: e.kind, tid: e.tid, id: e.kind === 'new' ? this.threadTable?.number(e.tid) : undefined });
  };

  /** `x` and what it remembers between commands. */
  private readonly examiner = new Examiner({
    evaluate: (expr) => this.evaluate(expr),
    readMemory: (a, l) => this.readMemory(a, l),
    framePc: () => this.framePc(),
    symbolize: (addr) => this.symbolize(addr),
    printSettings: () => this.source.printSettings,
    setConvenience: (name, v) => this.convenience.setMine(name, v),
    outLines: (lines) => this.outLines(lines),
    write: (text) => this.store.write('stdout', text),
    setRepeat: (line) => { this.lastRepeat = line; },
    checkQuit: () => this.checkQuit(),
  });

  /** The Session's own `info` commands. */
  private readonly info = new InfoConsole({
    target: () => this.target,
    live: () => this.live(),
    image: () => this.image,
    lastImage: () => this.lastImage,
    fileSymbols: () => this.fileSymbols,
    exePath: () => this.exePath,
    args: () => this.args,
    debug: () => this.debug,
    solibs: () => this.solibs,
    breakpoints: () => this.bps,
    signals: this.signals,
    selectedFrame: () => this.store.state.selectedFrame,
    frameRegs: () => this.frameRegs(),
    publishRegisters: (regs) => this.publisher.publishRegisters(regs),
    fpState: () => this.fpState(),
    frames: () => this.frames(),
    withStack: () => { this.withStack(); },
    evaluate: (expr) => this.evaluate(expr),
    evalAddress: (expr) => this.evalAddress(expr),
    funcName: (pc) => this.funcName(pc),
    symbolize: (addr) => this.symbolize(addr),
    out: (text) => this.out(text),
    outLines: (lines) => this.outLines(lines),
  });

  /** Source-level commands the DWARF helper adds (list, ptype, info locals, display...). */
  private readonly source = new SourceLevel({
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    program: () => this.debug?.program,
    fileElf: () => this.fileElf,
    fileDebug: () => this.debug?.fileDebug,
    registers: () => this.regs(),
    readMemory: (a, l) => this.readMemory(a, l),
    writeMemory: (a, d) => this.writeMemory(a, d),
    writeRegister: async (name, value) => {
      await this.live().setRegisters({ [name]: value } as Partial<Registers>);
      this.registers.invalidate();
    },
    fpState: () => this.fpState(),
    writeFpRegister: (name, bytes) => this.writeFpRegister(name, bytes),
    out: (text) => this.out(text),
    warn: (text) => this.store.write('stderr', `warning: ${text}\n`),
    confirm: (q) => this.confirm(q),
    sourceLine: (path, file, line) => this.sourceText.line(path, file, line),
    selectedFrame: () => this.store.state.selectedFrame,
    inlineSkip: (pc) => this.debug?.inlineSkipAt(pc) ?? 0,
    selectFrame: (n) => this.store.update({ selectedFrame: n }),
    snapshotAt: (op, start, length) => this.snapConsole.at(op, start, length),
    convenience: this.convenience,
    fromTty: () => this.fromTty,
    setNextAddress: (addr) => {
      this.examiner.setNextAddress(addr);
    },
  });

  /** The console's own commands (src/console): define, if/while, source, shell, pipe, history, complete. */
  readonly console = new ConsoleCommands({
    run: (line, fromTty) => (this.collecting ? Promise.resolve(this.collectCommand(line).quit) : line.trim() ? this.runLineAs(line, fromTty) : Promise.resolve(undefined)),
    fromTty: () => this.fromTty,
    interactive: () => this.interactive,
    out: (text) => this.out(text),
    write: (text) => this.store.write('stdout', text),
    err: (text) => this.store.write('stderr', text),
    confirm: (q) => this.confirm(q),
    truth: async (e) => (await this.evaluate(e)).value !== 0n,
    integer: async (e) => (await this.evaluate(e)).value,
    capture: async (line) => { const c = await captureStdout(this.store, () => this.runLineAs(line, this.fromTty)); return { text: c.text, quit: c.result }; },
    symbolNames: async () => expressionNames(await this.source.completionNames()),
    locationNames: async () => this.source.completionNames(),
    fieldsOf: async (e) => memberNames(await this.source.expressionType(e)),
    checkpointNames: () => this.store.state.checkpoints.map((c) => c.name).filter((n): n is string => !!n),
    snapshotNames: () => this.store.state.snapshots.filter((s) => !s.owner).map((s) => `0x${s.start.toString(16)}`),
  });

  constructor(opts: SessionOptions) {
    this.launcher = opts.launcher;
    this.args = opts.args ?? [];
    this.launchOpts = { ...(opts.launch ?? { aslr: false }) };
    const ask = opts.confirm ?? (async (_q: string, defaultNo?: boolean) => !defaultNo);
    // `set confirm off`: gdb answers its default without asking (utils.c defaulted_query).
    // A `question` listener (a UI, a DAP client, a test) answers before the terminal does.
    this.confirm = async (q, defaultNo) => (this.screen.confirm ? this.store.ask(q, defaultNo ?? false, ask) : !defaultNo);
    this.screen = defaultScreen(opts.screen?.width, opts.screen?.height);
    this.color = opts.color ?? false;
    this.interactive = opts.interactive ?? false;
    if (opts.exePath) this.loadFile(opts.exePath);
    this.store.on('stop', () => this.kstats.onStop(this.target?.pid));
  }

  // ---- operations and published state ----------------------------------------------------

  /** Console text (stdout) is left out while > 0: a structured operation's caller renders it. */
  private quiet = 0;

  /** The primitives for src/debugger/debugger.ts. */
  core(): SessionCore {
    return {
      command: (c) => this.run(c),
      quietly: async (fn) => {
        this.quiet++;
        try {
          return await fn();
        } finally {
          this.quiet--;
        }
      },
      load: (program, args, cwd, env) => {
        this.loadFile(program);
        this.args = args;
        if (cwd !== undefined) this.launchOpts.cwd = cwd;
        if (env !== undefined) this.launchOpts.env = env;
      },
      target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
      kill: async () => {
        const t = this.live();
        this.target = undefined;
        await t.kill();
        this.forgetProcess();
      },
      lastBreakpointId: () => this.nextBpId - 1,
      breakpoint: (id) => this.bp(id),
      publishBreakpoints: () => this.publishBreakpoints(),
      stack: async (max) => {
        this.withStack();
        const dwarf = this.debug?.program ? await this.debug.frameList(max) : [];
        if (dwarf.some((f) => f.fn)) {
          return Promise.all(dwarf.map(async (f, level) => ({ level, pc: f.pc, cfa: await f.cfa().catch(expected(undefined)), dwarf: f })));
        }
        return (await this.frames(max)).map((f) => ({ level: f.level, pc: f.pc, cfa: f.cfa }));
      },
      selectThread: (tid) => this.selectThread(this.live(), tid),
      withThread: (tid, fn) => this.withThread(this.live(), tid, fn),
      evaluate: (expr, level) => this.evaluateAny(expr, level),
      readMemory: (a, l) => this.readMemory(a, l),
      writeMemory: (a, d) => this.writeMemory(a, d),
      registers: async () => {
        const regs = await this.regs();
        this.publisher.publishRegisters(regs);
        return regs;
      },
      symbolize: this.symbolize,
      readCode: (a, l) => this.readUpTo(a, l),
      invalidateMemory: () => this.invalidateMemory(),
    };
  }

  /**
   * Run one operation alone (console lines and the Debugger's structured
   * calls queue here), between commandStart and commandEnd; the state of a
   * stop it caused is published when it ends.
   */
  exclusive<T>(command: string, fn: () => Promise<T>, failed?: (r: T) => string | undefined): Promise<T> {
    return this.serial.run(async () => {
      const info: CommandInfo = { seq: ++this.opSeq, command };
      this.store.emit('commandStart', info);
      const stopsBefore = this.stopCount;
      let end: CommandEnd = { ...info, ok: true };
      try {
        const r = await fn();
        const error = failed?.(r);
        if (error !== undefined) end = { ...info, ok: false, error };
        return r;
      } catch (e) {
        end = { ...info, ok: false, error: errorMessage(e) };
        throw e;
      } finally {
        await this.publisher.afterOperation(stopsBefore !== this.stopCount);
        this.store.emit('commandEnd', end);
      }
    });
  }

  /** The breakpoint records changed: publish new frozen copies. */
  private publishBreakpoints(): void {
    this.store.update({ breakpoints: this.bps.map((b) => breakpointInfo(b, (pc) => this.place(pc))) });
  }

  private setBreakpoints(list: Breakpoint[]): void {
    this.bps = list;
    this.publishBreakpoints();
  }

  /** Function, file and line of an address, from DWARF where it has any, else the symbols. */
  place(pc: bigint): Place {
    const image = this.image ?? this.lastImage;
    const sym = image ? image.symbolAt(pc) : this.fileSymbols?.symbolAt(pc);
    const line = this.debug?.program ? this.debug.lineForAddress(pc) : this.debug?.fileDebug?.lineForAddress(pc);
    const fn = this.debug?.lineAt(pc)?.fn ?? sym?.name;
    const m = this.image?.moduleAt(pc);
    const module = m && m !== this.image!.exe && m.path.startsWith('/') ? m.path : undefined;
    if (!fn && !line) return NOWHERE;
    return { function: fn, file: line?.file, path: line?.path, line: line?.line, ...(module ? { module } : {}) };
  }

  /** A front end's own console commands (`tui`, `layout`...): true when it took the line. */
  frontEnd: ((line: string) => Promise<boolean>) | undefined;

  get currentTarget(): Target | undefined { return this.target; }
  /** Between `commands` and `end` (the prompt is `>` then). */
  get collectingCommands(): boolean { return this.collecting !== undefined || this.console.collecting; }

  // ---- output ----------------------------------------------------------------------

  /** Debugger output; the line saying a source file is missing goes to stderr, as gdb prints it (print_sys_errmsg). */
  private out(text: string): void {
    if (this.quiet) return;
    const lines = text.split('\n');
    const i = lines.findIndex((l) => this.sourceText.takeError(l));
    if (i < 0) {
      this.store.write('stdout', `${text}\n`);
      return;
    }
    if (i > 0) this.store.write('stdout', `${lines.slice(0, i).join('\n')}\n`);
    this.store.write('stderr', `${lines[i]}\n`);
    if (i < lines.length - 1) this.store.write('stdout', `${lines.slice(i + 1).join('\n')}\n`);
  }
  private outLines(lines: string[]): void { if (lines.length && !this.quiet) this.store.write('stdout', `${lines.join('\n')}\n`); }

  // ---- entry point ---------------------------------------------------------------------

  /**
   * Run one command line. `fromTty`: gdb's from_tty, whether a person gave
   * the command (typed, piped on stdin, -ex without --batch) rather than a
   * script (-ex with --batch, -x files, breakpoint command lists). gdb
   * leaves out its running commentary (Starting program, Continuing.,
   * Run till exit from, Attaching/Detaching) for scripts.
   */
  execute(line: string, fromTty = true, sourcedAt?: string): Promise<CommandResult> {
    return this.exclusive(line, () => this.executeNow(line, fromTty, sourcedAt), (r) => (r.ok ? undefined : r.error));
  }

  /** execute() inside an operation already running (SourceLevel's commands that run others). */
  private async executeNow(line: string, fromTty = true, sourcedAt?: string): Promise<CommandResult> {
    if (this.collecting) return this.collectCommand(line);
    this.sourcedAt = sourcedAt;
    let r: CommandResult;
    if (this.commandDepth === 0) this.quitRequested = false;
    this.commandDepth++;
    try {
      r = await this.executeOne(line, fromTty);
    } finally {
      this.sourcedAt = undefined;
      this.commandDepth--;
    }
    if (!this.runningActions) await this.runBreakpointActions();
    return r;
  }

  /** "FILE:LINE" of a command read from a command file (-x): its error says where, as gdb's does. */
  private sourcedAt: string | undefined;

  /** The from_tty of the command running now (see execute). */
  private fromTty = true;

  /** A line gdb prints only for commands a person gave (see execute). */
  private chatter(text: string): void {
    if (this.fromTty) this.out(text);
  }

  /** Lines after `commands N`, up to `end`, become the breakpoints' command list. */
  private collectCommand(line: string): CommandResult {
    const c = this.collecting!;
    if (line.trim() === 'end') {
      for (const b of c.targets) b.commands = c.lines;
      this.collecting = undefined;
      this.publishBreakpoints();
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
  private async runBreakpointActions(): Promise<void> {
    this.runningActions = true;
    try {
      while (this.pendingActions.length) {
        const lines = this.pendingActions;
        this.pendingActions = [];
        for (const l of lines) {
          if (l === 'silent') continue;
          const stopsBefore = this.stopCount;
          const r = await this.executeOne(l, false);
          if (r.quit !== undefined || this.stopCount !== stopsBefore) break;
        }
      }
    } finally {
      this.runningActions = false;
    }
  }

  private async executeOne(line: string, fromTty: boolean): Promise<CommandResult> {
    const outer = this.fromTty;
    this.fromTty = fromTty;
    try {
      return await this.executeText(line);
    } finally {
      this.fromTty = outer;
    }
  }

  private async executeText(line: string): Promise<CommandResult> {
    try {
      const quit = await this.runLine(line);
      return quit === undefined ? { ok: true } : { ok: true, quit };
    } catch (e) {
      const msg = errorMessage(e);
      this.store.write('stderr', `${this.sourcedAt ? `${this.sourcedAt}: Error in sourced command file:\n` : ''}${msg}\n`);
      if (process.env.TSDBG_DEBUG && !isUserError(e)) console.error(e);
      return { ok: false, error: msg };
    }
  }

  /** One command line, its error thrown (the console's scripts run lines this way); the quit code if it quit. */
  private async runLine(line: string): Promise<number | undefined> {
    if (this.console.collecting) return this.console.collect(line);
    let text = line;
    if (!text.trim()) {
      if (!this.lastRepeat) return undefined;
      text = this.lastRepeat;
    }
    if (await this.frontEnd?.(text)) { this.lastRepeat = undefined; return undefined; }   // the front end's own commands (src/ui/commands.ts)
    const mine = await this.console.execute(text);
    if (mine) {
      this.lastRepeat = undefined;
      return mine.quit;
    }
    const parsed = parseLine(text);
    if (parsed.command.kind === 'nop') return undefined;
    this.lastRepeat = parsed.repeats ? text : undefined;
    return this.run(parsed.command);
  }

  private async runLineAs(line: string, fromTty: boolean): Promise<number | undefined> {
    const outer = this.fromTty;
    this.fromTty = fromTty;
    try {
      return await this.runLine(line);
    } finally {
      this.fromTty = outer;
    }
  }

  /**
   * Text (or bytes) for the program's standard input: its terminal (a local
   * program's pty). Not queued: it is for a program that is running.
   */
  get takesInput(): boolean {
    return terminalOf(this.target) !== undefined;
  }

  async sendInput(data: string | Buffer): Promise<void> {
    const t = this.target;
    if (!t || t.state === 'exited') throw new CommandError('The program is not being run.');
    const terminal = terminalOf(t);
    if (!terminal) throw new TargetError('ENOTSUP', 'this target takes no input from tsdbg');
    await terminal.write(data);
  }

  /** Commands executing now (breakpoint commands nest), and a Ctrl-C that came while one computes. */
  private commandDepth = 0;
  private quitRequested = false;

  /**
   * Ctrl-C: stop a running program (the pending command reports the stop), or quit a command that is
   * computing or printing (gdb's QUIT: the command ends with `Quit`). False when there was nothing to stop.
   */
  interrupt(): boolean {
    this.softWatch.interrupt();
    if (this.target?.state === 'running') { this.target.interrupt(); return true; }
    if (this.commandDepth === 0) return false;
    this.quitRequested = true;
    return true;
  }

  /** gdb's QUIT in a long loop: let a pending Ctrl-C in (a turn of the event loop), and end the command if one came. */
  private async checkQuit(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!this.quitRequested) return;
    this.quitRequested = false;
    throw new CommandError('Quit');
  }

  /** Leave no tracee behind: kill what we started, detach what we attached. */
  async shutdown(): Promise<void> {
    const t = this.target;
    if (!t) return;
    this.target = undefined;
    try {
      if (t.state !== 'exited') {
        if (this.origin === 'attached') await t.detach();
        else await t.kill();
      }
    } catch {
      // a detach or kill that failed: kill it rather than leave it (a kill that fails again finds it gone)
      await t.kill().catch(() => undefined);
    }
    this.forgetProcess();
  }

  // ---- dispatch --------------------------------------------------------------------------

  private async run(c: Command): Promise<number | undefined> {
    switch (c.kind) {
      case 'nop': return undefined;
      case 'run': await this.cmdRun(c.args, c.stopAt); return undefined;
      case 'break': await this.cmdBreak(c.location, c.temporary, c.condition); return undefined;
      case 'watch': await this.cmdWatch(c.expr, c.access); return undefined;
      case 'catch-syscall': this.cmdCatchSyscall(c.args, c.temporary); return undefined;
      case 'delete': await this.cmdDelete(c.ids); return undefined;
      case 'clear': await this.cmdClear(c.location); return undefined;
      case 'list': this.source.listCommand(c.arg); return undefined;
      case 'ptype': await this.source.ptype(c.expr, c.whatis, c.offsets); return undefined;
      case 'display': await this.source.displayCommand(c.expr, c.fmt); return undefined;
      case 'undisplay': await this.source.undisplayCommand(c.arg, c.viaDelete); return undefined;
      case 'enable': await this.cmdEnable(c.ids, c.enable, c.once); return undefined;
      case 'condition': this.setCondition(this.bp(c.id), c.expr); this.publishBreakpoints(); return undefined;
      case 'ignore': this.cmdIgnore(c.id, c.count); return undefined;
      case 'commands': this.cmdCommands(c.ids); return undefined;
      case 'continue': await this.cmdContinue(c.count); return undefined;
      case 'stepi': await this.cmdStepi(c.count, c.over); return undefined;
      case 'step': await this.cmdStep(c.count, c.over); return undefined;
      case 'finish': await this.cmdFinish(); return undefined;
      case 'until': await this.cmdUntil(c.location, c.advance); return undefined;
      case 'print': await this.cmdPrint(c.expr, c.fmt, c.style); return undefined;
      case 'x': await this.examiner.examine(c.expr, c.count, c.fmt, c.unit); return undefined;
      case 'set-expr': await this.evaluateAny(c.expr); this.registers.invalidate(); return undefined;
      case 'setting':
        if (await this.source.printCommand('set', `${c.name} ${c.value}`)) return undefined;
        if (c.name === 'can-use-hw-watchpoints') this.canUseHw = await canUseHwValue(c.value, (e) => this.evaluate(e));
        else if (!(await setScreen(this.screen, c.name, c.value, (e) => this.evaluate(e)))) this.cmdSetting(c.name, c.value);
        return undefined;
      case 'show':
        if (await this.source.printCommand('show', c.name)) return undefined;
        this.out(showWatchSetting(c.name, this.canUseHw) ?? showScreen(this.screen, c.name) ?? showPending(c.name, this.breakpointPending) ?? this.snapConsole.showMethod(c.name) ?? `${c.name}: not a setting tsdbg keeps.`); return undefined;
      case 'disassemble': await this.cmdDisassemble(c.expr, c.raw); return undefined;
      case 'backtrace': await this.cmdBacktrace(c.limit); return undefined;
      case 'frame': await this.cmdFrame(c.index, c.relative, c.text); return undefined;
      case 'info': await this.cmdInfo(c.what, c.arg); return undefined;
      case 'thread': await this.threads.thread(c.id); return undefined;
      case 'handle': this.cmdHandle(c.signal, c.actions); return undefined;
      case 'signal': await this.cmdSignal(c.signal); return undefined;
      case 'kill': await this.cmdKill(); return undefined;
      case 'detach': await this.cmdDetach(); return undefined;
      case 'monitor': await this.cmdMonitor(c.text); return undefined;
      case 'attach': await this.cmdAttach(c.pid); return undefined;
      case 'quit': await this.cmdQuit(); return c.code ? Number(c.code) || 0 : 0;
      case 'help': this.outLines(helpText(c.topic)); return undefined;
      case 'echo': this.store.write('stdout', unescapeEcho(c.text)); return undefined;
      case 'snapshot': await this.cmdSnapshot(c.cmd); return undefined;
      case 'snapshots': await this.snapConsole.list(() => this.store.state.snapshots); return undefined;
      case 'restore': {
        const obj = await this.source.snapshotObject(c.addr, false);
        await (obj ? this.snapConsole.at('restore', obj.address) : this.snapConsole.restore(c.addr));
        return undefined;
      }
      case 'checkpoint': await this.snapConsole.checkpoint(c.name); this.effects.mark(this.snaps.list().at(-1)!.name); return undefined;
      case 'checkpoint-delete': await this.snapConsole.deleteCheckpoint(c.name); this.effects.forget(c.name); return undefined;
      case 'checkpoints': this.snapConsole.checkpoints(); return undefined;
      case 'rewind': await this.cmdRewind(c.name, c.force); return undefined;
    }
  }

  // ---- program file and symbols -------------------------------------------------------------

  private loadFile(path: string): void {
    const abs = resolvePath(path);
    this.exePath = abs;
    this.lastImage = undefined;
    try {
      this.fileElf = ElfFile.load(abs);
      this.fileSymbols = new SymbolTable(this.fileElf, 0n);
      this.debug = DebugBridge.forFile(this.fileElf, this.bridgeIo());
    } catch (e) {
      const why = (e as Error).message.replace(/^.*?: /, '');
      throw new CommandError(/^not a|ELF/.test(why)
        ? `"${abs}": not in executable format: file format not recognized`
        : `${path}: ${why}.`);
    }
  }

  private readonly symbolize: Symbolizer = (addr) => {
    // after an exit, at that run's addresses (gdb keeps the relocation)
    const image = this.image ?? this.lastImage;
    const loc = image ? image.symbolAt(addr) : this.fileSymbols?.symbolAt(addr);
    const program = this.debug?.program;
    return loc ? formatSymbolic(program ? { ...loc, name: program.symbolicName(loc) } : loc) : undefined;
  };

  private symbolByName(name: string): ElfSymbol | undefined {
    return this.image ? this.image.symbolByName(name)?.symbol : this.fileSymbols?.symbolByName(name);
  }

  private functionStart(pc: bigint): bigint | undefined {
    const loc = this.image ? this.image.symbolAt(pc) : this.fileSymbols?.symbolAt(pc);
    return loc && loc.symbol.kind === 'function' ? loc.symbol.address : undefined;
  }

  /** `in tick ()` part of a frame line. */
  private funcName(pc: bigint): string {
    const loc = this.image ? this.image.symbolAt(pc) : this.fileSymbols?.symbolAt(pc);
    return loc ? loc.name : '??';
  }

  // ---- memory and registers (errors in gdb's words) --------------------------------------------

  private live(): Target {
    const t = this.target;
    if (!t || t.state === 'exited') throw new CommandError('The program is not being run.');
    return t;
  }

  /** The live target for the stack commands (bt, frame, up, down, info frame): gdb says "No stack." */
  private withStack(): Target {
    const t = this.target;
    if (!t || t.state === 'exited') throw new CommandError('No stack.');
    return t;
  }

  /**
   * Without a process, read the executable file's loaded sections like gdb
   * does: at the last run's addresses once it ran (gdb keeps the relocation).
   */
  /** The program's memory (src/debugger/memory.ts): the process's, or the file's without one. */
  private readonly memory = new ProcessMemory({
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    fileElf: () => this.fileElf,
    bias: () => this.lastImage?.exe.bias ?? 0n,
  });

  readMemory(addr: bigint, len: number): Promise<Buffer> {
    return this.memory.read(addr, len);
  }

  private invalidateMemory(): void {
    this.memory.invalidate();
    this.registers.invalidate();
  }

  private readUpTo(addr: bigint, len: number): Promise<Buffer> {
    return this.memory.readUpTo(addr, len);
  }

  private writeMemory(addr: bigint, data: Buffer): Promise<void> {
    return this.memory.write(addr, data);
  }

  /** The selected thread's registers (src/debugger/registers.ts). */
  private readonly registers = new RegisterFile({
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    readMemory: (a, l) => this.readMemory(a, l),
  });

  private regs(): Promise<Registers> {
    return this.registers.general();
  }

  private fpState(): Promise<Buffer | undefined> {
    return this.registers.fpState();
  }

  private writeFpRegister(name: string, bytes: Buffer): Promise<void> {
    return this.registers.writeFp(this.live(), name, bytes);
  }

  /** Registers as the selected frame sees them, and those its CFI says are not saved. */
  private frameRegs(): Promise<{ regs: Registers; notSaved: Set<string> }> {
    return this.registers.ofFrame(this.store.state.selectedFrame, this.debug?.program);
  }

  /** The selected frame's pc (gdb's $pc), or undefined without a process. */
  private async framePc(): Promise<bigint | undefined> {
    if (!this.target || this.target.state === 'exited') return undefined;
    return (await this.frameRegs()).regs.rip;
  }

  private evalContext(): EvalContext {
    return {
      readRegister: async (name) => {
        const { regs, notSaved } = await this.frameRegs();
        if (notSaved.has(name)) throw new EvalError(`value is not available`);
        return (regs as Record<string, bigint>)[name];
      },
      writeRegister: async (name, value) => {
        const t = this.live();
        if (this.store.state.selectedFrame !== 0) throw new CommandError('tsdbg changes registers in frame 0 only (select it with "frame 0").');
        await t.setRegisters({ [name]: value } as Partial<Registers>);
        this.registers.invalidate();
      },
      lookupSymbol: async (name): Promise<SymbolValue | undefined> => {
        const s = this.symbolByName(name);
        return s ? { address: s.address, kind: s.kind === 'function' ? 'func' : 'data' } : undefined;
      },
      readMemory: (a, l) => this.readMemory(a, l),
      writeMemory: (a, d) => this.writeMemory(a, d),
      historyValue: (ref) => this.historyValue(ref),
      convenience: async (name) => {
        const v = this.convenience.get(name);
        return v && DebugBridge.toMine(v);
      },
      setConvenience: (name, v) => this.convenience.setMine(name, v),
    };
  }

  private async historyValue(ref: { absolute?: number; back?: number }): Promise<Value> {
    const at = historyIndex(this.history.length, ref.absolute, ref.back);
    if (typeof at === 'string') throw new EvalError(at);
    return DebugBridge.toMine(this.history[at - 1]!);
  }

  private bridgeIo() {
    return {
      readMemory: (a: bigint, l: number) => this.readMemory(a, l),
      writeMemory: (a: bigint, d: Buffer) => this.writeMemory(a, d),
      regs: () => this.regs(),
      fpState: () => this.fpState(),
      writeFpRegister: (name: string, bytes: Buffer) => this.writeFpRegister(name, bytes),
      history: () => this.history,
      builtin: (expr: string) => this.evaluator(expr, this.evalContext()),
      sourceLine: (path: string, file: string, line: number) => this.sourceText.line(path, file, line),
      convenience: this.convenience,
      warn: (m: string) => this.store.write('stderr', `warning: ${m}\n`),
      error: (line: string) => this.store.write('stderr', `${line}\n`),
      sourceFile: () => this.source.defaultSourcePath(),
    };
  }

  /** One expression, by the DWARF evaluator when the program has debug info, else the built-in one. */
  private async evaluateAny(expr: string, level = this.store.state.selectedFrame): Promise<AnyValue> {
    if (FP_REGISTER_EXPR.test(expr) && (!this.target || this.target.state === 'exited')) throw new EvalError('No registers.');
    if (this.debug?.program || this.debug?.hasDwarf) return this.debug.evaluate(expr, level);
    return { mine: await this.evaluator(expr, this.evalContext()) };
  }

  /** The built-in evaluator's view of a value (scalar + C type), converting DWARF values. */
  async evaluate(expr: string): Promise<Value> {
    return DebugBridge.toMine(await this.evaluateAny(expr));
  }

  private async evalAddress(expr: string): Promise<bigint> {
    const v = await this.evaluateAny(expr);
    return v.mine ? addressOf(v.mine) : DebugBridge.addressOf(v);
  }

  // ---- process lifecycle ---------------------------------------------------------------------

  private async cmdRun(args: string[] | undefined, stopAt: 'main' | 'first-instruction' | undefined): Promise<void> {
    if (!this.exePath) throw new CommandError('No executable file specified.\nUse the "file" or "exec-file" command.');
    if (this.target && this.target.state !== 'exited') {
      const q = 'The program being debugged has been started already.\nStart it from the beginning? (y or n)';
      if (!(await this.confirm(q))) throw new CommandError('Program not restarted.');
      await this.shutdown();
    }
    if (args) this.args = args;
    // gdb sets start's breakpoint first (pending on the file's address, like any break before run)
    if (stopAt === 'main') await this.cmdBreak('main', true, undefined);
    this.chatter(`Starting program: ${this.exePath} ${this.args.join(' ')}`); // gdb's trailing blank without args
    const t = await this.launcher.spawn(this.exePath, this.args, this.launchOpts);
    await this.adopt(t, 'spawned');
    if (stopAt === 'first-instruction') {
      await this.image!.refresh();
      await this.insertUserBreakpoints();
      await this.armSolibEvents();
      this.publisher.detail = { reason: 'entry', breakpoints: [], watch: [] };
      this.out(`\nProgram stopped.\n${await this.frameLine((await this.regs()).rip, true)}`);
      return;
    }
    if (!(await this.runToEntry())) return;
    if (await this.stopAtEntryBreakpoint()) return;
    await this.resumeAndReport({ kind: 'cont' });
  }

  /**
   * The program stands at its entry point, where a resume would step over a
   * breakpoint: one there (`break *_start`) is hit by this run, as in gdb.
   */
  private async stopAtEntryBreakpoint(): Promise<boolean> {
    const t = this.live();
    const pc = (await this.regs()).rip;
    if (!this.bps.some((b) => b.type === 'breakpoint' && b.enabled && this.locationsOf(b).includes(pc))) return false;
    const ev: StopEvent = { pid: t.pid, tid: t.pid, reason: { kind: 'breakpoint', pc } };
    const outcome = await this.classify(ev, []);
    if (outcome !== 'stopped') return false;
    await this.reportStop(ev, outcome);
    return true;
  }

  private async adopt(t: Target, origin: 'spawned' | 'attached'): Promise<void> {
    this.target = t;
    this.origin = origin;
    this.invalidateMemory();
    this.pendingSignal = undefined;
    t.on('output', this.onOutput);
    this.threadTable = new ThreadTable(t.pid, (tid, pointer) => t.threadTargetId(tid, pointer));
    const threads = await t.threads().catch(expected([]));
    this.threadTable.learn(threads);
    this.threadTable.lastShown = t.selectedThread;
    // gdb names the threads a process it attaches to already has
    for (const th of threads) if (th.tid !== t.pid) this.out(`[New ${this.threadTable.targetId(th.tid, th.threadPointer)}]`);
    t.on('thread', this.onThread);
    this.solibs = new SharedLibraries(origin === 'spawned' ? this.fileElf?.interpreter : undefined);
    if (t.exePath || this.fileElf) {
      this.debug = await DebugBridge.forTarget(t, this.fileElf, this.bridgeIo());
      this.image = this.debug.image;
    } else {
      // a stub that cannot say what it runs (QEMU's gdbstub): addresses only, as gdb
      this.debug = undefined;
      this.image = undefined;
      this.out('warning: No executable has been specified and target does not support\n'
        + 'determining executable automatically.  Try using the "file" command.');
    }
    const engine = this.snaps.adopt(t);
    if (engine) this.out(`Snapshot engine: ${engineLabel(engine)}`);
    this.publishTarget();
  }

  private publishTarget(): void {
    const t = this.target;
    this.store.update({
      process: t ? {
        pid: t.pid, state: t.state, exePath: t.exePath, kind: t.kind, origin: this.origin,
        engine: t.capabilities.snapshots?.name,
      } : undefined,
    });
  }

  /**
   * Run from the exec stop to the program's entry point: by then ld.so has
   * mapped the libraries, so breakpoints on library functions resolve too.
   */
  private async runToEntry(): Promise<boolean> {
    const t = this.live();
    const entry = (await t.auxv()).find(([k]) => k === AT_ENTRY)?.[1];
    // A static executable starts right at its entry: nothing to run to.
    if (entry !== undefined && entry !== (await this.regs()).rip) {
      await this.insertAt(entry);
      let ev: StopEvent;
      try {
        ev = await t.cont();
      } finally {
        if (t.state !== 'exited') await this.removeAt(entry);
      }
      this.invalidateMemory();
      if (ev.reason.kind !== 'breakpoint' || ev.reason.pc !== entry) {
        await this.reportStop(ev, await this.classify(ev, []));
        return false;
      }
    }
    await this.image!.refresh();
    await this.insertUserBreakpoints();
    await this.armSolibEvents();
    return true;
  }

  /**
   * gdb's solib event breakpoint: the dynamic linker calls _dl_debug_state
   * (r_debug.r_brk) before and after every change to the list of loaded
   * objects, so a stop there is when a dlopen'ed library appears and
   * pending breakpoints can resolve. Internal: never reported.
   */
  private async armSolibEvents(): Promise<void> {
    const hook = SOLIB_EVENT_NAMES.map((n) => this.image?.symbolByName(n)?.symbol).find((x) => x?.kind === 'function');
    if (!hook || this.solibEvent === hook.address) return;
    try {
      await this.insertAt(hook.address);
      this.solibEvent = hook.address;
    } catch (e) {
      expected(undefined)(e);   // no dynamic linker breakpoint: pending breakpoints resolve only at the next run
    }
  }

  /**
   * A library came or went: resolve what is pending, and move what stands
   * on a PLT stub to the function the library defines (gdb's breakpoint_re_set).
   */
  private async onSolibEvent(): Promise<void> {
    await this.image?.refresh();
    let changed = false;
    for (const b of this.bps) {
      if (b.type !== 'breakpoint' || (b.address !== undefined && !this.onPltStub(b))) continue;
      const before = b.address;
      try {
        this.setLocations(b, await this.resolveLocations(b.spec));
      } catch (e) {
        if (isUserError(e)) continue;   // still nowhere to be found: it stays pending
        throw e;
      }
      if (b.address === before) continue;
      if (before !== undefined && b.inserted) {
        await this.removeAt(before).catch(expected(undefined));
        b.inserted = false;
      }
      changed = true;
      if (!b.enabled) continue;
      try {
        await this.insertBp(b);
        b.inserted = true;
      } catch (e) {
        if (!isUserError(e)) throw e;
        this.warnInsert(b);   // gdb's warning: the breakpoint stays, uninserted
      }
    }
    if (changed) this.publishBreakpoints();
  }

  private async insertUserBreakpoints(): Promise<void> {
    for (const b of this.bps) {
      b.inserted = false;
      if (b.type !== 'breakpoint') {
        if (b.enabled && b.address !== undefined && b.watch) await this.armWatch(b).catch((e) => { if (!isUserError(e)) throw e; this.warnInsert(b); });
        continue;
      }
      if (!b.spec.startsWith('*')) {
        // A library function not loaded (yet) in this run: pending again, like gdb.
        try { this.setLocations(b, await this.resolveLocations(b.spec)); } catch (e) { this.setLocations(b, expected([])(e)); }
      } else {
        // gdb re-evaluates `*EXPR` for each process: `*_start` typed before
        // `run` named the file address, and a PIE moves it. A bare number
        // evaluates to itself; an expression that cannot be evaluated now
        // keeps its last address.
        try { b.address = await this.resolveLocation(b.spec); } catch (e) { expected(undefined)(e); /* keep b.address */ }
      }
      if (b.enabled && b.address !== undefined) {
        try {
          await this.insertBp(b);
          b.inserted = true;
        } catch (e) {
          if (!isUserError(e)) throw e;
          this.warnInsert(b);   // gdb's warning: the breakpoint stays, uninserted
        }
      }
    }
    this.publishBreakpoints();
  }

  private warnInsert(b: Breakpoint): void {
    this.store.write('stderr', `Warning:\nCannot insert breakpoint ${b.id}.\nCannot access memory at address ${hex(b.address ?? 0n)}\n\n`);
  }

  /** gdb asks before ending a live program, at a terminal only (batch mode and EOF never ask). */
  private async cmdQuit(): Promise<void> {
    const t = this.target;
    if (t && t.state !== 'exited') {
      // gdb asks in every mode; without a terminal the question is answered yes, visibly
      const fate = this.origin === 'attached' ? 'detached' : 'killed';
      const q = `A debugging session is active.\n\n\tInferior 1 [process ${t.pid}] will be ${fate}.\n\nQuit anyway? (y or n)`;
      if (!(await this.confirm(q))) throw new CommandError('Not confirmed.');
      if (this.origin === 'attached') await this.cmdDetach();
    }
    await this.shutdown();
  }

  private async cmdKill(): Promise<void> {
    const t = this.live();
    if (!(await this.confirm('Kill the program being debugged? (y or n)'))) throw new CommandError('Not confirmed.');
    const pid = t.pid;
    this.target = undefined;
    await new Promise((r) => setImmediate(r));
    await t.kill();
    this.forgetProcess();
    this.out(`[Inferior 1 (process ${pid}) killed]`);
  }

  private async cmdDetach(): Promise<void> {
    const t = this.live();
    this.chatter(`Detaching from program: ${t.exePath}, process ${t.pid}`);
    await this.snaps.release(t);
    this.target = undefined;
    await t.detach();
    this.forgetProcess();
    this.out(`[Inferior 1 (process ${t.pid}) detached]`);
  }

  /** gdb's `monitor`: the stub's own command, its output as it printed it. */
  private async cmdMonitor(text: string): Promise<void> {
    const t = this.target;
    if (!t || t.state === 'exited') throw new CommandError('"monitor" command not supported by this target.');
    const out = await monitorOf(t)(text);
    if (out) this.out(out.replace(/\r?\n$/, '').replace(/\r\n/g, '\n'));
  }

  private async cmdAttach(pid: number): Promise<void> {
    const busy = this.target && this.target.state !== 'exited';
    if (busy && !(await this.confirm('A program is being debugged already.  Kill it? (y or n)'))) throw new CommandError('Not killed.');
    this.chatter(`Attaching to process ${pid}`);
    // Attach first: a pid that cannot be attached to leaves the current program alone.
    const t = await this.launcher.attach(pid, this.launchOpts);
    if (busy) await this.shutdown();
    if (!this.exePath || this.exePath !== t.exePath) this.loadFile(t.exePath);
    await this.takeOver(t, 'attached');
  }

  /**
   * Debug a stopped process that is already under control: an attach, or
   * the process behind a remote stub (tsdbg connect). `origin` decides what
   * quit and shutdown do to it: 'spawned' kills, 'attached' detaches.
   */
  async takeOver(t: Target, origin: 'spawned' | 'attached'): Promise<void> {
    await this.adopt(t, origin);
    await this.insertUserBreakpoints();
    await this.armSolibEvents();
    const regs = await this.regs();
    this.publisher.detail = { reason: 'interrupted', breakpoints: [], watch: [] };
    this.out(await this.frameLine(regs.rip, false));
  }

  /** The process is gone: drop everything that belonged to it. */
  private forgetProcess(): void {
    this.target?.off('output', this.onOutput);
    this.target?.off('thread', this.onThread);
    this.threadTable = undefined;
    this.target = undefined;
    this.lastImage = this.image;
    this.image = undefined;
    this.solibEvent = undefined;
    this.inserted.clear();
    this.softWatch.reset();
    this.invalidateMemory();
    this.pendingSignal = undefined;
    this.snaps.forget();
    this.effects.forget();
    this.publisher.forget();
    for (const b of this.bps) b.inserted = false;
    this.store.update({ snapshots: [], checkpoints: [] });
    this.store.update({ selectedFrame: 0 });
    this.publishTarget();
  }

  // ---- breakpoints ----------------------------------------------------------------------------

  private async insertAt(addr: bigint): Promise<void> {
    const n = this.inserted.get(addr) ?? 0;
    if (n === 0) await this.live().insertBreakpoint(addr);
    this.inserted.set(addr, n + 1);
  }

  private async removeAt(addr: bigint): Promise<void> {
    const n = this.inserted.get(addr) ?? 0;
    if (n <= 1) {
      this.inserted.delete(addr);
      if (n === 1 && this.target && this.target.state !== 'exited') await this.target.removeBreakpoint(addr);
    } else {
      this.inserted.set(addr, n - 1);
    }
  }

  /** gdb's prologue skip without line info: past endbr64, push %rbp, mov %rsp,%rbp. */
  private async skipPrologue(start: bigint): Promise<bigint> {
    let code: Buffer;
    try {
      code = await this.readMemory(start, 8);
    } catch (e) {
      return expected(start)(e);   // unreadable code: no prologue to skip
    }
    let off = 0;
    if (code.subarray(0, 4).equals(Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]))) off += 4;
    if (code[off] === 0x55 && code.subarray(off + 1, off + 4).equals(Buffer.from([0x48, 0x89, 0xe5]))) off += 4;
    return start + BigInt(off);
  }

  private async resolveLocation(spec: string): Promise<bigint> {
    if (spec.startsWith('*')) return this.evalAddress(spec.slice(1));
    const fileLine = FILE_LINE.exec(spec);
    if (fileLine) return (await this.lineLocations(fileLine[1], gdbLineNumber(fileLine[2]!)))[0]!;
    const viaDwarf = this.debug?.functionBreakpoint(spec);
    if (viaDwarf !== undefined) return viaDwarf;
    const sym = this.symbolByName(spec);
    if (!sym || sym.kind !== 'function') {
      if (sym) return sym.address;
      // gdb: a library function the program calls has its PLT stub until the library defines it
      const plt = this.symbolByName(`${spec}@plt`);
      if (plt) return plt.address;
      throw new CommandError(`Function "${spec}" not defined.`);
    }
    return this.skipPrologue(sym.address);
  }

  /** A breakpoint that stands on a PLT stub: the library that defines the function may load. */
  private onPltStub(b: Breakpoint): boolean {
    if (b.address === undefined || b.spec.startsWith('*')) return false;
    const loc = this.image ? this.image.symbolAt(b.address) : this.fileSymbols?.symbolAt(b.address);
    return loc?.offset === 0n && loc.name === `${b.spec}@plt`;
  }

  /**
   * Every location of a breakpoint spec: for a function also inlined, the
   * out-of-line copy and each inlined call (gdb's "(N locations)"); else one.
   */
  private async resolveLocations(spec: string): Promise<bigint[]> {
    const fileLine = FILE_LINE.exec(spec);
    // a line in a function that was also inlined: one location per block, as gdb
    if (fileLine) return this.lineLocations(fileLine[1], gdbLineNumber(fileLine[2]!));
    if (!spec.startsWith('*') && this.debug) {
      const all = this.debug.functionBreakpoints(spec);
      if (all.length > 1 || (all.length === 1 && this.debug.functionBreakpoint(spec) === undefined)) return all;
    }
    return [await this.resolveLocation(spec)];
  }

  /** The addresses of FILE:LINE (the current file without FILE), one per block, lowest first. */
  private async lineLocations(file: string | undefined, line: number): Promise<bigint[]> {
    if (!this.debug) throw new CommandError(`No symbol table is loaded.  Use the "file" command.`);
    const pc = this.target && this.target.state !== 'exited' ? (await this.regs()).rip : undefined;
    return this.debug.addressesForLine(file, line, pc);
  }

  private setLocations(b: Breakpoint, locs: bigint[]): void {
    b.address = locs[0];
    b.more = locs.length > 1 ? locs.slice(1) : undefined;
  }

  /** Where a breakpoint is: none while pending, several for an inlined function. */
  private locationsOf(b: Breakpoint): bigint[] {
    return b.address === undefined ? [] : [b.address, ...(b.more ?? [])];
  }

  /** gdb: a condition that does not parse at some locations disables them, with a warning each; at all, an error. */
  /** `condition N [EXPR]`: checked at each location as at `break ... if` (gdb numbers them N.K here). */
  private setCondition(b: Breakpoint, expr: string | undefined): void {
    const locs = this.locationsOf(b);
    const invalid = expr && !b.watch ? this.invalidLocations(locs, expr, `${b.id}.`) : undefined;
    locs.forEach((_, i) => {
      if (b.invalid?.includes(i) && !invalid?.includes(i)) this.out(`Breakpoint ${b.id}'s condition is now valid at location ${i + 1}, enabling.`);
    });
    b.condition = expr;
    b.invalid = invalid?.length ? invalid : undefined;
  }

  private invalidLocations(locs: bigint[], condition: string, label = ''): number[] | undefined {
    const d = this.debug?.fileDebug;
    if (!d) return undefined;
    const isGlobal = (n: string) => d.globalVariables(n).length > 0 || d.functionsNamed(n).length > 0 || !!d.enumerator(n)
      || !!d.lookupType(n) || !!this.symbolByName(n) || !!this.symbolByName(`${n}@plt`);
    const program = this.debug?.program;
    const errors = conditionErrors((pc) => (program ? program.functionAt(pc)?.debug : d), locs, condition, isGlobal);
    if (locs.length && errors.every((e) => e)) throw new CommandError(errors[0]!);
    if (locs.length < 2) return undefined;
    errors.forEach((e, i) => { if (e) this.store.write('stderr', `warning: failed to validate condition at location ${label}${i + 1}, disabling:\n  ${e}\n`); });
    return errors.flatMap((e, i) => (e ? [i] : []));
  }

  /** Insert every location of b, or none (what was inserted is taken out again on a failure). */
  private async insertBp(b: Breakpoint): Promise<void> {
    const done: bigint[] = [];
    try {
      for (const a of this.locationsOf(b)) {
        await this.insertAt(a);
        done.push(a);
      }
    } catch (e) {
      for (const a of done) await this.removeAt(a).catch(expected(undefined));
      throw e;
    }
  }

  private bp(id: number): Breakpoint {
    const b = this.bps.find((x) => x.id === id);
    if (!b) throw new CommandError(`No breakpoint number ${id}.`);
    return b;
  }

  private async cmdBreak(location: string | undefined, temporary: boolean, condition: string | undefined): Promise<void> {
    let spec = location;
    if (!spec) {
      const { regs } = await this.frameRegs().catch((e) => { throw isUserError(e) ? new CommandError('No default breakpoint location now selected.') : e; });
      spec = `*${hex(regs.rip)}`;
    }
    let locs: bigint[] = [];
    this.debug?.keptLines.clear();
    try {
      locs = await this.resolveLocations(spec);
    } catch (e) {
      // a location no loaded object defines yet may wait for a library that does
      // (resolved at run and at each library load): `set breakpoint pending` decides.
      if (!isNotFound(e) || this.breakpointPending === 'off') throw e;
      this.store.write('stderr', `${e.message}\n`);
      if (!(await makePending(this.breakpointPending, this.confirm))) return;
    }
    const invalid = condition ? this.invalidLocations(locs, condition) : undefined;
    const address = locs[0];
    const b: Breakpoint = {
      id: this.nextBpId++, type: 'breakpoint', spec, address, enabled: true,
      disposition: temporary ? 'del' : 'keep', hits: 0, condition, ignoreCount: 0, inserted: false, invalid,
    };
    this.setLocations(b, locs);
    if (address !== undefined && !b.more) b.line = this.debug?.keptLines.get(address);
    this.convenience.setMine('bpnum', INT_VALUE(b.id));
    if (address === undefined) {
      this.setBreakpoints([...this.bps, b]);
      this.out(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} (${spec}) pending.`);
      return;
    }
    if (this.target && this.target.state !== 'exited') {
      await this.insertBp(b).catch((e) => { throw isUserError(e) ? new EvalError(`Cannot access memory at address ${hex(address)}`) : e; });
      b.inserted = true;
    }
    this.setBreakpoints([...this.bps, b]);
    const head = `${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} at ${hex(address)}`;
    if (b.more) {
      // gdb names a bare line number by the full path of its file
      const bare = /^\d+$/.test(spec) ? this.debug?.fileDebug?.lineForAddress(address)?.path : undefined;
      this.out(`${head}: ${bare ? `${bare}:${spec}` : spec}. (${locs.length} locations)`);
      return;
    }
    const line = this.debug?.fileDebug?.lineForAddress(address);
    this.out(`${head}${line ? `: file ${line.file}, line ${b.line ?? line.line}.` : ''}`);
  }

  private async cmdWatch(expr: string, access: WatchKind): Promise<void> {
    const any = await this.evaluateAny(expr);
    if (any.dwarf?.optimizedOut) {
      if (access === 'write') return this.watchUnreadable(expr, any);
      throw new CommandError('Expression cannot be implemented with read/access watchpoint.');
    }
    const v = await DebugBridge.toMine(any);
    if (v.type.kind === 'nodebug') throw new EvalError(`'${expr}' has unknown type; cast it to its declared type`);
    if (!v.lval || v.lval.kind !== 'mem') throw new EvalError('Cannot watch constant value `' + expr + "'.");
    const old = await snapshot(any);
    const length = any.dwarf ? old.bytes.length : sizeOf(v.type);    // the DWARF size (an __int128 is 16)
    const ranges = await watchRanges(expr, { addr: v.lval.addr, length }, (e) => this.evaluate(e));
    this.live();
    const type = access === 'write' ? 'hw watchpoint' : access === 'read' ? 'read watchpoint' : 'acc watchpoint';
    const b: Breakpoint = {
      id: this.nextBpId++, type, spec: expr, address: v.lval.addr, enabled: true, disposition: 'keep',
      hits: 0, condition: undefined, ignoreCount: 0, inserted: false, watch: { length, kind: access, old, ranges },
    };
    b.watch!.scope = await this.localScope(v.lval.addr);
    b.watch!.frame = (await this.frames().catch(expected([])))[this.store.state.selectedFrame]?.cfa;
    try {
      if (b.watch!.scope) await this.insertAt(b.watch!.scope.ret);
      await this.armWatch(b).catch(async (e: unknown) => {
        if (b.watch!.scope) await this.removeAt(b.watch!.scope.ret);
        throw e;
      });
      this.convenience.setMine('bpnum', INT_VALUE(b.id));
    } catch (e) {
      this.nextBpId--;
      throw e;
    }
    this.setBreakpoints([...this.bps, b]);
    this.out(`${watchTitle(b)} ${b.id}: ${expr}`);
  }

  /** gdb's software watchpoint on a value it cannot read (optimized out): set, and deleted at the first step. */
  private async watchUnreadable(expr: string, any: AnyValue): Promise<void> {
    this.live();
    const b: Breakpoint = {
      id: this.nextBpId++, type: 'watchpoint', spec: expr, address: undefined, enabled: true, disposition: 'keep', hits: 0,
      condition: undefined, ignoreCount: 0, inserted: true,
      watch: { length: 0, kind: 'write', soft: true, old: { bytes: Buffer.alloc(0), of: any }, ranges: [], unreadable: true },
    };
    this.convenience.setMine('bpnum', INT_VALUE(b.id));
    this.setBreakpoints([...this.bps, b]);
    this.out(`${watchTitle(b)} ${b.id}: ${expr}`);
  }

  /** Where a watch of addr stops being valid: the selected frame's return, when addr is in its stack frame. */
  private async localScope(addr: bigint): Promise<{ ret: bigint; cfa: bigint } | undefined> {
    const ret = await this.returnOf(this.store.state.selectedFrame, false).catch(expected(undefined));
    // a leaf function keeps its locals in the red zone, the 128 bytes below the stack pointer
    return ret && addr >= ret.frame.sp - 128n && addr < ret.cfa ? { ret: ret.pc, cfa: ret.cfa } : undefined;
  }

  /** A breakpoint stop at a watched local's scope exit: the watchpoint deleted and the stop reported (gdb's). */
  private async watchScopeExit(pc: bigint): Promise<boolean> {
    if (!this.bps.some((b) => b.watch?.scope?.ret === pc)) return false;
    const rsp = (await this.regs()).rsp;
    const gone = this.bps.filter((b) => b.watch?.scope?.ret === pc && rsp > b.watch.scope.cfa - 8n);
    if (!gone.length) return false;
    for (const b of gone) await this.cmdDelete([b.id]);
    this.scopeExits = gone.map((b) => b.id);
    return true;
  }

  private scopeExits: number[] = [];

  private async armWatch(b: Breakpoint): Promise<void> {
    try {
      b.watch!.soft = !(await armHardwareWatch(this.live(), b.watch!, this.canUseHw, this.hardwareWatches()));
    } catch (e) {
      // gdb accepts it and fails at the resume, when they do not all fit (resume())
      if (!(e instanceof TargetError) || e.code !== 'ENOSPC') throw e;
      b.watch!.soft = false;
      return;
    }
    if (b.watch!.kind === 'write') b.type = b.watch!.soft ? 'watchpoint' : 'hw watchpoint';
    b.inserted = true;
  }

  private async disarm(b: Breakpoint): Promise<void> {
    if (!b.inserted) return;
    b.inserted = false;
    if (!this.target || this.target.state === 'exited') return;
    if (b.watch) {
      if (!b.watch.soft) await disarmHardwareWatch(this.target, b.watch, this.hardwareWatches());
      if (b.watch.scope) await this.removeAt(b.watch.scope.ret);
    }
    else for (const a of this.locationsOf(b)) await this.removeAt(a);
  }

  private async cmdDelete(ids: number[]): Promise<void> {
    const all = this.bps;
    // gdb asks before deleting them all, when typed (the question auto-answers without a terminal)
    if (!ids.length && all.length && this.fromTty && !(await this.confirm('Delete all breakpoints? (y or n)'))) return;
    const victims = ids.length ? ids.map((id) => this.bp(id)) : all;
    for (const b of victims) await this.disarm(b);
    this.setBreakpoints(all.filter((b) => !victims.includes(b)));
  }

  /** gdb's `clear [LOCATION]`: the breakpoints there (see clear.ts), named when typed. */
  private async cmdClear(spec: string | undefined): Promise<void> {
    const lineOf = (a: bigint) => this.debug?.fileDebug?.lineForAddress(a);
    const target: ClearTarget = { pcs: [], lines: [] };
    const explicitLine = spec === undefined ? undefined : FILE_LINE.exec(spec);
    if (spec === undefined) {
      const { regs } = await this.frameRegs().catch((e) => { throw isUserError(e) ? new CommandError('No source file specified.') : e; });
      const line = lineOf(this.store.state.selectedFrame > 0 ? regs.rip - 1n : regs.rip);
      target.pcs.push(regs.rip);
      if (line) target.lines.push(line);
    } else if (explicitLine) {
      const n = Number(explicitLine[2]);
      const file = explicitLine[1];
      const here = await this.frameRegs().then(({ regs }) => lineOf(regs.rip)).catch(expected(undefined));
      const home = here ?? ((m) => (m === undefined ? undefined : lineOf(m)))(this.debug?.functionBreakpoint('main'));
      const paths = new Set<string>();
      for (const b of this.bps) {
        for (const a of this.locationsOf(b)) {
          const l = lineOf(a);
          if (l && (file ? l.file === file || l.path.endsWith(`/${file}`) : !home || l.path === home.path)) paths.add(l.path);
        }
      }
      for (const path of paths) target.lines.push({ path, line: n });
    } else {
      target.pcs.push(...await this.resolveLocations(spec));
    }
    const ids = breakpointsToClear(this.bps, target, (b) => this.locationsOf(b), lineOf);
    if (!ids.length) throw new CommandError(`No breakpoint at ${spec ?? 'this line'}.`);
    await this.cmdDelete(ids);
    // gdb: "Always report if deleted more than one"
    if (this.fromTty || ids.length > 1) this.out(clearedText(ids));
  }

  private async cmdEnable(ids: number[], enable: boolean, once: boolean): Promise<void> {
    const targets = ids.length ? ids.map((id) => this.bp(id)) : this.bps;
    for (const b of targets) {
      b.enabled = enable;
      if (once) b.disposition = 'dis';
      if (!enable) await this.disarm(b);
      else if (!b.inserted && this.target && this.target.state !== 'exited' && b.address !== undefined) {
        if (b.watch) await this.armWatch(b);
        else { await this.insertBp(b); b.inserted = true; }
      }
    }
    this.publishBreakpoints();
  }

  private cmdCommands(ids: number[]): void {
    const all = this.bps;
    const targets = ids.length ? ids.map((id) => this.bp(id)) : all.slice(-1);
    if (!targets.length) throw new CommandError('No breakpoints specified.');
    this.collecting = { targets, lines: [] };
    if (this.interactive) {
      this.out(`Type commands for breakpoint(s) ${targets.map((b) => b.id).join(' ')}, one per line.\nEnd with a line saying just "end".`);
    }
  }

  private cmdIgnore(id: number, count: number): void {
    this.bp(id).ignoreCount = count;
    this.chatter(count === 0 ? `Will stop next time breakpoint ${id} is reached.`
      : `${ignoreText(id, count)}.`);
    this.publishBreakpoints();
  }

  // ---- execution control --------------------------------------------------------------------

  private async resume(step: boolean): Promise<StopEvent> {
    const t = this.live();
    // Always explicit: 0 means "suppress the signal" (handle nopass), never "the target's default".
    let sig = this.pendingSignal ?? 0;
    this.pendingSignal = undefined;
    if (sig && signalNameOf(sig) === '?') {
      // (gdb cannot pass a signal it has no name for: it warns and resumes without it)
      this.store.write('stderr', 'warning: Signal ? does not exist on this system.\n');
      sig = 0;
    }
    this.invalidateMemory();
    this.debug?.clearInlineSkip();   // gdb's clear_inline_frame_state at each resume
    this.stopCount++;
    this.pendingActions = [];
    this.store.update({ selectedFrame: 0 });
    if (!this.store.state.running) {
      this.store.update({ running: true });
      this.store.emit('running', { thread: step ? t.selectedThread : undefined });
    }
    // The target emits the program's output up to the stop before resolving (gdb's order).
    await this.insertPendingWatches();
    t.capabilities.syscalls?.set(withEffects(syscallCatchSet(this.bps), this.snaps.list().length > 0));
    const soft = this.bps.filter((b) => b.watch?.soft && b.enabled && b.inserted);
    const ev = soft.length
      ? await this.softWatch.resume(t, {
        step, signal: sig, watches: soft.flatMap((b) => b.watch!.ranges),
        stopsAt: (pc) => this.inserted.has(pc), unreadable: soft.some((b) => b.watch!.unreadable),
      })
      : step ? await t.step(sig) : await t.cont(sig);
    return ev;
  }

  /** `catch syscall ...` / `tcatch syscall ...` (src/commands/catch-syscall.ts). */
  private cmdCatchSyscall(args: string, temporary: boolean): void {
    const calls = parseCatchSyscall(args);
    if (this.target && this.target.state !== 'exited' && !this.target.capabilities.syscalls) {
      throw new CommandError("The feature 'catch syscall' is not supported on this target.");
    }
    const b = newCatchpoint(this.nextBpId++, calls, temporary);
    this.convenience.setMine('bpnum', INT_VALUE(b.id));
    this.setBreakpoints([...this.bps, b]);
    this.out(catchSetText(b.id, calls));
  }

  /** Hardware watchpoints that did not fit when set: inserted now, or the resume refused as gdb does. */
  private async insertPendingWatches(): Promise<void> {
    const hw = this.bps.filter((b) => b.watch && !b.watch.soft && b.enabled);
    if (hw.every((b) => b.inserted)) return;
    for (const b of hw) if (!b.inserted) await this.armWatch(b);
    if (hw.every((b) => b.inserted)) return;
    const id = firstUnfit(hw.map((b) => ({ id: b.id, ranges: b.watch!.ranges }))) ?? hw.find((b) => !b.inserted)!.id;
    throw new CommandError(`${unfitText(id)}\nCommand aborted.`);
  }

  /**
   * Decide what a stop means: a user-visible stop (breakpoint/watchpoint/signal
   * to report), an internal stop we asked for, a stop to silently continue
   * from (false condition, ignore count, nostop signal, unchanged watch), or the
   * end of the process.
   */
  private async classify(ev: StopEvent, internal: InternalStop[]): Promise<StopOutcome | 'continue'> {
    const r = ev.reason;
    switch (r.kind) {
      case 'exited': case 'killed': return 'gone';
      case 'interrupted': case 'step': return 'stopped';
      case 'exec': return 'stopped';
      case 'signal': {
        const d = this.signals.get(r.signame);
        if (d.pass) this.pendingSignal = r.signal;
        if (!d.stop && d.print) this.out(`\nProgram received signal ${r.signame}, ${signalDescription(r.signame)}.`);
        return d.stop ? 'stopped' : 'continue';
      }
      case 'watchpoint': return this.classifyWatch(r.address);
      case 'syscall':
        if (!r.entry) this.effects.observe(r.nr, r.args, r.ret ?? 0n, vmReader(ev.tid));
        return (await this.hitWhere((b) => catches(b, r.nr))).length ? 'stopped' : 'continue';
      case 'breakpoint': {
        const hit = await this.hitBreakpoints(r.pc);
        if (hit.length) return 'stopped';
        const scopeExit = await this.watchScopeExit(r.pc);
        const mine = internal.find((s) => s.addr === r.pc);
        if (mine && (mine.spAbove === undefined || (await this.regs()).rsp > mine.spAbove) &&
            (mine.cfa === undefined || (await this.frames(1))[0]?.cfa === mine.cfa)) {
          // the step or finish ends here too: it reports the stop, after gdb's word on the watchpoint
          if (scopeExit) this.out(`\n${scopeExitText(this.scopeExits.splice(0))}`);
          return 'internal';
        }
        if (scopeExit) return 'stopped';
        if (mine) return 'continue';
        if (r.pc === this.solibEvent) { await this.onSolibEvent(); return 'continue'; }
        if (this.inserted.has(r.pc)) return 'continue';  // a breakpoint whose condition/ignore said go on
        return 'stopped';
      }
    }
  }

  /** Breakpoints at pc that want to stop (conditions and ignore counts applied, hits counted). */
  private async hitBreakpoints(pc: bigint): Promise<Breakpoint[]> {
    const out = await this.hitWhere((b) => b.type === 'breakpoint' && b.enabled && this.locationsOf(b).includes(pc) &&
      !b.invalid?.includes(this.locationsOf(b).indexOf(pc)));
    if (!out.length && this.bps.some((b) => this.locationsOf(b).includes(pc))) this.publishBreakpoints();
    return out;
  }

  /** The breakpoints (or catchpoints) `match` picks that want to stop: conditions and ignore counts applied, hits counted. */
  private async hitWhere(match: (b: Breakpoint) => boolean): Promise<Breakpoint[]> {
    const out: Breakpoint[] = [];
    for (const b of this.bps) {
      if (!match(b)) continue;
      if (b.condition) {
        const v = await this.evaluate(b.condition).catch((e) => {
          this.store.write('stderr', `Error in testing breakpoint condition:\n${errorMessage(e)}\n`);
          return { value: 1n } as Value;
        });
        if (v.value === 0n) continue;
      }
      b.hits++;
      if (b.ignoreCount > 0) { b.ignoreCount--; continue; }
      out.push(b);
    }
    if (out.length) this.publishBreakpoints();
    this.lastHit = out;
    return out;
  }

  private lastHit: Breakpoint[] = [];
  /** `commands` being typed: the breakpoints they are for and the lines so far. */
  private collecting: { targets: Breakpoint[]; lines: string[] } | undefined;
  /** Command lists of the breakpoints the last stop was at, to run after the current command. */
  private pendingActions: string[] = [];
  private runningActions = false;
  /** Bumped at every resume: a breakpoint command that resumed ends its list. */
  private stopCount = 0;
  private lastWatch: ({ b: Breakpoint } & WatchHit)[] = [];

  private async classifyWatch(addr: bigint): Promise<'stopped' | 'continue'> {
    // as gdb: every watch whose range the trap is in, and the software ones (checked at each step)
    const live = this.bps.filter((x) => x.watch && x.enabled && x.inserted);
    const hitBy = live.filter((x) => x.watch!.soft || x.watch!.ranges.some((r) => addr >= r.addr && addr < r.addr + BigInt(r.length)));
    const candidates = hitBy.length ? hitBy : live.slice(0, 1);
    if (!candidates.length) return 'stopped';
    this.lastWatch = [];
    for (const b of candidates) {
      if (b.watch!.unreadable) {
        // gdb: the first check fails; the watchpoint is deleted and the program stops there
        const err = await this.evaluateAny(b.spec).then((a) => DebugBridge.toMine(a)).then(() => undefined, (e: unknown) => errorMessage(e));
        this.out(`Error evaluating expression for watchpoint ${b.id}`);
        this.store.write('stderr', `${err ?? 'value has been optimized out'}\n`);
        this.out(`Watchpoint ${b.id} deleted.`);
        await this.cmdDelete([b.id]);
        continue;
      }
      const level = await this.watchLevel(b);
      const any = await this.evaluateAny(b.spec, level);
      const now = await snapshot(any);
      const seen = watchHits(b.watch!, now, b.watch!.ranges.length);
      await this.rewatch(b, any, level);
      b.hits += seen.length;     // gdb counts each location that stops
      this.lastWatch.push(...seen.map((h) => ({ b, ...h })));
    }
    this.publishBreakpoints();
    return this.lastWatch.length || candidates.some((b) => b.watch!.unreadable) ? 'stopped' : 'continue';
  }

  /** The inserted hardware watchpoints (pieces they share are inserted once). */
  private hardwareWatches(): NonNullable<Breakpoint['watch']>[] {
    return this.bps.filter((b) => b.watch && !b.watch.soft && b.inserted).map((b) => b.watch!);
  }

  /** The level of the frame a watchpoint's expression is checked in: the one it was set in, while it is on the stack. */
  private async watchLevel(b: Breakpoint): Promise<number> {
    const cfa = b.watch!.frame;
    if (cfa === undefined) return this.store.state.selectedFrame;
    const level = (await this.frames().catch(expected([]))).findIndex((f) => f.cfa === cfa);
    return level >= 0 ? level : this.store.state.selectedFrame;
  }

  /** A pointer on the way changed (p of `watch p->x`): watch where the expression now leads (in frame `level`). */
  private async rewatch(b: Breakpoint, any: AnyValue, level: number): Promise<void> {
    const v = await DebugBridge.toMine(any).catch(expected(undefined));
    if (!v?.lval || v.lval.kind !== 'mem') return;
    const ranges = await watchRanges(b.spec, { addr: v.lval.addr, length: b.watch!.length }, async (e) => DebugBridge.toMine(await this.evaluateAny(e, level)));
    if (sameRanges(ranges, b.watch!.ranges)) return;
    if (b.inserted && !b.watch!.soft) await disarmHardwareWatch(this.live(), b.watch!, this.hardwareWatches());
    b.watch!.ranges = ranges;
    b.address = v.lval.addr;
    if (b.inserted && !b.watch!.soft) {
      b.inserted = false;
      await this.armWatch(b);
    }
  }

  /** Resume, silently re-resuming past stops that are not for the user, then report the stop. */
  private async resumeAndReport(how: { kind: 'cont' } | { kind: 'internal'; stops: InternalStop[] }): Promise<StopOutcome> {
    const internal = how.kind === 'internal' ? how.stops : [];
    for (const s of internal) await this.insertAt(s.addr);
    // Internal stops are for the thread being stepped (gdb's thread-specific momentary breakpoints).
    const stepper = this.live().selectedThread;
    try {
      for (;;) {
        const ev = await this.resume(false);
        const outcome = await this.classify(ev, ev.tid === stepper ? internal : []);
        if (outcome === 'continue') continue;
        if (outcome !== 'internal') await this.reportStop(ev, outcome);
        return outcome;
      }
    } finally {
      if (this.target && this.target.state !== 'exited') for (const s of internal) await this.removeAt(s.addr);
      else for (const s of internal) this.inserted.delete(s.addr);
    }
  }

  private async reportStop(ev: StopEvent, outcome: StopOutcome | 'continue'): Promise<void> {
    const r = ev.reason;
    if (outcome === 'gone') {
      const pid = ev.pid;
      if (r.kind === 'exited') {
        this.out(r.code === 0 ? `[Inferior 1 (process ${pid}) exited normally]`
          : `[Inferior 1 (process ${pid}) exited with code ${r.code.toString(8).padStart(2, '0')}]`);
        this.convenience.setMine('_exitcode', INT_VALUE(r.code));
      } else if (r.kind === 'killed') {
        this.out(`\nProgram terminated with signal ${r.signame}, ${signalDescription(r.signame)}.\nThe program no longer exists.`);
      }
      this.forgetProcess();
      this.publisher.exit(ev);
      return;
    }
    const pc = 'pc' in r ? r.pc : (await this.regs()).rip;
    const { hit: hitHead, received, switching } = await this.threads.stopHeads(ev);
    // gdb announces a signal before the thread switch, a breakpoint after it
    const signalled = r.kind === 'signal' || r.kind === 'interrupted' || (r.kind === 'breakpoint' && !this.lastHit.length);
    if (switching && !signalled) this.out(switching);
    const sw = switching && signalled ? `\n${switching}` : '';
    switch (r.kind) {
      case 'breakpoint': {
        const hit = this.lastHit;
        this.lastHit = [];
        this.publisher.detail = { reason: 'signal', breakpoints: [], watch: [], signal: 'SIGTRAP' };
        if (!hit.length && this.scopeExits.length) {
          this.publisher.detail = { reason: 'watchpoint', breakpoints: [...this.scopeExits], watch: [] };
          this.out(`\n${scopeExitText(this.scopeExits.splice(0))}\n${await this.frameLine(pc, false)}`);
          return;
        }
        if (hit.length) {
          const b = hit[0]!;
          this.publisher.detail = { reason: 'breakpoint', breakpoints: hit.map((x) => x.id), watch: [] };
          this.pendingActions = hit.flatMap((x) => x.commands ?? []);
          this.debug?.skipInlinedAtBreakpoint(pc, hit.map((x) => (x.spec.startsWith('*') || FILE_LINE.test(x.spec) ? undefined : x.spec)));
          if (b.commands?.[0] !== 'silent') {
            // several locations: gdb names the one hit (1.2)
            const num = b.more ? `${b.id}.${this.locationsOf(b).indexOf(pc) + 1}` : `${b.id}`;
            this.out(`\n${hitHead}${b.disposition === 'del' ? 'Temporary breakpoint' : 'Breakpoint'} ${num}, ${await this.frameLine(pc, false)}`);
          }
          for (const x of hit) {
            if (x.disposition === 'del') await this.cmdDelete([x.id]);
            else if (x.disposition === 'dis') await this.cmdEnable([x.id], false, false);
          }
          return;
        }
        this.out(`\n${received} signal SIGTRAP, Trace/breakpoint trap.${sw}\n${await this.frameLine(pc, true)}`);
        return;
      }
      case 'watchpoint': {
        const changes: WatchChange[] = [];
        for (const w of this.lastWatch.splice(0)) {
          const fmt = (v: WatchSnap) => formatSnap(v, this.symbolize);
          const old = w.old ? await fmt(w.old) : undefined;
          const now = await fmt(w.now);
          changes.push({ breakpoint: w.b.id, expression: w.b.spec, old, new: now });
          const body = old !== undefined ? `Old value = ${old}\nNew value = ${now}` : `Value = ${now}`;
          this.out(`\n${hitHead}${watchTitle(w.b)} ${w.b.id}: ${w.b.spec}\n\n${body}`);
        }
        this.publisher.detail = { reason: 'watchpoint', breakpoints: [...new Set(changes.map((c) => c.breakpoint))], watch: changes };
        this.out(await this.frameLine(pc, false));
        return;
      }
      case 'signal':
        this.publisher.detail = { reason: 'signal', breakpoints: [], watch: [], signal: r.signame };   // gdb's SRC_AND_LOC: a signal never ends a step, the frame is always shown
        // Inlined calls starting at the pc are hidden, as at any stop but a user breakpoint's (skip_inline_frames).
        this.debug?.setInlineSkip(pc, this.debug.inlineCallsStartingAt(pc).length);
        this.out(`\n${received} signal ${r.signame}, ${signalDescription(r.signame)}.${sw}\n${await this.frameLine(pc, false)}`);
        return;
      case 'interrupted':
        this.publisher.detail = { reason: 'interrupted', breakpoints: [], watch: [], signal: 'SIGINT' };
        this.out(`\n${received} signal SIGINT, Interrupt.${sw}\n${await this.frameLine(pc, true)}`);
        return;
      case 'syscall': {
        const hit = this.lastHit.splice(0);
        const b = hit[0]!;
        this.publisher.detail = { reason: 'syscall', breakpoints: hit.map((x) => x.id), watch: [], syscall: syscallStopOf(r) };
        this.pendingActions = hit.flatMap((x) => x.commands ?? []);
        if (b.commands?.[0] !== 'silent') this.out(`\n${hitHead}${catchHitText(b, r.nr, r.entry)}, ${await this.frameLine(pc, false)}`);
        for (const x of hit) if (x.disposition === 'del') await this.cmdDelete([x.id]);
        return;
      }
      case 'exec':
        this.publisher.detail = { reason: 'exec', breakpoints: [], watch: [] };
        this.out(`process ${ev.pid} is executing new program: ${r.path}`);
        await this.image?.refresh();
        return;
      case 'step':
        this.publisher.detail = { reason: 'step', breakpoints: [], watch: [] };
        this.out(await this.frameLine(pc, true));
        return;
    }
  }

  /**
   * Where the program stopped, as gdb says it: with DWARF `tick (p=...) at
   * f.c:17` and the source line (only the line while stepping in the same
   * function); without, `0x000000000040113a in tick ()` (`from LIB` in a library).
   */
  private async frameLine(pc: bigint, afterStep: boolean): Promise<string> {
    const d = await this.debug?.describe(afterStep ? 'step' : 'frame', this.lastFunction).catch(expected(undefined));
    if (d) {
      this.lastFunction = d.fn;
      const displays = await this.source.afterStop().catch(expected(undefined));
      return displays ? `${d.text}\n${displays}` : d.text;
    }
    this.lastFunction = this.funcName(pc);
    return `${hex16(pc)} in ${this.funcName(pc)} ()${this.fromLibrary(pc)}`;
  }

  private fromLibrary(pc: bigint): string {
    const m = this.image?.moduleAt(pc);
    return m && m !== this.image!.exe && m.path.startsWith('/') ? ` from ${m.path}` : '';
  }

  private async cmdContinue(count: number): Promise<void> {
    this.live();
    if (count > 1) {
      const stopBp = this.lastHit.length ? this.lastHit[0] : this.bpAtPc();
      const b = await stopBp;
      if (b) {
        b.ignoreCount = count - 1;
        this.chatter(`${ignoreText(b.id, count - 1)}.  Continuing.`);
      } else {
        this.chatter('Not stopped at any breakpoint; argument ignored.');
        this.chatter('Continuing.');
      }
    } else {
      this.chatter('Continuing.');
    }
    await this.resumeAndReport({ kind: 'cont' });
  }

  private async bpAtPc(): Promise<Breakpoint | undefined> {
    const pc = (await this.regs()).rip;
    return this.bps.find((b) => b.type === 'breakpoint' && this.locationsOf(b).includes(pc));
  }

  private async cmdSignal(sig: string): Promise<void> {
    this.live();
    if (sig === '0') {
      this.pendingSignal = undefined;
      this.chatter('Continuing with no signal.');
    } else {
      const [name] = parseSignal(sig);
      this.pendingSignal = signalNumber(name!);
      if (this.pendingSignal === undefined) throw new CommandError(`Signal ${name} does not exist on this system.`);
      this.chatter(`Continuing with signal ${name}.`);
    }
    await this.resumeAndReport({ kind: 'cont' });
  }

  private async cmdStepi(count: number, over: boolean): Promise<void> {
    this.live();
    const stepper = this.stepper();
    for (let i = 0; i < count; i++) {
      const end = stepper ? await stepper.instruction(over) : await this.instructionWithoutDwarf(over);
      if (end.kind === 'other') return;
      if (i === count - 1) this.out(await this.stepStopLine(end.kind === 'stopped' && end.srcLine));
    }
  }

  /** stepi/nexti without DWARF (no program info yet): one instruction, a call stepped over for nexti. */
  private async instructionWithoutDwarf(over: boolean): Promise<StepEnd> {
    const regs = await this.regs();
    const [insn] = disassemble(await this.readUpTo(regs.rip, 16), regs.rip, () => undefined, 1);
    if (over && insn?.isCall) {
      const outcome = await this.resumeAndReport({ kind: 'internal', stops: [{ addr: regs.rip + BigInt(insn.length), spAbove: regs.rsp - 8n }] });
      return outcome === 'internal' ? { kind: 'stopped', srcLine: false } : { kind: 'other' };
    }
    return (await this.stepiOnce()) ? { kind: 'stopped', srcLine: false } : { kind: 'other' };
  }

  /** One instruction, unreported; false when something else stopped the program (reported). */
  private async stepiOnce(): Promise<boolean> {
    const ev = await this.resume(true);
    if (ev.reason.kind === 'step') {
      // Stepping onto a user breakpoint hits it, as in gdb (bpstat_stop_status at the new pc).
      if (!(await this.hitBreakpoints(ev.reason.pc)).length && !(await this.watchScopeExit(ev.reason.pc))) return true;
      await this.reportStop({ ...ev, reason: { kind: 'breakpoint', pc: ev.reason.pc } }, 'stopped');
      return false;
    }
    const outcome = await this.classify(ev, []);
    await this.reportStop(ev, outcome);
    return false;
  }

  /** The source-level stepper (src/commands/step.ts) over this session, once the process's images are known. */
  private stepper(): SourceStepper | undefined {
    const debug = this.debug;
    if (!debug?.program) return undefined;
    return new SourceStepper({
      debug,
      regs: () => this.regs(),
      readCode: (addr, len) => this.readUpTo(addr, len),
      stepInstruction: () => this.stepiOnce(),
      runTo: async (stop) => (await this.resumeAndReport({ kind: 'internal', stops: [stop] })) === 'internal',
    });
  }

  /**
   * How a step's stop is reported (gdb's print_stop_event): the source line
   * alone (`srcLine`, with the pc in front mid-line) or the frame line and the
   * source line; without DWARF at the pc `0x... in f ()`.
   */
  private async stepStopLine(srcLine: boolean): Promise<string> {
    const d = await this.debug?.describeStep(srcLine).catch(expected(undefined));
    if (!d) return this.frameLine((await this.regs()).rip, true);
    this.lastFunction = d.fn;
    const displays = await this.source.afterStop().catch(expected(undefined));
    return displays ? `${d.text}\n${displays}` : d.text;
  }

  /** step/next: by source lines with DWARF (src/commands/step.ts); without line info like gdb, run until the function returns. */
  private async cmdStep(count: number, over: boolean): Promise<void> {
    this.live();
    const stepper = this.stepper();
    let srcLine = false;
    for (let i = 0; i < count; i++) {
      const end = stepper && this.debug?.lineAt((await this.regs()).rip) ? await stepper.sourceLine(over) : { kind: 'nolines' as const };
      if (end.kind === 'other') return;
      if (end.kind === 'nolines') {
        const pc = (await this.regs()).rip;
        this.out(`Single stepping until exit from function ${this.funcName(pc)},\nwhich has no line number information.`);
        const fn = this.image?.symbolAt(pc)?.symbol;
        if (stepper && fn && fn.size > 0n) {
          const through = await stepper.throughFunction(over, fn.address, fn.address + fn.size);
          if (through.kind !== 'stopped') return;
          srcLine = through.srcLine;
          continue;
        }
        if (!(await this.runToReturn(false, true))) return;   // the stop is reported once, below
        srcLine = false;
        continue;
      }
      srcLine = end.srcLine;
    }
    this.out(await this.stepStopLine(srcLine));
  }

  private async frames(max = MAX_FRAMES, pastMain = false): Promise<Frame[]> {
    const regs = await this.regs();
    // the CFI of every image (and its inlined calls), as gdb: frame-pointer walks miss frameless callers
    const cfi = this.debug && !pastMain ? await this.debug.frameList(max).catch(expected(undefined)) : undefined;
    if (cfi?.length) {
      return Promise.all(cfi.map(async (f, level) => ({ level, pc: f.pc, sp: f.reg(7) ?? regs.rsp, cfa: await f.cfa().catch(expected(undefined)) })));
    }
    const frames = await this.unwinder.unwind(regs, {
      readMemory: (a, l) => this.readMemory(a, l),
      functionStart: (pc) => this.functionStart(pc),
    }, max);
    if (pastMain) return frames;
    // gdb stops the backtrace at main (backtrace past-main off).
    const mainIdx = frames.findIndex((f) => this.funcName(f.level === 0 ? f.pc : f.pc - 1n) === 'main');
    return mainIdx >= 0 ? frames.slice(0, mainIdx + 1) : frames;
  }

  /** Run until the selected frame returns to its caller; false if something else stopped us. */
  private async runToReturn(announce: boolean, quiet = false): Promise<boolean> {
    const sel = this.store.state.selectedFrame;
    // `finish` out of main is refused like gdb; `step` out of it is allowed.
    const ret = await this.returnOf(sel, !announce);
    if (!ret) throw new CommandError('"finish" not meaningful in the outermost frame.');
    const noReturn = announce && this.fromTty ? this.debug?.noReturnFunction(sel === 0 ? ret.frame.pc : ret.frame.pc - 1n) : undefined;
    if (noReturn && !(await this.confirm(`warning: Function ${noReturn} does not return normally.\nTry to finish anyway? (y or n)`))) throw new CommandError('Not confirmed.');
    if (announce) this.chatter(`Run till exit from ${await this.frameTextAt(sel, ret.frame)}`);
    const outcome = await this.resumeAndReport({ kind: 'internal', stops: [{ addr: ret.pc, spAbove: ret.cfa - 8n }] });
    if (outcome !== 'internal') return false;
    // Inlined calls that start at the return address are hidden, as at any stop of gdb's but a stepi.
    this.debug?.setInlineSkip(ret.pc, this.debug.inlineCallsStartingAt(ret.pc).length);
    if (!quiet) {
      this.lastFunction = undefined;   // a new function: gdb prints the whole frame line
      this.out(await this.frameLine(ret.pc, true));
    }
    return true;
  }

  /**
   * Where frame `level` returns to and its CFA: from the CFI unwinder of the
   * DWARF layer when it reaches that far (optimized code keeps no frame
   * pointer), else from the session's unwinder (which also goes past main).
   */
  private async returnOf(level: number, pastMain: boolean): Promise<{ pc: bigint; cfa: bigint; frame: Frame } | undefined> {
    const frames = await this.frames(level + 2, pastMain);
    const dwarf = await this.debug?.frameList(level + 10).catch(expected([])) ?? [];
    const cfa = await dwarf[level]?.cfa().catch(expected(undefined));
    // (a tail-call frame never gets control back: the return is to the frame above it)
    const back = dwarf.findIndex((f, i) => i > level && !f.tailCall);
    if (back > 0 && cfa !== undefined) {
      return { pc: dwarf[back]!.pc, cfa, frame: frames[level] ?? { level, pc: dwarf[level]!.pc, sp: cfa, cfa } };
    }
    if (pastMain && dwarf[level] && cfa !== undefined) {
      // main (the backtrace ends there): its CFI still says where it returns, the word below its CFA
      const ra = (await this.readMemory(cfa - 8n, 8).catch(expected(undefined)))?.readBigUInt64LE(0);
      if (ra) return { pc: ra, cfa, frame: frames[level] ?? { level, pc: dwarf[level]!.pc, sp: cfa, cfa } };
    }
    const caller = frames[level + 1];
    if (!caller) return undefined;
    return { pc: caller.pc, cfa: frames[level]!.cfa ?? frames[level]!.sp, frame: frames[level]! };
  }

  private async cmdFinish(): Promise<void> {
    this.live();
    if (await this.finishInline()) return;
    const sel = this.store.state.selectedFrame;
    const frames = await this.debug?.frameList(sel + 1).catch(expected([])) ?? [];
    const fnPc = frames[sel]?.pc ?? (await this.frames(sel + 1))[sel]?.pc ?? (await this.regs()).rip;
    if (!(await this.runToReturn(true))) return;
    this.publisher.detail = { reason: 'finish', breakpoints: [], watch: [] };
    const rax = (await this.regs()).rax;
    const typed = await this.debug?.returnValue(fnPc, await readReturnRegs(this.live(), await this.regs()));
    if (typed === 'void') return;
    if (typed) {
      this.history.push(typed);
      this.out(`Value returned is $${this.history.length} = ${await DebugBridge.format(typed, undefined)}`);
      return;
    }
    // No debug info: gdb cannot know the type; tsdbg shows rax as a long.
    const v: Value = { type: { kind: 'int', size: 8, signed: true, name: 'long' }, value: BigInt.asIntN(64, rax) };
    this.history.push({ mine: v });
    this.out(`Value returned is $${this.history.length} = ${formatValue(v, undefined, this.symbolize)}`);
  }

  /**
   * `finish` in an inlined call (gdb's finish_command): no return to wait
   * for, so step in the caller, over the rest of the call, until a new line
   * of the caller begins. Nothing is returned. False if the frame is not inlined.
   */
  private async finishInline(): Promise<boolean> {
    const sel = this.store.state.selectedFrame;
    const bt = await this.debug?.backtrace(sel + 2).catch(expected(undefined));
    const stepper = this.stepper();
    if (!bt?.frames[sel]?.inlined || bt.frames[sel]!.tailCall || !bt.frames[sel + 1] || !stepper) return false;
    this.chatter(`Run till exit from ${bt.lines[sel]}`);
    const end = await stepper.finishInline(sel);
    if (end.kind !== 'other') this.out(await this.stepStopLine(end.kind === 'stopped' && end.srcLine));
    return true;
  }

  private async cmdUntil(location: string | undefined, advance: boolean): Promise<void> {
    this.live();
    if (!location) {
      // Like `next`, without going back into a loop (src/commands/step.ts).
      const end = await this.stepper()?.until1();
      if (!end || end.kind === 'nolines') await this.cmdStep(1, true);
      else if (end.kind === 'stopped') this.out(await this.stepStopLine(end.srcLine));
      return;
    }
    const addrs = await this.resolveLocations(location);
    // gdb's until_break_command: `until` stops at LOCATION only in the selected frame, `advance`
    // anywhere; both where that frame returns to (past main too).
    const sel = this.store.state.selectedFrame;
    const here = (await this.frames(sel + 1))[sel];
    // where the function returns (gdb's frame_unwind_caller_id: past the calls inlined at the pc)
    const dwarf = await this.debug?.frameList(sel + 16).catch(expected([])) ?? [];
    let real = sel;
    while (dwarf[real]?.inlined && dwarf[real + 1]) real++;
    const ret = await this.returnOf(real, true);
    const stops: InternalStop[] = addrs.map((addr) => ({ addr, cfa: advance ? undefined : here?.cfa }));
    if (ret) stops.push({ addr: ret.pc, spAbove: ret.cfa - 8n });
    const outcome = await this.resumeAndReport({ kind: 'internal', stops });
    // not the end of a step: the frame line and the source line (print_stop_event's SRC_AND_LOC)
    if (outcome === 'internal') this.out(await this.stepStopLine(false));
  }

  // ---- data ------------------------------------------------------------------------------------

  private async cmdPrint(text: string | undefined, slashFmt: PrintFormat | undefined, style: 'print' | 'output' | 'call'): Promise<void> {
    // `print -elements 3 -- EXPR` (gdb's print options; `output` takes none)
    const options = style !== 'output' && text !== undefined && !slashFmt ? parsePrintOptions(text) : undefined;
    const expr = options ? options.expr : text;
    const fmt = options ? options.fmt : slashFmt;
    if (expr === undefined && !this.history.length) throw new EvalError('History is empty.');   // never: `$` is void
    const any: AnyValue = expr === undefined ? this.history[this.history.length - 1]! : await this.evaluateAny(expr);
    this.registers.invalidate();
    let shown: string;
    if (any.dwarf) {
      if (style === 'call' && any.dwarf.type.kind === 'void') return;   // `call f()` of a void function prints nothing
      shown = await DebugBridge.format(any, fmt, options?.settings);
    } else {
      const v = any.mine!;
      if (v.type.kind === 'nodebug') throw new EvalError(`'${expr}' has unknown type; cast it to its declared type`);
      if (style === 'call' && v.type.kind === 'void') return;
      shown = fmt === 's' && v.type.kind === 'ptr' ? await this.examiner.stringAt(v.value) : formatValue(v, fmt, this.symbolize);
    }
    if (style === 'output') { this.store.write('stdout', shown); return; }
    this.history.push(any);
    this.out(`$${this.history.length} = ${shown}`);
  }

  private cmdSetting(name: string, value: string): void {
    if (name === 'args') { this.args = value ? value.split(/\s+/) : []; return; }
    if (name === 'checkpoint-limit') { this.snaps.setBufferLimit(value); return; }
    if (name === 'checkpoint-method') { this.snaps.setMethod(value); return; }
    if (name === 'breakpoint pending') { this.breakpointPending = parsePendingMode(value); return; }
    if (name === 'disassembly-flavor' && value !== 'att') throw new CommandError('tsdbg disassembles in AT&T syntax only.');
    // listsize, verbose, logging...: accepted and have no effect.
  }

  private async cmdDisassemble(expr: string | undefined, raw: boolean): Promise<void> {
    const pc = await this.framePc();
    let addr: bigint;
    if (expr) addr = await this.evalAddress(expr);
    else if (pc !== undefined) addr = pc;
    else throw new CommandError('No frame selected.');
    const loc = this.image ? this.image.symbolAt(addr) : this.fileSymbols?.symbolAt(addr);
    if (!loc || loc.symbol.kind !== 'function' || loc.symbol.size === 0n) throw new CommandError('No function contains specified address.');
    const start = loc.symbol.address;
    const code = await this.readMemory(start, Number(loc.symbol.size));
    const lines = disassemble(code, start, this.symbolize).map((i) => formatDisasLine(i, start, pc, raw));
    this.outLines([`Dump of assembler code for function ${loc.name}:`, ...lines, 'End of assembler dump.']);
  }

  private frameText(f: Frame): string {
    // Callers' pcs are return addresses: name the function of the call (pc - 1), like gdb.
    const callSite = f.level === 0 ? f.pc : f.pc - 1n;
    return `#${f.level}  ${hex16(f.pc)} in ${this.funcName(callSite)} ()${this.fromLibrary(callSite)}`;
  }

  /** `#1  0x... in main () at f.c:26` with DWARF, else the symbol-only line. */
  private async frameTextAt(level: number, fallback: Frame): Promise<string> {
    const bt = await this.debug?.backtrace(level + 1).catch(expected(undefined));
    return bt?.lines[level] ?? this.frameText(fallback);
  }

  private async cmdBacktrace(limit: number | undefined): Promise<void> {
    this.withStack();
    // One frame more than asked: gdb says more follow only when there is one (main's caller is none).
    const ask = limit === undefined ? MAX_FRAMES : limit + 1;
    const bt = await this.debug?.backtrace(ask).catch(expected(undefined));
    if (bt) {
      this.store.update({ frames: bt.frames.map((f, level) => frameOfDwarf(f, level, undefined, (pc) => this.place(pc))) });
      this.outLines(limit === undefined ? bt.lines : bt.lines.slice(0, limit));
      if (limit !== undefined && bt.lines.length > limit) this.chatter('(More stack frames follow...)');
      return;
    }
    const frames = await this.frames(ask);
    this.store.update({ frames: frames.map((f) => frameOfPc(f.level, f.pc, f.cfa, (pc) => this.place(pc))) });
    this.outLines((limit === undefined ? frames : frames.slice(0, limit)).map((f) => this.frameText(f)));
    if (limit !== undefined && frames.length > limit) this.chatter('(More stack frames follow...)');
  }

  /**
   * `frame [N]`, `up [N]`, `down [N]` (`text`: N as typed): select a frame and
   * show it, with its source line where the program's symbols give the frames.
   */
  private async cmdFrame(index: number | undefined, relative: 'up' | 'down' | undefined, text: string): Promise<void> {
    // gdb's `frame N` starts from the current frame: without a process, "No registers."
    if (index !== undefined && !relative && (!this.target || this.target.state === 'exited')) throw new CommandError('No registers.');
    const symbolic = this.source.hasFrames;
    let frames: Frame[] = [];
    if (!symbolic) {
      this.withStack();
      frames = await this.frames();
    }
    const count = symbolic ? await this.source.frameCount() : frames.length;
    let sel = this.store.state.selectedFrame;
    if (relative) sel = relativeFrame(sel, index ?? (relative === 'up' ? 1 : -1), index !== undefined, count);
    else if (index !== undefined) {
      if (index < 0 || index >= count) throw new CommandError(`No frame at level ${text}.`);
      sel = index;
    }
    this.store.update({ selectedFrame: sel });
    if (symbolic) await this.source.showFrame(sel);
    else this.out(this.frameText(frames[sel]!));
  }

  /** `snapshot ...`: an object named by expression goes by its type (SourceLevel), the rest by address. */
  private async cmdSnapshot(cmd: SnapshotCommand): Promise<void> {
    switch (cmd.op) {
      case 'object':
        if (!(await this.source.snapshotExpression(cmd.expr))) throw new CommandError(SNAPSHOT_USAGE);
        return;
      case 'diff': {
        const obj = await this.source.snapshotObject(cmd.addr, true);
        if (obj) return this.source.snapshotDiff(obj);
        break;
      }
      case 'show': case 'drop': {
        const obj = await this.source.snapshotObject(cmd.addr, false);
        if (obj) return this.snapConsole.at(cmd.op, obj.address);
        break;
      }
      default: break;
    }
    await this.snapConsole.snapshot(cmd);
  }

  // ---- info ------------------------------------------------------------------------------------

  private async cmdInfo(what: InfoWhat, arg: string): Promise<void> {
    switch (what) {
      case 'registers': await this.info.registers(arg); return;
      case 'all-registers': await this.info.registers(arg, true); return;
      case 'float': {
        if (!this.target || this.target.state === 'exited') throw new CommandError('The program has no registers now.');
        this.outLines(formatInfoFloat(await fpRegistersOf(this.target).get()));
        return;
      }
      case 'breakpoints': case 'watchpoints': this.info.breakpoints(what === 'watchpoints'); return;
      case 'proc': await this.info.proc(arg); return;
      case 'symbol': await this.info.symbol(arg); return;
      case 'signals': this.info.signals(arg); return;
      case 'snapshots': await this.snapConsole.list(() => this.store.state.snapshots); return;
      case 'checkpoints': this.snapConsole.checkpoints(); return;
      case 'sharedlibrary': await this.info.shared(); return;
      case 'frame': await this.info.frame(arg); return;
      case 'inferiors': this.info.inferiors(); return;
      case 'threads': await this.threads.info(arg); return;
      case 'scope': this.outLines(await infoScope(this.scopeHost(), arg)); return;
      case 'kstats': this.outLines(await this.kstats.info(this.target && this.target.state !== 'exited' ? this.target.pid : undefined)); return;
      default: await this.source.info(what, arg);
    }
  }

  /** What `info scope` (info-scope.ts) reads: the images' DWARF, linespecs, ELF symbols. */
  private scopeHost(): ScopeHost {
    const program = this.debug?.program;
    const exe = this.debug?.exeDebug;
    return {
      hasFile: !!this.exePath,
      debugInfos: () => program?.debugInfos() ?? (exe ? [exe] : []),
      debugAt: (pc) => (program ? program.debugAt(pc) : exe),
      evalAddress: (e) => this.evalAddress(e),
      lineLocations: (file, line) => this.lineLocations(file, line).catch((e) => { throw new CommandError((e as Error).message); }),
      symbolAddress: (name) => this.symbolByName(name)?.address,
      objfile: this.exePath,
    };
  }

  // ---- threads ---------------------------------------------------------------------------------

  /** `info threads [ID...]`: gdb's table, each stopped thread's innermost frame. */
  private selectThread(t: Target, tid: number): void {
    t.selectThread(tid);
    this.registers.invalidate();
    this.store.update({ selectedFrame: 0 });
  }

  /** Run fn with tid selected, then put the selection (thread, frame) back. */
  private async withThread<T>(t: Target, tid: number, fn: () => Promise<T>): Promise<T> {
    const sel = t.selectedThread;
    const frame = this.store.state.selectedFrame;
    const lastFunction = this.lastFunction;
    if (tid === sel) return fn();
    this.selectThread(t, tid);
    try {
      return await fn();
    } finally {
      this.selectThread(t, sel);
      this.store.update({ selectedFrame: frame });
      this.lastFunction = lastFunction;
    }
  }

  /** The innermost frame in one line, as `info threads` shows it. */
  private async frameSummary(): Promise<string> {
    const pc = (await this.regs()).rip;
    const d = await this.debug?.describe('frame', undefined).catch(expected(undefined));
    if (d?.head) return d.head;
    return `${hex16(pc)} in ${this.funcName(pc)} ()${this.fromLibrary(pc)}`;
  }

  private cmdHandle(signal: string, actions: string[]): void {
    const names = parseSignal(signal);
    for (const n of names) this.signals.apply(n, actions);
    // (gdb shows the new table only to a person typing the command)
    if (this.fromTty) this.outLines([...SignalTable.header(), ...names.map((n) => this.signals.line(n))]);
  }

  // ---- snapshots and checkpoints (src/debugger/snapshots.ts; text: ./snapshot-console.ts) ----------

  private async cmdRewind(name: string | undefined, force: boolean): Promise<void> {
    const r = await this.snapConsole.rewind(name, force);
    this.outLines(this.effects.rewound(r.checkpoint.name));
    this.store.update({ selectedFrame: 0 });
    this.publisher.detail = { reason: 'rewind', breakpoints: [], watch: [] };
    this.out(await this.frameLine(r.checkpoint.regs.rip, false));
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


