import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { ProcessImage, ElfFile, biasFromMaps } from '../../src/elf/index.js';
import { buildProg } from '../fixtures/dwarf/build.js';
import { ProcSource, startStopped } from '../fixtures/dwarf/proc.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** The fixture prints main=%p counter=%p printf=%p malloc=%p, then stops itself. */
async function stoppedFixture(flags: string[]) {
  const path = buildProg(flags);
  const { child, line } = await startStopped(path, ['addrs']);
  children.push(child);
  const printed = Object.fromEntries(line.split(' ').map((kv) => {
    const [k, v] = kv.split('=');
    return [k, BigInt(v)];
  }));
  const source = new ProcSource(child.pid!, path);
  return { path, printed, source, image: await ProcessImage.create(source) };
}

describe('ProcessImage over a real stopped process', () => {
  for (const flags of [['-g', '-O0'], ['-g', '-O0', '-no-pie']]) {
    it(`relocates the executable's symbols (${flags.join(' ')})`, async () => {
      const { printed, image, path, source } = await stoppedFixture(flags);
      expect(image.symbolByName('main')!.symbol.address).toBe(printed.main);
      expect(image.symbolByName('counter')!.symbol.address).toBe(printed.counter);
      expect(image.exe.bias === 0n).toBe(flags.includes('-no-pie'));
      // The bias the maps give agrees with the one the aux vector gives.
      expect(biasFromMaps(ElfFile.load(path), await source.memoryMap(), path)).toBe(image.exe.bias);
      const at = image.symbolAt(printed.main + 4n)!;
      expect(`${at.name}+${at.offset}`).toBe('main+4');
      expect(at.module).toBe(image.exe);
    });
  }

  it('finds C library functions at the addresses the program sees', async () => {
    const { printed, image, path } = await stoppedFixture(['-g', '-O0']);
    const printf = image.symbolByName('printf')!;
    expect(printf.module.basename).toBe('libc.so.6');
    expect(printf.symbol.address).toBe(printed.printf);
    expect(image.symbolByName('malloc')!.symbol.address).toBe(printed.malloc);
    expect(image.symbolAt(printed.printf + 3n)!.name).toMatch(/printf/);
    expect(image.libraries.map((l) => l.basename)).toEqual(expect.arrayContaining(['libc.so.6', 'ld-linux-x86-64.so.2', '[vdso]']));
    // The vDSO is read from memory: its symbols resolve too.
    const vdso = image.libraries.find((l) => l.path === '[vdso]')!;
    const gettime = vdso.symbols!.symbolByName('__vdso_clock_gettime')!;
    // two names at one address (the vDSO's clock_gettime is a weak alias): the one gdb names it by
    const gdb = execFileSync('gdb', ['-batch', '-nx', '-ex', 'starti', '-ex', 'info symbol __vdso_clock_gettime', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const gdbName = /^(\S+) in section \.text of system-supplied DSO/m.exec(gdb)?.[1];
    expect(gdbName, gdb).toBeDefined();
    expect(image.symbolAt(gettime.address)!.name).toBe(gdbName);
  });

  it('reads code at main from memory identical to the file bytes', async () => {
    const { image, source } = await stoppedFixture(['-g', '-O0']);
    const main = image.symbolByName('main')!.symbol;
    const text = image.exe.elf!.section('.text')!;
    const fileOff = text.offset + Number(main.address - image.exe.bias - text.addr);
    const mem = await source.readMemory(main.address, 16);
    expect(mem).toEqual(image.exe.elf!.data.subarray(fileOff, fileOff + 16));
  });
});
