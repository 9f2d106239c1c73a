/**
 * frameLayout (what `info frame` shows as a frame's CFA and saved registers)
 * against readelf --debug-dump=frames-interp: at every row of every FDE of
 * the C library and of an -O2 program, the CFA is the rule's register plus
 * offset, and each register readelf shows as saved at `c-N` is listed at
 * CFA - N, and no other (a register's value in another register, or
 * recomputed, has no address).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { ElfFile } from '../../src/elf/index.js';
import { CallFrameInfo, frameLayout } from '../../src/dwarf/frame.js';
import { X86_64_DWARF_REGS } from '../../src/dwarf/constants.js';
import { buildProg } from '../fixtures/dwarf/build.js';

const NAMES = [...X86_64_DWARF_REGS.slice(0, 16), 'ra'];

/** Distinct register values, so a wrong base register shows. */
const regs = new Map(NAMES.map((_, i) => [i, 0x7ffe00000000n + BigInt(i) * 0x10000n]));

async function compareLayouts(path: string): Promise<number> {
  const elf = ElfFile.load(path);
  const cfi = new CallFrameInfo({ data: elf.sectionData('.eh_frame')!, addr: elf.section('.eh_frame')!.addr });
  const text = spawnSync('readelf', ['--debug-dump=frames-interp', '-W', path], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const dbg = text.indexOf('Contents of the .debug_frame');
  let columns: string[] = [];
  let inFde = false;
  let rows = 0;
  const mismatches: string[] = [];
  const noMemory = async () => { throw new Error('no memory in this test'); };
  for (const line of (dbg < 0 ? text : text.slice(0, dbg)).split('\n')) {
    if (/ FDE /.test(line)) { inFde = true; continue; }
    if (/ CIE /.test(line)) { inFde = false; continue; }
    const head = /^\s+LOC\s+CFA\s+(.*)$/.exec(line);
    if (head) { columns = head[1]!.trim().split(/\s+/); continue; }
    const m = /^([0-9a-f]{16})\s+(\S+)\s*(.*)$/.exec(line.replace(/\br\d+ \((\w+)\)/g, 'reg:$1'));
    const cfaRule = m && /^(\w+)\+(\d+)$/.exec(m[2]!);
    // Expression rules need the process's memory: the integration tests cover them.
    if (!m || !inFde || !cfaRule || m[3]!.includes('exp')) continue;
    const loc = BigInt(`0x${m[1]}`);
    const layout = await frameLayout({ pc: loc, regs, exactPc: true }, noMemory, () => ({ cfi, bias: 0n }));
    const cfa = regs.get(NAMES.indexOf(cfaRule[1]!))! + BigInt(cfaRule[2]!);
    const want = new Map<number, bigint>();
    m[3]!.trim().split(/\s+/).filter(Boolean).forEach((rule, i) => {
      const at = /^c([+-]\d+)$/.exec(rule);
      if (at) want.set(NAMES.indexOf(columns[i]!), cfa + BigInt(at[1]!));
    });
    const got = layout ? [layout.cfa, [...layout.saved].sort(([a], [b]) => a - b)] : undefined;
    const expected = [cfa, [...want].sort(([a], [b]) => a - b)];
    if (JSON.stringify(got, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)) !== JSON.stringify(expected, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))) {
      mismatches.push(`${m[1]}: ${line.trim()}`);
    }
    rows++;
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
  return rows;
}

describe('frameLayout against readelf --debug-dump=frames-interp', () => {
  it('an -O2 program: every row', async () => {
    expect(await compareLayouts(buildProg(['-g', '-O2']))).toBeGreaterThan(5);
  });

  it('the C library: every row with a register-based CFA', async () => {
    const libc = execFileSync('gcc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
    expect(await compareLayouts(libc)).toBeGreaterThan(5000);
  });
});
