/**
 * Source-level commands over the DWARF layer, which the console's command
 * table (parse.ts, run by the Session) calls: `list`, `info line`, `info source`, `ptype`,
 * `ptype/o`, `whatis`, `info locals`, `info args`, `info
 * functions|variables|types`, `frame`/`up`/`down`, `set|show print
 * pretty|elements|repeats` (print-settings.ts), `display`/`undisplay`/`delete
 * display`/`info display` (shown again at every stop through
 * afterStop(), `display/i $pc` too), and snapshots by expression:
 * `snapshot *node` / `snapshot &config` (address and sizeof from the type),
 * `snapshot diff config` (changed fields by name), `snapshot show|drop
 * EXPR`, `restore EXPR`. (print, break FILE:LINE, step/next, finish and bt
 * go through the Session's DebugBridge, over the same ProgramInfo.)
 *
 * Where the program has no DWARF, they say gdb's "No symbol table is loaded"
 * (ptype/whatis and frames work on the file's symbols and CFI).
 */
import type { DisplayInfo } from '../../debugger/state.js';
import { SymbolTable } from '../../elf/index.js';
import type { DebugInfo } from '../../dwarf/debuginfo.js';
import type { Die } from '../../dwarf/info.js';
import { ProgramInfo, type StackFrame } from '../../dwarf/program.js';
import { Evaluator } from '../../dwarf/evaluator.js';
import { frameLine, infoLocals, infoArgs } from '../../dwarf/present.js';
import { type CType } from '../../dwarf/types.js';
import { type PrintSettings } from '../../dwarf/format.js';
import { siginfoOf } from '../../target/capabilities.js';
import type { Registers } from '../../target/types.js';
import { CommandError, NO_SYMBOLS, NO_SYMBOL_INFO } from '../parse.js';
import { convenienceEnv, dwarfValueOf } from '../debug.js';
import { expected } from '../../debugger/errors.js';
import type { SourceHost } from './host.js';
import { defaultPrintSettings, printSetting } from './print-settings.js';
import * as list from './list.js';
import * as info from './info.js';
import * as display from './display.js';
import * as snapshotExpr from './snapshot-expr.js';
import type { Rest } from '../session/types.js';

export type { SourceHost } from './host.js';

export interface Display {
  id: number;
  expr: string;
  fmt?: string;
  enabled: boolean;
  /** The function whose locals the expression uses (gdb's innermost block): shown only in it. */
  scope?: Die;
}

/**
 * gdb's up/down (up_silently_base): `by` levels outward (negative: inward),
 * stopping at the innermost or outermost frame when a count was given, and
 * refusing to move past it when none was.
 */
export function relativeFrame(sel: number, by: number, counted: boolean, frames: number): number {
  const to = sel + by;
  if (to < 0) {
    if (!counted) throw new CommandError('Bottom (innermost) frame selected; you cannot go down.');
    return 0;
  }
  if (to >= frames) {
    if (!counted) throw new CommandError('Initial frame selected; you cannot go up.');
    return frames - 1;
  }
  return to;
}

export class SourceLevel {
  frameCache: { regs: Registers; skip: number; frames: StackFrame[] } | undefined;
  readonly displays: Display[] = [];
  nextDisplay = 1;

  /** The `display` expressions, as the core publishes them. */
  displayList(): DisplayInfo[] {
    return this.displays.map((d) => ({ id: d.id, expression: d.expr, format: d.fmt, enabled: d.enabled }));
  }
  /** Where `list` continues: a window just listed, or (fresh) a line to center the next `list` on. */
  listPos: { path: string; file: string; first: number; last: number; fresh?: boolean } | undefined;

  constructor(readonly host: SourceHost) {}

  // ------------------------------------------------------------ symbols

  program(): ProgramInfo | undefined {
    const p = this.host.target() ? this.host.program() : undefined;
    if (p) Object.assign(p.printSettings, this.print);
    return p;
  }

  /** `set print pretty|elements|repeats`, kept across runs (each run has a new ProgramInfo). */
  readonly print = defaultPrintSettings();

  /** The print settings, for the Session's own string printing (`x/s`). */
  get printSettings(): Readonly<PrintSettings> {
    return this.print;
  }

  /** Every evaluator prints with the settings: the process's, the one after its exit, the file's. */
  syncPrintSettings(): void {
    const p = this.host.program();
    if (p) Object.assign(p.printSettings, this.print);
    const elf = this.host.fileElf();
    const debug = this.host.fileDebug();
    if (elf && debug) Object.assign(ProgramInfo.forFile(elf, debug).printSettings, this.print);
  }

  /** DWARF of the executable: the process's (relocated) or the file's (unrelocated, before `run`). */
  exeDebug(): DebugInfo | undefined {
    const p = this.program();
    return p ? p.exeDebug : this.host.fileDebug();
  }

