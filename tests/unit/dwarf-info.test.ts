import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { DebugInfo } from '../../src/dwarf/debuginfo.js';
import { TAG, AT } from '../../src/dwarf/constants.js';
import { buildProg } from '../fixtures/dwarf/build.js';

const BUILDS: string[][] = [['-g', '-O0'], ['-g', '-O2'], ['-gdwarf-4', '-O0'], ['-gdwarf-4', '-O2'], ['-g', '-O0', '-no-pie'],
  ['-g', '-O0', '-fdebug-types-section'], ['-gdwarf-4', '-O0', '-fdebug-types-section'],
  ['clang', '-g', '-O0'], ['clang', '-g', '-O2'], ['clang', '-gdwarf-4', '-O2']];
const TAG_NAMES = new Map(Object.entries(TAG).map(([k, v]) => [v, 'DW_TAG_' + k]));

function readelf(path: string, what: string): string {
  return execFileSync('readelf', [`--debug-dump=${what}`, '-W', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

describe.each(BUILDS)('DWARF of prog built with %s %s %s %s', (...flags: string[]) => {
  const path = buildProg(flags);
  const dbg = DebugInfo.load(path);

  it('finds every DIE readelf --debug-dump=info shows, with its tag and name', () => {
    // DWARF 4 type units (.debug_types) have offsets of their own section: check .debug_info here.
    const text = readelf(path, 'info').split('Contents of the .debug_types section')[0];
    const dies = [...text.matchAll(/^\s*<\d+><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((DW_TAG_\w+)\))?/gm)];
    let checked = 0;
    for (const m of dies) {
      if (m[2] === '0') continue; // end-of-children marker
      const die = dbg.dieAt(parseInt(m[1], 16));
      expect(die, `DIE at 0x${m[1]}`).toBeDefined();
      if (TAG_NAMES.has(die!.tag)) expect(TAG_NAMES.get(die!.tag)).toBe(m[3]);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    // Names, whatever their form (strp, line_strp, strx, string).
    const names = [...text.matchAll(/^\s*<\d+><([0-9a-f]+)>:[^\n]*\n((?:\s+<[0-9a-f]+>\s+DW_AT[^\n]*\n)*)/gm)];
    let named = 0;
    for (const m of names) {
      const nm = /DW_AT_name\s*:\s*(.*)/.exec(m[2]);
      if (!nm) continue;
      // readelf prefixes indirect strings with their form and offset: `(strp) (offset: 0x20): main`.
      const value = nm[1].replace(/^\((string|strp|line_strp|strx\d?)\)\s*(\(offset: (0x)?[0-9a-f]+\):\s*)?/, '')
        .replace(/^\(indirect (line )?string, offset: 0x[0-9a-f]+\):\s*/, '')
        .replace(/^\(indexed string: 0x[0-9a-f]+\):\s*/, '');
      expect(dbg.dieAt(parseInt(m[1], 16))!.str(AT.name)).toBe(value.trim());
      named++;
    }
    expect(named).toBeGreaterThan(40);
  });

  it('decodes the line table row for row like readelf --debug-dump=decodedline', () => {
    const text = readelf(path, 'decodedline');
    const want: string[] = [];
    for (const l of text.split('\n')) {
      const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)\s*(\d*)\s*(x?)\s*$/.exec(l);
      if (!m) continue;
      want.push(m[2] === '-' ? `end ${BigInt(m[3])}` : `${m[1]}:${m[2]} ${BigInt(m[3])} ${m[5] === 'x'}`);
    }
    const got: string[] = [];
    for (const u of dbg.units.filter((x) => !x.isTypeUnit)) {
      const l = (dbg as unknown as { unitLines(u: unknown): { program: { rows: Array<{ endSequence: boolean; address: bigint; file: number; line: number; isStmt: boolean }>; files: Array<{ name: string }> } } }).unitLines(u);
      for (const r of l.program.rows) {
        got.push(r.endSequence ? `end ${r.address}` : `${l.program.files[r.file].name.split('/').pop()}:${r.line} ${r.address} ${r.isStmt}`);
      }
    }
    expect(got.length).toBeGreaterThan(50);
    expect(got).toEqual(want.map((w) => w.replace(/^(\S+?):/, (_, f: string) => `${f.split('/').pop()}:`)));
  });

  it('indexes functions and globals with the ranges nm gives', () => {
    const nm = execFileSync('nm', ['-S', '--defined-only', path], { encoding: 'utf8' });
    for (const name of ['main', 'sum_list', 'leaf', 'recurse', 'scale']) {
      const m = new RegExp(`^([0-9a-f]+) ([0-9a-f]+) T ${name}$`, 'm').exec(nm)!;
      const fns = dbg.functionsNamed(name);
      expect(fns.length, name).toBe(1);
      expect(fns[0].low).toBe(BigInt('0x' + m[1]));
      expect(dbg.functionAt(BigInt('0x' + m[1]) + 1n)!.name).toBe(name);
    }
    const globals = ['config', 'counter', 'numbers', 'greeting', ...(flags.includes('-O0') ? ['hidden'] : [])];
    for (const g of globals) expect(dbg.globalVariables(g).length, g).toBe(1);
    expect(dbg.lookupType('struct node')).toMatchObject({ kind: 'struct', tag: 'node', size: 16 });
    // Through the variable's own type reference (DW_FORM_ref_sig8 with type units).
    const cfg = dbg.typeOf(dbg.globalVariables('config')[0].type);
    expect(cfg).toMatchObject({ kind: 'struct', tag: 'config', size: 72 });
    expect(dbg.lookupType('color_t')).toMatchObject({ kind: 'typedef', name: 'color_t' });
  });
});
