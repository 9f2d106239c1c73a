/**
 * The x87/SSE register state: the 512-byte FXSAVE area of Linux's
 * `struct user_fpregs_struct` (PTRACE_GETFPREGS), and gdb's view of it.
 *
 * gdb does not show the FXSAVE fields raw: its amd64 registers (fctrl..fop,
 * st0-7, xmm0-15, mxcsr) widen the 16-bit fields to 32 bits, mask fop to
 * its 11 bits and rebuild the full two-bit-per-register tag word from the
 * abridged one. The conversions below are gdbserver's i387_fxsave_to_cache
 * and i387_cache_to_fxsave, so every layer (server `g`/`p`, remote client,
 * `info registers`) agrees with gdb and gdbserver byte for byte.
 */

export const FXSAVE_SIZE = 512;

/** Byte offsets in the FXSAVE area. */
const FX = {
  fctrl: 0, fstat: 2, ftag: 4, fop: 6, fioff: 8, fiseg: 12, fooff: 16, foseg: 20, mxcsr: 24,
  st: 32, xmm: 160,
} as const;

const ST_NAMES = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `st${i}`);
const XMM_NAMES = Array.from({ length: 16 }, (_, i) => `xmm${i}`);
/** The x87 control registers, in gdb's (and the target description's) order. */
export const X87_CONTROL_NAMES = ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'] as const;

/** Every FP/SSE register gdb shows on amd64, in its register-number order. */
export const FP_REGISTER_NAMES: readonly string[] = [...ST_NAMES, ...X87_CONTROL_NAMES, ...XMM_NAMES, 'mxcsr'];

/**
 * The FXSAVE area followed by ymm0h..ymm15h, when the target has AVX: what
 * `$ymmN` (= xmmN : ymmNh, gdb's pseudo register) is read from.
 */
export const FP_AVX_SIZE = FXSAVE_SIZE + 256;
const ymmIndex = (name: string): number => {
  const m = /^ymm(\d+)$/.exec(name);
  return m && Number(m[1]) < 16 ? Number(m[1]) : -1;
};

/** Size in bytes of an FP/SSE register as gdb sees it (st: 80-bit, xmm: 128-bit, ymm: 256-bit, the rest 32-bit). */
export function fpRegisterSize(name: string): number | undefined {
  if (ST_NAMES.includes(name)) return 10;
  if (ymmIndex(name) >= 0) return 32;
  if (XMM_NAMES.includes(name)) return 16;
  if ((X87_CONTROL_NAMES as readonly string[]).includes(name) || name === 'mxcsr') return 4;
  return undefined;
}

export const isFpRegister = (name: string): boolean => fpRegisterSize(name) !== undefined;

/** Two-bit x87 tag of an 80-bit value: 0 valid, 1 zero, 2 special (gdbserver's i387_ftag). */
function x87Tag(raw: Buffer): number {
  const exponent = raw.readUInt16LE(8) & 0x7fff;
  const integer = (raw[7]! & 0x80) !== 0;
  const fractionZero = raw.readUInt32LE(0) === 0 && (raw.readUInt32LE(4) & 0x7fffffff) === 0;
  if (exponent === 0x7fff) return 2;
  if (exponent === 0) return fractionZero && !integer ? 1 : 2;
  return integer ? 0 : 2;
}