  /** True when source-level commands apply (the executable has DWARF). */
  get active(): boolean {
    return !!this.exeDebug()?.hasDebugInfo;
  }

  async frames(): Promise<StackFrame[]> {
    const p = this.program();
    if (!p) throw new CommandError('No stack.');
    const regs = await this.host.registers();
    // (the frames of the stop as bt has them: inlined calls a stop hides are not frame 0)
    const skip = this.host.inlineSkip(regs.rip);
    if (this.frameCache?.regs !== regs || this.frameCache.skip !== skip) {
      const read = (a: bigint, l: number) => this.host.readMemory(a, l);
      this.frameCache = { regs, skip, frames: await p.backtrace(regs, read, undefined, () => this.host.fpState(), skip) };
    }
    return this.frameCache.frames;
  }

  async selected(): Promise<StackFrame> {
    const frames = await this.frames();
    return frames[Math.min(this.host.selectedFrame(), frames.length - 1)];
  }

  evaluatorFor(frame: StackFrame | undefined): Evaluator {
    const p = this.program();
    const program = p ?? ProgramInfo.forFile(this.host.fileElf()!, this.host.fileDebug());
    Object.assign(program.printSettings, this.print);
    const ev: Evaluator = new Evaluator({
      program,
      frame,
      readMemory: (a, l) => this.host.readMemory(a, l),
      writeMemory: (a, d) => this.host.writeMemory(a, d),
      writeRegister: (n, v) => this.host.writeRegister(n, v),
      writeFpRegister: (n, b) => this.host.writeFpRegister(n, b),
      siginfo: () => siginfoOf(this.host.target()),
      convenience: convenienceEnv(this.host.convenience, () => ev.ctx),
      sourceFile: this.listPos?.path,
      history: [],
    });
    for (const h of this.host.history()) ev.env.history!.push(dwarfValueOf(h, ev.ctx));
    return ev;
  }

  /** The current source file (what `list` lists, a line-table path), once something was listed or stopped at. */
  defaultSourcePath(): string | undefined {
    return this.listPos?.path;
  }

  async evaluator(): Promise<Evaluator> {
    return this.evaluatorFor(this.program() ? await this.selected() : undefined);
  }

  // ------------------------------------------------------------ commands

  /** gdb's message for a source-level command on a program without DWARF. */
  need(message = NO_SYMBOLS): void {
    if (!this.active) throw new CommandError(message);
  }

  /** `ptype[/o] EXP`, `whatis EXP`: also without DWARF, over the file (the types of $i, registers, symbols). */
  async ptype(expr: string, whatis: boolean, offsets: boolean): Promise<void> {
    if (!this.active && !this.host.fileElf()) throw new CommandError(NO_SYMBOLS);
    const ev = await this.evaluator();
    try {
      this.host.out(offsets ? await ev.ptypeOffsets(expr) : whatis ? await ev.whatis(expr) : await ev.ptype(expr));
    } catch (e) {
      throw this.noSymbolTable(e);
    }
  }

  /**
   * gdb's c-exp.y classify_name: a name found nowhere, while no file has
   * symbols (no DWARF and no process), is "No symbol table is loaded." rather
   * than "No symbol "x" in current context." (with a process, the libraries'
   * debug info counts). Other errors are returned as they are.
   */
  noSymbolTable(e: unknown): unknown {
    const unknownName = e instanceof Error && /^No symbol ".*" in current context\.$/.test(e.message);
    return unknownName && !this.active && !this.host.target() ? new CommandError(NO_SYMBOLS) : e;
  }

  /** `list [ARG]`. */
  listCommand(arg: string): void {
    this.need();
    this.list(arg);
  }

  /** `display[/FMT] [EXP]`. */
  async displayCommand(expr: string, fmt: string | undefined): Promise<void> {
    if (!expr && !this.active) return;   // gdb: no displays to show (none can be made without symbols)
    this.need();
    await this.display(expr, fmt);
  }

  /** `undisplay [N...]`, `delete display [N...]` (without DWARF: gdb's error for the breakpoint list it then is). */
  async undisplayCommand(arg: string, viaDelete: boolean): Promise<void> {
    await this.undisplay(arg);
  }

  /** `set|show print pretty|elements|repeats ...`; false when `rest` is about another setting. */
  async printCommand(verb: 'set' | 'show', rest: string): Promise<boolean> {
    const shown = await printSetting(this.print, verb, rest, async (e) => {
      if (!this.program() && !this.host.fileElf()) throw new CommandError(NO_SYMBOLS);
      const ev = await this.evaluator();
      const v = await ev.evaluate(e);
      return (await v.bigint()) ?? 0n;
    });
    if (shown === undefined) return false;
    this.syncPrintSettings();
    if (shown) this.host.out(shown);
    return true;
  }

