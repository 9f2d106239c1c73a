/**
 * The debugger core's published state and its events. Only the core writes
 * it; front ends (the gdb console, `tsdbg dap`, a UI, tests) read `state`
 * and listen. Each update makes a new frozen DebuggerState (./state.ts).
 */
import { EventEmitter } from 'node:events';
import { hasWrapHints, stripWrapHints } from '../dwarf/wrap.js';
import { deepFreeze, INITIAL_STATE, type DebuggerState, type StopInfo } from './state.js';

export type OutputStream = 'stdout' | 'stderr' | 'inferior';

export interface OutputChunk {
  stream: OutputStream;
  text: string;
  /** The text with gdb's wrap points (src/dwarf/wrap.ts), when it has any: for a terminal's width. */
  marked?: string;
}

/** A console command or a structured operation, between its commandStart and commandEnd. */
export interface CommandInfo {
  /** Counts up from 1 for each operation the core runs. */
  readonly seq: number;
  /** The console line, or the operation's name (`setBreakpoint`, `evaluate`...). */
  readonly command: string;
}

export interface CommandEnd extends CommandInfo {
  readonly ok: boolean;
  /** The one-line error, when it failed. */
  readonly error?: string;
}

/**
 * A confirmation the core needs ("Start it from the beginning? (y or n)").
 * A listener calls `answer` once; the core waits for it. Without listeners
 * the session's own answerer (the terminal, line mode's default) answers.
 */
export interface Question {
  readonly text: string;
  /** The default is no (gdb's nquery). */
  readonly defaultNo: boolean;
  answer(yes: boolean): void;
}

export interface ExitInfo {
  readonly pid: number;
  readonly exitCode: number | undefined;
  /** The signal that killed it. */
  readonly signal: string | undefined;
}

export interface ThreadChange {
  readonly kind: 'new' | 'exited';
  readonly tid: number;
  /** gdb's thread number, when it has one. */
  readonly id: number | undefined;
}

export interface DebuggerEvents {
  /** The new state (a new object on every change). */
  state: [DebuggerState];
  commandStart: [CommandInfo];
  commandEnd: [CommandEnd];
  /** The program was resumed (`thread`: the one stepped, or undefined for all). */
  running: [{ thread: number | undefined }];
  /** The program stopped and the command that resumed it is reporting it. */
  stop: [StopInfo];
  /** The process ended. */
  exited: [ExitInfo];
  thread: [ThreadChange];
  /** The list of loaded images changed while the program ran (a library was loaded or unloaded). */
  modules: [];
  /** Text: the console's (stdout/stderr) and the program's own output (inferior). */
  output: [OutputChunk];
  question: [Question];
}

/** Upper bound of output chunks kept for late readers (the UI's scroll-back). */
const OUTPUT_KEEP = 5000;

export class DebuggerStore extends EventEmitter<DebuggerEvents> {
  private current: DebuggerState = INITIAL_STATE;
  readonly output: OutputChunk[] = [];

  get state(): DebuggerState {
    return this.current;
  }

  /** A new state with these parts replaced (frozen, deeply); listeners get it. */
  update(patch: Partial<DebuggerState>): DebuggerState {
    const keys = Object.keys(patch) as (keyof DebuggerState)[];
    if (keys.every((k) => this.current[k] === patch[k])) return this.current;
    this.current = deepFreeze({ ...this.current, ...patch });
    this.emit('state', this.current);
    return this.current;
  }

  write(stream: OutputStream, text: string): void {
    const chunk: OutputChunk = hasWrapHints(text) ? { stream, text: stripWrapHints(text), marked: text } : { stream, text };
    this.output.push(chunk);
    if (this.output.length > OUTPUT_KEEP) this.output.splice(0, this.output.length - OUTPUT_KEEP);
    this.emit('output', chunk);
  }

  /**
   * Ask a question: the `question` listeners answer it (the first answer
   * counts), else `fallback` does.
   */
  ask(text: string, defaultNo: boolean, fallback: (q: string, defaultNo: boolean) => Promise<boolean>): Promise<boolean> {
    if (this.listenerCount('question') === 0) return fallback(text, defaultNo);
    return new Promise<boolean>((resolve) => {
      let done = false;
      this.emit('question', {
        text, defaultNo,
        answer: (yes) => { if (!done) { done = true; resolve(yes); } },
      });
    });
  }
}
