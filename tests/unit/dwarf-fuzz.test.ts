import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { ElfFile, ElfError } from '../../src/elf/index.js';
import { DebugInfo } from '../../src/dwarf/debuginfo.js';
import { CallFrameInfo } from '../../src/dwarf/frame.js';
import { DwarfError } from '../../src/dwarf/reader.js';
import { buildProg } from '../fixtures/dwarf/build.js';

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s;
  };
}

/** Load a damaged binary and ask the first questions of a stop: only ElfError/DwarfError may come out. */
function exercise(data: Buffer): string {
  try {
    const elf = new ElfFile(data, 'fuzzed');
    const dbg = DebugInfo.load(elf);
    for (const fn of dbg.allFunctions().slice(0, 8)) {
      const pc = dbg.breakpointAddress(fn);
      dbg.lineForAddress(pc);
      dbg.scopeAt(pc);
      dbg.typeOf(fn.die);
      for (const c of fn.die.children) dbg.typeOf(c.type);
    }
    dbg.addressesForLine('prog.c', 74);
    const eh = elf.section('.eh_frame');
    if (eh) {
      const cfi = new CallFrameInfo({ data: elf.sectionData('.eh_frame')!, addr: eh.addr });
      for (const fn of dbg.allFunctions().slice(0, 8)) {
        const fde = cfi.fdeFor(fn.low);
        if (fde) cfi.rowFor(fde, fn.low + 4n);
      }
    }
    return 'ok';
  } catch (e) {
    if (e instanceof DwarfError || e instanceof ElfError) return 'error';
    throw new Error(`${(e as Error).constructor.name}: ${(e as Error).message}`);
  }
}

describe('damaged debug info gives one clear error, never a crash', () => {
  const original = readFileSync(buildProg(['-g', '-O2']));
  const elf = new ElfFile(original);

  it.each(['.debug_info', '.debug_abbrev', '.debug_line', '.debug_loclists', '.debug_rnglists', '.debug_str', '.eh_frame'])('bytes flipped in %s', (name) => {
    const s = elf.section(name);
    expect(s, name).toBeDefined();
    const next = rng(name.length * 7919);
    const outcomes = new Set<string>();
    for (let round = 0; round < 60; round++) {
      const data = Buffer.from(original);
      for (let k = 0; k < 1 + (round % 4); k++) data[s!.offset + (next() % s!.size)] = next() & 0xff;
      outcomes.add(exercise(data));
    }
    expect([...outcomes].every((o) => o === 'ok' || o === 'error')).toBe(true);
  });

  it('truncated sections', () => {
    for (const name of ['.debug_info', '.debug_line', '.eh_frame']) {
      const s = elf.section(name)!;
      for (const keep of [0, 1, 5, 13, Math.floor(s.size / 2)]) {
        const data = Buffer.from(original);
        data.fill(0, s.offset + keep, s.offset + s.size);
        expect(['ok', 'error']).toContain(exercise(data));
      }
    }
  });
});
