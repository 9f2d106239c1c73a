/**
 * A frame's scopes as structured nodes: its locals and its arguments (from
 * the DWARF evaluator of that frame, in gdb's `info locals`/`info args`
 * order) and the general registers (gdb's `info registers` order and
 * natural formats).
 */
import type { Evaluator } from '../../dwarf/evaluator.js';
import { ExprError } from '../../dwarf/cexpr.js';
import type { Registers } from '../../target/types.js';
import { INFO_REGISTERS_ORDER, hex, registerNatural, type Symbolizer } from '../../commands/format.js';
import { inspect, type Formatter, type Inspected } from './variables.js';

export type ScopeKind = 'locals' | 'arguments';

/** The frame's locals or arguments, each a node; a frame without DWARF has none. */
export async function scopeVariables(ev: Evaluator, kind: ScopeKind): Promise<Inspected[]> {
  const format: Formatter = (v) => ev.formatNested(v);
  let list: Array<{ name: string; value: Inspected['ref'] }>;
  try {
    list = kind === 'locals' ? await ev.locals() : await ev.args();
  } catch (e) {
    // no symbol table for this frame (a library without debug info): gdb's "No symbol table info available.";
    // DWARF that does not read, or a bug, goes on up to be said
    if (e instanceof ExprError) return [];
    throw e;
  }
  const out: Inspected[] = [];
  for (const l of list) out.push(await inspect(l.name, l.value, l.name, format));
  return out;
}

/** One register: its name, gdb's natural text for it and its raw hex. */
export interface RegisterNode {
  name: string;
  value: string;
  hex: string;
}

/** The general registers as `info registers` lists them. */
export function registerNodes(regs: Registers, symbolize: Symbolizer = () => undefined): RegisterNode[] {
  return INFO_REGISTERS_ORDER.map((name) => {
    const v = regs[name as keyof Registers];
    return { name, value: registerNatural(name, v, symbolize), hex: hex(v) };
  });
}
