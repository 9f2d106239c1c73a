/**
 * gdb's type printing: `ptype` (one level of bodies expanded), `ptype/o`
 * (offsets and holes) and `whatis`, reproduced to the character.
 */
import {
  strip, sizeOf, typeName, declarator, type CType, type Method,
} from './types.js';
import { pushAll } from '../arrays.js';

/** `ptype`: the type with one level of struct/union/enum bodies expanded, typedefs at the top resolved. */
export function ptype(t: CType): string {
  let top = t;
  while (top.kind === 'typedef') top = top.target;
  if (top.kind === 'function' && top.nodebug) return 'type = <unknown return type> ()';
  return 'type = ' + ptypeBody(throughTypedef(top), 0, 1);
}

/**
 * gdb's ptype resolves a typedef under pointers and qualifiers too (show > 0):
 * `ptype s` of an `EState *` prints the struct, then ` *`.
 */
function throughTypedef(t: CType): CType {
  switch (t.kind) {
    case 'pointer': return { ...t, target: throughTypedef(t.target) };
    case 'qual': return { ...t, target: throughTypedef(t.target) };
    case 'typedef': {
      let u: CType = t;
      while (u.kind === 'typedef') u = u.target;
      return u.kind === 'pointer' || u.kind === 'qual' ? throughTypedef(u) : u;
    }
    default: return t;
  }
}

/**
 * `show` is gdb's typeprint depth: ptype starts at 1 and each level of
 * members goes one down; an anonymous struct, union or enum is spelled out
 * down to 0 and is `struct {...}` below it (a named one is its name).
 */
function ptypeBody(t: CType, indent: number, show: number): string {
  // a typedef of a pointer, array or function type under the declarators joins them (`str_t *` is `char **`)
  const joined = show > 0 ? inlineBaseTypedef(t) : undefined;
  if (joined) return ptypeBody(joined, indent, show);
  // Peel declarator layers down to the base, expand it, and re-apply the declarator.
  let base: CType = t;
  while (base.kind === 'pointer' || base.kind === 'array' || base.kind === 'function' || (base.kind === 'qual')) {
    base = base.kind === 'pointer' ? base.target : base.kind === 'array' ? base.element : base.kind === 'function' ? base.ret : base.target;
  }
  const expanded = expandBase(base, indent, show);
  if (base === t) return expanded;
  const plain = typeName(base);
  const full = typeName(t);
  const at = full.indexOf(plain);
  return full.slice(0, at) + expanded + full.slice(at + plain.length);
}

/** t with the typedef at the base of its declarators replaced by what it names, when that is a declarator too. */
function inlineBaseTypedef(t: CType): CType | undefined {
  switch (t.kind) {
    case 'pointer': { const r = inlineBaseTypedef(t.target); return r && { ...t, target: r }; }
    case 'array': { const r = inlineBaseTypedef(t.element); return r && { ...t, element: r }; }
    case 'function': { const r = inlineBaseTypedef(t.ret); return r && { ...t, ret: r }; }
    case 'qual': { const r = inlineBaseTypedef(t.target); return r && { ...t, target: r }; }
    case 'typedef': {
      const quals: Array<CType & { kind: 'qual' }> = [];
      let x: CType = t;
      while (x.kind === 'typedef' || x.kind === 'qual') {
        if (x.kind === 'qual') quals.push(x);
        x = x.target;
      }
      if (x.kind !== 'pointer' && x.kind !== 'array' && x.kind !== 'function') return undefined;
      return quals.reduceRight<CType>((inner, q) => ({ kind: 'qual', qual: q.qual, target: inner }), x);
    }
    default: return undefined;
  }
}

function expandBase(t: CType, indent: number, show: number): string {
  const pad = ' '.repeat(indent);
  if (t.kind === 'typedef' && show > 0) {
    // gdb's check_typedef: every typedef level off, the qualifiers under them kept
    const quals: string[] = [];
    let x: CType = t;
    while (x.kind === 'typedef' || x.kind === 'qual') {
      if (x.kind === 'qual' && !quals.includes(x.qual)) quals.push(x.qual);
      x = x.target;
    }
    if (x.kind === 'pointer' || x.kind === 'array' || x.kind === 'function') return ptypeBody(x, indent, show);
    return `${quals.map((q) => `${q} `).join('')}${expandBase(x, indent, show)}`;
  }
  if (t.kind === 'base' && t.flags) {
    // gdb's flags types ($mxcsr, $eflags)
    return `flag ${t.name} {\n${t.flags.map(([n, bit]) => `${pad}    bool ${n} @${bit};\n`).join('')}${pad}}`;
  }
  if (t.kind === 'struct' || t.kind === 'union') {
    const head = t.tag ? `${t.kind} ${t.tag} {` : `${t.kind} {`;
    if (t.incomplete) return `${t.kind} ${t.tag} {\n${pad}    <incomplete type>\n${pad}}`;
    const lines = t.members.map((m) => {
      // an anonymous struct/union/enum member is spelled out; one through a typedef is the typedef's name
      const quals: string[] = [];
      let inner = m.type;
      for (; inner.kind === 'qual'; inner = inner.target) quals.push(inner.qual);
      const anon = (inner.kind === 'struct' || inner.kind === 'union' || inner.kind === 'enum') && !inner.tag;
      const decl = anon && show - 1 >= 0
        ? `${quals.map((q) => `${q} `).join('')}${expandBase(inner, indent + 4, show - 1)}${m.name ? ' ' + m.name : ''}`
        : declarator(m.type, m.name ?? '');
      return `${pad}    ${decl}${m.bitSize !== undefined ? ` : ${m.bitSize}` : ''};`;
    });
    pushAll(lines, methodLines(t.methods?.() ?? [], pad));
    return `${head}\n${lines.join('\n')}${lines.length ? '\n' : ''}${pad}}`;
  }
  if (t.kind === 'enum') {
    let expect = 0n;
    const vals = t.values.map((e) => {
      const s = e.value === expect ? e.name : `${e.name} = ${e.value}`;
      expect = e.value + 1n;
      return s;
    });
    return `${t.tag ? `enum ${t.tag} ` : 'enum '}{${vals.join(', ')}}`;
  }
  return typeName(t);
}

