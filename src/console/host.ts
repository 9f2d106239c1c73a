/**
 * What the console's own commands (src/console) need from the session: run a
 * command line inside the command running now, print, ask, evaluate, and the
 * names completion offers. The session supplies one (src/commands/session.ts).
 */
export interface ConsoleHost {
  /**
   * Run one command line inside the running command (not queued). Throws the
   * command's error (not printed); the quit code when it quits.
   */
  run(line: string, fromTty: boolean): Promise<number | undefined>;
  /** gdb's from_tty of the command running now. */
  fromTty(): boolean;
  /** A person types at a terminal (prompts and instructions are shown). */
  interactive(): boolean;
  out(text: string): void;
  /** Raw text to stdout (no newline added). */
  write(text: string): void;
  err(text: string): void;
  confirm(question: string): Promise<boolean>;
  /** Whether an expression's value is non-zero (for `if`/`while`). */
  truth(expr: string): Promise<boolean>;
  /** An expression's value as an integer (settings). */
  integer(expr: string): Promise<bigint>;
  /** Run a command line with its standard output gathered instead of shown (`pipe`). */
  capture(line: string): Promise<{ text: string; quit: number | undefined }>;
  /** Names completion offers for an expression: locals in scope, then the program's functions, globals, types. */
  symbolNames(): Promise<string[]>;
  /** Functions and source files (for `break` and `list`). */
  locationNames(): Promise<{ functions: string[]; files: string[] }>;
  /** Member names of EXPR's struct or union (through pointers and typedefs); undefined when it is none. */
  fieldsOf(expr: string): Promise<string[] | undefined>;
  /** Checkpoint names. */
  checkpointNames(): string[];
  /** The snapshots held, as `snapshot diff` names them (their start addresses). */
  snapshotNames(): string[];
}
