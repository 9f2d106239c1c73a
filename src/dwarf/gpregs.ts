/**
 * gdb's amd64 general registers by name, as expressions see them: the raw
 * registers (user_regs_struct fields) and the pseudo registers over them
 * ($eax, $ax, $al, $ah, $r8d, $r8w, $r8l...), with the types gdb gives them
 * (amd64-linux target description: int64_t, void *, code_ptr, i386_eflags,
 * int32_t, long).
 */
import { ATE } from './constants.js';
import { EFLAGS_FLAGS } from './regtypes.js';
import { LONG, VOID, type CType } from './types.js';

const int = (name: string, size: number): CType => ({ kind: 'base', name, size, encoding: ATE.signed });
const INT64 = int('int64_t', 8);
const INT32 = int('int32_t', 4);
const INT16 = int('int16_t', 2);
const INT8 = int('int8_t', 1);

/** gdb's code_ptr: `void (*)()`. */
export const CODE_PTR: CType = { kind: 'pointer', size: 8, target: { kind: 'function', ret: VOID, params: [], varargs: false, prototyped: false } };
/** gdb's data_ptr: `void *`. */
export const DATA_PTR: CType = { kind: 'pointer', size: 8, target: VOID };
/** gdb's i386_eflags: printed as its set flags, `[ PF ZF IF ]`. */
export const EFLAGS: CType = { kind: 'base', name: 'i386_eflags', size: 4, encoding: ATE.unsigned, flags: EFLAGS_FLAGS };

/** A named register: the user_regs_struct field it lives in, its width and bit offset there, its type. */
export interface GpRegister { base: string; size: 1 | 2 | 4 | 8; shift: number; type: CType }

const GP64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const ALIASES: Record<string, string> = { pc: 'rip', sp: 'rsp', fp: 'rbp', ps: 'eflags' };

/** The register `$name` names (without the `$`), or undefined for any other name. */
export function gpRegister(name: string): GpRegister | undefined {
  const n = ALIASES[name] ?? name;
  if (n === 'rip') return { base: 'rip', size: 8, shift: 0, type: CODE_PTR };
  if (n === 'rsp' || n === 'rbp') return { base: n, size: 8, shift: 0, type: DATA_PTR };
  if (GP64.includes(n)) return { base: n, size: 8, shift: 0, type: INT64 };
  if (n === 'fs_base' || n === 'gs_base' || n === 'orig_rax') return { base: n, size: 8, shift: 0, type: LONG };
  if (n === 'eflags') return { base: 'eflags', size: 4, shift: 0, type: EFLAGS };
  if (['cs', 'ss', 'ds', 'es', 'fs', 'gs'].includes(n)) return { base: n, size: 4, shift: 0, type: INT32 };
  const legacy = /^(?:e([abcd]x|si|di|bp|sp))$|^([abcd]x|si|di|bp|sp)$|^([abcd])([lh])$|^(si|di|bp|sp)l$/.exec(n);
  if (legacy) {
    if (legacy[1]) return { base: `r${legacy[1]}`, size: 4, shift: 0, type: INT32 };
    if (legacy[2]) return { base: `r${legacy[2]}`, size: 2, shift: 0, type: INT16 };
    if (legacy[3]) return { base: `r${legacy[3]}x`, size: 1, shift: legacy[4] === 'h' ? 8 : 0, type: INT8 };
    if (legacy[5]) return { base: `r${legacy[5]}`, size: 1, shift: 0, type: INT8 };
  }
  const ext = /^r(8|9|1[0-5])([dwbl])$/.exec(n);
  if (ext) {
    const size = ext[2] === 'd' ? 4 : ext[2] === 'w' ? 2 : 1;
    return { base: `r${ext[1]}`, size, shift: 0, type: size === 4 ? INT32 : size === 2 ? INT16 : INT8 };
  }
  return undefined;
}

/** The register's value out of its base register's (the bits it names, zero-extended). */
export function extractRegister(r: GpRegister, full: bigint): bigint {
  return (full >> BigInt(r.shift)) & ((1n << BigInt(r.size * 8)) - 1n);
}

/** The base register's new value when `r` is set to v (the other bits kept, as gdb's pseudo-register writes). */
export function mergeRegister(r: GpRegister, full: bigint, v: bigint): bigint {
  if (r.size === 8) return BigInt.asUintN(64, v);
  const mask = ((1n << BigInt(r.size * 8)) - 1n) << BigInt(r.shift);
  return BigInt.asUintN(64, (full & ~mask) | ((v << BigInt(r.shift)) & mask));
}
