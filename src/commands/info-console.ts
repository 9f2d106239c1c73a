/**
 * The `info` commands that are the Session's own (the source-level ones are
 * SourceLevel's, the thread and snapshot ones their consoles'): registers,
 * breakpoints, proc, symbol, signals, sharedlibrary, frame, inferiors; gdb's
 * text, over what the InfoHost gives.
 */
import type { Registers, Target } from '../target/types.js';
import { fpRegistersOf } from '../target/capabilities.js';
import { FP_REGISTER_NAMES, isFpRegister, readFpRegister } from '../target/fpregs.js';
import { formatFpRegisterLine } from '../dwarf/regtypes.js';
import { formatSymbolic, type LoadedModule, type ProcessImage, type SymbolTable } from '../elf/index.js';
import { breakpointTable } from './breakpoint-text.js';
import { CommandError } from './parse.js';
import { forEachNumber } from './number-ranges.js';
import { isUserError, expected } from '../debugger/errors.js';
import type { Value } from './expr.js';
import { gpRegister } from '../dwarf/gpregs.js';
import { formatMappings, formatRegisterLine, formatRegisters, hex, type Symbolizer } from './format.js';
import { SignalTable, infoSignalsArg } from './signals.js';
import type { Frame } from './unwind.js';
import type { DebugBridge } from './debug.js';
import type { SharedLibraries } from './solibs.js';
import type { Breakpoint } from './store.js';
import { infoFrameLines } from './info-frame.js';

/** gdb's x87 and SSE register groups (`info registers float`, `info registers vector`). */
const REGISTER_GROUPS: Record<string, readonly string[]> = {
  float: FP_REGISTER_NAMES.filter((n) => /^st\d|^f/.test(n)),
  vector: FP_REGISTER_NAMES.filter((n) => /^xmm|^mxcsr$/.test(n)),
};

/** What the info commands read from the Session. */
export interface InfoHost {
  /** The target, whatever its state (undefined before `run`). */
  target(): Target | undefined;
  /** The live target, or gdb's error when there is none. */
  live(): Target;
  image(): ProcessImage | undefined;
  /** The image of the process that ended (its addresses stay relocated in `info breakpoints`). */
  lastImage(): ProcessImage | undefined;
  fileSymbols(): SymbolTable | undefined;
  exePath(): string | undefined;
  args(): string[];
  debug(): DebugBridge | undefined;
  solibs(): SharedLibraries | undefined;
  breakpoints(): Breakpoint[];
  signals: SignalTable;
  selectedFrame(): number;
  frameRegs(): Promise<{ regs: Registers; notSaved: Set<string> }>;
  /** Frame 0's registers are the stop's: published as the core's register state. */
  publishRegisters(regs: Registers): void;
  fpState(): Promise<Buffer | undefined>;
  frames(): Promise<Frame[]>;
  /** gdb's "No stack." without a process. */
  withStack(): void;
  evaluate(expr: string): Promise<Value>;
  evalAddress(expr: string): Promise<bigint>;
  funcName(pc: bigint): string;
  symbolize: Symbolizer;
  out(text: string): void;
  outLines(lines: string[]): void;
}

export class InfoConsole {
  constructor(private readonly host: InfoHost) {}

