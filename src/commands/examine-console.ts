/**
 * gdb's `x` command with its memory between commands: the next address, the
 * last format, unit and count (a bare `x` goes on from there), and the $_ /
 * $__ it leaves behind; strings and instructions too (x/s, x/i).
 */
import { stringAt as dwarfStringAt, type PrintSettings } from '../dwarf/format.js';
import { CommandError, EvalError } from '../debugger/errors.js';
import { type CType, type Value } from './expr.js';
import { addrWithSym, formatXLines, hex, perLine, UNIT_SIZE, xLabel, type PrintFormat, type Symbolizer, type Unit } from './format.js';
import { disassemble, formatXInsn } from './disasm.js';
import { readReadable } from './examine.js';
import { intType } from './convenience.js';
import { wideStringAt, type CharWidth } from './wide-string.js';

/** What `x` needs from the Session. */
export interface ExamineHost {
  /**
   * gdb's value_as_address of EXPR: a pointer's or an integer's value, an array's or a function's
   * address; a struct or union is refused ("Value can't be converted to integer.").
   */
  evalAddress(expr: string): Promise<bigint>;
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  /** The selected frame's pc (x/i marks it), undefined without a process. */
  framePc(): Promise<bigint | undefined>;
  symbolize: Symbolizer;
  printSettings(): Readonly<PrintSettings>;
  /** Sets a convenience variable ($_, $__); undefined makes it void. */
  setConvenience(name: string, value: Value | undefined): void;
  outLines(lines: string[]): void;
  /** Text without a newline (a partial line before an error). */
  write(text: string): void;
  /** gdb's `warning: TEXT` line. */
  warn(text: string): void;
  /** What an empty line repeats (`x/4xw` after `x/4xw ADDR`). */
  setRepeat(line: string): void;
  /** gdb's QUIT: throws when Ctrl-C came. */
  checkQuit(): Promise<void>;
}

export class Examiner {
  private fmt: PrintFormat = 'x';
  private count = 1;
  private unit: Unit = 'w';
  private next: bigint | undefined;

  constructor(private readonly host: ExamineHost) {}

  /** gdb's set_next_address: where `x` with no argument starts; $_ becomes it (a void *), $__ void. */
  setNextAddress(addr: bigint): void {
    this.next = addr;
    this.setExamined(addr, { kind: 'void' });
  }

  /** A C string at addr as gdb quotes it (print elements and repeats), with the bytes it took. */
  async quotedString(addr: bigint): Promise<{ text: string; length: number }> {
    const { elements, repeats } = this.host.printSettings();
    const s = await dwarfStringAt((a, l) => this.host.readMemory(a, l), addr, elements, repeats);
    if (!s) throw new EvalError(`Cannot access memory at address ${hex(addr)}`);
    return s;
  }

  /** `print/s PTR`: the address and the string. */
  async stringAt(addr: bigint): Promise<string> {
    return `${hex(addr)} ${(await this.quotedString(addr)).text}`;
  }

