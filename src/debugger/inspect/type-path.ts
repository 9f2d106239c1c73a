/**
 * Where a byte offset falls inside a C type: the member/element path to the
 * innermost scalar holding it (`.flags`, `[3].next`) and that leaf's bounds.
 * Data only; ./address-names.ts joins the path to a variable's expression.
 */
import { sizeOf, strip, type CType } from '../../dwarf/types.js';

/** One step into a value: a member by name or an array element by index. */
export type PathStep = { member: string } | { index: number };

export interface TypePath {
  steps: PathStep[];
  /** The leaf's bounds, as offsets from the start of the outer type. */
  from: number;
  to: number;
  /** The leaf is a byte of a byte array (a char buffer): that array's end (a changed run is one piece). */
  runTo?: number;
}

/** The path to the leaf holding byte `offset` of type t (padding: the innermost aggregate that holds it). */
export function pathAt(t: CType, offset: number): TypePath {
  const steps: PathStep[] = [];
  let base = 0;
  let type = strip(t);
  let arrayEnd: number | undefined;
  for (let depth = 0; depth < 32; depth++) {
    const rel = offset - base;
    if (type.kind === 'array') {
      const size = sizeOf(type.element);
      if (size <= 0) break;
      const i = Math.floor(rel / size);
      if (type.count !== undefined && i >= type.count) break;
      steps.push({ index: i });
      arrayEnd = type.count !== undefined && size === 1 ? base + type.count : undefined;
      base += i * size;
      type = strip(type.element);
      continue;
    }
    if (type.kind === 'struct' || type.kind === 'union') {
      const m = type.members.find((x) => x.name !== undefined && rel >= x.offset && rel < x.offset + Math.max(1, sizeOf(x.type)))
        ?? type.members.find((x) => rel >= x.offset && rel < x.offset + Math.max(1, sizeOf(x.type)));
      if (!m) break;
      // an anonymous member's fields are named as if they were the outer one's
      if (m.name !== undefined) steps.push({ member: m.name });
      base += m.offset;
      type = strip(m.type);
      arrayEnd = undefined;
      continue;
    }
    const last = steps[steps.length - 1];
    return { steps, from: base, to: base + Math.max(1, sizeOf(type)), runTo: last && 'index' in last ? arrayEnd : undefined };
  }
  // padding, or past the end of an array of unknown length: the byte alone
  return { steps, from: offset, to: offset + 1 };
}

/** C text of a path after an expression: `cfg` + [.flags] -> `cfg.flags`, `table` + [[3], .next] -> `table[3].next`. */
export function pathText(base: string, steps: readonly PathStep[]): string {
  if (!steps.length) return base;
  return wrap(base) + stepsText(steps);
}

/** A member of an object's expression, as C programmers write it: `*p` + next -> `p->next`, `cfg` + flags -> `cfg.flags`. */
export function memberExpr(obj: string, name: string): string {
  const m = /^\*([\w$]+(?:(?:\.|->)[\w$]+|\[\d+\])*)$/.exec(obj);
  return m ? `${m[1]}->${name}` : pathText(obj, [{ member: name }]);
}

/** Wrap an expression as the operand of a postfix operator when it needs parentheses (`*p` -> `(*p)`). */
function wrap(e: string): string {
  return /^[\w$]+(?:(?:\.|->)[\w$]+|\[\d+\])*$/.test(e) ? e : `(${e})`;
}

/** The steps as a suffix on their own: `.value`, `[1].value`. */
export function stepsText(steps: readonly PathStep[]): string {
  return steps.map((s) => ('index' in s ? `[${s.index}]` : `.${s.member}`)).join('');
}
