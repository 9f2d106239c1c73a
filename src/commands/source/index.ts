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
import { Value } from '../../dwarf/value.js';
import { frameLine, infoLocals, infoArgs, sourceLines } from '../../dwarf/present.js';
import { strip, sizeOf, typeName, declarator, isCharType, type CType } from '../../dwarf/types.js';
import { memberValue, type PrintSettings } from '../../dwarf/format.js';
import { siginfoOf, snapshotsOf } from '../../target/capabilities.js';
import type { Registers } from '../../target/types.js';
import { CommandError, NO_SYMBOLS, NO_SYMBOL_INFO } from '../parse.js';
import { expected } from '../../debugger/errors.js';
import { convenienceEnv } from '../debug.js';
import { disassemble, formatXInsn } from '../disasm.js';
import { ExprError } from '../../dwarf/cexpr.js';
import { wrapHint } from '../../dwarf/wrap.js';

/** gdb's wrap_here (2) in `info line`. */
const W2 = wrapHint(2);
import type { SourceHost } from './host.js';
import { defaultPrintSettings, printSetting } from './print-settings.js';
import { forEachNumber } from '../number-ranges.js';
import { bytesToBigInt } from '../../dwarf/value.js';
import { pushAll } from '../../arrays.js';
import { gdbLineNumber } from '../examine.js';
import { hexWord, hexWord16 } from '../../util/hex.js';
import { symbolLocation } from '../symbol-location.js';

export type { SourceHost } from './host.js';

interface Display {
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
  private frameCache: { regs: Registers; skip: number; frames: StackFrame[] } | undefined;
  private readonly displays: Display[] = [];
  private nextDisplay = 1;

  /** The `display` expressions, as the core publishes them. */
  displayList(): DisplayInfo[] {
    return this.displays.map((d) => ({ id: d.id, expression: d.expr, format: d.fmt, enabled: d.enabled }));
  }
  /** Where `list` continues: a window just listed, or (fresh) a line to center the next `list` on. */
  private listPos: { path: string; file: string; first: number; last: number; fresh?: boolean } | undefined;

  constructor(private readonly host: SourceHost) {}

  // ------------------------------------------------------------ symbols

  private program(): ProgramInfo | undefined {
    const p = this.host.target() ? this.host.program() : undefined;
    if (p) Object.assign(p.printSettings, this.print);
    return p;
  }

  /** `set print pretty|elements|repeats`, kept across runs (each run has a new ProgramInfo). */
  private readonly print = defaultPrintSettings();

  /** The print settings, for the Session's own string printing (`x/s`). */
  get printSettings(): Readonly<PrintSettings> {
    return this.print;
  }

  /** Every evaluator prints with the settings: the process's, the one after its exit, the file's. */
  private syncPrintSettings(): void {
    const p = this.host.program();
    if (p) Object.assign(p.printSettings, this.print);
    const elf = this.host.fileElf();
    const debug = this.host.fileDebug();
    if (elf && debug) Object.assign(ProgramInfo.forFile(elf, debug).printSettings, this.print);
  }

  /** DWARF of the executable: the process's (relocated) or the file's (unrelocated, before `run`). */
  private exeDebug(): DebugInfo | undefined {
    const p = this.program();
    return p ? p.exeDebug : this.host.fileDebug();
  }

  /** True when source-level commands apply (the executable has DWARF). */
  get active(): boolean {
    return !!this.exeDebug()?.hasDebugInfo;
  }

