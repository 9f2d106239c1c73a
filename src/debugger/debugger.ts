/**
 * The debugger core's structured face: what a front end without text (the
 * DAP server, a UI, a test runner) calls. Every call runs alone, queued with
 * the console's commands, between commandStart and commandEnd events; the
 * results are plain values and the state is in `store.state` (./state.ts).
 * `execute(line)` is the console route (gdb's commands, gdb's text out).
 *
 *   const d = new Debugger({ launcher: localLauncher() });
 *   d.store.on('stop', (s) => ...);
 *   await d.load('./prog', []);
 *   await d.setBreakpoint({ function: 'main' });
 *   await d.launch();
 */
import { Session, type CommandResult, type Launcher, type LaunchOptions, type SessionCore } from '../commands/session.js';
import { CommandError } from './errors.js';
import { moduleList, sourceList, type ModuleInfo } from './modules.js';
import type { Completion } from '../console/index.js';
import { hostOf, nameRanges, type NamedPiece } from './inspect/address-names.js';
import { DebugBridge } from '../commands/debug.js';
import { changedRanges } from '../commands/format.js';
import { stripWrapHints } from '../dwarf/wrap.js';
import { disassemble as decode } from '../commands/disasm.js';
import { typeName as dwarfTypeName } from '../dwarf/types.js';
import type { Value } from '../dwarf/value.js';
import type { Evaluator } from '../dwarf/evaluator.js';
import type { Mapping, WatchKind } from '../target/types.js';
import { TargetError } from '../target/types.js';
import type { DebuggerStore } from './store.js';
import { frameOfDwarf, frameOfPc } from './publish.js';
import type { BreakpointInfo, CheckpointInfo, DebuggerState, Frame, RegisterState, SnapshotInfo } from './state.js';

export type BreakpointLocation =
  | { file: string; line: number }
  | { line: number }
  | { function: string }
  | { address: bigint };

export interface BreakpointOptions {
  /** Stop only when this C expression is true. */
  condition?: string;
  /** Stop at the Nth hit (the first N-1 are ignored: gdb's ignore count N-1). */
  hitCount?: number;
  /** Delete it at its first stop (tbreak). */
  temporary?: boolean;
}

export interface EvaluateResult {
  /** The C evaluator's value (src/dwarf/value.ts): every value is one, the session's own included. */
  value: Value;
  /** The evaluator that made `value` (formats it, reads its members). */
  evaluator: Evaluator | undefined;
  /** The C type's name: `int`, `struct point *`. */
  type: string;
  /** gdb's print text of the value (without `$N = `). */
  text: string;
}

export interface Instruction {
  address: bigint;
  bytes: Buffer;
  /** gdb's AT&T text: `mov    %rsp,%rbp`. */
  text: string;
  /** `<main+4>` part, when a symbol covers it. */
  symbol: string | undefined;
  function: string | undefined;
  file: string | undefined;
  path: string | undefined;
  line: number | undefined;
}

export interface SnapshotDiff {
  start: bigint;
  length: number;
  /** Runs of bytes that differ: offset from start, the snapshot's bytes, the bytes now. */
  changes: { offset: number; old: Buffer; now: Buffer }[];
}

export interface DebuggerOptions {
  launcher: Launcher;
  launch?: LaunchOptions;
  /** Answers questions when no `question` listener does (default: gdb's default answer). */
  confirm?: (question: string, defaultNo?: boolean) => Promise<boolean>;
}

export class Debugger {
  /** The console: gdb's commands and text, on the same core. */
  readonly session: Session;
  private readonly core: SessionCore;

  /** `{ session }`: the structured face of a console session made elsewhere (`tsdbg run`'s, for the UI). */
  constructor(opts: DebuggerOptions | { session: Session }) {
    this.session = 'session' in opts ? opts.session : new Session({ launcher: opts.launcher, launch: opts.launch, confirm: opts.confirm });
    this.core = this.session.core();
  }

  get store(): DebuggerStore { return this.session.store; }
  get state(): DebuggerState { return this.session.store.state; }

