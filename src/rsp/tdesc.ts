/**
 * Target descriptions (GDB manual, "Target Descriptions"): which registers a
 * stub has, their numbers and sizes, hence where each lives in a `g` packet.
 *
 * The client parses whatever the stub sends (following xi:include); the
 * server describes itself with the amd64 features gdbserver uses on an AVX
 * machine (core with x87, sse, linux, segments, avx; not AVX-512), numbered
 * like gdbserver's so `p`/`P` numbers and expedited registers match it exactly.
 * Registers the Target cannot reach are sent as unavailable (`xx`).
 */
import type { RegisterName } from '../target/types.js';
import { EFLAGS_FLAGS, MXCSR_FLAGS } from '../dwarf/regtypes.js';

export interface RegisterInfo {
  name: string;
  bitsize: number;
  regnum: number;
  /** Byte offset in the `g` packet (registers in regnum order, no gaps). */
  offset: number;
  type: string;
  group?: string;
  feature: string;
}

/** Parse target.xml, pulling in xi:include'd annexes through `fetch`. */
export async function parseTargetDescription(
  xml: string,
  fetch: (annex: string) => Promise<string>,
): Promise<RegisterInfo[]> {
  const regs: RegisterInfo[] = [];
  let next = 0;
  const walk = async (doc: string, depth: number): Promise<void> => {
    if (depth > 8) throw new Error('target description includes nest too deeply');
    // features, includes and regs in document order; commented-out registers
    // are not registers (QEMU's i386-64bit.xml comments out cs_base..es_base)
    const text = doc.replace(/<!--[\s\S]*?-->/g, '');
    const re = /<feature\s+name="([^"]*)"|<xi:include\s+href="([^"]*)"|<reg\s([^>]*?)\/?>/g;
    let feature = '';
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[1] !== undefined) feature = m[1];
      else if (m[2] !== undefined) await walk(await fetch(m[2]), depth + 1);
      else {
        const attrs = parseAttrs(m[3]);
        const regnum = attrs.regnum !== undefined ? Number(attrs.regnum) : next;
        next = regnum + 1;
        regs.push({
          name: attrs.name ?? `r${regnum}`,
          bitsize: Number(attrs.bitsize ?? 64),
          regnum,
          offset: 0,
          type: attrs.type ?? 'int',
          group: attrs.group,
          feature,
        });
      }
    }
  };
  await walk(xml, 0);
  return withOffsets(regs);
}

function parseAttrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

function withOffsets(regs: RegisterInfo[]): RegisterInfo[] {
  regs.sort((a, b) => a.regnum - b.regnum);
  let offset = 0;
  for (const r of regs) {
    r.offset = offset;
    offset += r.bitsize / 8;
  }
  return regs;
}

type Spec = [name: string, bitsize: number, type: string, group?: string];

const CORE: Spec[] = [
  ['rax', 64, 'int64'], ['rbx', 64, 'int64'], ['rcx', 64, 'int64'], ['rdx', 64, 'int64'],
  ['rsi', 64, 'int64'], ['rdi', 64, 'int64'], ['rbp', 64, 'data_ptr'], ['rsp', 64, 'data_ptr'],
  ['r8', 64, 'int64'], ['r9', 64, 'int64'], ['r10', 64, 'int64'], ['r11', 64, 'int64'],
  ['r12', 64, 'int64'], ['r13', 64, 'int64'], ['r14', 64, 'int64'], ['r15', 64, 'int64'],
  ['rip', 64, 'code_ptr'], ['eflags', 32, 'i386_eflags'],
  ['cs', 32, 'int32'], ['ss', 32, 'int32'], ['ds', 32, 'int32'], ['es', 32, 'int32'], ['fs', 32, 'int32'], ['gs', 32, 'int32'],
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): Spec => [`st${i}`, 80, 'i387_ext']),
  ...['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'].map((n): Spec => [n, 32, 'int', 'float']),
];
const SSE: Spec[] = [
  ...Array.from({ length: 16 }, (_, i): Spec => [`xmm${i}`, 128, 'vec128']),
  ['mxcsr', 32, 'i386_mxcsr', 'vector'],
];
const LINUX: Spec[] = [['orig_rax', 64, 'int']];
const SEGMENTS: Spec[] = [['fs_base', 64, 'int'], ['gs_base', 64, 'int']];
/** The upper halves of ymm0-15; gdb builds $ymm0 from xmm0 and ymm0h. */
const AVX: Spec[] = Array.from({ length: 16 }, (_, i): Spec => [`ymm${i}h`, 128, 'uint128']);

