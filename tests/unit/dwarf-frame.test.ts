import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { ElfFile } from '../../src/elf/index.js';
import { CallFrameInfo, type RegRule } from '../../src/dwarf/frame.js';
import { X86_64_DWARF_REGS } from '../../src/dwarf/constants.js';
import { buildProg } from '../fixtures/dwarf/build.js';

const NAMES = [...X86_64_DWARF_REGS.slice(0, 16), 'ra'];

/** readelf's notation for a rule: u, c-16, s, exp, vexp, v+8 (val_offset), reg:rdx (register). */
function ruleText(r: RegRule | undefined): string {
  if (!r || r.kind === 'undefined') return 'u';
  switch (r.kind) {
    case 'same': return 's';
    case 'offset': return `c${r.offset >= 0 ? '+' : ''}${r.offset}`;
    case 'valOffset': return `v${r.offset >= 0 ? '+' : ''}${r.offset}`;
    case 'register': return `reg:${NAMES[r.reg] ?? r.reg}`;
    case 'expression': return 'exp';
    case 'valExpression': return 'vexp';
  }
}

/** Every row readelf --debug-dump=frames-interp prints, rebuilt from our CFI. */
function compareWithReadelf(path: string): number {
  const elf = ElfFile.load(path);
  const eh = elf.section('.eh_frame')!;
  const cfi = new CallFrameInfo({ data: elf.sectionData('.eh_frame')!, addr: eh.addr });
  // readelf exits 1 on libc (it has no .debug_frame to dump) but prints the .eh_frame tables.
  const text = spawnSync('readelf', ['--debug-dump=frames-interp', '-W', path], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const dbg = text.indexOf('Contents of the .debug_frame');
  const ehText = dbg < 0 ? text : text.slice(0, dbg);
  let rows = 0;
  let columns: string[] = [];
  let inFde = false;
  const mismatches: string[] = [];
  for (const line of ehText.split('\n')) {
    if (/ FDE /.test(line)) { inFde = true; continue; }
    if (/ CIE /.test(line)) { inFde = false; continue; }
    const head = /^\s+LOC\s+CFA\s+(.*)$/.exec(line);
    if (head) { columns = head[1].trim().split(/\s+/); continue; }
    // A register rule prints as `r1 (rdx)`: make it one word.
    const m = /^([0-9a-f]{16})\s+(\S+)\s*(.*)$/.exec(line.replace(/\br\d+ \((\w+)\)/g, 'reg:$1'));
    if (!m || !inFde) continue;
    const loc = BigInt('0x' + m[1]);
    const fde = cfi.fdeFor(loc);
    if (!fde) { mismatches.push(`no FDE for ${m[1]}`); continue; }
    const row = cfi.rowFor(fde, loc);
    const cfa = row.cfa.kind === 'reg' ? `${NAMES[row.cfa.reg]}+${row.cfa.offset}` : 'exp';
    const want = [m[2], ...m[3].trim().split(/\s+/).filter(Boolean)];
    const got = [cfa, ...columns.map((c) => ruleText(row.rules.get(NAMES.indexOf(c))))];
    if (want.join(' ') !== got.join(' ')) mismatches.push(`${m[1]}: readelf ${want.join(' ')} / ours ${got.join(' ')}`);
    rows++;
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
  return rows;
}

describe('CFI (.eh_frame) against readelf --debug-dump=frames-interp', () => {
  it.each([[['-g', '-O0']], [['-g', '-O2']], [['-g', '-O2', '-fomit-frame-pointer']]])('prog %j: every CFA row', (flags) => {
    expect(compareWithReadelf(buildProg(flags))).toBeGreaterThan(5);
  });

  it('the C library: thousands of FDEs with every rule kind', () => {
    const libc = execFileSync('gcc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
    expect(compareWithReadelf(libc)).toBeGreaterThan(5000);
  });
});
