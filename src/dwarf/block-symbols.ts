/**
 * A DWARF block's symbols as gdb's symbol tables hold them (dwarf2/read.c
 * process_die, new_symbol, inherit_abstract_dies; dictionary.c's hashed
 * order): what `info locals` lists and `info scope` describes, in gdb's order.
 */
import type { Die } from './info.js';
import { AT, OP, TAG } from './constants.js';

/** The DIE (this one or its abstract origin / specification) that has the attribute. */
export function inheritedAttr(d: Die, at: number): Die | undefined {
  return d.inherited((x) => (x.has(at) ? x : undefined));
}

export function isFunctionBlock(b: Die): boolean {
  return b.tag === TAG.subprogram || b.tag === TAG.inlined_subroutine;
}

export interface Sym {
  name: string;
  die: Die;
  /** The inlined (or nested) function the block stands for. */
  fn?: boolean;
}

/** The DIEs of a block's symbols in gdb's dictionary order (`info locals` lists a lexical block's so). */
export function blockSymbolDies(block: Die): Die[] {
  return blockSymbols(block).map((s) => s.die);
}

/** The block's symbols in gdb's dictionary order. */
export function blockSymbols(block: Die): Sym[] {
  const list: Sym[] = [];
  // an inlined call's (or a nested function's) symbol is in its own block, first
  if (block.tag === TAG.inlined_subroutine || (block.tag === TAG.subprogram && block.parent?.tag !== TAG.compile_unit && block.parent?.tag !== TAG.partial_unit)) {
    const name = block.name;
    if (name) list.push({ name, die: block, fn: true });
  }
  collect(block.children, list);
  inheritAbstract(block, list);
  if (isFunctionBlock(block)) return list;
  return hashedOrder(list);
}

/** process_die for each child: the symbols it adds to the enclosing block. */
export function collect(children: Die[], list: Sym[]): void {
  for (const c of children) {
    switch (c.tag) {
      case TAG.variable: case TAG.formal_parameter: {
        const name = c.name;
        if (name && addsVariable(c)) list.push({ name, die: c });
        break;
      }
      case TAG.label: case TAG.typedef: case TAG.base_type: {
        const name = c.name;
        if (name) list.push({ name, die: c });
        break;
      }
      case TAG.enumeration_type: case TAG.structure_type: case TAG.union_type: case TAG.class_type: {
        if (c.tag === TAG.enumeration_type) {
          for (const e of c.children) if (e.tag === TAG.enumerator && e.name) list.push({ name: e.name, die: e });
        }
        const name = c.str(AT.name);
        if (name && (c.has(AT.byte_size) || !c.flag(AT.declaration))) list.push({ name, die: c });
        break;
      }
      case TAG.lexical_block:
        if (!c.has(AT.low_pc) && !c.has(AT.ranges)) collect(c.children, list);
        break;
      default: break;
    }
  }
}

/** Whether new_symbol puts a variable in the block's list (declarations and linker-dropped statics are not). */
export function addsVariable(d: Die): boolean {
  if (d.tag === TAG.formal_parameter) return true;
  if (inheritedRaw(d, AT.const_value) !== undefined) return true;
  const loc = inheritedAttr(d, AT.location);
  if (loc) {
    const block = loc.block(AT.location);
    return !(block && block.length === 9 && block[0] === OP.addr && block.readBigUInt64LE(1) === 0n);
  }
  const external = inheritedAttr(d, AT.external) !== undefined;
  if (external && d.type) return true;
  return !inheritedAttr(d, AT.declaration);
}

/** gdb's inherit_abstract_dies: the abstract origin's children no child of this block stands for. */
function inheritAbstract(block: Die, list: Sym[]): void {
  const origin = block.ref(AT.abstract_origin);
  if (!origin) return;
  const covered = new Set<Die>();
  for (const c of block.children) {
    if (c.tag === TAG.call_site || c.tag === TAG.GNU_call_site) continue;
    let o: Die | undefined = c;
    for (let i = 0; i < 8; i++) {
      const next: Die | undefined = o.ref(AT.abstract_origin);
      if (!next) break;
      o = next;
    }
    if (o !== c && o.parent === origin) covered.add(o);
  }
  collect(origin.children.filter((c) => !covered.has(c)), list);
}

function inheritedRaw(d: Die, at: number): unknown {
  return inheritedAttr(d, at)?.raw(at);
}

/** gdb's default_search_name_hash (C symbols). */
export function searchNameHash(name: string): number {
  const next = (h: number, c: string) => (Math.imul(h, 67) + c.toLowerCase().charCodeAt(0) - 113) >>> 0;
  const iw = () => {
    let h = 0;
    for (const c of name) {
      if (c === '(') break;
      if (c !== ' ' && c !== '\t') h = next(h, c);
    }
    return h;
  };
  let i = 0;
  if (name[0] === '_') {
    if (name.startsWith('_ada_')) i = 5;
    else return iw();
  }
  let hash = 0;
  while (i < name.length) {
    const c = name[i];
    if (c === '$' || c === '.' || c === 'X') {
      if (i === 0) return iw();
      return hash;
    }
    if (c === ' ' || c === '(') return iw();
    if (c === '_' && name[i + 1] === '_' && i !== 0) {
      const c2 = name[i + 2];
      if ((c2 === undefined || c2 < 'a' || c2 > 'z') && c2 !== 'O') return hash;
      hash = 0;
      i += 2;
      continue;
    }
    if (c === 'T' && name.slice(i) === 'TKB') return hash;
    hash = next(hash, c);
    i++;
  }
  return hash;
}

/** gdb's cp_search_name_hash (C++ symbols): the last component of a qualified name, up to its parameters. */
export function cxxSearchNameHash(name: string): number {
  let s = name.startsWith('::') ? name.slice(2) : name;
  let depth = 0;
  let prefix = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (depth === 0 && c === ':' && s[i + 1] === ':') prefix = i++;
  }
  if (prefix >= 0) s = s.slice(prefix + 2);
  let hash = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ' ' || c === '\t') continue;
    if (c === '(' || (c === '[' && s.startsWith('abi:', i + 1) && s[i + 5] !== ':')) break;
    hash = (Math.imul(hash, 67) + c.toLowerCase().charCodeAt(0) - 113) >>> 0;
  }
  return hash;
}

/** DW_LANG_C_plus_plus, _03, _11, _14. */
const CXX_LANGUAGES = new Set([0x04, 0x19, 0x1a, 0x21]);

/** dict_create_hashed's buckets, each chain in the order the symbols were read. */
export function hashedOrder(list: Sym[]): Sym[] {
  const n = Math.floor(list.length / 5) + 1;   // gdb 13's bucket count, as measured on its output
  const buckets: Sym[][] = Array.from({ length: n }, () => []);
  const language = list[0]?.die.unit.root.num(AT.language);
  const hash = language !== undefined && CXX_LANGUAGES.has(language) ? cxxSearchNameHash : searchNameHash;
  for (const s of list) buckets[hash(s.name) % n].push(s);
  return buckets.flat();
}

