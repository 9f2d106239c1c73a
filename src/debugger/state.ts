/**
 * The debugger's state as one immutable value (issue 11): every change makes
 * a NEW frozen `DebuggerState` (and new frozen objects for the parts that
 * changed), never an edit in place, so a UI store subscription, a DAP server
 * or a test sees each change as a new value and can compare by identity.
 *
 * Nothing here is text: front ends (the gdb console, `tsdbg dap`, a UI)
 * render it their own way.
 */
import type { Registers, TargetState, WatchKind } from '../target/types.js';

/** The process being debugged. */
export interface ProcessInfo {
  readonly pid: number;
  readonly state: TargetState;
  readonly exePath: string;
  /** 'local' | 'remote' (display only). */
  readonly kind: string;
  /** Started by us (killed on quit) or attached (detached on quit). */
  readonly origin: 'spawned' | 'attached';
  /** Snapshot engine name ('kernel', 'userspace', 'remote'...), when the target has one. */
  readonly engine: string | undefined;
}

export interface ThreadState {
  /** gdb's thread number (1, 2, ...). */
  readonly id: number;
  /** The kernel's tid (LWP). */
  readonly tid: number;
  readonly name: string;
  /** gdb's "Target Id": `Thread 0x7ffff7d8a740 (LWP 1234)`. */
  readonly targetId: string;
}

/**
 * One frame of the stack, the one Frame type front ends see. `level` 0 is
 * innermost; `function`/`file`/`line` are undefined where no symbols or
 * line info say.
 */
export interface Frame {
  readonly level: number;
  readonly pc: bigint;
  readonly function: string | undefined;
  /** The file's name as the line table gives it (`f.c`). */
  readonly file: string | undefined;
  /** The file's full path, when known. */
  readonly path: string | undefined;
  readonly line: number | undefined;
  /** The canonical frame address, when the unwinder knows it. */
  readonly cfa?: bigint;
  /** The library the pc is in, when it is not the program. */
  readonly module?: string;
}

export type StopKind =
  | 'breakpoint' | 'watchpoint' | 'step' | 'signal' | 'interrupted' | 'exec' | 'entry' | 'finish' | 'exited' | 'killed' | 'rewind'
  | 'syscall';

export interface WatchChange {
  readonly breakpoint: number;
  readonly expression: string;
  /** gdb's text of the values (`Old value = ...`); `old` undefined for a read watchpoint. */
  readonly old: string | undefined;
  readonly new: string;
}

/** Where and why the program stopped last. */
export interface StopInfo {
  readonly reason: StopKind;
  /** The kernel tid of the thread that stopped. */
  readonly thread: number;
  readonly pc: bigint | undefined;
  readonly function: string | undefined;
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly line: number | undefined;
  /** The user breakpoints (and watchpoints) that caused the stop. */
  readonly breakpoints: readonly number[];
  readonly watch: readonly WatchChange[];
  /** `signal`: SIGSEGV, ...; `killed`: the signal that ended it. */
  readonly signal: string | undefined;
  /** `exited`: the exit code. */
  readonly exitCode: number | undefined;
  /** `syscall` (catch syscall): the call, at its entry (arguments) or its return (result). */
  readonly syscall?: SyscallStop;
}

export interface SyscallStop {
  readonly name: string;
  readonly number: number;
  readonly entry: boolean;
  readonly args: readonly bigint[];
  /** at the return: the raw result (-errno on failure) */
  readonly ret: bigint | undefined;
}

export interface RegisterState {
  readonly values: Readonly<Registers>;
  /** The names whose value differs from the previous stop's (all of them at the first). */
  readonly changed: readonly string[];
}

export interface BreakpointInfo {
  readonly id: number;
  readonly type: 'breakpoint' | 'hw watchpoint' | 'watchpoint' | 'read watchpoint' | 'acc watchpoint' | 'catchpoint';
  /** What was asked for: `main`, `f.c:12`, `*0x401136`, the watched expression. */
  readonly spec: string;
  /** Resolved (false: pending, waiting for a library). */
  readonly verified: boolean;
  readonly address: bigint | undefined;
  /** Every location's address (several for an inlined function or a line in a template). */
  readonly locations: readonly bigint[];
  readonly function: string | undefined;
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly enabled: boolean;
  readonly temporary: boolean;
  readonly hits: number;
  readonly condition: string | undefined;
  readonly ignoreCount: number;
  readonly commands: readonly string[];
  readonly watch?: { readonly length: number; readonly access: WatchKind; readonly software: boolean };
}

export interface DisplayInfo {
  readonly id: number;
  readonly expression: string;
  readonly format: string | undefined;
  readonly enabled: boolean;
}

export interface SnapshotInfo {
  readonly start: bigint;
  readonly length: number;
  /** Mapping name it was taken from, e.g. `[heap]`. */
  readonly region: string;
  /** The checkpoint that owns it, if one does. */
  readonly owner: string | undefined;
}

export interface CheckpointInfo {
  readonly name: string;
  readonly bytes: number;
  readonly regions: number;
  /** The newest checkpoint: held by the snapshot engine rather than tsdbg's buffers. */
  readonly inEngine: boolean;
  readonly pc: bigint;
}

export interface Limits {
  /** `set checkpoint-limit`: bytes older checkpoints may hold in tsdbg's buffers (undefined: unlimited). */
  readonly checkpointBuffer: number | undefined;
}

export interface DebuggerState {
  readonly program: string | undefined;
  readonly process: ProcessInfo | undefined;
  readonly threads: readonly ThreadState[];
  /** The kernel tid of the selected thread. */
  readonly selectedThread: number | undefined;
  /** The selected frame's level (0 = innermost). */
  readonly selectedFrame: number;
  /** The program is running (a resume is under way). */
  readonly running: boolean;
  readonly stop: StopInfo | undefined;
  readonly registers: RegisterState | undefined;
  /** The stack as last computed (innermost first); the top frame after each stop, all of it after frames(). */
  readonly frames: readonly Frame[];
  readonly breakpoints: readonly BreakpointInfo[];
  readonly displays: readonly DisplayInfo[];
  readonly snapshots: readonly SnapshotInfo[];
  readonly checkpoints: readonly CheckpointInfo[];
  readonly limits: Limits;
}

export const INITIAL_STATE: DebuggerState = deepFreeze({
  program: undefined,
  process: undefined,
  threads: [],
  selectedThread: undefined,
  selectedFrame: 0,
  running: false,
  stop: undefined,
  registers: undefined,
  frames: [],
  breakpoints: [],
  displays: [],
  snapshots: [],
  checkpoints: [],
  limits: { checkpointBuffer: undefined },
});

/** Freeze a plain value and everything it holds (bigints and strings are values already). */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** The names of the registers whose values differ (all of them without a previous set). */
export function changedRegisters(before: Readonly<Registers> | undefined, now: Readonly<Registers>): string[] {
  return Object.keys(now).filter((k) => !before || before[k as keyof Registers] !== now[k as keyof Registers]);
}
