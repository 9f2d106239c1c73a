/**
 * What the DAP server needs from the debugger core, in structured form: the
 * one seam between src/dap/ (protocol) and src/debugger/ (the core). The
 * adapter for the core's Debugger lives in ./core-backend.ts; nothing in the
 * protocol layer reads gdb's text except the `repl` context, whose output is
 * meant for a person.
 */
import type { EventEmitter } from 'node:events';
import type { Evaluator } from '../dwarf/evaluator.js';
import type { Value } from '../dwarf/value.js';
import type { Registers } from '../target/types.js';

export interface Evaluated {
  value: Value;
  evaluator?: Evaluator;
  text: string;
  type: string;
}

export interface LaunchConfig {
  program: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  stopOnEntry: boolean;
}

/** Why the program stopped, in DAP's words. */
export type StopReason = 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'step' | 'pause' | 'entry' | 'exception' | 'goto';

export interface StopInfo {
  reason: StopReason;
  threadId: number;
  /** The ids of the breakpoints (core ids) that caused it. */
  breakpointIds?: number[];
  /** One line for the client (a signal's name, a watchpoint's old and new values). */
  description?: string;
}

/** The end of a run: a stop, or the process is gone (exit code when it exited). */
export type RunEnd = { kind: 'stopped'; stop: StopInfo } | { kind: 'exited'; code: number | undefined };

export interface FrameInfo {
  level: number;
  pc: bigint;
  function?: string;
  /** The file as DWARF names it, and its full path when known. */
  file?: string;
  path?: string;
  line?: number;
}

export type BreakpointSpec =
  | { kind: 'line'; file: string; line: number }
  | { kind: 'function'; name: string }
  | { kind: 'watch'; expression: string; access: 'read' | 'write' | 'readWrite' };

export interface BreakpointResult {
  id?: number;
  verified: boolean;
  line?: number;
  path?: string;
  address?: bigint;
  /** Why it could not be set (gdb's words). */
  message?: string;
}

export interface Instruction {
  address: bigint;
  bytes: Buffer;
  text: string;
  symbol?: string;
  path?: string;
  line?: number;
}

/** A loaded image (the program, a shared library, the vDSO). */
export interface ModuleEntry {
  path: string;
  start: bigint;
  end: bigint;
  symbols: boolean;
  debugInfo: boolean;
}

/** Why the program stopped at a signal: the signal's name and gdb's line for it. */
export interface SignalStop {
  signal: string;
  /** gdb's words: `Program received signal SIGSEGV, Segmentation fault.` */
  description: string;
  function?: string;
  path?: string;
  line?: number;
}

export interface BackendEvents {
  output: [category: 'stdout' | 'stderr' | 'console', text: string];
  thread: [reason: 'started' | 'exited', threadId: number];
  /** A stop that no request of the client asked for (another thread's signal while running is reported by the run's end). */
  stopped: [StopInfo];
  exited: [code: number | undefined];
  /** A breakpoint changed on its own: a pending one resolved when its library loaded, or a local's watch ended. */
  breakpoint: [reason: 'changed' | 'removed', result: BreakpointResult & { id: number }];
  /** A console command resumed the program (a repl `continue`): the client shows it running. */
  continued: [threadId: number | undefined];
  /** A library was loaded or unloaded (the client's module list may have changed). */
  modules: [];
  /** A process is being debugged: started (launch) or attached. */
  process: [info: { pid: number; name: string; origin: 'spawned' | 'attached' }];
}

export interface DapBackend extends EventEmitter<BackendEvents> {
  /** Load the program (no process yet: breakpoints may be set) and remember how to start it. */
  load(config: LaunchConfig): Promise<void>;
  /** Start the loaded program: stopped at its entry, or running until the first stop. */
  start(): Promise<RunEnd>;
  attach(pid: number): Promise<StopInfo>;
  /** 'spawned' (kill on disconnect) or 'attached' (detach); undefined with no process. */
  readonly origin: 'spawned' | 'attached' | undefined;
  readonly pid: number | undefined;

  setBreakpoint(spec: BreakpointSpec, condition?: string, ignoreCount?: number): Promise<BreakpointResult>;
  deleteBreakpoint(id: number): Promise<void>;

  resume(threadId: number): Promise<RunEnd>;
  next(threadId: number, instruction: boolean): Promise<RunEnd>;
  stepIn(threadId: number, instruction: boolean): Promise<RunEnd>;
  stepOut(threadId: number): Promise<RunEnd>;
  /** Stop the running program (the run's promise then ends with reason 'pause'). */
  pause(): void;

  threads(): Promise<Array<{ id: number; name: string }>>;
  frames(threadId: number): Promise<FrameInfo[]>;
  /** The DWARF evaluator of a frame (locals, arguments, expressions); undefined without DWARF. */
  evaluator(threadId: number, level: number): Promise<Evaluator | undefined>;
  /**
   * A C expression in a frame: the DWARF value with its frame's evaluator, or
   * (registers, programs without DWARF) only gdb's text, its type and, for a
   * number or an address, its value.
   */
  evaluate(expression: string, threadId: number | undefined, level: number): Promise<Evaluated>;
  registers(threadId: number, level: number): Promise<Registers>;
  symbolize(addr: bigint): string | undefined;

  /** A console command as a person types it: its text output, or its one-line error; `end` when it ran the program. */
  execute(line: string): Promise<{ ok: boolean; output: string; error?: string; end?: RunEnd }>;

  /** The readable prefix of [addr, addr+len). */
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;
  disassemble(addr: bigint, count: number): Promise<Instruction[]>;

  checkpoints(): string[];
  checkpoint(name?: string): Promise<unknown>;
  rewind(name?: string): Promise<StopInfo>;
  snapshot(spec: string, length?: number): Promise<unknown>;
  diff(spec: string): Promise<unknown>;
  restore(spec: string): Promise<unknown>;

  /** Assign `value` to the lvalue `expression` in a frame (gdb's `set var`); the expression's new value. */
  assign(expression: string, value: string, threadId: number | undefined, level: number): Promise<Evaluated>;
  /** Console completion (gdb's rules) of `line` up to `cursor`: what replaces line[replaceFrom, cursor). */
  complete(line: string, cursor: number): Promise<{ candidates: string[]; replaceFrom: number }>;
  /** The program and its shared libraries, in load order (none without a process). */
  modules(): Promise<ModuleEntry[]>;
  /** The program's source files (full paths). */
  sources(): Promise<string[]>;
  /** The signal the program stopped at, if the last stop was one. */
  signalStop(): SignalStop | undefined;
  /** Kill the launched program and start it again (with a new launch configuration, if given). */
  restart(config?: LaunchConfig): Promise<RunEnd>;

  /** Kill what was launched, detach from what was attached. */
  end(kill?: boolean): Promise<void>;
}
