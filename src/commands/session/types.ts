/** The types Session and its modules share (re-exported by src/commands/session.ts). */
import type { Registers, Target } from '../../target/types.js';
import type { StackFrame } from '../../dwarf/program.js';
import { type Command } from '../parse.js';
import { type Symbolizer } from '../format.js';
import { type Breakpoint } from '../store.js';
import { type AnyValue } from '../debug.js';

/** A breakpoint location by line: `FILE:LINE` or `LINE`. */
export const FILE_LINE = /^(?:([\w./+-]+):)?(\d+)$/;

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
export interface InternalStop {
  addr: bigint;
  /** Only stop when rsp is above this (the frame being left is gone). */
  spAbove?: bigint;
  /** Only stop in the frame of this CFA (gdb's frame-specific momentary breakpoint: `until LOCATION`). */
  cfa?: bigint;
}

export type StopOutcome = 'stopped' | 'internal' | 'gone';

export const MAX_FRAMES = 256;
/** gdb's solib_break_names: the function the dynamic linker calls at each library change. */
export const SOLIB_EVENT_NAMES = ['_dl_debug_state', '_r_debug_state', 'r_debug_state'];


/** The arguments of a Session method moved to src/commands/session/ (after the session itself). */
export type Rest<F> = F extends (s: never, ...a: infer A) => unknown ? A : never;
