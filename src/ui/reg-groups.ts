/**
 * gdb's register groups for the registers pane (`tui reg GROUP`): the
 * general registers come with every stop's state; the x87/SSE/AVX ones are
 * read here, at a stop, only while such a group is shown, and written as
 * `info registers` writes them (one line each).
 */
import type { Debugger } from '../debugger/debugger.js';
import { FP_REGISTER_NAMES, X87_CONTROL_NAMES, readFpRegister } from '../target/fpregs.js';
import { formatFpRegisterLine } from '../dwarf/regtypes.js';

export const REG_GROUPS = ['general', 'float', 'sse', 'vector', 'system', 'all'] as const;
export type RegGroup = (typeof REG_GROUPS)[number];

const ST = FP_REGISTER_NAMES.filter((n) => /^st\d/.test(n));
const XMM = FP_REGISTER_NAMES.filter((n) => /^xmm/.test(n));
const YMM = Array.from({ length: 16 }, (_, i) => `ymm${i}`);

/** The x87/SSE/AVX registers of a group, in gdb's order (ymm only where the target has AVX). */
function fpNames(group: RegGroup, avx: boolean): string[] {
  switch (group) {
    case 'float': return [...ST, ...X87_CONTROL_NAMES];
    case 'sse': return [...XMM, 'mxcsr'];
    case 'vector': return [...XMM, ...(avx ? YMM : []), 'mxcsr'];
    case 'all': return [...FP_REGISTER_NAMES, ...(avx ? YMM : [])];
    default: return [];
  }
}

/** The general registers a group shows (the pane's columns of `name 0x...`). */
export function generalNames(group: RegGroup, all: readonly string[]): readonly string[] {
  if (group === 'general' || group === 'all') return all;
  if (group === 'system') return ['fs_base', 'gs_base'];
  return [];
}

export interface FpRow { readonly name: string; readonly text: string }

/**
 * The stop's x87/SSE/AVX state, from the session's register cache (Session.fpState:
 * public in the split session of branch `core`; reached so here to leave session.ts alone).
 */
const fpStateOf = (d: Debugger): Promise<Buffer | undefined> =>
  (d.session as unknown as { fpState(): Promise<Buffer | undefined> }).fpState();

/** The group's x87/SSE/AVX lines at this stop (none for general/system), or one line saying why not. */
export async function fpRows(d: Debugger, group: RegGroup): Promise<FpRow[]> {
  if (group === 'general' || group === 'system') return [];
  let area: Buffer | undefined;
  try {
    area = await fpStateOf(d);
  } catch (e) {
    return [{ name: '', text: (e as Error).message.split('\n')[0]! }];
  }
  if (!area) return [{ name: '', text: 'The target has no x87/SSE registers.' }];
  const rows: FpRow[] = [];
  for (const n of fpNames(group, area.length > 512)) {
    const line = await formatFpRegisterLine(n, readFpRegister(area, n));
    rows.push({ name: n, text: line });
  }
  return rows;
}