  /** `all`: gdb's `info all-registers`, the general registers then the x87/SSE ones. */
  async registers(arg: string, all = false): Promise<void> {
    const h = this.host;
    const { regs, notSaved } = await h.frameRegs().catch((e) => { throw isUserError(e) ? new CommandError('The program has no registers now.') : e; });
    if (h.selectedFrame() === 0) h.publishRegisters(regs);
    const general = () => formatRegisters(regs, h.symbolize).map((l) => {
      const name = l.slice(0, l.indexOf(' '));
      return notSaved.has(name) ? `${name.padEnd(15)}<not saved>` : l;
    });
    if (!arg) {
      h.outLines(all ? [...general(), ...await this.fpRegisterLines(FP_REGISTER_NAMES)] : general());
      return;
    }
    const lines: string[] = [];
    for (const raw of arg.split(/\s+/)) {
      const name = raw.replace(/^\$/, '');
      // gdb's register groups and the x87/SSE registers
      if (name === 'general' || name === 'all') lines.push(...general());
      const group = name === 'all' ? FP_REGISTER_NAMES : REGISTER_GROUPS[name] ?? (isFpRegister(name) ? [name] : undefined);
      if (group) lines.push(...await this.fpRegisterLines(group));
      if (group || name === 'general') continue;
      const info = gpRegister(name);
      if (!info) throw new CommandError(`Invalid register \`${name}'`);
      const v = (await h.evaluate(`$${name}`)).value;
      const full = info.size === 8 || name === 'eflags' || ['cs', 'ss', 'ds', 'es', 'fs', 'gs'].includes(name);
      lines.push(full ? formatRegisterLine(name === 'pc' ? 'pc' : name, BigInt.asUintN(64, v), h.symbolize).replace(/^pc {13}/, 'pc             ')
        : `${name.padEnd(15)}${hex(BigInt.asUintN(info.size * 8, v)).padEnd(19)} ${v}`);
    }
    h.outLines(lines);
  }

  /** `info registers` lines of x87/SSE registers (the values of the stop: gdb shows them in every frame). */
  private async fpRegisterLines(names: readonly string[]): Promise<string[]> {
    fpRegistersOf(this.host.live());   // the one clear error when the target has none
    const area = (await this.host.fpState())!;
    return Promise.all(names.map((n) => {
      try {
        return formatFpRegisterLine(n, readFpRegister(area, n));
      } catch (e) {
        // readFpRegister's RangeError: a register the area lacks ($ymm0 without AVX): gdb's words
        if (!(e instanceof RangeError)) throw e;
        throw new CommandError(`Invalid register \`${n}'`);
      }
    }));
  }

  /** `info breakpoints [N...]` (`info watchpoints`): all, or those numbered (gdb's number ranges). */
  async breakpoints(watchOnly: boolean, arg = ''): Promise<void> {
    const h = this.host;
    let list = h.breakpoints();
    if (arg.trim()) {
      const ids = new Set<number>();
      await forEachNumber(arg, { out: (t) => h.out(t) }, (n) => { ids.add(n); });
      list = list.filter((b) => ids.has(b.id) && (!watchOnly || b.watch));
      if (!list.length) throw new CommandError(`No ${watchOnly ? 'watchpoint' : 'breakpoint or watchpoint'} matching '${arg.trim()}'.`);
    }
    h.outLines(breakpointTable(list, watchOnly, {
      // after the process ended, its addresses stay relocated (as in gdb): named as `x` names them
      symbol: (addr) => h.symbolize(addr),
      where: (addr, line, spec) => h.debug()?.breakpointWhere(addr, line, spec),
      running: () => { const t = h.target(); return !!t && t.state !== 'exited'; },
    }));
  }

  async proc(arg: string): Promise<void> {
    const t = this.host.target();
    if (!t || t.state === 'exited') throw new CommandError('No current process: you must name one.');
    if (/^map/.test(arg)) { this.host.outLines(formatMappings(t.pid, await t.memoryMap())); return; }
    if (arg && !/^(all|exe|cmdline|cwd)/.test(arg)) throw new CommandError(`Undefined info proc command: "${arg}".  Try "help info proc".`);
    this.host.outLines([`process ${t.pid}`, `cmdline = '${[t.exePath, ...this.host.args()].join(' ')}'`, `exe = '${t.exePath}'`]);
  }

  async symbol(arg: string): Promise<void> {
    const h = this.host;
    if (!arg) throw new CommandError('Argument required (address).');
    const addr = await h.evalAddress(arg);
    // after the process ended its objects stay loaded (as in gdb), relocated
    const image = h.image() ?? h.lastImage();
    const loc = image ? image.symbolAt(addr) : h.fileSymbols()?.symbolAt(addr);
    if (!loc) { h.out(`No symbol matches ${arg}.`); return; }
    // gdb names the object only when there is more than one (the program alone: no "of PATH")
    const module = image ? image.moduleAt(addr) : undefined;
    const path = module && image ? await this.objectName(image, module) : undefined;
    const off = loc.offset === 0n ? '' : ` + ${loc.offset}`;
    h.out(`${loc.name}${off} in section ${loc.symbol.section || '?'}${path ? ` of ${path}` : ''}`);
  }

