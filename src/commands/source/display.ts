/** SourceLevel's displays: display, undisplay, and what is shown at each stop. */
import type { Die } from '../../dwarf/info.js';
import { Evaluator } from '../../dwarf/evaluator.js';
import { strip } from '../../dwarf/types.js';
import { disassemble, formatXInsn } from '../disasm.js';
import { ExprError } from '../../dwarf/cexpr.js';
import { forEachNumber } from '../number-ranges.js';
import { bytesToBigInt } from '../../dwarf/value.js';
import { hexWord } from '../../util/hex.js';
import { stringAt as dwarfStringAt } from '../../dwarf/format.js';
import { addrWithSym } from '../format.js';
import type { SourceLevel, Display } from './index.js';
import { expected } from '../../debugger/errors.js';

// ------------------------------------------------------------ display

export async function display(s: SourceLevel, expr: string, fmt: string | undefined): Promise<void> {
  if (!expr) {
    const ev = await s.evaluator();
    const lines = await s.displayLines(ev);
    if (lines.length) s.host.out(lines.join('\n'));
    return;
  }
  // gdb parses the expression now (an unknown symbol is refused) and remembers the block of the
  // locals it uses; evaluation errors wait for the stops.
  let scope: Die | undefined;
  if (s.program() || s.host.fileElf()) {
    const ev = await s.evaluator();
    if (fmt !== 'i') {
      try {
        await ev.whatis(expr);
      } catch (e) {
        if (/^No symbol /.test((e as Error).message)) throw e;
      }
    }
    const names = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '').match(/(?<![\w$.>])[A-Za-z_]\w*/g) ?? [];
    if (names.some((n) => ev.findVariable(n)?.local)) scope = (await s.selected()).fn?.die;
  }
  const d: Display = { id: s.nextDisplay++, expr, fmt, enabled: true, scope };
  s.displays.push(d);
  // gdb shows a new display at once only for a command a person typed
  if (s.program() && s.host.fromTty()) {
    const line = await s.displayLine(d, await s.evaluator());
    s.host.out(line);
  }
}

/** gdb's undisplay_command / map_display_numbers. */
export async function undisplay(s: SourceLevel, arg: string): Promise<void> {
  if (!arg.trim()) {
    if (await s.host.confirm('Delete all auto-display expressions? (y or n)')) s.displays.length = 0;
    return;
  }
  const convenience = (name: string) => {
    const v = s.host.convenience.get(name);
    const t = v && strip(v.dwarf.type);
    return t && (t.kind === 'base' || t.kind === 'enum') && v!.dwarf.loc.kind === 'bytes' ? bytesToBigInt(v!.dwarf.loc.bytes, true) : undefined;
  };
  await forEachNumber(arg, { convenience, out: (t) => s.host.out(t) }, (n, token) => {
    if (n === 0) {
      s.host.warn(`bad display number at or near '${token}'`);
      return;
    }
    const i = s.displays.findIndex((d) => d.id === n);
    if (i < 0) s.host.out(`No display number ${n}.`);
    else s.displays.splice(i, 1);
  });
}

export async function displayLine(s: SourceLevel, d: Display, ev: Evaluator): Promise<string> {
  if (d.fmt === 'i') return s.displayInstruction(d, ev);
  if (d.fmt === 's') return displayString(s, d, ev);
  try {
    const v = await ev.evaluate(d.expr);
    const body = await ev.format(v, { format: d.fmt });
    return `${d.id}: ${d.fmt ? `/${d.fmt} ` : ''}${d.expr} = ${body}`;
  } catch (e) {
    return `${d.id}: ${d.fmt ? `/${d.fmt} ` : ''}${d.expr} = <error: ${(e as Error).message}>`;
  }
}

/** `display/i $pc`: gdb's `1: x/i $pc` then the instruction, `=> ` marking the pc. */
export async function displayInstruction(s: SourceLevel, d: Display, ev: Evaluator): Promise<string> {
  const head = `${d.id}: x/i ${d.expr}`;
  try {
    const v = await ev.evaluate(d.expr);
    const addr = BigInt.asUintN(64, (await v.bigint()) ?? 0n);
    const code = await s.host.readMemory(addr, 16);
    const [insn] = disassemble(code, addr, ev.symbolize, 1);
    if (!insn) throw new ExprError(`Cannot access memory at address ${hexWord(addr)}`);
    const pc = (await s.host.registers()).rip;
    return `${head}\n${formatXInsn(insn, pc, ev.symbolize)}`;
  } catch (e) {
    return `${head}\n<error: ${(e as Error).message}>`;
  }
}

/** `display/s PTR`: a memory format, as x/s: gdb's `2: x/s name  0x...:\t"text"` on one line. */
async function displayString(s: SourceLevel, d: Display, ev: Evaluator): Promise<string> {
  const head = `${d.id}: x/s ${d.expr}  `;
  try {
    const v = await ev.evaluate(d.expr);
    const addr = strip(v.type).kind === 'array' && v.address !== undefined ? v.address : BigInt.asUintN(64, (await v.bigint()) ?? 0n);
    const { elements, repeats } = s.printSettings;
    const str = await dwarfStringAt((a, l) => s.host.readMemory(a, l), addr, elements, repeats);
    if (!str) throw new ExprError(`Cannot access memory at address ${hexWord(addr)}`);
    return `${head}${addrWithSym(addr, ev.symbolize)}:\t${str.text}`;
  } catch (e) {
    return `${head}<error: ${(e as Error).message}>`;
  }
}

/** Displays whose expression can be evaluated here (gdb skips those out of their scope). */
export async function displayLines(s: SourceLevel, ev: Evaluator): Promise<string[]> {
  const out: string[] = [];
  // the selected frame's function, with the calls inlined into it (gdb's contained_in, nested)
  // (no registers or stack: no frame to mark; DWARF errors are said by the backtrace)
  const frames = s.program() ? await s.frames().catch(expected([])) : [];
  const sel = Math.min(s.host.selectedFrame(), frames.length - 1);
  const here = frames[sel]?.fn?.die;
  // a display's locals were bound when it was made: they are read in their function's own frame
  let own = sel;
  while (frames[own]?.inlined && frames[own + 1]) own++;
  for (const d of s.displays) {
    if (!d.enabled || (d.scope && d.scope !== here)) continue;
    const line = await s.displayLine(d, d.scope && own !== sel ? s.evaluatorFor(frames[own]) : ev);
    if (!/<error: No symbol "/.test(line)) out.push(line);
  }
  return out;
}