/** A C++ struct's member functions after its data, under gdb's access labels: `  public:`, `    int get(int) const;`. */
function methodLines(methods: Method[], pad: string): string[] {
  const out: string[] = [];
  let access: string | undefined;
  for (const m of methods) {
    if (m.access !== access) out.push(`${pad}  ${m.access}:`);
    access = m.access;
    const params = m.params.length ? m.params.map((p) => typeName(p)).join(', ') : 'void';
    out.push(`${pad}    ${m.isStatic ? 'static ' : ''}${declarator(m.ret, `${m.name}(${params})`)}${m.isConst ? ' const' : ''};`);
  }
  return out;
}

/** `whatis EXPR`: the type's name; `whatis TYPENAME` peels one typedef level. */
export function whatis(t: CType, isTypeName: boolean): string {
  if (t.kind === 'function' && t.nodebug) return 'type = <text variable, no debug info>';
  if (isTypeName && t.kind === 'typedef') return 'type = ' + typeName(t.target);
  return 'type = ' + typeName(t);
}

/**
 * `ptype/o`: the struct with each member's offset and size, holes and
 * trailing padding, nested structs expanded, exactly in gdb's layout
 * (typeprint.c print_offset_data).
 */
export function ptypeOffsets(t: CType): string {
  // through typedefs and pointers (`} *`); the header only for a struct or union named as such (gdb's whatis_exp)
  let top = t;
  let stars = '';
  for (;;) {
    if (top.kind === 'typedef') top = top.target;
    else if (top.kind === 'pointer') { stars += '*'; top = top.target; } else break;
  }
  if (top.kind !== 'struct' && top.kind !== 'union') return ptype(t);
  const lines: string[] = [];
  const header = t.kind === 'struct' || t.kind === 'union' ? '/* offset      |    size */  ' : '';
  lines.push(`${header}type = ${top.tag ? `${top.kind} ${top.tag}` : top.kind} {`);
  offsetBody(top, 0, 0, lines);
  lines.push(`${' '.repeat(29)}}${stars ? ` ${stars}` : ''}`);
  return lines.join('\n');
}

const OFFSET_SPC = 27;

function offsetBody(t: CType & { kind: 'struct' | 'union' }, level: number, baseBits: number, lines: string[]): void {
  const indent = ' '.repeat(4 * (level + 1));
  let end = 0; // end of the previous member, in bits from the struct start
  const hole = (bits: number, what: string) => {
    if (bits % 8) lines.push(`/* XXX ${String(bits % 8).padStart(2)}-bit ${what.padEnd(7)}   */`);
    if (Math.floor(bits / 8)) lines.push(`/* XXX ${String(Math.floor(bits / 8)).padStart(2)}-byte ${what.padEnd(7)}   */`);
  };
  for (const m of t.members) {
    const size = sizeOf(m.type);
    const bitpos = m.bitSize !== undefined ? m.bitOffset! : m.offset * 8;
    let prefix: string;
    if (t.kind === 'union') prefix = `/*                ${String(size).padStart(6)} */`;
    else {
      if (end > 0 && end < bitpos) hole(bitpos - end, 'hole');
      const abs = baseBits + bitpos;
      const where = m.bitSize !== undefined
        ? `${String(Math.floor(abs / 8)).padStart(6)}:${String(abs % 8).padStart(2)}`
        : `${String(abs / 8).padStart(6)}   `;
      prefix = `/* ${where}   |  ${String(size).padStart(6)} */`;
      end = bitpos + (m.bitSize ?? size * 8);
    }
    const inner = strip(m.type);
    if ((inner.kind === 'struct' || inner.kind === 'union') && m.type.kind !== 'typedef') {
      lines.push(`${prefix}${indent}${inner.tag ? `${inner.kind} ${inner.tag}` : inner.kind} {`);
      offsetBody(inner, level + 1, baseBits + bitpos, lines);
      lines.push(`${' '.repeat(OFFSET_SPC + 4 * (level + 1))}}${m.name ? ` ${m.name}` : ''};`);
    } else {
      // every level of ptype/o is at gdb's show 1, so an anonymous enum member is spelled out
      const decl = inner.kind === 'enum' && !inner.tag && m.type.kind !== 'typedef'
        ? `${expandBase(inner, 0, 0)}${m.name ? ` ${m.name}` : ''}` : declarator(m.type, m.name ?? '');
      lines.push(`${prefix}${indent}${decl}${m.bitSize !== undefined ? ` : ${m.bitSize}` : ''};`);
    }
  }
  if (t.kind === 'struct' && end > 0 && end < t.size * 8) hole(t.size * 8 - end, 'padding');
  lines.push('', `${' '.repeat(OFFSET_SPC + 4 * (level + 1))}/* total size (bytes): ${String(t.size).padStart(4)} */`);
}
