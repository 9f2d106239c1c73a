/** The debugger core (issue 11): structured operations, immutable state, typed events. */
export { Debugger } from './debugger.js';
export type { BreakpointLocation, BreakpointOptions, DebuggerOptions, EvaluateResult, Instruction, SnapshotDiff } from './debugger.js';
export { DebuggerStore } from './store.js';
export type { CommandEnd, CommandInfo, DebuggerEvents, ExitInfo, OutputChunk, OutputStream, Question, ThreadChange } from './store.js';
export type {
  BreakpointInfo, CheckpointInfo, DebuggerState, DisplayInfo, Frame, Limits, ProcessInfo, RegisterState, SnapshotInfo,
  StopInfo, StopKind, ThreadState, WatchChange,
} from './state.js';
export { localLauncher } from './local-launcher.js';
export type { ModuleInfo } from './modules.js';
