/**
 * gdb's `set breakpoint pending on|off|auto`: what `break` does with a
 * location no loaded object has (yet). auto (the default) asks, with no as
 * the answer off a terminal; on makes it pending; off leaves the error.
 */
import { CommandError } from './parse.js';
import { booleanWord } from './screen.js';

export type PendingMode = 'on' | 'off' | 'auto';

/** gdb's NOT_FOUND_ERROR texts of a breakpoint location: the ones a library loaded later could define. */
const NOT_FOUND = /^(Function ".*" not defined\.|No line \d+ in (the current file|file ".*")\.|No source file named .*\.)$/;

export const PENDING_QUESTION = 'Make breakpoint pending on future shared library load? (y or [n])';

/** A location gdb looked up and found nowhere, whatever its words (FILE:LINE in a program without symbols). */
export class LocationNotFound extends CommandError {}

/** A location's error that pending applies to. */
export function isNotFound(e: unknown): e is Error {
  return e instanceof LocationNotFound || (e instanceof Error && NOT_FOUND.test(e.message));
}

/** The value of `set breakpoint pending VALUE`, with gdb's error. */
export function parsePendingMode(value: string): PendingMode {
  const v = value.trim().toLowerCase();
  const b = booleanWord(v);
  if (b !== undefined) return b ? 'on' : 'off';
  if (v === 'auto' || v === '-1') return 'auto';
  throw new CommandError('"on", "off" or "auto" expected.');
}

/**
 * After the location's error (printed by the caller): make it pending?
 * `confirm(question, defaultNo)` is the session's question.
 */
export async function makePending(mode: PendingMode, confirm: (q: string, defaultNo?: boolean) => Promise<boolean>): Promise<boolean> {
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  return confirm(PENDING_QUESTION, true);
}

/** `show breakpoint pending`, in gdb's words; undefined for another setting. */
export function showPending(name: string, mode: PendingMode): string | undefined {
  if (!/^breakpoint\s+pending$/.test(name)) return undefined;
  return `Debugger's behavior regarding pending breakpoints is ${mode}.`;
}
