/**
 * C types built from DWARF DIEs, their sizes, and their names in C declarator
 * syntax exactly as gdb writes them (`struct node *`, `int (*)(int, int)`,
 * `int [2][3]`).
 */
import { AT, ATE, FORM, TAG } from './constants.js';
import type { Die } from './info.js';
import { isCxx, qualifiedName } from './names.js';
import { wrapHint } from './wrap.js';

export interface Member {
  name?: string;
  type: CType;
  /** Byte offset of the member (of its storage unit, for bit fields). */
  offset: number;
  /** Bit fields: width and offset in bits from the start of the struct. */
  bitSize?: number;
  bitOffset?: number;
}

/** A C++ member function as ptype declares it: `static int twice(int);`, `int get(int) const;`. */
export interface Method {
  name: string;
  ret: CType;
  params: CType[];
  isStatic: boolean;
  isConst: boolean;
  access: 'public' | 'protected' | 'private';
}

export type CType =
  | { kind: 'void' }
  /** `flags`: a register of named bits (gdb's flags types, e.g. mxcsr), printed `[ IM DM ]`. */
  | { kind: 'base'; name: string; size: number; encoding: number; nodebug?: string; flags?: ReadonlyArray<readonly [string, number]> }
  | { kind: 'pointer'; size: number; target: CType }
  | { kind: 'qual'; qual: 'const' | 'volatile' | 'restrict' | '_Atomic'; target: CType }
  | { kind: 'typedef'; name: string; target: CType }
  /** `vector`: a gdb vector type (the members of $xmm0): `float __attribute__ ((vector_size(4)))`. */
  | { kind: 'array'; element: CType; count?: number; vector?: boolean }
  /** `cxx`: from a C++ unit, where the (qualified) tag is the type's whole name: `ns::S`, not `struct S`. */
  | { kind: 'struct' | 'union'; tag?: string; size: number; members: Member[]; incomplete: boolean; die?: Die; cxx?: boolean;
      /** A C++ struct's member functions, for ptype (built on demand: they pull in their parameter types). */
      methods?: () => Method[] }
  | { kind: 'enum'; tag?: string; size: number; signed: boolean; values: Array<{ name: string; value: bigint }>; cxx?: boolean }
  | { kind: 'function'; ret: CType; params: CType[]; varargs: boolean; prototyped: boolean; nodebug?: boolean };

export const VOID: CType = { kind: 'void' };
export const INT: CType = { kind: 'base', name: 'int', size: 4, encoding: ATE.signed };
export const UINT: CType = { kind: 'base', name: 'unsigned int', size: 4, encoding: ATE.unsigned };
export const LONG: CType = { kind: 'base', name: 'long', size: 8, encoding: ATE.signed };
export const ULONG: CType = { kind: 'base', name: 'unsigned long', size: 8, encoding: ATE.unsigned };
export const CHAR: CType = { kind: 'base', name: 'char', size: 1, encoding: ATE.signed_char };
export const DOUBLE: CType = { kind: 'base', name: 'double', size: 8, encoding: ATE.float };

/** Names of the C base types a cast may use, with their size and encoding. */
export const C_BASE_TYPES: Record<string, CType> = Object.fromEntries(([
  ['char', 1, ATE.signed_char], ['signed char', 1, ATE.signed_char], ['unsigned char', 1, ATE.unsigned_char],
  ['short', 2, ATE.signed], ['unsigned short', 2, ATE.unsigned], ['int', 4, ATE.signed],
  ['unsigned int', 4, ATE.unsigned], ['long', 8, ATE.signed], ['unsigned long', 8, ATE.unsigned],
  ['long long', 8, ATE.signed], ['unsigned long long', 8, ATE.unsigned], ['float', 4, ATE.float],
  ['double', 8, ATE.float], ['long double', 16, ATE.float], ['_Bool', 1, ATE.boolean],
] as Array<[string, number, number]>).map(([name, size, encoding]) => [name, { kind: 'base', name, size, encoding }]));

/**
 * The type gdb gives an ELF data symbol without debug info: it can only be
 * cast (`(int)counter`) or have its address taken.
 */
export function noDebugData(symbol: string): CType {
  return { kind: 'base', name: '<data variable, no debug info>', size: 4, encoding: ATE.signed, nodebug: symbol };
}

/** gdb's error for using a no-debug-info data symbol as a value. */
export function unknownTypeError(t: CType): string | undefined {
  const s = strip(t);
  return s.kind === 'base' && s.nodebug ? `'${s.nodebug}' has unknown type; cast it to its declared type` : undefined;
}

