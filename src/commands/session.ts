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
import { EffectLog } from '../syscall/effects.js';
import { SyscallRewrites } from './syscall-rewrite.js';
import type { Registers, StopEvent, Target, ThreadEvent } from '../target/types.js';
import { TargetError } from '../target/types.js';
import { terminalOf } from '../target/capabilities.js';
import { historyIndex } from '../dwarf/evaluator.js';
import { SourceText } from '../dwarf/present.js';
import { symbolicNameIn } from '../dwarf/program.js';
import { ElfFile, SymbolTable, type ProcessImage, formatSymbolic, namesAddresses } from '../elf/index.js';
import type { ElfSymbol } from '../elf/index.js';
import { CommandError, type Command } from './parse.js';
import { EvalError, type Value } from './expr.js';
import { type Symbolizer } from './format.js';
import { disassemble } from './disasm.js';
import { SessionStore, type Breakpoint } from './store.js';
import { Snapshots } from '../debugger/snapshots.js';
import { SnapshotConsole } from './snapshot-console.js';
import { hostOf, nameRanges } from '../debugger/inspect/address-names.js';
import type { CommandEnd, CommandInfo } from '../debugger/store.js';
import { breakpointInfo, NOWHERE, type Place } from '../debugger/publish.js';
import { Serial } from '../debugger/queue.js';
import { StatePublisher } from '../debugger/publisher.js';
import { RegisterFile } from '../debugger/registers.js';
import { ProcessMemory } from '../debugger/memory.js';
import { errorMessage } from '../debugger/errors.js';
export { errorMessage } from '../debugger/errors.js';
import { KernelStats, kstatsSourceFor } from './kstats.js';
import { SignalTable } from './signals.js';
import { FramePointerUnwinder, type Frame, type Unwinder } from './unwind.js';
import { DebugBridge, FP_REGISTER_EXPR, type AnyValue } from './debug.js';
import { SourceStepper, type StepEnd } from './step.js';
import { ConvenienceVars, INT_VALUE } from './convenience.js';
import { SharedLibraries } from './solibs.js';
import { ThreadTable } from './threads.js';
import { snapshot, type WatchHit } from './watch.js';
import { SoftwareWatcher } from './watch-soft.js';
import { type PendingMode } from './pending.js';
import { defaultScreen, type ScreenSettings } from './screen.js';
import { type ScopeHost } from './info-scope.js';
import * as wiring from './session/wiring.js';
import * as dispatch from './session/dispatch.js';
import * as program from './session/program.js';
import * as breakpoints from './session/breakpoints.js';
import * as watchpoints from './session/watchpoints.js';
import * as stop from './session/stop.js';
import * as stepping from './session/stepping.js';
import * as stack from './session/stack.js';
import * as inspect from './session/inspect.js';
import { type StopOutcome, type Rest, type LaunchOptions, type Launcher, type SessionOptions, type SessionCore, type CommandResult } from './session/types.js';
export type { LaunchOptions, Launcher, SessionOptions, SessionCore, CommandResult } from './session/types.js';

export class Session {
  readonly store = new SessionStore();
  /** The breakpoints' own records (mutable, private); the store publishes frozen copies. */
  bps: Breakpoint[] = [];
  /** Operations (console lines, the Debugger's calls) run one at a time through this. */
  readonly serial = new Serial();
  opSeq = 0;
  /** What the core publishes after each operation (src/debugger/publisher.ts). */
  readonly publisher = new StatePublisher({
    store: this.store,
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    program: () => this.exePath,
    displays: () => this.source.displayList(),
    checkpointBufferLimit: () => this.snaps.bufferLimit,
    registers: () => this.regs(),
    place: (pc) => this.place(pc),
    threadTable: () => this.threadTable,
    publishProcess: () => program.publishTarget(this),
  });
  target: Target | undefined;
  origin: 'spawned' | 'attached' = 'spawned';
  image: ProcessImage | undefined;
  /** The image of the process that ended: its breakpoints keep their run-time addresses. */
  lastImage: ProcessImage | undefined;
  fileElf: ElfFile | undefined;
  fileSymbols: SymbolTable | undefined;
  exePath: string | undefined;
  args: string[];
  readonly launchOpts: LaunchOptions;
  readonly launcher: Launcher;
  readonly confirm: (q: string, defaultNo?: boolean) => Promise<boolean>;
  /** `set width/height/pagination/confirm`: the console wraps at screen.width. */
  readonly screen: ScreenSettings;
  breakpointPending: PendingMode = 'auto';
  readonly color: boolean;
  readonly interactive: boolean;