  /** True when a process with symbols gives the frames (with or without DWARF: all have CFI). */
  get hasFrames(): boolean {
    return !!this.program();
  }

  /** How many frames the stack has (as bt shows them). */
  async frameCount(): Promise<number> {
    return (await this.frames()).length;
  }

  /** Show frame `level` (selected already) with its source line, as gdb's frame/up/down do; `list` centers there. */
  async showFrame(level: number): Promise<void> {
    const f = (await this.frames())[level]!;
    const head = await frameLine(f, this.evaluatorFor(f), true);
    const line = f.line;
    if (!line) {
      this.host.out(head);
      return;
    }
    this.centerList(line.path, line.file, line.line);
    this.host.out(`${head}\n${this.host.sourceLine(line.path, line.file, line.line)}`);
  }

  /**
   * What follows the location at a stop: the `display` expressions, in the
   * frame the program stopped in. It also centers the next `list` there.
   */
  async afterStop(): Promise<string | undefined> {
    if (!this.active || !this.program()) return undefined;
    // (no registers or stack: nothing to display; DWARF errors are said by the backtrace)
    const frames = await this.frames().catch(expected([]));
    const f = frames[0];
    const line = f?.line;
    if (line) this.centerList(line.path, line.file, line.line);
    if (!this.displays.length) return undefined;
    const lines = await this.displayLines(this.evaluatorFor(f));
    return lines.length ? lines.join('\n') : undefined;
  }

  /** After a stop or `frame`, a plain `list` shows the ten lines around this one. */
  centerList(path: string, file: string, line: number): void {
    const first = Math.max(1, line - 5);
    this.listPos = { path, file, first, last: first + 9, fresh: true };
  }

  /** The source-level `info` subcommands (`info display` too: without DWARF it has none). */
  async info(what: 'address' | 'args' | 'display' | 'functions' | 'line' | 'locals' | 'source' | 'types' | 'variables', arg: string): Promise<void> {
    switch (what) {
      case 'locals': case 'args': {
        if (!this.program()) throw new CommandError('No frame selected.');
        this.need(NO_SYMBOL_INFO);
        const ev = await this.requireFrameEvaluator();
        this.host.out((await (what === 'locals' ? infoLocals(ev, true) : infoArgs(ev, true))).join('\n'));
        return;
      }
      case 'display':
        if (!this.displays.length) this.host.out('There are no auto-display expressions now.');
        else {
          this.host.out(['Auto-display expressions now in effect:', 'Num Enb Expression',
            ...this.displays.map((d) => `${d.id}:   ${d.enabled ? 'y' : 'n'}  ${d.fmt ? `/${d.fmt === 'i' || d.fmt === 's' ? `1b${d.fmt}` : d.fmt} ` : ''}${d.expr}`)].join('\n'));
        }
        return;
      default: break;
    }
    switch (what) {
      case 'address': this.host.out(await this.infoAddress(arg.trim())); return;
      case 'functions': case 'variables': case 'types': this.host.out(this.infoSymbols(what, arg)); return;
      default: break;
    }
    // Without DWARF gdb has no current source file, and line information for no address.
    if (!this.active && what === 'source') { this.host.out('No current source file.'); return; }
    if (!this.active && !/^(.+:)?\d+$/.test(arg.trim())) { await this.infoLineWithoutDwarf(arg.trim()); return; }
    this.need();
    if (what === 'line') await this.infoLine(arg);
    else await this.infoSource();
  }

  fileSymbols(): SymbolTable | undefined {
    const elf = this.host.fileElf();
    return elf ? new SymbolTable(elf, 0n) : undefined;
  }

  async requireFrameEvaluator(): Promise<Evaluator> {
    if (!this.program()) throw new CommandError('No frame selected.');
    const f = await this.selected();
    if (!f.fn) throw new CommandError('No symbol table info available.');
    return this.evaluatorFor(f);
  }

  /** gdb: after `info line`, `x` with no argument starts at the line's address, and $_ is it. */
  setLineAddress(addr: bigint): void {
    this.host.setNextAddress(addr);
  }

  // ------------------------------------------------------------ completion (src/console/complete.ts)

