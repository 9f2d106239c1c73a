/**
 * Names of functions as gdb spells them: C++ functions qualified by their
 * namespaces and classes (`ns::S::get`), from the declaration a definition
 * points to (DW_AT_specification / DW_AT_abstract_origin). C functions are
 * their plain DW_AT_name.
 */
import { AT, TAG } from './constants.js';
import type { Die } from './info.js';
import { demangle } from './demangle.js';

/** The DIE a definition stands for: its in-class declaration, or the abstract instance of an inlined copy. */
function declarationOf(die: Die): Die {
  let d = die;
  for (let i = 0; i < 4; i++) {
    const next = d.ref(AT.abstract_origin) ?? d.ref(AT.specification);
    if (!next || next === d) break;
    d = next;
  }
  return d;
}

/** `ns::S::get` for a C++ member of S in namespace ns; the plain name in C. */
export function qualifiedName(die: Die): string | undefined {
  const name = die.name;
  if (!name) return undefined;
  const scopes: string[] = [];
  for (let p = declarationOf(die).parent; p; p = p.parent) {
    if (p.tag === TAG.namespace) scopes.unshift(p.str(AT.name) ?? '(anonymous namespace)');
    else if (p.tag === TAG.structure_type || p.tag === TAG.class_type || p.tag === TAG.union_type) {
      const n = p.str(AT.name);
      if (!n) break;
      scopes.unshift(n);
    } else break;
  }
  return [...scopes, name].join('::');
}

/** The names `break` finds a function by: `get`, `S::get`, `ns::S::get` (gdb's wild matching). */
export function lookupNames(die: Die): string[] {
  const q = qualifiedName(die);
  if (!q) return [];
  const parts = q.split('::');
  return parts.map((_, i) => parts.slice(i).join('::')).reverse();
}

const CXX_LANGUAGES = new Set([0x04, 0x19, 0x1a, 0x21]);   // DW_LANG_C_plus_plus, _03, _11, _14

const cxxUnits = new WeakMap<object, boolean>();

/** The DIE comes from a C++ unit: types are named by their qualified names, without `struct`. */
export function isCxx(die: Die): boolean {
  let v = cxxUnits.get(die.unit);
  if (v === undefined) {
    v = CXX_LANGUAGES.has(die.unit.root.num(AT.language) ?? -1);
    cxxUnits.set(die.unit, v);
  }
  return v;
}

/**
 * A function's name as gdb shows it: for C its linkage name when it has one
 * (`__GI__IO_fflush`), else its name. (A mangled C++ name would need
 * demangling: those keep their DW_AT_name.)
 */
/**
 * A function's symbol as gdb prints it where it names the symbol itself
 * (`info breakpoints`): C++ functions demangled with their parameters,
 * `ns::S::get(int) const`; otherwise as gdbFunctionName.
 */
export function gdbPrintName(die: Die): string | undefined {
  const linkage = die.inherited((d) => d.str(AT.linkage_name));
  return (linkage ? demangle(linkage) : undefined) ?? gdbFunctionName(die);
}

export function gdbFunctionName(die: Die): string | undefined {
  const linkage = die.inherited((d) => d.str(AT.linkage_name));
  return (linkage && !linkage.startsWith('_Z') ? linkage : undefined) ?? qualifiedName(die);
}