  nextBpId = 1;
  /** gdb's can-use-hw-watchpoints, and the stepping engine of the software watchpoints it falls back to. */
  canUseHw = 1;
  readonly softWatch = new SoftwareWatcher();
  /** The dynamic linker's r_brk (_dl_debug_state) breakpoint, while inserted. */
  solibEvent: bigint | undefined;
  /** The entry point's internal breakpoint while catch syscall stops come before it (runToEntry). */
  entryPending: bigint | undefined;
  /** Breakpoint addresses inserted in the target, with how many users (breakpoints + internal stops). */
  readonly inserted = new Map<bigint, number>();
  pendingSignal: number | undefined;
  readonly history: AnyValue[] = [];
  /** Convenience variables ($foo, $_, $_exitcode), from either evaluator. */
  readonly convenience = new ConvenienceVars({
    _thread: () => INT_VALUE(this.selectedThreadNumber()),
    _gthread: () => INT_VALUE(this.selectedThreadNumber()),
    _inferior: () => INT_VALUE(1),
  });

  /** gdb's number of the selected thread; 0 without a process. */
  selectedThreadNumber(): number {
    const t = this.target;
    return t && t.state !== 'exited' && this.threadTable ? this.threadTable.number(t.selectedThread) : 0;
  }
  lastRepeat: string | undefined;
  readonly signals = new SignalTable();
  /** `info kstats` (tracer.ko's counts of the process). */
  readonly kstats = new KernelStats(() => kstatsSourceFor(this.target));
  /** Snapshots and checkpoints of the process (the core's), and their console commands. */
  readonly snaps: Snapshots = new Snapshots({
    live: () => this.live(),
    symbolize: (addr) => this.symbolize(addr),
    readMemory: (a, l) => this.readMemory(a, l),
    invalidateMemory: () => this.invalidateMemory(),
    publish: (snapshots, checkpoints) => this.store.update({ snapshots, checkpoints }),
  });
  /** Calls with effects outside memory since the checkpoints (src/syscall/effects.ts). */
  readonly effects = new EffectLog();
  /** `syscall rewrite` / `syscall skip` at catch syscall stops, and what they undo at the call's return. */
  readonly rewrites = new SyscallRewrites();
  readonly snapConsole = new SnapshotConsole({
    snaps: this.snaps,
    evalAddress: (e) => this.evalAddress(e),
    symbolize: (addr) => this.symbolize(addr),
    color: () => this.color,
    out: (lines) => this.outLines(lines),
    names: (ranges) => nameRanges(hostOf(this.core()), ranges),
  });
  /** The built-in evaluator (no DWARF); DebugBridge runs the DWARF one. */
  /** Expressions without a file or a process (or with a stub that cannot say what it runs). */
  bareDebug: DebugBridge | undefined;
  /** DWARF of the program (types, lines, CFI), when it has any. */
  debug: DebugBridge | undefined;
  /** Function of the last reported stop, to print a frame line only when it changes (gdb's stepi). */
  lastFunction: string | undefined;
  /** The current line as shown, one stop after another (gdb says a missing file once). */
  readonly sourceText = new SourceText();
  /** For a stack without a process image to read CFI from (a QEMU stub), and past main. */
  readonly unwinder: Unwinder = new FramePointerUnwinder();
  readonly onOutput = (b: Buffer) => this.store.write('inferior', b.toString('utf8'));
  /** gdb's numbers and names for the threads of the process. */
  threadTable: ThreadTable | undefined;
  /** The thread commands (gdb's text). */
  readonly threads = wiring.threads(this);
  /** The process's shared libraries in gdb's order (`info sharedlibrary`). */
  solibs: SharedLibraries | undefined;
  readonly onThread = (e: ThreadEvent) => {
    const line = this.threadTable?.onEvent(e);
    if (line) this.out(line);
    this.store.emit('thread', { kind: e.kind, tid: e.tid, id: e.kind === 'new' ? this.threadTable?.number(e.tid) : undefined });
  };

