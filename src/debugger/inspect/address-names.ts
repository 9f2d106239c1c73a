/**
 * What a changed byte belongs to (issue 12's `snapshot diff` names): a
 * global or a frame's local and the field path in it, a malloc chunk (named
 * by a variable's pointer that reaches it, one or two dereferences away),
 * a frame's unnamed stack slot, the stack past the frames, or an ELF
 * symbol. Data only: src/commands/address-name-text.ts says it in words.
 */
import type { AnyValue } from '../../commands/debug.js';
import type { SessionCore } from '../../commands/session.js';
import type { Evaluator } from '../../dwarf/evaluator.js';
import type { StackFrame } from '../../dwarf/program.js';
import { sizeOf, strip, typeName, type CType } from '../../dwarf/types.js';
import type { Value } from '../../dwarf/value.js';
import type { Mapping } from '../../target/types.js';
import { HeapWalk, type HeapChunk } from './heap-chunks.js';
import { savedRegisterSlots } from '../../commands/info-frame.js';
import { memberExpr, pathAt, pathText, stepsText } from './type-path.js';
import { expected } from '../errors.js';

/** Where a variable is: a global (or file static), or a local/argument of a frame. */
export type Scope = { scope: 'global' } | { scope: 'local'; frame: number; function: string };

export type AddressOwner =
  /** `cfg.flags`, `table[3].next`: a variable and the path to the field. */
  | ({ kind: 'variable'; expression: string; type: string } & Scope)
  /** Bytes of a malloc chunk: `offset` from its user pointer; `header`: its size word. */
  | { kind: 'heap'; chunk: bigint; size: number; offset: number; header: boolean; top: boolean; via?: HeapVia }
  /** A frame's stack bytes no variable names (saved registers, return address, spills): offset from its CFA. */
  | { kind: 'frame'; frame: number; function: string | undefined; offset: number; saved?: string }
  /** The stack below the innermost frame (or with no frames known). */
  | { kind: 'stack' }
  /** An ELF symbol and the offset in it (`info symbol`'s rule). */
  | { kind: 'symbol'; symbol: string; offset: number }
  | { kind: 'unknown' };

/** A pointer that reaches a chunk: `head`, `head->next`, the type it points to and the path inside. */
export type HeapVia = { expression: string; type: string | undefined; typeSize: number; path: string } & Scope;

export interface NamedPiece {
  start: bigint;
  length: number;
  owner: AddressOwner;
}

/** What naming needs of the stopped program (SessionCore has it all: hostOf). */
export interface NamingHost {
  readMemory(addr: bigint, len: number): Promise<Buffer>;
  memoryMap(): Promise<readonly Mapping[]>;
  stack(max: number): Promise<ReadonlyArray<{ level: number; pc: bigint; cfa: bigint | undefined; dwarf?: StackFrame }>>;
  /** Any expression in frame `level`: its `ev` is that frame's DWARF evaluator. */
  evaluate(expr: string, level: number): Promise<AnyValue>;
  /** The stack pointer of the innermost frame. */
  sp(): Promise<bigint | undefined>;
  symbolize(addr: bigint): string | undefined;
}

export function hostOf(core: SessionCore): NamingHost {
  return {
    readMemory: (a, l) => core.readMemory(a, l),
    memoryMap: async () => (await core.target()?.memoryMap()) ?? [],
    stack: (max) => core.stack(max),
    evaluate: (e, l) => core.evaluate(e, l),
    // (no registers: a program that is not stopped has no frames to name)
    sp: async () => (await core.registers().catch(expected(undefined)))?.rsp,
    symbolize: (a) => core.symbolize(a),
  };
}

const MAX_FRAMES = 64;
const MAX_ELEMENTS = 256;
const MAX_READ = 1 << 16;
const MAX_POINTEE_READS = 4096;

interface Root { name: string; value: Value; where: Scope }
interface Region { start: bigint; end: bigint; root: Root; type: CType }
interface Pointer { target: bigint; pointee: CType; expression: string; where: Scope }

