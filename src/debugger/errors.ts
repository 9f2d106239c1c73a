/**
 * Errors in the core: the failures a debugger expects (the program's memory,
 * its debug info, the user's words) are one line for the user; anything else
 * is a bug in tsdbg and says so ("internal error: ..."), never a stack trace.
 */
import { ExprError } from '../dwarf/cexpr.js';
import { DwarfError } from '../dwarf/reader.js';
import { TargetError } from '../target/types.js';
import { SnapshotError } from '../snapshot/types.js';
import { CheckpointError } from '../snapshot/checkpoint.js';
import { ElfError } from '../elf/elf.js';

/** A parse/usage error of a command, worded for the prompt (gdb's words). */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** An expression that cannot be evaluated (memory, registers, symbols), in gdb's wording. */
export class EvalError extends Error {
  override name = 'EvalError';
}

/** The DWARF layer's errors: the user's file or expression, not tsdbg's bug. */
export function isDebugError(e: unknown): boolean {
  return e instanceof ExprError || e instanceof DwarfError;
}

/** An error that is the program's or the user's, not tsdbg's. */
export function isUserError(e: unknown): boolean {
  return e instanceof CommandError || e instanceof EvalError || e instanceof TargetError ||
    e instanceof SnapshotError || e instanceof CheckpointError || e instanceof ElfError || isDebugError(e);
}

/** One line for the prompt, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (isUserError(e)) return (e as Error).message;
  if (e instanceof Error && process.env.TSDBG_STACK) process.stderr.write(`${e.stack}\n`);
  if (e instanceof Error) return `internal error: ${e.message.split('\n')[0]}`;
  return String(e);
}

/**
 * For `.catch(expected(fallback))`: an expected failure (unreadable memory, a
 * pc without debug info, a target that cannot say) gives the fallback; a bug
 * goes on up, to reach the user as one line.
 */
export function expected<T>(fallback: T): (e: unknown) => T {
  return (e) => {
    if (isUserError(e)) return fallback;
    throw e;
  };
}

/**
 * For `.catch(reported(fallback, say))` where nothing above can take a throw
 * (a pane of the UI, a fire-and-forget call): an expected failure gives the
 * fallback quietly; a bug or DWARF that does not read gives it too, but is
 * said as one line through `say` (never silently "no debug info").
 */
export function reported<T>(fallback: T, say: (line: string) => void): (e: unknown) => T {
  return (e) => {
    if (e instanceof DwarfError) say(`Dwarf Error: ${e.message}`);   // gdb's words, without the module here
    else if (!isUserError(e)) say(errorMessage(e));
    return fallback;
  };
}

/** In a `catch (e)` whose expected failure is an answer: a bug goes on up (as `expected` does). */
export function rethrowUnexpected(e: unknown): void {
  if (!isUserError(e)) throw e;
}
