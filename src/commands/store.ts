/**
 * The session's state in one object. The line-mode CLI, `tsdbg test` scripts
 * and the future Ink UI all read this store and listen to its events; only the
 * Session writes it. Keeping every piece of display state here (rather than in
 * the printing code) is what lets a UI redraw panes without re-asking the target.
 */
import type { WatchSnap } from './watch.js';
import type { WatchedRange } from './watch-soft.js';
import { EventEmitter } from 'node:events';
import { hasWrapHints, stripWrapHints } from '../dwarf/wrap.js';
import type { StopEvent, TargetState, WatchKind } from '../target/types.js';

export type BreakpointType = 'breakpoint' | 'hw watchpoint' | 'watchpoint' | 'read watchpoint' | 'acc watchpoint';

export interface Breakpoint {
  id: number;
  type: BreakpointType;
  /** What the user typed: `main`, `*0x401136`, `*(int*)0x404044`. */
  spec: string;
  /** Resolved address (run-time once the process exists; file address before); the lowest of several. */
  address: bigint | undefined;
  /** `break FILE:LINE`: the line gdb reports for it when that is not the line of its address (optimized code). */
  line?: number;
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
    /** Its value could not be read when set (optimized out): software, failing at the first step (gdb's). */
    unreadable?: boolean;
  };
  /** Set once inserted in the current process. */
  inserted: boolean;
  /** gdb `commands`: lines run each time it stops the program (`silent` first hides the stop). */
  commands?: string[];
}

export interface TargetSummary {
  pid: number;
  state: TargetState;
  exePath: string;
  kind: string;
  /** Started by us (killed on quit) or attached (detached on quit). */
  origin: 'spawned' | 'attached';
  engine: string | undefined;
}

export interface SnapshotSummary {
  start: bigint;
  length: number;
  /** Mapping name it was taken from, e.g. `[heap]`; checkpoint name if a checkpoint owns it. */
  region: string;
  owner: string | undefined;
}

export interface CheckpointSummary {
  name: string;
  bytes: number;
  regions: number;
  inEngine: boolean;
  pc: bigint;
}

export type OutputStream = 'stdout' | 'stderr' | 'inferior';

export interface OutputChunk {
  stream: OutputStream;
  text: string;
  /** The text with gdb's wrap points (src/commands/wrap.ts), when it has any: for a terminal's width. */
  marked?: string;
}

export interface SessionState {
  target: TargetSummary | undefined;
  lastStop: StopEvent | undefined;
  breakpoints: Breakpoint[];
  snapshots: SnapshotSummary[];
  checkpoints: CheckpointSummary[];
  /** Selected frame for `frame`/`up`/`down` (0 = innermost). */
  frame: number;
}

export interface StoreEvents {
  /** A part of the state changed (the key says which). */
  change: [keyof SessionState];
  /** Text for the user: command output, errors, the program's own output. */
  output: [OutputChunk];
}

/** Upper bound of output chunks kept for late readers (the UI's scroll-back). */
const OUTPUT_KEEP = 5000;

export class SessionStore extends EventEmitter<StoreEvents> {
  private readonly s: SessionState = {
    target: undefined,
    lastStop: undefined,
    breakpoints: [],
    snapshots: [],
    checkpoints: [],
    frame: 0,
  };
  readonly output: OutputChunk[] = [];

  get state(): Readonly<SessionState> {
    return this.s;
  }

  set<K extends keyof SessionState>(key: K, value: SessionState[K]): void {
    this.s[key] = value;
    this.emit('change', key);
  }

  /** Tell listeners a mutable part (e.g. a breakpoint's hit count) changed in place. */
  touch(key: keyof SessionState): void {
    this.emit('change', key);
  }

  write(stream: OutputStream, text: string): void {
    const chunk: OutputChunk = hasWrapHints(text) ? { stream, text: stripWrapHints(text), marked: text } : { stream, text };
    this.output.push(chunk);
    if (this.output.length > OUTPUT_KEEP) this.output.splice(0, this.output.length - OUTPUT_KEEP);
    this.emit('output', chunk);
  }
}
