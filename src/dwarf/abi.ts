/**
 * The System V x86-64 calling convention for values (psABI 3.2.3), as gdb's
 * amd64_classify does it: each eightbyte of an argument or return value of
 * up to 16 bytes is INTEGER (rdi.. / rax, rdx) or SSE (xmm0.. / xmm0, xmm1);
 * anything bigger, unaligned or with a long double inside is MEMORY (passed
 * on the stack; returned through a hidden pointer in rdi, handed back in rax);
 * a scalar long double is X87 (st0).
 */
import { ATE } from './constants.js';
import { sizeOf, strip, type CType } from './types.js';
import type { Registers, Target } from '../target/types.js';
import { readFpRegister } from '../target/fpregs.js';

export type EightbyteClass = 'INTEGER' | 'SSE';
export type Classification = { kind: 'regs'; parts: EightbyteClass[] } | { kind: 'memory' } | { kind: 'x87' };

type Cls = 'NO' | 'INTEGER' | 'SSE' | 'X87' | 'MEMORY';

function merge(a: Cls, b: Cls): Cls {
  if (a === b) return a;
  if (a === 'NO') return b;
  if (b === 'NO') return a;
  if (a === 'MEMORY' || b === 'MEMORY' || a === 'X87' || b === 'X87') return 'MEMORY';
  if (a === 'INTEGER' || b === 'INTEGER') return 'INTEGER';
  return 'SSE';
}

/** Classify every scalar of `t` placed at byte `off` into the eightbytes of `out`. */
function walk(t: CType, off: number, out: Cls[]): void {
  const s = strip(t);
  switch (s.kind) {
    case 'struct': case 'union':
      for (const m of s.members) {
        const moff = off + m.offset;
        const msize = Math.max(sizeOf(m.type), 1);
        // a field not at its natural alignment makes the whole object MEMORY
        if (m.bitSize === undefined && moff % Math.min(alignOf(m.type), 8) !== 0) { out.fill('MEMORY'); return; }
        if (m.bitSize !== undefined) {
          const start = Math.floor(((m.bitOffset ?? 0)) / 8) + off;
          const i = Math.floor(start / 8);
          if (i < out.length) out[i] = merge(out[i]!, 'INTEGER');
          continue;
        }
        if (msize === 0) continue;
        walk(m.type, moff, out);
      }
      return;
    case 'array': {
      const n = s.count ?? 0;
      const es = sizeOf(s.element);
      for (let i = 0; i < n; i++) walk(s.element, off + i * es, out);
      return;
    }
    case 'base': {
      if (s.encoding === ATE.float && s.size > 8) {
        // a long double: X87 (and X87UP), which only alone (struct { long double; }) stays out of memory
        for (let b = Math.floor(off / 8); b < out.length && b <= Math.floor(off / 8) + 1; b++) out[b] = out[b] === 'NO' ? 'X87' : 'MEMORY';
        return;
      }
      const cls: Cls = s.encoding === ATE.float ? 'SSE' : s.encoding === ATE.complex_float ? (s.size > 16 ? 'MEMORY' : 'SSE') : 'INTEGER';
      if (cls === 'MEMORY') { out.fill('MEMORY'); return; }
      for (let b = Math.floor(off / 8); b <= Math.floor((off + s.size - 1) / 8) && b < out.length; b++) out[b] = merge(out[b]!, cls);
      return;
    }
    default: {
      const i = Math.floor(off / 8);
      if (i < out.length) out[i] = merge(out[i]!, 'INTEGER');
    }
  }
}

/** The alignment of `t` in bytes. */
export function alignOf(t: CType): number {
  const s = strip(t);
  switch (s.kind) {
    case 'struct': case 'union': return Math.max(1, ...s.members.map((m) => (m.bitSize === undefined ? alignOf(m.type) : 1)));
    case 'array': return alignOf(s.element);
    case 'base': return s.size >= 16 ? 16 : Math.max(1, s.size === 10 ? 16 : s.size);
    default: return Math.max(1, Math.min(sizeOf(s), 8));
  }
}

/** How `t` travels as an argument or return value. */
export function classify(t: CType): Classification {
  const s = strip(t);
  const size = sizeOf(s);
  if (s.kind === 'base' && s.encoding === ATE.float && size > 8) return { kind: 'x87' };
  if (s.kind === 'base' && s.encoding === ATE.complex_float && size > 16) return { kind: 'memory' };
  if (size > 16 || size === 0) return { kind: 'memory' };
  const out: Cls[] = new Array(Math.ceil(size / 8)).fill('NO');
  walk(s, 0, out);
  if (out.includes('X87')) return out.length === 2 && out.every((c) => c === 'X87') ? { kind: 'x87' } : { kind: 'memory' };
  if (out.includes('MEMORY')) return { kind: 'memory' };
  return { kind: 'regs', parts: out.map((c) => (c === 'SSE' ? 'SSE' : 'INTEGER')) };
}

/** The registers a function returned in, as finish or a call reads them. */
export interface ReturnRegs {
  rax: bigint;
  rdx: bigint;
  /** xmm0, xmm1 (16 bytes each) and st0 (10 bytes), when the target can read them. */
  xmm0?: Buffer;
  xmm1?: Buffer;
  st0?: Buffer;
}

/**
 * The bytes of a returned value of type `t`, or undefined when the registers
 * it needs cannot be read. A MEMORY value is read where rax points.
 */
export async function returnedBytes(
  t: CType, r: ReturnRegs, readMemory: (addr: bigint, len: number) => Promise<Buffer>,
): Promise<Buffer | undefined> {
  const size = Math.max(sizeOf(t), 1);
  const c = classify(t);
  if (c.kind === 'memory') return readMemory(r.rax, size);
  if (c.kind === 'x87') {
    if (!r.st0) return undefined;
    const b = Buffer.alloc(size);
    r.st0.copy(b, 0, 0, 10);
    return b;
  }
  const ints = [r.rax, r.rdx];
  const sses = [r.xmm0, r.xmm1];
  const out = Buffer.alloc(c.parts.length * 8);
  for (const [i, cls] of c.parts.entries()) {
    if (cls === 'INTEGER') out.writeBigUInt64LE(BigInt.asUintN(64, ints.shift()!), i * 8);
    else {
      const x = sses.shift();
      if (!x) return undefined;
      x.copy(out, i * 8, 0, 8);
    }
  }
  return out.subarray(0, size);
}

/** rax, rdx and (when the target has them) xmm0, xmm1 and st0 of the stopped thread. */
export async function readReturnRegs(t: Target, regs?: Registers): Promise<ReturnRegs> {
  const r = regs ?? await t.getRegisters();
  // (a target without x87/SSE access: only the integer registers hold a value)
  const area = await t.capabilities.fpRegisters?.get().catch(() => undefined);
  if (!area) return { rax: r.rax, rdx: r.rdx };
  return { rax: r.rax, rdx: r.rdx, xmm0: readFpRegister(area, 'xmm0'), xmm1: readFpRegister(area, 'xmm1'), st0: readFpRegister(area, 'st0') };
}