/** bfloat16 (the high half of a float) rather than IEEE half, the other 2-byte float. */
export const isBfloat16 = (t: CType): boolean => t.kind === 'base' && t.size === 2 && /bfloat16/.test(t.name);

/** The array with its innermost elements qualified once (`const` over `const struct s [3]` adds nothing). */
function qualifyElements(a: CType & { kind: 'array' }, qual: 'const' | 'volatile'): CType {
  if (a.element.kind === 'array') return { ...a, element: qualifyElements(a.element, qual) };
  for (let e: CType = a.element; e.kind === 'qual'; e = e.target) if (e.qual === qual) return a;
  return { ...a, element: { kind: 'qual', qual, target: a.element } };
}

/** Strip typedefs and qualifiers. */
export function strip(t: CType): CType {
  while (t.kind === 'typedef' || t.kind === 'qual') t = t.target;
  return t;
}

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'void': return 1;
    case 'base': return t.size;
    case 'pointer': return t.size;
    case 'qual': case 'typedef': return sizeOf(t.target);
    case 'array': return (t.count ?? 0) * sizeOf(t.element);
    case 'struct': case 'union': case 'enum': return t.size;
    case 'function': return 1;
  }
}

export function isInteger(t: CType): boolean {
  const s = strip(t);
  return (s.kind === 'base' && s.encoding !== ATE.float && s.encoding !== ATE.complex_float) || s.kind === 'enum';
}
export function isFloat(t: CType): boolean {
  const s = strip(t);
  return s.kind === 'base' && s.encoding === ATE.float;
}
export function isSigned(t: CType): boolean {
  const s = strip(t);
  if (s.kind === 'enum') return s.signed;
  return s.kind === 'base' && (s.encoding === ATE.signed || s.encoding === ATE.signed_char || s.encoding === ATE.float);
}
export function isScalar(t: CType): boolean {
  const s = strip(t);
  return s.kind === 'base' || s.kind === 'pointer' || s.kind === 'enum';
}
/** char, signed char, unsigned char (what gdb prints as `65 'A'` and strings). */
export function isCharType(t: CType): boolean {
  const s = strip(t);
  return s.kind === 'base' && s.size === 1
    && (s.encoding === ATE.signed_char || s.encoding === ATE.unsigned_char || s.encoding === ATE.UTF);
}

/** The C name of a type: `struct node *`, `const char *`, `int (*)(int, int)`. */
export function typeName(t: CType, hints = false): string {
  return declarator(t, '', hints);
}

function baseName(t: CType): string {
  switch (t.kind) {
    case 'void': return 'void';
    case 'base': return t.name;
    case 'typedef': return t.name;
    case 'struct': case 'union': return t.tag ? (t.cxx ? t.tag : `${t.kind} ${t.tag}`) : `${t.kind} {...}`;
    case 'enum': return t.tag ? (t.cxx ? t.tag : `enum ${t.tag}`) : 'enum {...}';
    default: return '?';
  }
}

/**
 * C declarator syntax: `inner` is what is being declared around. `hints`: gdb's
 * wrap_here(4) after each `, ` of a parameter list (c_type_print_args), for values on a terminal.
 */
export function declarator(t: CType, inner: string, hints = false): string {
  switch (t.kind) {
    case 'pointer': {
      const tgt = t.target;
      const needParens = tgt.kind === 'array' || tgt.kind === 'function';
      const ptr = '*' + inner;
      return declarator(tgt, needParens ? `(${ptr})` : ptr, hints);
    }
    case 'array':
      // gdb writes the element count in vector_size(), not the byte size
      if (t.vector) return `${typeName(t.element, hints)}${inner ? ` ${inner}` : ''} __attribute__ ((vector_size(${t.count ?? 0})))`;
      return declarator(t.element, `${inner}[${t.count ?? ''}]`, hints);
    case 'function': {
      const sep = hints ? `, ${wrapHint(4)}` : ', ';
      const params = t.params.length === 0
        ? (t.prototyped ? 'void' : '')
        : t.params.map((p) => typeName(p, hints)).join(sep) + (t.varargs ? `${sep}...` : '');
      return declarator(t.ret, `${inner}(${params})`, hints);
    }
    case 'qual': {
      const tgt = t.target;
      if (tgt.kind === 'pointer') return declarator(tgt, ` ${t.qual}${inner ? ' ' + inner.trimStart() : ''}`.trimEnd(), hints);
      return declarator(tgt, inner, hints).replace(/^/, `${t.qual} `);
    }
    default: {
      const b = baseName(t);
      return inner ? `${b} ${inner}` : b;
    }
  }
}