  /** `x[/NFU] [EXPR]`. */
  async examine(expr: string | undefined, count: number | undefined, fmt: PrintFormat | undefined, unit: Unit | undefined): Promise<void> {
    const h = this.host;
    let addr: bigint;
    if (expr !== undefined) {
      // gdb: `x &var`, `x ptr` and `x $sp` examine where they point, `x array` and `x main` where they are
      addr = await h.evalAddress(expr);
    } else {
      if (this.next === undefined) throw new CommandError('Argument required (starting display address).');
      addr = this.next;
    }
    if (fmt) this.fmt = fmt;
    if (unit) this.unit = unit;
    else if (fmt === 'a') this.unit = 'g';
    else if (fmt === 'c' && !unit) this.unit = 'b';
    // gdb's x_command: a bare `x` examines as many units as the last one did
    let n = count ?? (expr === undefined && !fmt && !unit ? this.count : 1);
    this.count = n;
    // gdb negates a negative count in an int: -2147483648 stays negative and examines nothing
    if (n === 0 || n === -0x80000000) return;
    const size = UNIT_SIZE[this.unit];
    const back = n < 0;
    if (back) {
      if (this.fmt === 'i' || this.fmt === 's') throw new CommandError(`Examining backward (x/-N) is supported for memory formats, not x/${this.fmt}.`);
      n = -n;
      addr = BigInt.asUintN(64, addr - BigInt(n) * BigInt(size));
    }
    if (this.fmt === 'i') { await this.instructions(addr, n); return; }
    if (this.fmt === 's') {
      // gdb: strings of char16_t (h) or char32_t (w) when asked for in this command, else bytes; and b next time
      const width = unit === 'h' ? 2 : unit === 'w' ? 4 : 1;
      if (unit === 'g') h.warn("Unable to display strings with size 'g', using 'b' instead.");
      this.unit = 'b';
      await this.strings(addr, n, width);
      return;
    }
    const { data, end } = await readReadable((a, len) => h.readMemory(a, len), addr, n * size);
    const whole = data.subarray(0, data.length - (data.length % size));
    const lines = formatXLines(addr, whole, this.fmt, this.unit, h.symbolize);
    if (end !== undefined) {
      // gdb prints the line up to the unreadable unit, a tab, then the error on that line
      const per = perLine(this.fmt, this.unit);
      const partial = (whole.length / size) % per !== 0 ? lines.pop()! : `${xLabel(addr + BigInt(whole.length), h.symbolize)}`;
      h.outLines(lines);
      h.write(`${partial}\t`);
      this.next = addr + BigInt(whole.length);
      throw new EvalError(`Cannot access memory at address ${hex(end)}`);
    }
    h.outLines(lines);
    h.setRepeat(`x/${n}${this.fmt}${this.unit}`);
    this.next = back ? addr : addr + BigInt(n * size);
    // gdb: $_ points at the last unit examined, typed as the unit; $__ is its contents
    const unitType = intType(size as 1 | 2 | 4 | 8);
    const last = data.subarray(data.length - size);
    this.setExamined(this.next - BigInt(size), unitType, BigInt.asIntN(size * 8, last.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n)));
  }

  /**
   * gdb's last examined address: $_ points at it typed as `unit`, $__ holds
   * the contents there (void when not read as a value: x/i, x/s, info line).
   */
  private setExamined(addr: bigint, unit: CType, contents?: bigint): void {
    this.host.setConvenience('_', { type: { kind: 'ptr', to: unit }, value: addr });
    this.host.setConvenience('__', contents === undefined ? undefined : { type: unit, value: contents });
  }

  private async instructions(addr: bigint, n: number): Promise<void> {
    const h = this.host;
    // up to 16 MiB of code at once (x/2147483647i); short of n, gdb names the first unreadable address
    const { data: code, end } = await readReadable((a, len) => h.readMemory(a, len), addr, Math.min(n * 15, 1 << 24));
    const insns = disassemble(code, addr, h.symbolize, n);
    const pc = await h.framePc();
    h.outLines(insns.map((i) => formatXInsn(i, pc, h.symbolize)));
    if (end !== undefined && insns.length < n) {
      const next = insns.length ? insns[insns.length - 1]!.address + BigInt(insns[insns.length - 1]!.length) : addr;
      const s = h.symbolize(next);
      h.write(`   ${hex(next)}${s ? ` <${s}>` : ''}:\t`);
      this.next = next;
      throw new EvalError(`Cannot access memory at address ${hex(end)}`);
    }
    if (!insns.length) throw new EvalError(`Cannot access memory at address ${hex(addr)}`);
    const last = insns[insns.length - 1]!;
    this.next = last.address + BigInt(last.length);
    h.setRepeat(`x/${n}i`);
    this.setExamined(last.address, intType(1));
  }

  private async strings(addr: bigint, n: number, width: 1 | CharWidth): Promise<void> {
    const h = this.host;
    const { elements, repeats } = h.printSettings();
    const read = (a: bigint, l: number) => h.readMemory(a, l);
    const quoted = width === 1 ? (a: bigint) => this.quotedString(a)
      : async (a: bigint) => {
        const s = await wideStringAt(read, a, width, elements, repeats);
        if (!s) throw new EvalError(`Cannot access memory at address ${hex(a)}`);
        return s;
      };
    let a = addr;
    let lines: string[] = [];
    // printed as they come, in batches, with Ctrl-C heard between them: x/2147483647s runs as long as gdb's
    const flush = () => { h.outLines(lines); lines = []; };
    for (let i = 0; i < n; i++) {
      this.setExamined(a, intType(width));
      // an unreadable string is an <error: ...> line, and the next one starts there again (gdb)
      const s = await quoted(a).catch((e: Error) => ({ text: `<error: ${e.message}>`, length: 0 }));
      lines.push(`${addrWithSym(a, h.symbolize)}:\t${s.text}`);
      a += BigInt(s.length);
      if (lines.length === 256) {
        flush();
        this.next = a;
        await h.checkQuit();
      }
    }
    flush();
    this.next = a;
    h.setRepeat(`x/${n}s${width === 2 ? 'h' : width === 4 ? 'w' : ''}`);
  }
}