  /** One structured operation: queued, quiet on the console, between commandStart/commandEnd. */
  private op<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.session.exclusive(name, () => this.core.quietly(fn));
  }

  // ---- program and process -----------------------------------------------------------------

  /** The program to debug (ELF and DWARF are read now), its arguments, directory and environment. */
  load(program: string, args: string[] = [], cwd?: string, env?: NodeJS.ProcessEnv): Promise<void> {
    return this.op('load', async () => this.core.load(program, args, cwd, env));
  }

  /** Start the program: to its first instruction with `stopOnEntry`, else until a breakpoint or its end. */
  launch(stopOnEntry = false): Promise<DebuggerState> {
    return this.op('launch', async () => {
      await this.core.command({ kind: 'run', args: undefined, stopAt: stopOnEntry ? 'first-instruction' : undefined });
    }).then(() => this.state);
  }

  attach(pid: number): Promise<DebuggerState> {
    return this.op('attach', async () => { await this.core.command({ kind: 'attach', pid }); }).then(() => this.state);
  }

  /** Kill the program (no question asked). */
  kill(): Promise<void> {
    return this.op('kill', () => this.core.kill());
  }

  /** Let the program go on without us. */
  detach(): Promise<void> {
    return this.op('detach', async () => { await this.core.command({ kind: 'detach' }); });
  }

  /** Leave no process behind: kill what was started, detach what was attached. */
  shutdown(): Promise<void> {
    return this.session.shutdown();
  }

  /** Text for the program's standard input (its terminal), while it runs. */
  sendInput(data: string | Buffer): Promise<void> {
    return this.session.sendInput(data);
  }

  // ---- execution ----------------------------------------------------------------------------

  /** Continue until the next stop; resolves with the state at that stop (or the exit). */
  resume(): Promise<DebuggerState> {
    return this.exec('continue', { kind: 'continue', count: 1 });
  }

  /** Stop the running program (Ctrl-C): not queued, the pending resume reports the stop. */
  pause(): void {
    this.session.interrupt();
  }

  /** One source line, into calls. */
  step(thread?: number): Promise<DebuggerState> {
    return this.exec('step', { kind: 'step', count: 1, over: false }, thread);
  }

  /** One source line, over calls. */
  next(thread?: number): Promise<DebuggerState> {
    return this.exec('next', { kind: 'step', count: 1, over: true }, thread);
  }

  /** Run until the selected frame returns (gdb's finish). */
  stepOut(thread?: number): Promise<DebuggerState> {
    return this.exec('finish', { kind: 'finish' }, thread);
  }

  /** One instruction (`over`: a call is run through, gdb's nexti). */
  stepi(thread?: number, over = false): Promise<DebuggerState> {
    return this.exec(over ? 'nexti' : 'stepi', { kind: 'stepi', count: 1, over }, thread);
  }

  private exec(name: string, c: Parameters<SessionCore['command']>[0], thread?: number): Promise<DebuggerState> {
    return this.op(name, async () => {
      if (thread !== undefined && thread !== this.core.target()?.selectedThread) this.core.selectThread(thread);
      await this.core.command(c);
    }).then(() => this.state);
  }

  // ---- breakpoints --------------------------------------------------------------------------

  setBreakpoint(at: BreakpointLocation, opts: BreakpointOptions = {}): Promise<BreakpointInfo> {
    const spec = 'address' in at ? `*0x${at.address.toString(16)}`
      : 'function' in at ? at.function
        : 'file' in at ? `${at.file}:${at.line}` : `${at.line}`;
    return this.op('setBreakpoint', async () => {
      const before = this.core.lastBreakpointId();
      await this.core.command({ kind: 'break', location: spec, temporary: opts.temporary ?? false, condition: opts.condition });
      const id = this.core.lastBreakpointId();
      if (id === before) throw new CommandError(`No breakpoint made at ${spec}.`);
      if (opts.hitCount !== undefined && opts.hitCount > 1) {
        this.core.breakpoint(id).ignoreCount = opts.hitCount - 1;
        this.core.publishBreakpoints();
      }
      return this.breakpointInfo(id);
    });
  }

  /** A watchpoint on an expression: written (`write`), read, or either (`access`). */
  setWatchpoint(expr: string, access: WatchKind = 'write'): Promise<BreakpointInfo> {
    return this.op('setWatchpoint', async () => {
      const before = this.core.lastBreakpointId();
      await this.core.command({ kind: 'watch', expr, access });
      const id = this.core.lastBreakpointId();
      if (id === before) throw new CommandError(`No watchpoint made on ${expr}.`);
      return this.breakpointInfo(id);
    });
  }

  deleteBreakpoint(id: number): Promise<void> {
    return this.op('deleteBreakpoint', async () => { await this.core.command({ kind: 'delete', ids: [id] }); });
  }

  enableBreakpoint(id: number, enable: boolean): Promise<BreakpointInfo> {
    return this.op('enableBreakpoint', async () => {
      await this.core.command({ kind: 'enable', ids: [id], enable, once: false });
      return this.breakpointInfo(id);
    });
  }

  private breakpointInfo(id: number): BreakpointInfo {
    const b = this.state.breakpoints.find((x) => x.id === id);
    if (!b) throw new CommandError(`No breakpoint number ${id}.`);
    return b;
  }

  // ---- threads and frames --------------------------------------------------------------------

  /** The stack of a thread (default: the selected one), innermost first; published as state.frames. */
  frames(thread?: number, max = 256): Promise<readonly Frame[]> {
    return this.op('frames', async () => {
      const t = this.core.target();
      const walk = async () => {
        const stack = await this.core.stack(max);
        const place = (pc: bigint) => this.session.place(pc);
        return stack.map((f) => (f.dwarf ? frameOfDwarf(f.dwarf, f.level, f.cfa, place) : frameOfPc(f.level, f.pc, f.cfa, place)));
      };
      const frames = thread !== undefined && t && thread !== t.selectedThread ? await this.core.withThread(thread, walk) : await walk();
      if (thread === undefined || thread === t?.selectedThread) this.store.update({ frames });
      return frames;
    });
  }

  selectThread(tid: number): Promise<void> {
    return this.op('selectThread', async () => this.core.selectThread(tid));
  }

  selectFrame(level: number): Promise<void> {
    return this.op('selectFrame', async () => { await this.core.command({ kind: 'frame', index: level, relative: undefined, text: String(level) }); });
  }

  // ---- data ----------------------------------------------------------------------------------

  /** Evaluate a C expression in a frame (default: the selected one); `format`, a print letter (x d u o t c a z s f), for its text. */
  evaluate(expr: string, frame?: number, format?: string): Promise<EvaluateResult> {
    return this.op('evaluate', async () => {
      const any = await this.core.evaluate(expr, frame ?? this.state.selectedFrame);
      return { value: any.dwarf, evaluator: any.ev, type: dwarfTypeName(any.dwarf.type), text: stripWrapHints(await DebugBridge.format(any, format)) };
    });
  }

  readMemory(addr: bigint, length: number): Promise<Buffer> {
    return this.op('readMemory', () => this.core.readMemory(addr, length));
  }

  writeMemory(addr: bigint, data: Buffer): Promise<void> {
    return this.op('writeMemory', () => this.core.writeMemory(addr, data));
  }

  /** The process's memory map (/proc/PID/maps, or the remote stub's). */
  memoryMap(): Promise<Mapping[]> {
    return this.op('memoryMap', async () => {
      const t = this.core.target();
      if (!t) throw new CommandError('The program is not being run.');
      return t.memoryMap();
    });
  }

  /** `main+4`: the symbol and offset an address is at (gdb's <main+4> without the brackets), if any. */
  symbolize(addr: bigint): string | undefined {
    return this.core.symbolize(addr);
  }

  /** The selected thread's general registers, and which changed since the previous stop. */
  registers(): Promise<RegisterState> {
    return this.op('registers', async () => {
      await this.core.registers();
      return this.state.registers!;
    });
  }

  /** `count` instructions from `addr`, decoded (gdb's AT&T syntax), with their places. */
  disassemble(addr: bigint, count: number): Promise<Instruction[]> {
    return this.op('disassemble', async () => {
      const code = await this.core.readCode(addr, count * 15);
      return decode(code, addr, this.core.symbolize, count).map((i) => {
        const p = this.session.place(i.address);
        return {
          address: i.address, bytes: Buffer.from(i.bytes), text: i.text, symbol: this.core.symbolize(i.address),
          function: p.function, file: p.file, path: p.path, line: p.line,
        };
      });
    });
  }

  // ---- snapshots and checkpoints --------------------------------------------------------------

  snapshot(start: bigint, length: number): Promise<SnapshotInfo> {
    return this.op('snapshot', async () => {
      await this.core.command({ kind: 'snapshot', cmd: { op: 'take', start: `0x${start.toString(16)}`, length: String(length) } });
      const s = this.state.snapshots.find((x) => x.start === start);
      if (!s) throw new TargetError('EIO', `No snapshot starts at 0x${start.toString(16)}.`);
      return s;
    });
  }

  /** A snapshot of a whole mapping: `[heap]`, `[stack]`, or the Nth of the memory map. */
  snapshotMapping(which: 'heap' | 'stack' | number): Promise<SnapshotInfo> {
    return this.op('snapshot', () => this.session.snaps.takeMapping(which));
  }

  /** What changed in memory since the snapshot at `start` was taken. */
  diff(start: bigint): Promise<SnapshotDiff> {
    return this.op('diff', async () => {
      const { old, now } = await this.session.snaps.compare(await this.session.snaps.startOf(start));
      return { start, length: old.length, changes: byteRuns(old, now) };
    });
  }

  /** What each range belongs to: a variable's field, a heap chunk, a stack slot (./inspect/address-names.ts). */
  names(ranges: ReadonlyArray<{ start: bigint; length: number }>): Promise<NamedPiece[]> {
    return this.op('names', () => nameRanges(hostOf(this.core), ranges));
  }

  /** Put the memory of the snapshot at `start` back (the snapshot is dropped). */
  restore(start: bigint): Promise<void> {
    return this.op('restore', async () => { await this.core.command({ kind: 'restore', addr: `0x${start.toString(16)}` }); });
  }

  checkpoint(name?: string): Promise<CheckpointInfo> {
    return this.op('checkpoint', async () => {
      await this.core.command({ kind: 'checkpoint', name });
      return this.state.checkpoints[this.state.checkpoints.length - 1]!;
    });
  }

  deleteCheckpoint(name: string): Promise<void> {
    return this.op('deleteCheckpoint', async () => { await this.core.command({ kind: 'checkpoint-delete', name }); });
  }

  /** Back to a checkpoint (default: the newest); `force` restores what can be when the process changed shape. */
  rewind(name?: string, force = false): Promise<DebuggerState> {
    return this.op('rewind', async () => { await this.core.command({ kind: 'rewind', name, force }); }).then(() => this.state);
  }

  /**
   * The program and its shared libraries (and the vDSO), in load order; none without a process.
   * Not queued behind a running operation: the list is the image's, replaced whole at each library
   * event, so it can be read (and a `modules` event answered) while the program runs.
   */
  modules(): Promise<ModuleInfo[]> {
    return Promise.resolve(moduleList(this.session));
  }

  /** The program's source files (full paths from its DWARF line tables). */
  sources(): Promise<string[]> {
    return this.op('sources', async () => sourceList(this.session));
  }

  /** Completions of a console line up to `cursor`, by gdb's rules (the prompt's Tab). */
  complete(line: string, cursor = line.length): Promise<Completion> {
    return this.op('complete', () => this.session.console.complete(line, cursor));
  }

  // ---- the console route ------------------------------------------------------------------------

  /** A gdb console command, its text as output events (the DAP `repl` context). */
  execute(line: string): Promise<CommandResult> {
    return this.session.execute(line);
  }
}

/** Runs of differing bytes. */
function byteRuns(old: Buffer, now: Buffer): SnapshotDiff['changes'] {
  return changedRanges(old, now).map(([offset, length]) => ({
    offset, old: Buffer.from(old.subarray(offset, offset + length)), now: Buffer.from(now.subarray(offset, offset + length)),
  }));
}