/** Builds CTypes from DIEs, once per DIE; resolves `struct x;` declarations by name. */
export class TypeBuilder {
  private cache = new Map<Die, CType>();

  constructor(private readonly findComplete: (kind: 'struct' | 'union' | 'enum', tag: string) => Die | undefined) {}

  fromDie(die: Die | undefined): CType {
    if (!die) return VOID;
    const hit = this.cache.get(die);
    if (hit) return hit;
    return this.build(die);
  }

  private build(die: Die): CType {
    // A stub standing for a type defined in a type unit (-fdebug-types-section).
    const sig = die.has(AT.signature) ? die.ref(AT.signature) : undefined;
    if (sig && sig !== die) {
      const t = this.fromDie(sig);
      this.cache.set(die, t);
      return t;
    }
    const name = die.str(AT.name);
    switch (die.tag) {
      case TAG.base_type: {
        const t: CType = { kind: 'base', name: canonicalBaseName(name ?? '?'), size: die.num(AT.byte_size) ?? 0, encoding: die.num(AT.encoding) ?? 0 };
        this.cache.set(die, t);
        return t;
      }
      case TAG.unspecified_type: {
        const t: CType = { kind: 'void' };
        this.cache.set(die, t);
        return t;
      }
      case TAG.pointer_type: case TAG.reference_type: {
        const t = { kind: 'pointer', size: die.num(AT.byte_size) ?? 8, target: VOID } as CType & { kind: 'pointer' };
        this.cache.set(die, t);
        t.target = this.fromDie(die.type);
        return t;
      }
      case TAG.const_type: case TAG.volatile_type: case TAG.restrict_type: case TAG.atomic_type: {
        const qual = die.tag === TAG.const_type ? 'const' : die.tag === TAG.volatile_type ? 'volatile'
          : die.tag === TAG.restrict_type ? 'restrict' : '_Atomic';
        const t = { kind: 'qual', qual, target: VOID } as CType & { kind: 'qual' };
        this.cache.set(die, t);
        t.target = this.fromDie(die.type);
        // C99 6.7.3: a const/volatile array is an array of const/volatile elements (gdb's add_array_cv_type).
        if (t.target.kind === 'array' && (qual === 'const' || qual === 'volatile')) {
          const arr = qualifyElements(t.target, qual);
          this.cache.set(die, arr);
          return arr;
        }
        return t;
      }
      case TAG.typedef: {
        const t = { kind: 'typedef', name: name ?? '?', target: VOID } as CType & { kind: 'typedef' };
        this.cache.set(die, t);
        t.target = this.fromDie(die.type);
        return t;
      }
      case TAG.array_type: return this.buildArray(die);
      case TAG.structure_type: case TAG.union_type: case TAG.class_type:
        return this.buildStruct(die, name && isCxx(die) ? qualifiedName(die) : name);
      case TAG.enumeration_type: return this.buildEnum(die, name && isCxx(die) ? qualifiedName(die) : name);
      case TAG.subroutine_type: case TAG.subprogram: return this.buildFunction(die);
      default: {
        // Unknown type DIE: keep going with what it points at, or void.
        const t = this.fromDie(die.type);
        this.cache.set(die, t);
        return t;
      }
    }
  }

  private buildArray(die: Die): CType {
    const element = this.fromDie(die.type);
    const dims: Array<number | undefined> = [];
    for (const c of die.children) {
      if (c.tag !== TAG.subrange_type && c.tag !== TAG.enumeration_type) continue;
      const count = c.num(AT.count);
      // A dataN bound is two's complement only when the index type is signed (gdb's read_subrange_type).
      const enc = c.type?.num(AT.encoding);
      const signed = enc === ATE.signed || enc === ATE.signed_char;
      const upper = c.has(AT.upper_bound) && !c.block(AT.upper_bound) ? (signed ? c.snum(AT.upper_bound) : c.num(AT.upper_bound)) : undefined;
      const lower = c.num(AT.lower_bound) ?? 0;
      dims.push(count ?? (upper !== undefined ? upper - lower + 1 : undefined));
    }
    if (dims.length === 0) dims.push(undefined);
    let t: CType = element;
    for (let i = dims.length - 1; i >= 0; i--) t = { kind: 'array', element: t, count: dims[i] };
    this.cache.set(die, t);
    return t;
  }

