/**
 * The x87/SSE registers as C values: the types gdb gives them on amd64
 * (vec128 union, i387_ext, i386_mxcsr flags, int for the x87 control
 * registers) and their x86-64 psABI DWARF numbers (xmm0-15 = 17-32,
 * st0-7 = 33-40, mxcsr = 64, fctrl = 65, fstat = 66).
 */
import { ATE } from './constants.js';
import { fpRegisterSize } from '../target/fpregs.js';
import { INT, type CType } from './types.js';
import { Value } from './value.js';
import { formatFlags, formatValue, formatX87 } from './format.js';

const base = (name: string, size: number, encoding: number): CType => ({ kind: 'base', name, size, encoding });
/** gdb's tdesc vector types are named (`v4f v4_float;` in ptype). */
const vector = (name: string, element: CType, count: number): CType => ({ kind: 'typedef', name, target: { kind: 'array', element, count, vector: true } });

// gdb's names for the target-description float types
export const BFLOAT16 = base('builtin_type_bfloat16', 2, ATE.float);
export const HALF = base('builtin_type_ieee_half', 2, ATE.float);

/** gdb's vec128: what `p $xmm0` shows, member by member. */
export const VEC128: CType = {
  kind: 'union', tag: 'vec128', size: 16, incomplete: false,
  members: ([
    ['v8_bfloat16', vector('v8bf16', BFLOAT16, 8)],
    ['v8_half', vector('v8h', HALF, 8)],
    ['v4_float', vector('v4f', base('builtin_type_ieee_single', 4, ATE.float), 4)],
    ['v2_double', vector('v2d', base('builtin_type_ieee_double', 8, ATE.float), 2)],
    ['v16_int8', vector('v16i8', base('int8_t', 1, ATE.signed), 16)],
    ['v8_int16', vector('v8i16', base('int16_t', 2, ATE.signed), 8)],
    ['v4_int32', vector('v4i32', base('int32_t', 4, ATE.signed), 4)],
    ['v2_int64', vector('v2i64', base('int64_t', 8, ATE.signed), 2)],
    ['uint128', base('uint128_t', 16, ATE.unsigned)],
  ] as Array<[string, CType]>).map(([name, type]) => ({ name, type, offset: 0 })),
};

/** gdb's $ymm0 (a pseudo register of xmm0 and ymm0h): builtin_type_vec256i. */
const vec = (element: CType, count: number): CType => ({ kind: 'array', element, count, vector: true });
export const VEC256: CType = {
  kind: 'union', tag: 'builtin_type_vec256i', size: 32, incomplete: false,
  members: ([
    ['v16_bfloat16', vec(base('bfloat16', 2, ATE.float), 16)],
    ['v16_half', vec(base('half', 2, ATE.float), 16)],
    ['v8_float', vec(base('float', 4, ATE.float), 8)],
    ['v4_double', vec(base('double', 8, ATE.float), 4)],
    ['v32_int8', vec(base('int8_t', 1, ATE.signed), 32)],
    ['v16_int16', vec(base('int16_t', 2, ATE.signed), 16)],
    ['v8_int32', vec(base('int32_t', 4, ATE.signed), 8)],
    ['v4_int64', vec(base('int64_t', 8, ATE.signed), 4)],
    ['v2_int128', vec(base('int128_t', 16, ATE.signed), 2)],
  ] as Array<[string, CType]>).map(([name, type]) => ({ name, type, offset: 0 })),
};

/** The 80-bit x87 register (gdb's builtin_type_i387_ext). */
export const I387_EXT = base('builtin_type_i387_ext', 10, ATE.float);

/** gdb's i386_eflags (64bit-core.xml): bit 1 has no name. */
export const EFLAGS_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['CF', 0], ['', 1], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['TF', 8], ['IF', 9], ['DF', 10],
  ['OF', 11], ['NT', 14], ['RF', 16], ['VM', 17], ['AC', 18], ['VIF', 19], ['VIP', 20], ['ID', 21],
];
/** gdb's i386_mxcsr (64bit-sse.xml). */
export const MXCSR_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['IE', 0], ['DE', 1], ['ZE', 2], ['OE', 3], ['UE', 4], ['PE', 5], ['DAZ', 6], ['IM', 7], ['DM', 8],
  ['ZM', 9], ['OM', 10], ['UM', 11], ['PM', 12], ['FZ', 15],
];
export const MXCSR: CType = { kind: 'base', name: 'i386_mxcsr', size: 4, encoding: ATE.unsigned, flags: MXCSR_FLAGS };

/** A context for values that are plain bytes (no memory, no registers behind them). */
const BYTES_ONLY = { readMemory: async () => Buffer.alloc(0), reg: () => undefined, bias: 0n };

/**
 * gdb's `info registers` line of an x87/SSE register (default_print_one_register_info):
 * st: value and raw bytes; xmm: the union in hex; the 32-bit ones: hex and natural.
 */
export async function formatFpRegisterLine(name: string, bytes: Buffer): Promise<string> {
  const col = name.padEnd(15);
  if (bytes.length === 10) return `${col}${formatX87(bytes).padEnd(19)} (raw 0x${Buffer.from(bytes).reverse().toString('hex')})`;
  if (bytes.length >= 16) return col + await formatValue(Value.fromBytes(bytes.length === 16 ? VEC128 : VEC256, bytes, BYTES_ONLY), { format: 'x' });
  const v = bytes.readUInt32LE(0);
  const natural = name === 'mxcsr' ? formatFlags(BigInt(v), MXCSR_FLAGS) : String(bytes.readInt32LE(0));
  return `${col}${`0x${v.toString(16)}`.padEnd(19)} ${natural}`;
}

/** The C type of an FP/SSE register, or undefined for other names. */
export function fpRegisterType(name: string): CType | undefined {
  const size = fpRegisterSize(name);
  if (size === undefined) return undefined;
  return size === 32 ? VEC256 : size === 16 ? VEC128 : size === 10 ? I387_EXT : name === 'mxcsr' ? MXCSR : INT;
}

/**
 * The x87 registers the psABI gives no DWARF number (ftag, fiseg, fioff,
 * foseg, fooff, fop) get tsdbg-internal ones from 1000 up, so `$ftag` is a
 * register location (an lvalue) like the others. No DWARF producer uses them.
 */
const PSEUDO_BASE = 1000;
const PSEUDO = ['ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop', ...Array.from({ length: 16 }, (_, i) => `ymm${i}`)];

/** DWARF register number -> FP/SSE register name (the psABI numbers gdb's amd64 map knows). */
export function fpRegisterOfDwarf(n: number): string | undefined {
  if (n >= 17 && n <= 32) return `xmm${n - 17}`;
  if (n >= 33 && n <= 40) return `st${n - 33}`;
  if (n >= PSEUDO_BASE) return PSEUDO[n - PSEUDO_BASE];
  return ({ 64: 'mxcsr', 65: 'fctrl', 66: 'fstat' } as Record<number, string>)[n];
}

export function dwarfOfFpRegister(name: string): number | undefined {
  let m = /^xmm(\d+)$/.exec(name);
  if (m && Number(m[1]) < 16) return 17 + Number(m[1]);
  m = /^st([0-7])$/.exec(name);
  if (m) return 33 + Number(m[1]);
  if (PSEUDO.includes(name)) return PSEUDO_BASE + PSEUDO.indexOf(name);
  return ({ mxcsr: 64, fctrl: 65, fstat: 66 } as Record<string, number>)[name];
}