/** The names of the bytes of `ranges` (split where the owner changes), at most `limit` pieces. */
export async function nameRanges(host: NamingHost, ranges: ReadonlyArray<{ start: bigint; length: number }>, limit = 256): Promise<NamedPiece[]> {
  const idx = await Index.build(host);
  const out: NamedPiece[] = [];
  for (const r of ranges) {
    const end = r.start + BigInt(r.length);
    let a = r.start;
    while (a < end) {
      if (out.length >= limit) return out;
      const n = await idx.nameAt(a);
      const to = n.end > a && n.end < end ? n.end : end;
      const last = out[out.length - 1];
      if (last && last.start + BigInt(last.length) === a && sameOwner(last.owner, n.owner)) last.length += Number(to - a);
      else out.push({ start: a, length: Number(to - a), owner: n.owner });
      a = to;
    }
  }
  return out;
}


/** Adjacent bytes of one owner make one piece (a chunk's bytes, one field's bytes, one symbol). */
function sameOwner(a: AddressOwner, b: AddressOwner): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'variable': return a.expression === (b as typeof a).expression && frameOf(a) === frameOf(b as typeof a);
    case 'heap': { const h = b as typeof a; return a.chunk === h.chunk && a.header === h.header && a.via?.path === h.via?.path; }
    case 'frame': return a.frame === (b as typeof a).frame && a.saved === (b as typeof a).saved;
    case 'symbol': return a.symbol === (b as typeof a).symbol;
    default: return true;
  }
}

const frameOf = (s: Scope) => (s.scope === 'local' ? s.frame : -1);

class Index {
  private constructor(
    private readonly host: NamingHost,
    private readonly regions: Region[],
    private readonly pointers: Map<bigint, Pointer>,
    private readonly heap: HeapWalk | undefined,
    private readonly stackMap: Mapping | undefined,
    /** Per frame: its lowest address (the callee's CFA, or sp) and its CFA. */
    private readonly frames: Array<{ level: number; function: string | undefined; low: bigint; cfa: bigint; slots: Map<bigint, string> }>,
  ) {}

  static async build(host: NamingHost): Promise<Index> {
    // (no maps or no stack from this target: fewer names, the globals still; a bug goes on up)
    const maps = await host.memoryMap().catch(expected([] as readonly Mapping[]));
    const stack = await host.stack(MAX_FRAMES).catch(expected([]));
    const roots: Root[] = [];
    // globals through frame 0's evaluator (or a frameless one), then each frame's arguments and locals
    const ev0 = await evaluatorAt(host, 0);
    if (ev0) roots.push(...await globals(ev0));
    for (const f of stack) {
      if (!f.dwarf?.fn) continue;
      const ev = f.level === 0 ? ev0 : await evaluatorAt(host, f.level);
      if (!ev) continue;
      const where: Scope = { scope: 'local', frame: f.level, function: f.dwarf.fn.name ?? '??' };
      // (a frame whose variables do not read, e.g. its DWARF fails: named by its function alone)
      for (const list of [await ev.args().catch(expected([])), await ev.locals().catch(expected([]))]) {
        for (const v of list) if (v.name) roots.push({ name: v.name, value: v.value, where });
      }
    }
    const regions: Region[] = [];
    for (const r of roots) {
      const a = r.value.address;
      const size = sizeOf(r.value.type);
      if (a !== undefined && size > 0 && !r.value.optimizedOut) regions.push({ start: a, end: a + BigInt(size), root: r, type: r.value.type });
    }
    regions.sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
    const heapMap = maps.find((m) => m.path === '[heap]');
    const heap = heapMap ? new HeapWalk(heapMap, (a, l) => host.readMemory(a, l)) : undefined;
    const pointers = heap ? await reachingPointers(host, roots, regions) : new Map<bigint, Pointer>();
    const sp = await host.sp();
    const frames: Index['frames'] = [];
    let low = sp;
    for (const f of stack) {
      if (f.cfa === undefined || low === undefined) break;
      const slots = f.dwarf ? await savedRegisterSlots(f.dwarf).catch(expected(new Map<bigint, string>())) : new Map<bigint, string>();
      frames.push({ level: f.level, function: f.dwarf?.fn?.name ?? host.symbolize(f.pc)?.replace(/\+\d+$/, ''), low, cfa: f.cfa, slots });
      low = f.cfa;
    }
    return new Index(host, regions, pointers, heap, maps.find((m) => m.path === '[stack]'), frames);
  }