  private buildStruct(die: Die, tag: string | undefined): CType {
    const kind = die.tag === TAG.union_type ? 'union' : 'struct';
    if (die.flag(AT.declaration) && tag) {
      const full = this.findComplete(kind, die.str(AT.name) ?? tag);
      if (full && full !== die) {
        const t = this.fromDie(full);
        this.cache.set(die, t);
        return t;
      }
    }
    const t = { kind, tag, size: die.num(AT.byte_size) ?? 0, members: [], incomplete: die.flag(AT.declaration), die, cxx: isCxx(die) || undefined } as CType & { kind: 'struct' };
    this.cache.set(die, t);
    if (t.cxx && die.tag === TAG.structure_type) t.methods = () => this.methodsOf(die);
    for (const c of die.children) {
      if (c.tag !== TAG.member) continue;
      const type = this.fromDie(c.type);
      const m: Member = { name: c.str(AT.name), type, offset: c.num(AT.data_member_location) ?? 0 };
      const bitSize = c.num(AT.bit_size);
      if (bitSize !== undefined) {
        m.bitSize = bitSize;
        const dbo = c.num(AT.data_bit_offset);
        if (dbo !== undefined) {
          m.bitOffset = dbo;
        } else {
          // DWARF 2/3 big-endian style DW_AT_bit_offset within a storage unit of byte_size.
          const storage = (c.num(AT.byte_size) ?? sizeOf(type)) * 8;
          m.bitOffset = m.offset * 8 + storage - (c.num(AT.bit_offset) ?? 0) - bitSize;
        }
        m.offset = Math.floor(m.bitOffset / 8);
      }
      t.members.push(m);
    }
    return t;
  }

  /** The member functions a C++ struct declares (the compiler's implicit ones are artificial: left out, as gdb does). */
  private methodsOf(die: Die): Method[] {
    const out: Method[] = [];
    for (const c of die.children) {
      if (c.tag !== TAG.subprogram || c.flag(AT.artificial) || !c.name) continue;
      const fn = this.fromDie(c);
      if (fn.kind !== 'function') continue;
      const self = c.children.find((p) => p.tag === TAG.formal_parameter && p.flag(AT.artificial));
      const selfType = self ? strip(this.fromDie(self.type)) : undefined;
      const pointee = selfType?.kind === 'pointer' ? selfType.target : undefined;
      const access = ({ 1: 'public', 2: 'protected', 3: 'private' } as const)[(c.num(AT.accessibility) ?? 1) as 1 | 2 | 3] ?? 'public';
      out.push({
        name: c.name, ret: fn.ret, params: self ? fn.params.slice(1) : fn.params,
        isStatic: !self, isConst: pointee?.kind === 'qual' && pointee.qual === 'const', access,
      });
    }
    return out;
  }

  private buildEnum(die: Die, tag: string | undefined): CType {
    const base = die.type ? strip(this.fromDie(die.type)) : undefined;
    const signed = base ? base.kind === 'base' && base.encoding === ATE.signed : die.children.some((c) => (c.snum(AT.const_value) ?? 0) < 0);
    const t: CType = { kind: 'enum', tag, size: die.num(AT.byte_size) ?? 4, signed, values: [], cxx: isCxx(die) || undefined };
    this.cache.set(die, t);
    for (const c of die.children) {
      if (c.tag !== TAG.enumerator) continue;
      const raw = c.raw(AT.const_value);
      const v = typeof raw === 'bigint' ? raw : BigInt((signed ? c.snum(AT.const_value) : c.num(AT.const_value)) ?? 0);
      t.values.push({ name: c.str(AT.name) ?? '?', value: v });
    }
    return t;
  }

  private buildFunction(die: Die): CType {
    const t = { kind: 'function', ret: VOID, params: [], varargs: false, prototyped: die.inherited((d) => (d.flag(AT.prototyped) ? true : undefined)) ?? false } as CType & { kind: 'function' };
    // (an out-of-line copy of an inlined function has DW_AT_prototyped on its abstract origin)
    this.cache.set(die, t);
    t.ret = this.fromDie(die.type);
    for (const c of die.children) {
      if (c.tag === TAG.formal_parameter) t.params.push(this.fromDie(c.type));
      else if (c.tag === TAG.unspecified_parameters) t.varargs = true;
    }
    return t;
  }
}

/** gcc names `short int`, `long unsigned int`...; gdb prints them the C way: `short`, `unsigned long`. */
export function canonicalBaseName(n: string): string {
  const map: Record<string, string> = {
    'short int': 'short', 'short unsigned int': 'unsigned short', 'long int': 'long', 'long unsigned int': 'unsigned long',
    'long long int': 'long long', 'long long unsigned int': 'unsigned long long', 'signed char': 'signed char',
  };
  return map[n] ?? n;
}
