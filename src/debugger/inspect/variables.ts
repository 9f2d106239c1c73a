/**
 * Structured views of a DWARF value for front ends that show a tree (a DAP
 * client's Variables pane, a UI's watch list): one node per value, with its
 * gdb-formatted text, its C type name and, when it has parts, how to get them.
 *
 * Everything here works on src/dwarf's Value (type + location) and its
 * formatter: no text is parsed. Children are built lazily, one level at a
 * time, so a 1,000,000-element array or a cyclic list costs nothing until
 * expanded.
 */
import { Value } from '../../dwarf/value.js';
import { expected } from '../errors.js';
import { memberValue, subLocation, formatValue } from '../../dwarf/format.js';
import { strip, sizeOf, typeName, isCharType, type CType } from '../../dwarf/types.js';
import { memberExpr } from './type-path.js';

/** One node of the tree. */
export interface Inspected {
  name: string;
  /** gdb's text for the value (nested style: `{value = 5, next = 0x4052a0}`, `0x4052a0`, `65 'A'`). */
  value: string;
  /** The C type as gdb names it (`struct node *`, `int [4]`). */
  type: string;
  /** A C expression for this node, when one exists (`list->next->value`, `arr[3]`, `*p`). */
  expression?: string;
  /** How many children it has (members, elements, or 1 for a pointer's target); 0: a leaf. */
  children: number;
  /** Children are array elements (indexed) rather than named members. */
  indexed: boolean;
  /** Where the value lives in memory, when it does (DAP's memoryReference). */
  address?: bigint;
  /** The value itself, to expand later. */
  ref: Value;
}

/** How a value is turned into text (the session's print settings and symbolizer); the default is gdb's. */
export type Formatter = (v: Value) => Promise<string>;

export const defaultFormatter: Formatter = (v) => formatValue(v);

/** Upper bound on elements offered for one array (a client pages through them with start/count). */
export const MAX_ELEMENTS = 100_000;

function elementCount(t: CType & { kind: 'array' }): number {
  return Math.min(t.count ?? 0, MAX_ELEMENTS);
}

/** A pointer whose target can be shown: not void, not a function, not char (its string is the value). */
function expandablePointer(t: CType & { kind: 'pointer' }): boolean {
  const to = strip(t.target);
  return to.kind !== 'void' && to.kind !== 'function' && !isCharType(to);
}

async function pointerValue(v: Value): Promise<bigint | undefined> {
  // (an unreadable pointer: shown without its pointee)
  const n = await v.bigint().catch(expected(undefined));
  return n === undefined ? undefined : BigInt.asUintN(64, n);
}

/** The shape of v's children: how many, and whether indexed. */
async function shape(v: Value): Promise<{ children: number; indexed: boolean }> {
  if (v.optimizedOut) return { children: 0, indexed: false };
  const t = strip(v.type);
  switch (t.kind) {
    case 'struct': case 'union':
      return { children: t.incomplete ? 0 : t.members.length, indexed: false };
    case 'array':
      return { children: elementCount(t), indexed: true };
    case 'pointer': {
      if (!expandablePointer(t)) return { children: 0, indexed: false };
      const p = await pointerValue(v);
      return { children: p ? 1 : 0, indexed: false };
    }
    default:
      return { children: 0, indexed: false };
  }
}

/** Wrap an expression for use as the operand of a postfix or unary operator. */
function operand(expr: string): string {
  return /^(?:[\w$]+|\([^()]*\))(?:(?:\.|->)[\w$]+|\[\d+\])*$/.test(expr) ? expr : `(${expr})`;
}

/** Describe one value as a node. An error reading it becomes its text, as gdb's `<error: ...>`. */
export async function inspect(name: string, v: Value, expression?: string, format: Formatter = defaultFormatter): Promise<Inspected> {
  let text: string;
  try {
    text = v.optimizedOut ? '<optimized out>' : await format(v);
  } catch (e) {
    text = `<error: ${(e as Error).message}>`;
  }
  // (children that do not read: a leaf, its text says the error)
  const s = await shape(v).catch(expected({ children: 0, indexed: false }));
  return { name, value: text, type: typeName(v.type), expression, ...s, address: v.address, ref: v };
}

/**
 * The children of a node, `start` and `count` selecting a window of an
 * array's elements (all of them by default). Members keep their names
 * (an anonymous union's members show as `<anonymous union>`), elements are
 * `[i]`, a pointer's one child is `*name`.
 */
export async function childrenOf(
  node: Pick<Inspected, 'ref' | 'expression' | 'name'>, format: Formatter = defaultFormatter, start = 0, count?: number,
): Promise<Inspected[]> {
  const v = node.ref;
  if (v.optimizedOut) return [];
  const t = strip(v.type);
  const base = node.expression;
  if (t.kind === 'struct' || t.kind === 'union') {
    if (t.incomplete) return [];
    const out: Inspected[] = [];
    for (const m of t.members) {
      const label = m.name ?? `<anonymous ${strip(m.type).kind}>`;
      const expr = base !== undefined && m.name ? memberExpr(base, m.name) : undefined;
      out.push(await inspect(label, memberValue(v, m), expr, format));
    }
    return out;
  }
  if (t.kind === 'array') {
    const total = elementCount(t);
    const size = sizeOf(t.element);
    const end = Math.min(total, count === undefined || count <= 0 ? total : start + count);
    const out: Inspected[] = [];
    for (let i = Math.max(0, start); i < end; i++) {
      const el = new Value(t.element, subLocation(v, i * size), v.ctx);
      out.push(await inspect(`[${i}]`, el, base !== undefined ? `${operand(base)}[${i}]` : undefined, format));
    }
    return out;
  }
  if (t.kind === 'pointer' && expandablePointer(t)) {
    const p = await pointerValue(v);
    if (!p) return [];
    const target = new Value(t.target, { kind: 'memory', address: p }, v.ctx);
    return [await inspect(`*${node.name}`, target, base !== undefined ? `*${operand(base)}` : undefined, format)];
  }
  return [];
}
