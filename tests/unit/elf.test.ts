import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ElfFile, SymbolTable, ET_DYN, ET_EXEC, formatSymbolic } from '../../src/elf/index.js';
import { buildProg } from '../fixtures/dwarf/build.js';

/** `nm --defined-only` lines: address, type letter, name. */
function nm(path: string, dynamic = false): Array<{ addr: bigint; type: string; name: string }> {
  const out = execFileSync('nm', ['--defined-only', ...(dynamic ? ['-D'] : []), path], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => {
    const [a, t, n] = l.trim().split(/\s+/);
    return { addr: BigInt('0x' + a), type: t, name: n };
  });
}

/** `readelf -hW` header field. */
function readelfHeader(path: string, field: string): string {
  const out = execFileSync('readelf', ['-hW', path], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.trim().startsWith(field + ':'));
  return line!.split(':').slice(1).join(':').trim();
}

describe('ElfFile', () => {
  const pie = buildProg(['-g', '-O0']);
  const nopie = buildProg(['-g', '-O0', '-no-pie']);

  it('parses the header like readelf -h', () => {
    for (const path of [pie, nopie]) {
      const elf = ElfFile.load(path);
      expect(elf.entry).toBe(BigInt(readelfHeader(path, 'Entry point address')));
      expect(elf.sections.length).toBe(Number(readelfHeader(path, 'Number of section headers')));
      expect(elf.programHeaders.length).toBe(Number(readelfHeader(path, 'Number of program headers')));
    }
    expect(ElfFile.load(pie).type).toBe(ET_DYN);
    expect(ElfFile.load(pie).isPie).toBe(true);
    expect(ElfFile.load(nopie).type).toBe(ET_EXEC);
    expect(ElfFile.load(nopie).isPie).toBe(false);
  });

  it('lists sections with the names, addresses and sizes readelf -S gives', () => {
    const elf = ElfFile.load(pie);
    const out = execFileSync('readelf', ['-SW', pie], { encoding: 'utf8' });
    const rows = [...out.matchAll(/\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)/g)];
    expect(rows.length).toBe(elf.sections.length - 1);
    for (const r of rows) {
      const s = elf.sections[Number(r[1])];
      expect(s.name).toBe(r[2]);
      expect(s.addr).toBe(BigInt('0x' + r[3]));
      expect(s.offset).toBe(parseInt(r[4], 16));
      expect(s.size).toBe(parseInt(r[5], 16));
    }
    expect(elf.sectionData('.debug_info')!.length).toBeGreaterThan(0);
    expect(elf.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
  });

  it('finds every defined function and object symbol nm lists, at nm addresses', () => {
    for (const path of [pie, nopie]) {
      const table = new SymbolTable(ElfFile.load(path), 0n);
      const syms = nm(path).filter((s) => /[TtDdBbRr]/.test(s.type));
      expect(syms.length).toBeGreaterThan(20);
      for (const s of syms) {
        const found = table.all.filter((x) => x.name === s.name && x.address === s.addr);
        expect(found.length, s.name).toBeGreaterThan(0);
      }
      for (const name of ['main', 'sum_list', 'push', 'add', 'config', 'counter', 'hidden', 'numbers']) {
        const want = syms.find((s) => s.name === name)!;
        expect(table.symbolByName(name)!.address, name).toBe(want.addr);
      }
    }
  });

  it('reports sizes and kinds like readelf -s', () => {
    const table = new SymbolTable(ElfFile.load(pie), 0n);
    const out = execFileSync('readelf', ['-sW', pie], { encoding: 'utf8' });
    const main = out.split('\n').find((l) => / main$/.test(l))!.trim().split(/\s+/);
    expect(table.symbolByName('main')!.size).toBe(BigInt(main[2]));
    expect(table.symbolByName('main')!.kind).toBe('function');
    expect(table.symbolByName('config')!.kind).toBe('object');
    expect(table.symbolByName('hidden')!.bind).toBe('local');
    expect(table.symbolByName('main')!.section).toBe('.text');
    expect(table.symbolByName('numbers')!.size).toBe(10n);
  });

  it('maps addresses back to symbol+offset, honouring sizes and the bias', () => {
    const bias = 0x555555554000n;
    const table = new SymbolTable(ElfFile.load(pie), bias);
    const main = table.symbolByName('main')!;
    expect(main.address).toBe(nm(pie).find((s) => s.name === 'main')!.addr + bias);
    const at = table.symbolAt(main.address + 4n)!;
    expect(formatSymbolic(at)).toBe('main+4');
    expect(formatSymbolic(table.symbolAt(main.address)!)).toBe('main');
    const cfg = table.symbolByName('config')!;
    expect(formatSymbolic(table.symbolAt(cfg.address + 12n)!)).toBe('config+12');
    // Below every symbol of the image: nothing.
    expect(table.symbolAt(bias)).toBeUndefined();
  });

  it('reads the dynamic symbols of the C library like nm -D', () => {
    const libc = execFileSync('gcc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
    const table = new SymbolTable(ElfFile.load(libc), 0n);
    const want = nm(libc, true).filter((s) => s.name.startsWith('malloc@') || s.name.startsWith('printf@'));
    expect(want.length).toBeGreaterThan(0);
    for (const s of want) expect(table.symbolByName(s.name.split('@')[0])!.address).toBe(s.addr);
    expect(table.symbolAt(table.symbolByName('printf')!.address + 1n)!.name).toMatch(/printf/);
  });

  it('names PLT stubs name@plt at the addresses objdump -d labels them', () => {
    for (const path of [pie, nopie]) {
      const table = new SymbolTable(ElfFile.load(path), 0n);
      const dis = execFileSync('objdump', ['-d', path], { encoding: 'utf8' });
      const stubs = [...dis.matchAll(/^([0-9a-f]+) <(\w+@plt)>:$/gm)];
      expect(stubs.length).toBeGreaterThan(3);
      for (const [, addr, name] of stubs) {
        expect(table.symbolByName(name)?.address, name).toBe(BigInt('0x' + addr));
        expect(table.symbolAt(BigInt('0x' + addr) + 4n)?.name).toBe(name);
      }
    }
  });

  it('rejects what is not a 64-bit ELF with one clear error', () => {
    expect(() => new ElfFile(Buffer.from('not an elf at all, just text......................................'))).toThrow(/not an ELF file/);
    expect(() => ElfFile.load('/nonexistent/file')).toThrow(/ENOENT/);
  });
});