  async nameAt(addr: bigint): Promise<{ owner: AddressOwner; end: bigint }> {
    const r = this.regions.find((x) => addr >= x.start && addr < x.end);
    if (r) {
      const p = pathAt(r.type, Number(addr - r.start));
      return { owner: { kind: 'variable', expression: pathText(r.root.name, p.steps), type: typeName(r.type), ...r.root.where }, end: r.start + BigInt(p.runTo ?? p.to) };
    }
    const hit = this.heap && await this.heap.chunkAt(addr);
    if (hit) return this.heapName(addr, hit.chunk, hit.header);
    if (this.stackMap && addr >= this.stackMap.start && addr < this.stackMap.end) {
      const f = this.frames.find((x) => addr >= x.low && addr < x.cfa);
      if (f) {
        const slot = [...f.slots].find(([a]) => addr >= a && addr < a + 8n);
        const owner: AddressOwner = { kind: 'frame', frame: f.level, function: f.function, offset: Number(addr - f.cfa), saved: slot?.[1] };
        const next = [...f.slots.keys()].filter((a) => a > addr).reduce((m, a) => (a < m ? a : m), f.cfa);
        return { owner, end: this.nextRegion(addr, slot ? slot[0] + 8n : next) };
      }
      const below = this.frames[0]?.low;
      return { owner: { kind: 'stack' }, end: below !== undefined && below > addr ? below : this.nextRegion(addr, this.stackMap.end) };
    }
    const sym = this.host.symbolize(addr);
    if (sym) {
      const m = /^(.*)\+(\d+)$/.exec(sym);
      // a word at a time: the next symbol may start at the next word
      return { owner: { kind: 'symbol', symbol: m ? m[1]! : sym, offset: m ? Number(m[2]) : 0 }, end: this.nextRegion(addr, (addr | 7n) + 1n) };
    }
    // up to the next variable, mapping we name the insides of, or word that may be a symbol's
    const next = [this.heap?.mapping.start, this.stackMap?.start].filter((x): x is bigint => x !== undefined && x > addr)
      .reduce((m, x) => (x < m ? x : m), (addr | 7n) + 1n);
    return { owner: { kind: 'unknown' }, end: this.nextRegion(addr, next) };
  }

  private heapName(addr: bigint, c: HeapChunk, header: boolean): { owner: AddressOwner; end: bigint } {
    const chunkEnd = c.user + BigInt(c.usable);
    const base = { kind: 'heap' as const, chunk: c.user, size: c.usable, top: c.top };
    if (header) return { owner: { ...base, offset: Number(addr - c.user), header: true }, end: c.user };
    const offset = Number(addr - c.user);
    const p = this.pointers.get(c.user);
    if (!p) return { owner: { ...base, offset, header: false }, end: chunkEnd };
    const t = strip(p.pointee);
    const size = t.kind === 'void' || t.kind === 'function' ? 0 : sizeOf(p.pointee);
    let path = '';
    let end = chunkEnd;
    if (size > 0) {
      const k = Math.floor(offset / size);
      const inner = pathAt(p.pointee, offset - k * size);
      // scalars (a char or int buffer): the changed run is one piece, named by its first element
      const scalar = t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'array';
      path = `${k > 0 || scalar ? `[${k}]` : ''}${stepsText(inner.steps)}`;
      end = scalar ? chunkEnd : c.user + BigInt(k * size + inner.to);
      if (end > chunkEnd || end <= addr) end = chunkEnd;
    }
    const via: HeapVia = { expression: p.expression, type: size > 0 ? typeName(p.pointee) : undefined, typeSize: size, path, ...p.where };
    return { owner: { ...base, offset, header: false, via }, end };
  }

  /** The start of the next variable after addr, if before `end`. */
  private nextRegion(addr: bigint, end: bigint): bigint {
    const r = this.regions.find((x) => x.start > addr);
    return r && r.start < end ? r.start : end;
  }
}