  /** An object as gdb names it: the program by its path, a library as the loader names it. */
  private async objectName(image: ProcessImage, module: LoadedModule): Promise<string> {
    const h = this.host;
    if (module === image.exe) return h.exePath() ?? module.path;
    const t = h.target();
    const live = t && t.state !== 'exited' ? t : undefined;
    return (await h.solibs()?.loaderName(live, module.bias)) ?? module.path;
  }

  signals(arg: string): void {
    const { signals } = this.host;
    this.host.outLines(SignalTable.header());
    if (arg) { this.host.out(signals.line(infoSignalsArg(arg))); return; }
    this.host.outLines(['', ...signals.allNames().map((n) => signals.line(n)), ...SignalTable.footer()]);
  }

  async shared(): Promise<void> {
    const t = this.host.target();
    const image = this.host.image();
    const solibs = this.host.solibs();
    if (!t || t.state === 'exited' || !image || !solibs) { this.host.out('No shared libraries loaded at this time.'); return; }
    this.host.outLines(await solibs.table(t, image));
  }

  /**
   * `info frame [[level] N]`: gdb's description of the selected frame, or of
   * frame N (then headed "Stack frame at", as gdb does for a named frame).
   */
  async frame(arg: string): Promise<void> {
    const h = this.host;
    h.withStack();
    const named = arg.trim().replace(/^level(\s+|$)/, '');
    if (/^(address|function|view)\b/.test(named)) throw new CommandError(`tsdbg names frames by level only: "info frame [level] N".`);
    if (arg.trim() && !named) throw new CommandError('Argument required (expression to compute).');
    const level = named ? Number(await h.evalAddress(named)) : h.selectedFrame();
    // (past tail-call frames: the saved rip of one is its first real caller's)
    const debug = h.debug();
    const frames = await debug?.frameList(level + 10).catch(expected(undefined));
    if (!frames?.length) { await this.frameBySymbols(); return; }
    if (level >= frames.length) throw new CommandError(`No frame at level ${named}.`);
    h.outLines(await infoFrameLines(frames, level, !named, { args: (f) => debug!.frameArgs(f) }));
  }

  /** Without the DWARF layer's view of the process: what the frame-pointer walk knows. */
  private async frameBySymbols(): Promise<void> {
    const h = this.host;
    const frames = await h.frames();
    const sel = h.selectedFrame();
    const f = frames[sel]!;
    const caller = frames[sel + 1];
    const lines = [`Stack level ${sel}, frame at ${hex(f.cfa ?? f.sp)}:`,
      ` rip = ${hex(f.pc)} in ${h.funcName(f.pc)}${caller ? `; saved rip = ${hex(caller.pc)}` : ''}`];
    if (caller) lines.push(` called by frame at ${hex(caller.cfa ?? caller.sp)}`);
    if (sel > 0) lines.push(` caller of frame at ${hex(frames[sel - 1]!.cfa ?? frames[sel - 1]!.sp)}`);
    h.outLines(lines);
  }

  inferiors(): void {
    const t = this.host.target();
    const live = t !== undefined && t.state !== 'exited';
    // gdb's table: the Connection column is at least 20 wide, wider for a long remote address
    const connection = live ? `1 (${t.connection})` : '';
    const width = Math.max(20, connection.length);
    this.host.outLines([`  Num  Description       ${'Connection'.padEnd(width)} Executable        `,
      `* 1    ${live ? `process ${t.pid}`.padEnd(18) : '<null>'.padEnd(18)}${connection.padEnd(width)} ${this.host.exePath() ?? ''} `]);
  }
}