/** The full tag word gdb shows, from the abridged one FXSAVE keeps (bit i set: physical register i in use). */
function fullTagWord(area: Buffer): number {
  const top = (area.readUInt16LE(FX.fstat) >> 11) & 7;
  const abridged = area[FX.ftag]!;
  let tags = 0;
  for (let phys = 7; phys >= 0; phys--) {
    const st = (phys + 8 - top) % 8;
    const tag = abridged & (1 << phys) ? x87Tag(area.subarray(FX.st + st * 16, FX.st + st * 16 + 10)) : 3;
    tags |= tag << (2 * phys);
  }
  return tags;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

/** One register's bytes as gdb has them (little-endian, fpRegisterSize() long). */
export function readFpRegister(area: Buffer, name: string): Buffer {
  const st = ST_NAMES.indexOf(name);
  if (st >= 0) return Buffer.from(area.subarray(FX.st + st * 16, FX.st + st * 16 + 10));
  const xmm = XMM_NAMES.indexOf(name);
  if (xmm >= 0) return Buffer.from(area.subarray(FX.xmm + xmm * 16, FX.xmm + xmm * 16 + 16));
  const ymm = ymmIndex(name);
  if (ymm >= 0) {
    if (area.length < FP_AVX_SIZE) throw new RangeError('no AVX state');
    return Buffer.concat([area.subarray(FX.xmm + ymm * 16, FX.xmm + ymm * 16 + 16), area.subarray(FXSAVE_SIZE + ymm * 16, FXSAVE_SIZE + ymm * 16 + 16)]);
  }
  switch (name) {
    case 'fctrl': case 'fstat': case 'fiseg': case 'foseg': return u32(area.readUInt16LE(FX[name]));
    case 'fioff': case 'fooff': case 'mxcsr': return u32(area.readUInt32LE(FX[name]));
    case 'fop': return u32(area.readUInt16LE(FX.fop) & 0x7ff);
    case 'ftag': return u32(fullTagWord(area));
  }
  throw new RangeError(`not an FP/SSE register: ${name}`);
}

/** A copy of `area` with one register set from gdb's bytes (the inverse of readFpRegister). */
export function writeFpRegister(area: Buffer, name: string, bytes: Buffer): Buffer {
  const size = fpRegisterSize(name);
  if (size === undefined) throw new RangeError(`not an FP/SSE register: ${name}`);
  if (bytes.length !== size) throw new RangeError(`${name} takes ${size} bytes, not ${bytes.length}`);
  const out = Buffer.from(area);
  const st = ST_NAMES.indexOf(name);
  const xmm = XMM_NAMES.indexOf(name);
  const ymm = ymmIndex(name);
  if (st >= 0) bytes.copy(out, FX.st + st * 16);
  else if (xmm >= 0) bytes.copy(out, FX.xmm + xmm * 16);
  else if (ymm >= 0) {
    if (area.length < FP_AVX_SIZE) throw new RangeError('no AVX state');
    bytes.copy(out, FX.xmm + ymm * 16, 0, 16);
    bytes.copy(out, FXSAVE_SIZE + ymm * 16, 16, 32);
  } else {
    const v = bytes.readUInt32LE(0);
    switch (name) {
      case 'fctrl': case 'fstat': case 'fiseg': case 'foseg': out.writeUInt16LE(v & 0xffff, FX[name]); break;
      case 'fioff': case 'fooff': case 'mxcsr': out.writeUInt32LE(v, FX[name]); break;
      case 'fop': out.writeUInt16LE(v & 0x7ff, FX.fop); break;
      case 'ftag': {
        // FXSAVE keeps only "in use" per physical register: any tag but 3 (empty).
        let abridged = 0;
        for (let i = 0; i < 8; i++) if (((v >> (2 * i)) & 3) !== 3) abridged |= 1 << i;
        out[FX.ftag] = abridged;
        break;
      }
    }
  }
  return out;
}

/**
 * The XSAVE area of PTRACE_GETREGSET NT_X86_XSTATE (standard format): the
 * FXSAVE area, the header whose xstate_bv says which components hold state,
 * and the AVX component (ymm upper halves) at its architectural offset.
 */
export const NT_X86_XSTATE = 0x202;
export const XSTATE_AVX_OFFSET = 576;
const XSTATE_BV_OFFSET = 512;
/** Linux's ptrace puts XCR0 (the enabled features) in the FXSAVE area's software bytes (gdb's I386_LINUX_XSAVE_XCR0_OFFSET). */
const SW_XFEATURES_OFFSET = 464;
const XFEATURE_AVX = 4n;

/** True when the XSAVE area comes from a CPU and kernel with AVX enabled. */
export function xstateHasAvx(xstate: Buffer): boolean {
  return xstate.length >= XSTATE_AVX_OFFSET + 256 && (xstate.readBigUInt64LE(SW_XFEATURES_OFFSET) & XFEATURE_AVX) !== 0n;
}

/** ymm0h..ymm15h (256 bytes); zeros when the AVX component is in its init state. */
export function readYmmUpper(xstate: Buffer): Buffer {
  if ((xstate.readBigUInt64LE(XSTATE_BV_OFFSET) & XFEATURE_AVX) === 0n) return Buffer.alloc(256);
  return Buffer.from(xstate.subarray(XSTATE_AVX_OFFSET, XSTATE_AVX_OFFSET + 256));
}

/** A copy of the XSAVE area with new ymm upper halves (and the AVX component marked live). */
export function writeYmmUpper(xstate: Buffer, upper: Buffer): Buffer {
  const out = Buffer.from(xstate);
  upper.copy(out, XSTATE_AVX_OFFSET, 0, 256);
  out.writeBigUInt64LE(out.readBigUInt64LE(XSTATE_BV_OFFSET) | XFEATURE_AVX, XSTATE_BV_OFFSET);
  return out;
}