async function evaluatorAt(host: NamingHost, level: number): Promise<Evaluator | undefined> {
  // (a frame with no evaluator, e.g. no registers: its variables name nothing)
  return (await host.evaluate('0', level).catch(expected(undefined)))?.ev;
}

async function globals(ev: Evaluator): Promise<Root[]> {
  const debug = ev.env.program.exeDebug;
  if (!debug) return [];
  const out: Root[] = [];
  for (const die of debug.allGlobals()) {
    if (!die.name) continue;
    // (a global that does not read, e.g. optimized out or unmapped: it names nothing)
    const value = await ev.variableValue(die, debug, false).catch(expected(undefined));
    if (value) out.push({ name: die.name, value, where: { scope: 'global' } });
  }
  return out;
}

/** Does a value of this type hold a pointer (to walk it for pointers)? */
function hasPointer(t: CType, seen = new Set<CType>()): boolean {
  const s = strip(t);
  if (s.kind === 'pointer') return true;
  if (seen.has(s)) return false;
  seen.add(s);
  if (s.kind === 'array') return hasPointer(s.element, seen);
  if (s.kind === 'struct' || s.kind === 'union') return s.members.some((m) => m.bitSize === undefined && hasPointer(m.type, seen));
  return false;
}

/** The pointers held in `bytes` (a value of type t named `expr`). */
function pointersIn(t: CType, bytes: Buffer, off: number, expr: string, where: Scope, out: Pointer[]): void {
  const s = strip(t);
  if (s.kind === 'pointer') {
    if (off + 8 <= bytes.length) out.push({ target: bytes.readBigUInt64LE(off), pointee: s.target, expression: expr, where });
    return;
  }
  if (!hasPointer(s)) return;
  if (s.kind === 'struct' || s.kind === 'union') {
    for (const m of s.members) if (m.name && m.bitSize === undefined) pointersIn(m.type, bytes, off + m.offset, memberExpr(expr, m.name), where, out);
  } else if (s.kind === 'array') {
    const size = sizeOf(s.element);
    const n = Math.min(s.count ?? 0, MAX_ELEMENTS);
    for (let i = 0; i < n && off + i * size < bytes.length; i++) pointersIn(s.element, bytes, off + i * size, pathText(expr, [{ index: i }]), where, out);
  }
}

/**
 * The first pointer (globals first, then frame 0, 1, ...) found to each
 * address, one dereference away (a variable or its fields) or two (the
 * fields of what those point to): `head`, then `head->next`.
 */
async function reachingPointers(host: NamingHost, roots: Root[], regions: Region[]): Promise<Map<bigint, Pointer>> {
  const first: Pointer[] = [];
  for (const r of roots) {
    const t = strip(r.value.type);
    if (!hasPointer(t) || r.value.optimizedOut) continue;
    if (t.kind === 'pointer') {
      // (an unreadable pointer points nowhere)
      const p = await r.value.bigint().catch(expected(undefined));
      if (p !== undefined) first.push({ target: BigInt.asUintN(64, p), pointee: t.target, expression: r.name, where: r.where });
      continue;
    }
    const region = regions.find((x) => x.root === r);
    if (!region) continue;
    const bytes = await host.readMemory(region.start, Math.min(Number(region.end - region.start), MAX_READ)).catch(expected(undefined));   // unreadable: holds no pointers
    if (bytes) pointersIn(t, bytes, 0, r.name, r.where, first);
  }
  const map = new Map<bigint, Pointer>();
  for (const p of first) if (p.target && !map.has(p.target)) map.set(p.target, p);
  const second: Pointer[] = [];
  let reads = 0;
  for (const p of first) {
    const size = sizeOf(p.pointee);
    if (!p.target || !hasPointer(p.pointee) || size <= 0 || reads++ >= MAX_POINTEE_READS) continue;
    const bytes = await host.readMemory(p.target, Math.min(size, MAX_READ)).catch(expected(undefined));   // a pointer to unmapped memory
    if (bytes) pointersIn(p.pointee, bytes, 0, `*${p.expression}`, p.where, second);
  }
  for (const p of second) if (p.target && !map.has(p.target)) map.set(p.target, p);
  return map;
}