  /** `x` and what it remembers between commands. */
  readonly examiner = wiring.examiner(this);

  /** The Session's own `info` commands. */
  readonly info = wiring.info(this);

  /** Source-level commands the DWARF helper adds (list, ptype, info locals, display...). */
  readonly source = wiring.source(this);

  /** The console's own commands (src/console): define, if/while, source, shell, pipe, history, complete. */
  readonly console = wiring.console(this);

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
    if (opts.exePath) program.loadFile(this, opts.exePath);
    this.store.on('stop', () => this.kstats.onStop(this.target?.pid));
  }

  // ---- operations and published state ----------------------------------------------------

  /** Console text (stdout) is left out while > 0: a structured operation's caller renders it. */
  quiet = 0;

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
  publishBreakpoints(): void {
    this.store.update({ breakpoints: this.bps.map((b) => breakpointInfo(b, (pc) => this.place(pc))) });
  }

  setBreakpoints(list: Breakpoint[]): void {
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
  out(text: string): void {
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
  outLines(lines: string[]): void { if (lines.length && !this.quiet) this.store.write('stdout', `${lines.join('\n')}\n`); }

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

  /** "FILE:LINE" of a command read from a command file (-x): its error says where, as gdb's does. */
  sourcedAt: string | undefined;

  /** The from_tty of the command running now (see execute). */
  fromTty = true;

  /** A line gdb prints only for commands a person gave (see execute). */
  chatter(text: string): void {
    if (this.fromTty) this.out(text);
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
  commandDepth = 0;
  quitRequested = false;

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
  async checkQuit(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!this.quitRequested) return;
    this.quitRequested = false;
    throw new CommandError('Quit');
  }

  readonly symbolize: Symbolizer = (addr) => this.symbolic(addr, false);
  /** `x` and `disassemble`'s `<...>`: the linkage name (gdb's asm-demangle is off): `<version.0>`. */
  readonly asmSymbolize: Symbolizer = (addr) => this.symbolic(addr, true);

  private symbolic(addr: bigint, linkage: boolean): string | undefined {
    // after an exit, at that run's addresses (gdb keeps the relocation)
    const image = this.image ?? this.lastImage;
    const loc = image ? image.symbolAt(addr) : this.fileSymbols?.symbolAt(addr);
    if (!loc || !namesAddresses(loc.symbol, image?.moduleAt(addr)?.elf ?? this.fileSymbols?.elf)) return undefined;
    const program = this.debug?.program;
    const named = linkage ? { ...loc, name: loc.symbol.name } : loc;
    if (program) return formatSymbolic({ ...named, name: program.symbolicName(named) });
    // without a process: the program's own debug info (`<usage>` for usage.isra.0, as gdb)
    const file = this.debug?.fileDebug;
    const fn = file?.functionAt(named.symbol.address);
    return formatSymbolic({ ...named, name: symbolicNameIn(fn && file ? { fn, debug: file } : undefined, named) });
  }

  symbolByName(name: string): ElfSymbol | undefined {
    return this.image ? this.image.symbolByName(name)?.symbol : this.fileSymbols?.symbolByName(name);
  }

  functionStart(pc: bigint): bigint | undefined {
    const loc = this.image ? this.image.symbolAt(pc) : this.fileSymbols?.symbolAt(pc);
    return loc && loc.symbol.kind === 'function' ? loc.symbol.address : undefined;
  }

  /** `in tick ()` part of a frame line. */
  funcName(pc: bigint): string {
    const loc = this.image ? this.image.symbolAt(pc) : this.fileSymbols?.symbolAt(pc);
    return loc ? loc.name : '??';
  }

  // ---- memory and registers (errors in gdb's words) --------------------------------------------

  live(): Target {
    const t = this.target;
    if (!t || t.state === 'exited') throw new CommandError('The program is not being run.');
    return t;
  }

  /** The live target for the stack commands (bt, frame, up, down, info frame): gdb says "No stack." */
  withStack(): Target {
    const t = this.target;
    if (!t || t.state === 'exited') throw new CommandError('No stack.');
    return t;
  }

  /**
   * Without a process, read the executable file's loaded sections like gdb
   * does: at the last run's addresses once it ran (gdb keeps the relocation).
   */
  /** The program's memory (src/debugger/memory.ts): the process's, or the file's without one. */
  readonly memory = new ProcessMemory({
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    fileElf: () => this.fileElf,
    bias: () => this.lastImage?.exe.bias ?? 0n,
  });

  readMemory(addr: bigint, len: number): Promise<Buffer> {
    return this.memory.read(addr, len);
  }

  invalidateMemory(): void {
    this.memory.invalidate();
    this.registers.invalidate();
  }

  readUpTo(addr: bigint, len: number): Promise<Buffer> {
    return this.memory.readUpTo(addr, len);
  }

  writeMemory(addr: bigint, data: Buffer): Promise<void> {
    return this.memory.write(addr, data);
  }

  /** The selected thread's registers (src/debugger/registers.ts). */
  readonly registers = new RegisterFile({
    target: () => (this.target && this.target.state !== 'exited' ? this.target : undefined),
    readMemory: (a, l) => this.readMemory(a, l),
  });

  regs(): Promise<Registers> {
    return this.registers.general();
  }

  fpState(): Promise<Buffer | undefined> {
    return this.registers.fpState();
  }

  writeFpRegister(name: string, bytes: Buffer): Promise<void> {
    return this.registers.writeFp(this.live(), name, bytes);
  }

  /** Registers as the selected frame sees them, and those its CFI says are not saved. */
  frameRegs(): Promise<{ regs: Registers; notSaved: Set<string> }> {
    return this.registers.ofFrame(this.store.state.selectedFrame, this.debug?.program);
  }

  /** The selected frame's pc (gdb's $pc), or undefined without a process. */
  async framePc(): Promise<bigint | undefined> {
    if (!this.target || this.target.state === 'exited') return undefined;
    return (await this.frameRegs()).regs.rip;
  }

  /** The selected frame's register by ptrace name (undefined without a process), for expressions. */
  async readRegister(name: string): Promise<bigint | undefined> {
    if (!this.target || this.target.state === 'exited') return undefined;
    const { regs, notSaved } = await this.frameRegs();
    if (notSaved.has(name)) throw new EvalError(`value is not available`);
    return (regs as Record<string, bigint>)[name];
  }

  async writeRegister(name: string, value: bigint): Promise<void> {
    const t = this.live();
    if (this.store.state.selectedFrame !== 0) throw new CommandError('tsdbg changes registers in frame 0 only (select it with "frame 0").');
    await t.setRegisters({ [name]: value } as Partial<Registers>);
    this.registers.invalidate();
  }

  /** The C evaluator's bridge: the program's, or one for expressions only (no file, no process). */
  evalBridge(): DebugBridge {
    return this.debug ?? (this.bareDebug ??= DebugBridge.bare(inspect.bridgeIo(this)));
  }

  /** One expression, by the C evaluator (src/dwarf/evaluator.ts), with or without debug info. */
  async evaluateAny(expr: string, level = this.store.state.selectedFrame): Promise<AnyValue> {
    if (FP_REGISTER_EXPR.test(expr) && (!this.target || this.target.state === 'exited')) throw new EvalError('No registers.');
    try {
      return await this.evalBridge().evaluate(expr, level);
    } catch (e) {
      throw this.source.noSymbolTable(e);
    }
  }

  /** The built-in evaluator's view of a value (scalar + C type), converting DWARF values. */
  async evaluate(expr: string): Promise<Value> {
    return DebugBridge.toScalar(await this.evaluateAny(expr));
  }

  async evalAddress(expr: string): Promise<bigint> {
    const v = await this.evaluateAny(expr);
    return DebugBridge.addressOf(v);
  }

  /** gdb's parse_and_eval_address: a struct is refused (`info symbol`, `x`, `break *`). */
  async evalAsAddress(expr: string): Promise<bigint> {
    return DebugBridge.valueAsAddress(await this.evaluateAny(expr));
  }

  setLocations(b: Breakpoint, locs: bigint[]): void {
    b.address = locs[0];
    b.more = locs.length > 1 ? locs.slice(1) : undefined;
  }

  /** Where a breakpoint is: none while pending, several for an inlined function. */
  locationsOf(b: Breakpoint): bigint[] {
    return b.address === undefined ? [] : [b.address, ...(b.more ?? [])];
  }

  bp(id: number): Breakpoint {
    const b = this.bps.find((x) => x.id === id);
    if (!b) throw new CommandError(`No breakpoint number ${id}.`);
    return b;
  }

  scopeExits: number[] = [];

  lastHit: Breakpoint[] = [];
  /** `commands` being typed: the breakpoints they are for and the lines so far. */
  collecting: { targets: Breakpoint[]; lines: string[] } | undefined;
  /** Command lists of the breakpoints the last stop was at, to run after the current command. */
  pendingActions: string[] = [];
  runningActions = false;
  /** Bumped at every resume: a breakpoint command that resumed ends its list. */
  stopCount = 0;
  lastWatch: ({ b: Breakpoint } & WatchHit)[] = [];

  // ---- dispatch: Session's command lines: execute, breakpoint command lists, the command switch, the Debugger's primitives.
  /** The primitives for src/debugger/debugger.ts. */
  core(): SessionCore { return dispatch.core(this); }
  executeNow(...a: Rest<typeof dispatch.executeNow>): Promise<CommandResult> { return dispatch.executeNow(this, ...a); }
  run(...a: Rest<typeof dispatch.run>): Promise<number | undefined> { return dispatch.run(this, ...a); }

  // ---- program: Session's program: load the file, run, attach, kill, detach, quit, shared-library events.
  /** Leave no tracee behind: kill what we started, detach what we attached. */
  shutdown(): Promise<void> { return program.shutdown(this); }
  adopt(...a: Rest<typeof program.adopt>): Promise<void> { return program.adopt(this, ...a); }
  /**
   * Debug a stopped process that is already under control: an attach, or
   * the process behind a remote stub (tsdbg connect). `origin` decides what
   * quit and shutdown do to it: 'spawned' kills, 'attached' detaches.
   */
  takeOver(t: Target, origin: 'spawned' | 'attached'): Promise<void> { return program.takeOver(this, t, origin); }

  // ---- inspect: Session's inspection commands: print, set, disassemble, info, snapshot; the evaluator's context.

  // ---- breakpoints: Session's breakpoints and catchpoints: locations, insertion, break/delete/clear/enable/commands/ignore.
  lineLocations(...a: Rest<typeof breakpoints.lineLocations>): Promise<bigint[]> { return breakpoints.lineLocations(this, ...a); }

  // ---- watchpoints: Session's watchpoints: set, arm and disarm, scope exits, which one triggered.
  localScope(...a: Rest<typeof watchpoints.localScope>): Promise<{ ret: bigint; cfa: bigint } | undefined> { return watchpoints.localScope(this, ...a); }

  // ---- stop: Session's resuming and stops: why the program stopped and what gdb prints for it (continue, signal, rewind).
  resume(...a: Rest<typeof stop.resume>): Promise<StopEvent> { return stop.resume(this, ...a); }
  classify(...a: Rest<typeof stop.classify>): Promise<StopOutcome | 'continue'> { return stop.classify(this, ...a); }
  reportStop(...a: Rest<typeof stop.reportStop>): Promise<void> { return stop.reportStop(this, ...a); }

  // ---- stack: Session's stack and threads: frames, backtrace, frame/up/down, thread selection.
  frames(...a: Rest<typeof stack.frames>): Promise<Frame[]> { return stack.frames(this, ...a); }
  selectThread(...a: Rest<typeof stack.selectThread>): void { return stack.selectThread(this, ...a); }
  withThread<T>(t: Target, tid: number, fn: () => Promise<T>): Promise<T> { return stack.withThread(this, t, tid, fn); }
  frameSummary(...a: Rest<typeof stack.frameSummary>): Promise<string> { return stack.frameSummary(this, ...a); }

  // ---- stepping: Session's stepping: stepi/nexti, step/next, finish, until/advance.
  returnOf(...a: Rest<typeof stepping.returnOf>): Promise<{ pc: bigint; cfa: bigint; frame: Frame } | undefined> { return stepping.returnOf(this, ...a); }
  finishInline(...a: Rest<typeof stepping.finishInline>): Promise<boolean> { return stepping.finishInline(this, ...a); }
  stepper(...a: Rest<typeof stepping.stepper>): SourceStepper | undefined { return stepping.stepper(this, ...a); }
}