const FEATURES: Array<[string, Spec[]]> = [
  ['org.gnu.gdb.i386.core', CORE],
  ['org.gnu.gdb.i386.sse', SSE],
  ['org.gnu.gdb.i386.linux', LINUX],
  ['org.gnu.gdb.i386.segments', SEGMENTS],
  ['org.gnu.gdb.i386.avx', AVX],
];

/** The amd64 GNU/Linux layout gdbserver uses on an AVX machine (without AVX-512): regnums 0..75. */
export const AMD64_REGISTERS: RegisterInfo[] = withOffsets(
  FEATURES.flatMap(([feature, specs]) => specs.map(([name, bitsize, type, group]) => ({ name, bitsize, type, group, feature, regnum: 0, offset: 0 })))
    .map((r, i) => ({ ...r, regnum: i })),
);

/** Registers a Target can read, by their tdesc name (identical for amd64). */
export function targetRegisterName(name: string): RegisterName | undefined {
  return (TARGET_REGS as ReadonlySet<string>).has(name) ? (name as RegisterName) : undefined;
}
const TARGET_REGS: ReadonlySet<RegisterName> = new Set<RegisterName>([
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'orig_rax', 'fs_base', 'gs_base',
]);

// Types the features above refer to, as gdb's own 64bit-*.xml define them.
function flags(id: string, fields: ReadonlyArray<readonly [string, number]>): string {
  const f = fields.map(([n, bit]) => `<field name="${n}" start="${bit}" end="${bit}" type="bool"/>`).join('');
  return `<flags id="${id}" size="4">${f}</flags>`;
}

const VEC128 =
  '<vector id="v8bf16" type="bfloat16" count="8"/><vector id="v8h" type="ieee_half" count="8"/>' +
  '<vector id="v4f" type="ieee_single" count="4"/><vector id="v2d" type="ieee_double" count="2"/>' +
  '<vector id="v16i8" type="int8" count="16"/><vector id="v8i16" type="int16" count="8"/>' +
  '<vector id="v4i32" type="int32" count="4"/><vector id="v2i64" type="int64" count="2"/>' +
  '<union id="vec128"><field name="v8_bfloat16" type="v8bf16"/><field name="v8_half" type="v8h"/>' +
  '<field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>' +
  '<field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/>' +
  '<field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>' +
  '<field name="uint128" type="uint128"/></union>';

/** target.xml for the server: one self-contained document, as gdbserver sends. */
export function amd64TargetXml(): string {
  const prefix: Record<string, string> = {
    'org.gnu.gdb.i386.core': flags('i386_eflags', EFLAGS_FLAGS),
    'org.gnu.gdb.i386.sse': VEC128 + flags('i386_mxcsr', MXCSR_FLAGS),
  };
  const body = FEATURES.map(([feature]) => {
    const regs = AMD64_REGISTERS.filter((r) => r.feature === feature)
      .map((r) => `<reg name="${r.name}" bitsize="${r.bitsize}" type="${r.type}" regnum="${r.regnum}"${r.group ? ` group="${r.group}"` : ''}/>`)
      .join('');
    return `<feature name="${feature}">${prefix[feature] ?? ''}${regs}</feature>`;
  }).join('');
  return '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target>' +
    `<architecture>i386:x86-64</architecture><osabi>GNU/Linux</osabi>${body}</target>`;
}
