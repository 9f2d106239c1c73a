/**
 * gdb's check of a breakpoint condition at each location of a breakpoint
 * with several (breakpoint.c set_breakpoint_condition): the condition's
 * names are looked up in the block of each location; where one is not
 * visible, gdb warns `failed to validate condition at location N,
 * disabling` and that location never stops (`N*` in info breakpoints).
 *
 * The check is by names: an identifier is missing at a location (with
 * debug info) where it is neither a local there (variable or parameter of
 * the innermost function, an inlined one included, and its blocks) nor a
 * global name (`isGlobal`). Where every location fails, gdb refuses the
 * breakpoint with the first error.
 */
import { TAG } from '../dwarf/constants.js';
import type { DebugInfo } from '../dwarf/debuginfo.js';
import type { Die } from '../dwarf/info.js';

/** Identifiers of a C expression that name symbols (not members, not keywords, not in literals). */
function symbolNames(expr: string): string[] {
  const text = expr.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, ' 0 ');
  const out: string[] = [];
  const re = /(\.|->|\$|\b(?:struct|union|enum)\s)?\s*\b([A-Za-z_]\w*)/g;
  for (let m; (m = re.exec(text));) {
    if (m[1]) continue;                       // a member, a $convenience name or a tag
    if (/^\d/.test(text[m.index - 1] ?? '')) continue;
    if (KEYWORDS.has(m[2]!)) continue;
    out.push(m[2]!);
  }
  return out;
}

const KEYWORDS = new Set(['sizeof', 'struct', 'union', 'enum', 'unsigned', 'signed', 'int', 'char', 'short', 'long',
  'float', 'double', 'void', 'const', 'volatile', '_Bool', 'alignof', '_Alignof']);

/** Names of the locals visible at pc: blocks up to the innermost function (an inlined call's block included). */
function localsAt(debug: DebugInfo, pc: bigint): Set<string> {
  const names = new Set<string>();
  const scope = debug.scopeAt(pc);
  if (!scope) return names;
  for (const b of scope.blocks) {
    addLocals(b, names);
    if (b.tag === TAG.inlined_subroutine || b.tag === TAG.subprogram) break;
  }
  return names;
}

function addLocals(block: Die, names: Set<string>): void {
  for (const c of block.children) {
    if ((c.tag === TAG.variable || c.tag === TAG.formal_parameter) && c.name) names.add(c.name);
  }
}

/**
 * The gdb error of the condition at each location (undefined where it is
 * valid): `debugAt` gives the debug info of a location's address, `isGlobal`
 * whether a name resolves without a frame.
 */
export function conditionErrors(debugAt: (pc: bigint) => DebugInfo | undefined, locations: bigint[], condition: string,
  isGlobal: (name: string) => boolean): Array<string | undefined> {
  const names = symbolNames(condition);
  return locations.map((pc) => {
    const debug = debugAt(pc);
    if (!debug?.scopeAt(pc)) return undefined;   // no debug info there: nothing to check against
    const locals = localsAt(debug, pc);
    const missing = names.find((n) => !locals.has(n) && !isGlobal(n));
    return missing ? `No symbol "${missing}" in current context.` : undefined;
  });
}