  private async frames(): Promise<StackFrame[]> {
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

  private async selected(): Promise<StackFrame> {
    const frames = await this.frames();
    return frames[Math.min(this.host.selectedFrame(), frames.length - 1)];
  }

  private evaluatorFor(frame: StackFrame | undefined): Evaluator {
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
    });
    return ev;
  }

  /** The current source file (what `list` lists, a line-table path), once something was listed or stopped at. */
  defaultSourcePath(): string | undefined {
    return this.listPos?.path;
  }

  private async evaluator(): Promise<Evaluator> {
    return this.evaluatorFor(this.program() ? await this.selected() : undefined);
  }

  private async currentFile(): Promise<string | undefined> {
    if (this.listPos) return this.listPos.path;
    if (this.program()) {
      const line = (await this.selected()).line;
      if (line) return line.path;
    }
    const debug = this.exeDebug();
    const main = debug?.functionsNamed('main')[0];
    return main ? debug!.lineForAddress(debug!.entryOf(main))?.path : undefined;
  }

  // ------------------------------------------------------------ commands

  /** gdb's message for a source-level command on a program without DWARF. */
  private need(message = NO_SYMBOLS): void {
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
    const frames = await this.frames().catch(() => []);
    const f = frames[0];
    const line = f?.line;
    if (line) this.centerList(line.path, line.file, line.line);
    if (!this.displays.length) return undefined;
    const lines = await this.displayLines(this.evaluatorFor(f));
    return lines.length ? lines.join('\n') : undefined;
  }

  /** After a stop or `frame`, a plain `list` shows the ten lines around this one. */
  private centerList(path: string, file: string, line: number): void {
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
            ...this.displays.map((d) => `${d.id}:   ${d.enabled ? 'y' : 'n'}  ${d.fmt ? `/${d.fmt === 'i' ? '1bi' : d.fmt} ` : ''}${d.expr}`)].join('\n'));
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

  /** `info line [FUNCTION|*ADDR]` in a program without DWARF: gdb's words for an address without a line. */
  private async infoLineWithoutDwarf(arg: string): Promise<void> {
    if (!arg) throw new CommandError('No line number information available.');
    let pc: bigint;
    if (arg.startsWith('*')) {
      const v = await (await this.evaluator()).evaluate(arg.slice(1));
      pc = BigInt.asUintN(64, (await v.bigint()) ?? 0n);
    } else {
      const sym = this.program()?.image.symbolByName(arg)?.symbol ?? this.fileSymbols()?.symbolByName(arg);
      if (!sym || sym.kind !== 'function') throw new CommandError(`Function "${arg}" not defined.`);
      pc = sym.address;
    }
    this.host.out(`No line number information available for address ${hexWord(pc)}${this.sym(pc)}`);
  }

  /** `info address SYM`: where a variable or function lives, in gdb's words. */
  private async infoAddress(name: string): Promise<string> {
    if (!name) throw new CommandError('Argument required.');
    const ev = await this.evaluator();
    const hit = ev.findVariable(name);
    if (hit) {
      const symbols = { symbolAddress: (n: string) => (this.program()?.image.symbolByName(n)?.symbol ?? this.fileSymbols()?.symbolByName(n))?.address,
        objfile: this.host.fileElf()?.path };
      return `Symbol "${name}" is ${symbolLocation(hit.die, hit.debug, scopeStart(hit.die, hit.debug), symbols, 'address').replace(/\n$/, '')}`;
    }
    const fn = this.program()?.functionsNamed(name)[0] ?? (this.exeDebug()?.functionsNamed(name)[0] && { fn: this.exeDebug()!.functionsNamed(name)[0], debug: this.exeDebug()! });
    if (fn) return `Symbol "${name}" is a function at address ${hexWord(fn.debug.entryOf(fn.fn))}.`;
    const sym = this.program()?.image.symbolByName(name)?.symbol ?? this.fileSymbols()?.symbolByName(name);
    if (sym) return `Symbol "${name}" is at ${hexWord(sym.address)} in a file compiled without debugging.`;
    throw new CommandError(`No symbol "${name}" in current context.`);
  }

  /**
   * `info functions|variables|types [REGEXP]`: declarations grouped by file
   * like gdb, then the symbols without debug info (functions and variables).
   */
  private infoSymbols(kind: 'functions' | 'variables' | 'types', arg: string): string {
    const re = gdbRegex(arg.trim());
    const exe = this.exeDebug();
    const debugs = this.program()?.debugInfos() ?? (exe ? [exe] : []);
    const byFile = new Map<string, Array<{ name: string; text: string }>>();
    const add = (file: string | undefined, name: string, text: string) => {
      const key = file ?? '';
      const list = byFile.get(key) ?? [];
      if (!list.some((e) => e.text === text)) list.push({ name, text });
      byFile.set(key, list);
    };
    const covered = new Set<string>();
    for (const d of debugs) {
      if (kind === 'functions') {
        for (const fn of d.allFunctions()) {
          covered.add(fn.name);
          if (!re.test(fn.name)) continue;
          const die = fn.die.ref(0x47 /* specification */) ?? fn.die.ref(0x31 /* abstract_origin */) ?? fn.die;
          const line = die.num(0x3b /* decl_line */);
          const decl = declarator(d.typeOf(fn.die), fn.name);
          add(d.declFile(die), fn.name, `${line ?? ''}:\t${fn.external ? '' : 'static '}${decl};`);
        }
      } else if (kind === 'variables') {
        for (const v of d.allGlobals()) {
          const name = v.name!;
          covered.add(name);
          if (!re.test(name)) continue;
          const external = v.inherited((x) => (x.has(0x3f /* external */) ? true : undefined)) ?? false;
          const line = v.inherited((x) => x.num(0x3b));
          add(d.declFile(v), name, `${line ?? ''}:\t${external ? '' : 'static '}${declarator(d.typeOf(v.type), name)};`);
        }
      } else {
        for (const [key, die] of d.allTypeDies()) {
          const name = key.replace(/^(struct|union|enum) /, '');
          if (!re.test(name)) continue;
          const line = die.num(0x3b);
          const t = d.typeOf(die);
          const text = t.kind === 'typedef' ? `typedef ${declarator(t.target, t.name)};` : t.kind === 'base' ? t.name : `${key};`;
          add(d.declFile(die), name, line === undefined ? `\t${text}` : `${line}:\t${text}`);
        }
      }
    }
    const what = kind === 'functions' ? 'functions' : kind === 'variables' ? 'variables' : 'types';
    const out = [arg.trim() ? `All ${what} matching regular expression "${arg.trim()}":` : `All defined ${what}:`];
    for (const file of [...byFile.keys()].sort()) {
      const entries = byFile.get(file)!.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      out.push('', `File ${file}:`);
      pushAll(out, entries.map((e) => e.text));
    }
    if (kind !== 'types') {
      const image = this.program()?.image;
      const modules = image ? image.modules : [];
      const tables = modules.length ? modules.map((m) => m.symbols) : [this.fileSymbols()];
      const minimal: Array<[bigint, string]> = [];
      for (const t of tables) {
        for (const sym of t?.all ?? []) {
          const wanted = kind === 'functions' ? sym.kind === 'function' : sym.kind === 'object';
          if (wanted && !covered.has(sym.name) && re.test(sym.name)) minimal.push([sym.address, sym.name]);
        }
      }
      if (minimal.length) {
        minimal.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
        out.push('', 'Non-debugging symbols:');
        pushAll(out, minimal.map(([a, n]) => `${hexWord16(a)}  ${n}`));
      }
    }
    return out.join('\n');
  }

  private fileSymbols(): SymbolTable | undefined {
    const elf = this.host.fileElf();
    return elf ? new SymbolTable(elf, 0n) : undefined;
  }

  private async requireFrameEvaluator(): Promise<Evaluator> {
    if (!this.program()) throw new CommandError('No frame selected.');
    const f = await this.selected();
    if (!f.fn) throw new CommandError('No symbol table info available.');
    return this.evaluatorFor(f);
  }

  private async infoLine(arg: string): Promise<void> {
    const debug = this.exeDebug()!;
    let pc: bigint;
    if (!arg) {
      if (!this.program()) throw new CommandError('No line number information available.');
      pc = (await this.selected()).lookupPc;
    } else if (arg.startsWith('*')) {
      const v = await (await this.evaluator()).evaluate(arg.slice(1));
      pc = BigInt.asUintN(64, (await v.bigint()) ?? 0n);
    } else {
      const fileLine = /^(.+):(\d+)$/.exec(arg);
      if (fileLine || /^\d+$/.test(arg)) {
        const file = fileLine ? fileLine[1] : (await this.currentFile()) ?? '';
        const wanted = gdbLineNumber(fileLine ? fileLine[2]! : arg);
        const hits = wanted > 0 ? debug.addressesForLine(file, wanted, true) : [];
        if (!hits.length) {
          // past the last line with code: gdb names the file as its line table does
          const first = debug.addressesForLine(file, 1)[0];
          const shown = first ? debug.lineForAddress(first.address)?.file : undefined;
          throw new CommandError(`Line number ${wanted} is out of range for "${shown ?? file}".`);
        }
        pc = hits[0].address;
        const at = debug.lineForAddress(pc)!;
        if (at.line === wanted) {
          this.host.out(`Line ${at.line} of "${at.file}"${W2} starts at address ${hexWord(at.address)}${this.sym(at.address)}${W2} and ends at ${hexWord(at.end)}${this.sym(at.end)}.`);
        } else {
          // a line without code: gdb names the address of the next line that has some
          this.host.out(`Line ${wanted} of "${at.file}" is at address ${hexWord(at.address)}${this.sym(at.address)} but contains no code.`);
        }
        this.setLineAddress(at.address);
        return;
      }
      const entry = functionEntry(debug, arg);
      if (entry === undefined) throw new CommandError(`Function "${arg}" not defined.`);
      pc = entry;
    }
    const at = (this.program()?.lineForAddress(pc)) ?? debug.lineForAddress(pc);
    if (!at) {
      this.host.out(`No line number information available for address ${hexWord(pc)}${this.sym(pc)}`);
      return;
    }
    const where = at.address === pc ? 'starts at address' : `starts at address ${hexWord(at.address)}${this.sym(at.address)}${W2} and ends at ${hexWord(at.end)}${this.sym(at.end)}.`;
    if (at.address === pc) this.host.out(`Line ${at.line} of "${at.file}"${W2} ${where} ${hexWord(at.address)}${this.sym(at.address)}${W2} and ends at ${hexWord(at.end)}${this.sym(at.end)}.`);
    else this.host.out(`Line ${at.line} of "${at.file}"${W2} ${where}`);
    this.setLineAddress(at.address);
  }

  /** gdb: after `info line`, `x` with no argument starts at the line's address, and $_ is it. */
  private setLineAddress(addr: bigint): void {
    this.host.setNextAddress(addr);
  }

  private sym(addr: bigint): string {
    const image = this.program()?.image;
    const loc = image?.symbolAt(addr);
    if (loc) return ` <${loc.offset === 0n ? loc.name : `${loc.name}+${loc.offset}`}>`;
    const debug = this.exeDebug();
    const fn = debug?.functionAt(addr);
    if (!fn || !debug) {
      const s = image ? undefined : this.fileSymbols()?.symbolAt(addr);
      return s ? ` <${s.offset === 0n ? s.name : `${s.name}+${s.offset}`}>` : '';
    }
    const off = addr - debug.entryOf(fn);
    return ` <${off === 0n ? fn.name : `${fn.name}+${off}`}>`;
  }

  private async infoSource(): Promise<void> {
    if (!this.program()) {
      this.host.out('No current source file.');
      return;
    }
    const f = await this.selected();
    const line = f.line;
    if (!line || !f.fn) {
      this.host.out('No current source file.');
      return;
    }
    const unit = f.fn.unit;
    const lines = sourceLines(line.path);
    const out = [`Current source file is ${line.file}`, `Compilation directory is ${unit.compDir}`];
    out.push(`Located in ${line.path}`);
    if (lines) out.push(`Contains ${lines.length} lines.`);
    out.push('Source language is c.', `Producer is ${unit.root.str(0x25) ?? 'unknown'}.`, `Compiled with DWARF ${unit.version} debugging format.`,
      'Does not include preprocessor macro info.');
    this.host.out(out.join('\n'));
  }

  // ------------------------------------------------------------ list

  private list(arg: string): void {
    const debug = this.exeDebug()!;
    let path: string | undefined;
    let file = '';
    let first: number;
    let lastWanted: number | undefined;
    const a = arg.trim();
    if (a === '-') {
      if (!this.listPos) throw new CommandError('No default source file now selected.');
      ({ path, file } = this.listPos);
      if (this.listPos.first <= 1) throw new CommandError(`Already at the start of ${file}.`);
      first = Math.max(1, this.listPos.first - 10);
    } else if (a === '') {
      if (!this.listPos) {
        const at = this.mainLine();
        if (!at) throw new CommandError('No default source file now selected.');
        path = at.path;
        file = at.file;
        first = Math.max(1, at.line - 4);
      } else {
        ({ path, file } = this.listPos);
        first = this.listPos.fresh ? this.listPos.first : this.listPos.last + 1;
      }
    } else if (a.includes(',')) {
      // `list A,B`, `list A,`, `list ,B`, `list A,+N`: a range of lines.
      const [from, to] = a.split(',', 2).map((x) => x.trim());
      const start = from ? this.listSpec(from) : undefined;
      const end = to && !to.startsWith('+') ? this.listSpec(to, start) : undefined;
      const at = start ?? end!;
      if (!at) throw new CommandError('No default source file now selected.');
      ({ path, file } = at);
      first = start ? start.line : Math.max(1, end!.line - 9);
      lastWanted = end ? end.line : to.startsWith('+') ? first + Number(to.slice(1)) : first + 9;
    } else {
      const at = this.listSpec(a);
      ({ path, file } = at);
      first = Math.max(1, at.line - 5);
    }
    const lines = sourceLines(path!);
    if (!lines) throw new CommandError(`${first}\tin ${path}`);
    if (first > lines.length) {
      // as gdb: the next `list` goes on from there (and says so again)
      this.listPos = { path: path!, file, first, last: first - 1 };
      throw new CommandError(`Line number ${first} out of range; ${file} has ${lines.length} lines.`);
    }
    const last = Math.min(lines.length, lastWanted ?? first + 9);
    const out: string[] = [];
    for (let i = first; i <= last; i++) out.push(`${i}\t${lines[i - 1]}`);
    this.listPos = { path: path!, file, first, last };
    this.host.out(out.join('\n'));
  }

  /** gdb's default source file before anything was listed or stopped at: main's, at main's line. */
  private mainLine(): { path: string; file: string; line: number } | undefined {
    const debug = this.exeDebug()!;
    const main = debug.functionsNamed('main')[0];
    return (main && debug.lineForAddress(debug.entryOf(main))) || undefined;
  }

  /** A `list` location: LINE (in the current or `near` file), FILE:LINE, FUNCTION, FILE:FUNCTION. */
  private listSpec(spec: string, near?: { path: string; file: string }): { path: string; file: string; line: number } {
    const debug = this.exeDebug()!;
    const m = /^(?:(.+):)?(\d+)$/.exec(spec);
    if (m) {
      if (m[1]) {
        const f = debug.sourceFiles().find((p) => p === m[1] || p.endsWith('/' + m[1]));
        if (!f) throw new CommandError(`No source file named ${m[1]}.`);
        return { path: f, file: debug.displayOf(f) ?? m[1], line: gdbLineNumber(m[2]!) };
      }
      // gdb's default source file before any listing or stop: main's
      const cur = near ?? this.listPos ?? this.mainLine();
      if (!cur) throw new CommandError('No default source file now selected.');
      return { path: cur.path, file: cur.file, line: gdbLineNumber(m[2]!) };
    }
    const fname = spec.includes(':') ? spec.slice(spec.lastIndexOf(':') + 1) : spec;
    const entry = functionEntry(debug, fname);
    if (entry === undefined) throw new CommandError(`Function "${fname}" not defined.`);
    const at = debug.lineForAddress(entry);
    if (!at) throw new CommandError(`No line number known for ${fname}.`);
    return { path: at.path, file: at.file, line: at.line };
  }

  // ------------------------------------------------------------ display

  private async display(expr: string, fmt: string | undefined): Promise<void> {
    if (!expr) {
      const ev = await this.evaluator();
      const lines = await this.displayLines(ev);
      if (lines.length) this.host.out(lines.join('\n'));
      return;
    }
    // gdb parses the expression now (an unknown symbol is refused) and remembers the block of the
    // locals it uses; evaluation errors wait for the stops.
    let scope: Die | undefined;
    if (this.program() || this.host.fileElf()) {
      const ev = await this.evaluator();
      if (fmt !== 'i') {
        try {
          await ev.whatis(expr);
        } catch (e) {
          if (/^No symbol /.test((e as Error).message)) throw e;
        }
      }
      const names = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '').match(/(?<![\w$.>])[A-Za-z_]\w*/g) ?? [];
      if (names.some((n) => ev.findVariable(n)?.local)) scope = (await this.selected()).fn?.die;
    }
    const d: Display = { id: this.nextDisplay++, expr, fmt, enabled: true, scope };
    this.displays.push(d);
    // gdb shows a new display at once only for a command a person typed
    if (this.program() && this.host.fromTty()) {
      const line = await this.displayLine(d, await this.evaluator());
      this.host.out(line);
    }
  }

  /** gdb's undisplay_command / map_display_numbers. */
  private async undisplay(arg: string): Promise<void> {
    if (!arg.trim()) {
      if (await this.host.confirm('Delete all auto-display expressions? (y or n)')) this.displays.length = 0;
      return;
    }
    const convenience = (name: string) => {
      const v = this.host.convenience.get(name);
      if (v?.mine) return v.mine.type.kind === 'int' ? v.mine.value : undefined;
      const t = v?.dwarf && strip(v.dwarf.type);
      return t && (t.kind === 'base' || t.kind === 'enum') && v!.dwarf!.loc.kind === 'bytes' ? bytesToBigInt(v!.dwarf!.loc.bytes, true) : undefined;
    };
    await forEachNumber(arg, { convenience, out: (t) => this.host.out(t) }, (n, token) => {
      if (n === 0) {
        this.host.warn(`bad display number at or near '${token}'`);
        return;
      }
      const i = this.displays.findIndex((d) => d.id === n);
      if (i < 0) this.host.out(`No display number ${n}.`);
      else this.displays.splice(i, 1);
    });
  }

  private async displayLine(d: Display, ev: Evaluator): Promise<string> {
    if (d.fmt === 'i') return this.displayInstruction(d, ev);
    try {
      const v = await ev.evaluate(d.expr);
      const body = await ev.format(v, { format: d.fmt });
      return `${d.id}: ${d.fmt ? `/${d.fmt} ` : ''}${d.expr} = ${body}`;
    } catch (e) {
      return `${d.id}: ${d.fmt ? `/${d.fmt} ` : ''}${d.expr} = <error: ${(e as Error).message}>`;
    }
  }

  /** `display/i $pc`: gdb's `1: x/i $pc` then the instruction, `=> ` marking the pc. */
  private async displayInstruction(d: Display, ev: Evaluator): Promise<string> {
    const head = `${d.id}: x/i ${d.expr}`;
    try {
      const v = await ev.evaluate(d.expr);
      const addr = BigInt.asUintN(64, (await v.bigint()) ?? 0n);
      const code = await this.host.readMemory(addr, 16);
      const [insn] = disassemble(code, addr, ev.symbolize, 1);
      if (!insn) throw new ExprError(`Cannot access memory at address ${hexWord(addr)}`);
      const pc = (await this.host.registers()).rip;
      return `${head}\n${formatXInsn(insn, pc, ev.symbolize)}`;
    } catch (e) {
      return `${head}\n<error: ${(e as Error).message}>`;
    }
  }

  /** Displays whose expression can be evaluated here (gdb skips those out of their scope). */
  private async displayLines(ev: Evaluator): Promise<string[]> {
    const out: string[] = [];
    // the selected frame's function, with the calls inlined into it (gdb's contained_in, nested)
    // (no registers or stack: no frame to mark; DWARF errors are said by the backtrace)
    const frames = this.program() ? await this.frames().catch(() => []) : [];
    const sel = Math.min(this.host.selectedFrame(), frames.length - 1);
    const here = frames[sel]?.fn?.die;
    // a display's locals were bound when it was made: they are read in their function's own frame
    let own = sel;
    while (frames[own]?.inlined && frames[own + 1]) own++;
    for (const d of this.displays) {
      if (!d.enabled || (d.scope && d.scope !== here)) continue;
      const line = await this.displayLine(d, d.scope && own !== sel ? this.evaluatorFor(frames[own]) : ev);
      if (!/<error: No symbol "/.test(line)) out.push(line);
    }
    return out;
  }

  // ------------------------------------------------------------ completion (src/console/complete.ts)

  /** Names completion offers: locals and arguments in scope, then the program's functions, globals, types and ELF symbols, and source file names. */
  async completionNames(): Promise<{ locals: string[]; functions: string[]; globals: string[]; types: string[]; symbols: string[]; files: string[] }> {
    const out = { locals: [] as string[], functions: [] as string[], globals: [] as string[], types: [] as string[], symbols: [] as string[], files: [] as string[] };
    const ev = this.program() ? await this.requireFrameEvaluator().catch(() => undefined) : undefined;
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

  // ------------------------------------------------------------ snapshots by expression

  /** Typed object an expression designates: an lvalue in memory, or what a pointer points at. */
  async typedObject(expr: string): Promise<{ address: bigint; type: CType } | undefined> {
    const ev = await this.evaluator();
    const v = await ev.evaluate(expr);
    const t = strip(v.type);
    if (t.kind === 'pointer' && strip(t.target).kind !== 'void' && strip(t.target).kind !== 'function') {
      const addr = await v.bigint();
      return addr === undefined ? undefined : { address: BigInt.asUintN(64, addr), type: t.target };
    }
    if (v.address !== undefined && t.kind !== 'function') return { address: v.address, type: v.type };
    return undefined;
  }

  /**
   * `snapshot EXPR`: take a snapshot of the object EXPR designates (address
   * and size from its type). The Session has no one-argument form, so an
   * expression that does not evaluate is reported as such.
   */
  async snapshotExpression(expr: string): Promise<boolean> {
    if (!this.active || !this.program()) return false;
    const obj = await this.typedObject(expr);
    if (!obj) throw new CommandError(`"${expr}" is not an object in memory; use "snapshot ADDR LEN".`);
    await this.host.snapshotAt('take', obj.address, sizeOf(obj.type));
    return true;
  }

  /**
   * The typed object a snapshot command's expression names (`snapshot diff
   * config`, `restore &cfg`), or undefined: no DWARF, a plain address, an
   * expression that is no object in memory (the Session's byte commands then).
   */
  async snapshotObject(expr: string, needProcess: boolean): Promise<{ address: bigint; type: CType } | undefined> {
    if (!this.active || !expr || /^(0x[0-9a-f]+|\d+)$/i.test(expr) || (needProcess && !this.program())) return undefined;
    return this.typedObject(expr).catch(expected(undefined));
  }

  /** `snapshot diff EXPR`: the changed fields of the object since its snapshot. */
  async snapshotDiff(obj: { address: bigint; type: CType }): Promise<void> {
    const t = this.host.target()!;
    const engine = snapshotsOf(t);
    const held = await engine.list();
    const snap = held.find((s) => obj.address >= s.start && obj.address + BigInt(sizeOf(obj.type)) <= s.start + BigInt(s.length));
    if (!snap) throw new CommandError(`No snapshot holds ${typeName(obj.type)} at ${hexWord(obj.address)}.`);
    const oldAll = await engine.read(snap.start);
    const off = Number(obj.address - snap.start);
    const oldBytes = oldAll.subarray(off, off + sizeOf(obj.type));
    const ev = await this.evaluator();
    const now = new Value(obj.type, { kind: 'memory', address: obj.address }, ev.ctx);
    const was = Value.fromBytes(obj.type, Buffer.from(oldBytes), ev.ctx);
    const changes: string[] = [];
    await diffValues(ev, '', was, now, changes);
    this.host.out(changes.length ? changes.join('\n') : 'No changes.');
  }
}

/** Field-by-field comparison: `fl.mode: 5 -> 3`, `next: 0x0 -> 0x4052a0`. */
async function diffValues(ev: Evaluator, path: string, was: Value, now: Value, out: string[]): Promise<void> {
  const t = strip(now.type);
  if (t.kind === 'struct' || t.kind === 'union') {
    for (const m of t.members) {
      const name = m.name ?? '<anon>';
      await diffValues(ev, path ? `${path}.${name}` : name, memberValue(was, m), memberValue(now, m), out);
    }
    return;
  }
  // Arrays element by element (`matrix[1][2]: 6 -> 9`), except strings, which read better whole.
  if (t.kind === 'array' && t.count !== undefined && t.count <= 256 && !isCharType(t.element)) {
    const es = sizeOf(t.element);
    const wb = (await was.bytes())!;
    for (let i = 0; i < t.count; i++) {
      const w = Value.fromBytes(t.element, wb.subarray(i * es, (i + 1) * es), ev.ctx);
      const n = new Value(t.element, { kind: 'memory', address: now.address! + BigInt(i * es) }, ev.ctx);
      await diffValues(ev, `${path}[${i}]`, w, n, out);
    }
    return;
  }
  const a = await was.bytes();
  const b = await now.bytes();
  if (was.bits && now.bits) {
    const x = await was.bigint();
    const y = await now.bigint();
    if (x === y) return;
  } else if (a && b && a.equals(b)) return;
  const label = path || '(value)';
  out.push(`${label}: ${await ev.formatNested(was)} -> ${await ev.formatNested(now)}`);
}

/**
 * gdb's listing of a simple location expression (`     0: DW_OP_fbreg -20`),
 * one operation per line with its byte offset; undefined for what it cannot name.
 */
/** Where the function (or block) holding a symbol starts: DW_OP_fbreg's frame base is that function's. */
function scopeStart(d: Die, debug: DebugInfo): bigint {
  for (let p = d.parent; p; p = p.parent) if (p.has(0x11 /* low_pc */) || p.has(0x55 /* ranges */)) return debug.blockEntry(p);
  return 0n;
}

/** gdb's regular expressions are POSIX basic ones: ( ) | + ? { } are literal unless escaped. */
function gdbRegex(src: string): RegExp {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      const n = src[++i];
      out += '()|+?{}'.includes(n) ? n : `\\${n}`;
    } else out += '()|+?{}'.includes(c) ? `\\${c}` : c;
  }
  try {
    return new RegExp(out);
  } catch {
    throw new CommandError(`Invalid regexp: ${src}`);
  }
}


/**
 * Where gdb's linespec puts FUNCTION for `list` and `info line`: its
 * out-of-line copy past the prologue, else (a function only inlined, at -O2)
 * the entry of its first inlined call.
 */
function functionEntry(debug: DebugInfo, name: string): bigint | undefined {
  const fn = debug.functionsNamed(name)[0];
  return fn ? debug.entryOf(fn) : debug.inlinedEntries(name)[0];
}
