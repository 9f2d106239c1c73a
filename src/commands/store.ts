/**
 * The session's own record of a breakpoint (mutable, private to the core).
 * Front ends never see it: the core publishes frozen BreakpointInfo copies
 * in its DebuggerState (src/debugger/state.ts) after every change.
 */
import type { WatchSnap } from './watch.js';
import type { WatchedRange } from './watch-soft.js';
import type { WatchKind } from '../target/types.js';

export type BreakpointType = 'breakpoint' | 'hw watchpoint' | 'watchpoint' | 'read watchpoint' | 'acc watchpoint' | 'catchpoint';

export interface Breakpoint {
  id: number;
  type: BreakpointType;
  /** What the user typed: `main`, `*0x401136`, `*(int*)0x404044`. */
  spec: string;
  /** Resolved address (run-time once the process exists; file address before); the lowest of several. */
  address: bigint | undefined;
  /** `break FILE:LINE`: the line gdb reports for it when that is not the line of its address (optimized code). */
  line?: number;
  /** The same for each of several locations (`address` first, then `more`), where gdb keeps one. */
  lines?: (number | undefined)[];
  /** Its other locations, higher up (`break FUNC` of a function also inlined: gdb's 1.1, 1.2...). */
  more?: bigint[];
  /** Indexes of the locations where its condition does not parse (gdb's `N*`): they never stop. */
  invalid?: number[];
  enabled: boolean;
  /** 'del' for tbreak, 'dis' for `enable once`. */
  disposition: 'keep' | 'del' | 'dis';
  hits: number;
  condition: string | undefined;
  ignoreCount: number;
  /** Watchpoints: watched length, access kind and the last value seen; `soft`: single-stepped, no debug register. */
  watch?: {
    length: number; kind: WatchKind; soft?: boolean;
    /** The value last seen, and what it covers: the object and the pointers it is reached through. */
    old: WatchSnap; ranges: WatchedRange[];
    /** A local's watch: valid until the frame (its CFA) returns to `ret`, where a breakpoint watches for it. */
    scope?: { ret: bigint; cfa: bigint };
    /** The CFA of the frame it was set in (gdb's watchpoint frame): its expression is checked there, whatever frame writes it. */
    frame?: bigint;
    /** Its value could not be read when set (optimized out): software, failing at the first step (gdb's). */
    unreadable?: boolean;
    /** `watch -location EXPR`: what is checked, gdb's `* (TYPE *) ADDR` (the spec is `-location EXPR`). */
    expr?: string;
  };
  /** Set once inserted in the current process. */
  inserted: boolean;
  /** catch syscall: the call numbers it stops at ('any': every call). */
  syscalls?: number[] | 'any';
  /** gdb `commands`: lines run each time it stops the program (`silent` first hides the stop). */
  commands?: string[];
}

export { DebuggerStore as SessionStore } from '../debugger/store.js';
export type { OutputChunk, OutputStream } from '../debugger/store.js';
export type { SnapshotInfo as SnapshotSummary, CheckpointInfo as CheckpointSummary } from '../debugger/state.js';
