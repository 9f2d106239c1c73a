/**
 * What the source-level commands need from the Session that hosts them: the
 * process, its registers and memory, output, the selected frame, and its
 * snapshot commands.
 */
import type { Registers, Target } from '../../target/types.js';
import type { ElfFile } from '../../elf/index.js';
import type { ProgramInfo } from '../../dwarf/program.js';
import type { DebugInfo } from '../../dwarf/debuginfo.js';
import type { ConvenienceVars } from '../convenience.js';
import type { AnyValue } from '../debug.js';

export interface SourceHost {
  /** The live target, or undefined when no process runs. */
  target(): Target | undefined;
  /** Symbols and DWARF of the running process (shared with the Session, loaded once). */
  program(): ProgramInfo | undefined;
  /** The executable file and its DWARF, for `list`, `ptype`, `info line` before `run`. */
  fileElf(): ElfFile | undefined;
  fileDebug(): DebugInfo | undefined;
  registers(): Promise<Registers>;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  writeMemory(addr: bigint, data: Buffer): Promise<void>;
  writeRegister(name: string, value: bigint): Promise<void>;
  /** The x87/SSE state (FXSAVE area) of the stop, when the target has it. */
  fpState(): Promise<Buffer | undefined>;
  writeFpRegister(name: string, bytes: Buffer): Promise<void>;
  out(text: string): void;
  /** A `warning: ...` line (stderr). */
  warn(text: string): void;
  /** gdb's query(): the question with `(y or n)`; answered yes when input is not a terminal. */
  confirm(question: string): Promise<boolean>;
  /** The current line as the session shows it (a missing file is said once: SourceText). */
  sourceLine(path: string, file: string, line: number): string;
  selectedFrame(): number;
  /** How many inlined calls starting at pc the stop hides (gdb's skip_inline_frames): frame 0 is their caller. */
  inlineSkip(pc: bigint): number;
  selectFrame(n: number): void;
  /** The Session's snapshot commands on an address (snapshot by expression: `snapshot ADDR LEN`, show, drop, restore). */
  snapshotAt(op: 'take' | 'show' | 'drop' | 'restore', start: bigint, length?: number): Promise<void>;
  /** The session's convenience variables ($foo). */
  convenience: ConvenienceVars;
  /** The value history ($1, $, $$N), for ptype and whatis. */
  history(): AnyValue[];
  /** gdb's set_next_address: where `x` with no argument starts; $_ becomes it (a void *), $__ void. */
  setNextAddress(addr: bigint): void;
  /** gdb's from_tty of the command running now (see Session.execute). */
  fromTty(): boolean;
}