  /** Names completion offers: locals and arguments in scope, then the program's functions, globals, types and ELF symbols, and source file names. */
  async completionNames(): Promise<{ locals: string[]; functions: string[]; globals: string[]; types: string[]; symbols: string[]; files: string[] }> {
    const out = { locals: [] as string[], functions: [] as string[], globals: [] as string[], types: [] as string[], symbols: [] as string[], files: [] as string[] };
    // (no frame, or a frame without a function: no locals to offer; a bug still reaches the user)
    const ev = this.program() ? await this.requireFrameEvaluator().catch(expected(undefined)) : undefined;
    if (ev) for (const l of [...await ev.args(), ...await ev.locals()]) out.locals.push(l.name);
    const exe = this.exeDebug();
    for (const d of this.program()?.debugInfos() ?? (exe ? [exe] : [])) {
      for (const fn of d.allFunctions()) out.functions.push(fn.name);
      for (const v of d.allGlobals()) if (v.name) out.globals.push(v.name);
      for (const [key] of d.allTypeDies()) out.types.push(key.replace(/^(struct|union|enum) /, ''));
      for (const f of d.sourceFiles()) out.files.push(f.replace(/^.*\//, ''));
    }
    const image = this.program()?.image;
    const tables = image?.modules.length ? image.modules.map((m) => m.symbols) : [this.fileSymbols()];
    for (const t of tables) for (const sym of t?.all ?? []) if (sym.name) out.symbols.push(sym.name);
    return out;
  }

  /** The type of an expression in the selected frame (completion of its members). */
  async expressionType(expr: string): Promise<CType> {
    return (await (await this.evaluator()).evaluate(expr)).type;
  }

  // ---- list: SourceLevel's `list`: its argument forms and where the next one continues.
  currentFile(...a: Rest<typeof list.currentFile>): Promise<string | undefined> { return list.currentFile(this, ...a); }
  list(...a: Rest<typeof list.list>): void { return list.list(this, ...a); }
  mainLine(...a: Rest<typeof list.mainLine>): { path: string; file: string; line: number } | undefined { return list.mainLine(this, ...a); }
  listSpec(...a: Rest<typeof list.listSpec>): { path: string; file: string; line: number } { return list.listSpec(this, ...a); }

  // ---- info: SourceLevel's info subcommands over DWARF and symbols: info line, info source, info address, info functions|variables|types.
  infoLineWithoutDwarf(...a: Rest<typeof info.infoLineWithoutDwarf>): Promise<void> { return info.infoLineWithoutDwarf(this, ...a); }
  infoAddress(...a: Rest<typeof info.infoAddress>): Promise<string> { return info.infoAddress(this, ...a); }
  infoSymbols(...a: Rest<typeof info.infoSymbols>): string { return info.infoSymbols(this, ...a); }
  infoLine(...a: Rest<typeof info.infoLine>): Promise<void> { return info.infoLine(this, ...a); }
  sym(...a: Rest<typeof info.sym>): string { return info.sym(this, ...a); }
  infoSource(...a: Rest<typeof info.infoSource>): Promise<void> { return info.infoSource(this, ...a); }

  // ---- display: SourceLevel's displays: display, undisplay, and what is shown at each stop.
  display(...a: Rest<typeof display.display>): Promise<void> { return display.display(this, ...a); }
  undisplay(...a: Rest<typeof display.undisplay>): Promise<void> { return display.undisplay(this, ...a); }
  displayLine(...a: Rest<typeof display.displayLine>): Promise<string> { return display.displayLine(this, ...a); }
  displayInstruction(...a: Rest<typeof display.displayInstruction>): Promise<string> { return display.displayInstruction(this, ...a); }
  displayLines(...a: Rest<typeof display.displayLines>): Promise<string[]> { return display.displayLines(this, ...a); }

  // ---- snapshot-expr: SourceLevel's snapshots by expression: `snapshot *node`, `snapshot diff config` (fields by name), `restore EXPR`.
  /** Typed object an expression designates: an lvalue in memory, or what a pointer points at. */
  typedObject(...a: Rest<typeof snapshotExpr.typedObject>): Promise<{ address: bigint; type: CType } | undefined> { return snapshotExpr.typedObject(this, ...a); }
  /**
   * `snapshot EXPR`: take a snapshot of the object EXPR designates (address
   * and size from its type). The Session has no one-argument form, so an
   * expression that does not evaluate is reported as such.
   */
  snapshotExpression(...a: Rest<typeof snapshotExpr.snapshotExpression>): Promise<boolean> { return snapshotExpr.snapshotExpression(this, ...a); }
  /**
   * The typed object a snapshot command's expression names (`snapshot diff
   * config`, `restore &cfg`), or undefined: no DWARF, a plain address, an
   * expression that is no object in memory (the Session's byte commands then).
   */
  snapshotObject(...a: Rest<typeof snapshotExpr.snapshotObject>): Promise<{ address: bigint; type: CType } | undefined> { return snapshotExpr.snapshotObject(this, ...a); }
  /** `snapshot diff EXPR`: the changed fields of the object since its snapshot. */
  snapshotDiff(...a: Rest<typeof snapshotExpr.snapshotDiff>): Promise<void> { return snapshotExpr.snapshotDiff(this, ...a); }
}
