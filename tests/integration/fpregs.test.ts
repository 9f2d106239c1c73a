/**
 * x87 and SSE registers through every layer, on examples/floats.c (-O0) and
 * floats_o2 (-O2, doubles that live only in xmm registers):
 *  - LocalTarget reads, writes and reads back the FXSAVE area, and the
 *    program prints the xmm0 value we wrote;
 *  - `tsdbg run --batch` prints $xmm0, $st0, $mxcsr, info registers ... line
 *    for line as `gdb -batch` does at the same breakpoint;
 *  - gdb against `tsdbg serve` sees the same values as against gdbserver;
 *  - `tsdbg connect` to gdbserver prints $xmm0 as the local target does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import { readFpRegister, writeFpRegister, FXSAVE_SIZE } from '../../src/target/fpregs.js';
import { example, ROOT, startListening, symbol, type Spawned } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const FLOATS = example('floats');
const FLOATS_O2 = example('floats_o2');
const SEP = '@@CMD';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

/** Output of each command after `setup`, split on echoed separators (program output lines dropped). */
function blocks(out: string, n: number, keepOutput = false): string[] {
  return out.split(`${SEP}\n`).slice(1, n + 1)
    .map((b) => b.split('\n').filter((l) => keepOutput || !/^report /.test(l)).join('\n').replace(/\n$/, ''));
}

function script(setup: string[], commands: string[]): string[] {
  return [...setup, ...commands.flatMap((c) => [`echo ${SEP}\\n`, c]), `echo ${SEP}\\n`];
}

// gdb adds LINES and COLUMNS to the program's environment: drop them so both runs see the same stack
const GDB_PRELUDE = ['set startup-with-shell off', 'set pagination off', 'set width 0', 'set confirm off',
  'unset environment LINES', 'unset environment COLUMNS'];

function gdb(prog: string, setup: string[], commands: string[], target?: string): string[] {
  const lines = [...GDB_PRELUDE, ...(target ? [`target remote ${target}`] : []), ...script(setup, commands), 'kill'];
  const r = spawnSync('sh', ['-c', 'exec gdb "$@" 2>&1', 'sh', '-nx', '-batch', ...lines.flatMap((l) => ['-ex', l]), prog],
    { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' });
  if (r.error) throw r.error;
  return blocks(r.stdout, commands.length);
}

function ours(prog: string, setup: string[], commands: string[], keepOutput = false): string[] {
  // errors go to stderr, as gdb's: merge both streams in order
  const args = [TSDBG, 'run', '--batch', ...script(setup, commands).flatMap((l) => ['-ex', l]), prog];
  const r = spawnSync('sh', ['-c', 'exec node "$@" 2>&1', 'sh', ...args], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return blocks(r.stdout, commands.length, keepOutput);
}

function diffs(commands: string[], mine: string[], theirs: string[]): string[] {
  return commands.flatMap((c, i) => (mine[i] === theirs[i] ? [] : [`(${c})\n  ours: ${mine[i]}\n  gdb:  ${theirs[i]}`]));
}

describe('LocalTarget FP/SSE state', () => {
  it('reads, writes and reads back xmm0, st0 and mxcsr; the program sees the new xmm0', async () => {
    const t = await LocalTarget.spawn(FLOATS, {});
    cleanup.push(() => t.kill());
    let out = '';
    t.on('output', (b) => { out += b.toString(); });
    await t.insertBreakpoint(await symbol(t, FLOATS, 'report'));
    expect((await t.cont()).reason.kind).toBe('breakpoint');

    const area = await t.getFpRegisters();
    expect(area.length).toBe(FXSAVE_SIZE);
    // report(d) on the first pass: d = scale(0.1, 1.5) = 0.2 in xmm0
    expect(readFpRegister(area, 'xmm0').readDoubleLE(0)).toBe(0.2);
    expect(readFpRegister(area, 'fctrl').readUInt32LE(0)).toBe(0x37f);          // the x87 default control word
    expect(readFpRegister(area, 'mxcsr').readUInt32LE(0) & 0x1f80).toBe(0x1f80); // all SSE exceptions masked

    const xmm0 = Buffer.alloc(16);
    xmm0.writeDoubleLE(42.5);
    const st0 = Buffer.alloc(10);                                               // 1.0 in x87 extended precision
    st0.writeBigUInt64LE(1n << 63n);
    st0.writeUInt16LE(0x3fff, 8);
    let changed = writeFpRegister(area, 'xmm0', xmm0);
    changed = writeFpRegister(changed, 'st0', st0);
    changed = writeFpRegister(changed, 'mxcsr', Buffer.from([0x80, 0x1f, 0, 0]));
    await t.setFpRegisters(changed);

    const back = await t.getFpRegisters();
    expect(readFpRegister(back, 'xmm0').readDoubleLE(0)).toBe(42.5);
    expect(readFpRegister(back, 'st0').toString('hex')).toBe(st0.toString('hex'));
    expect(readFpRegister(back, 'mxcsr').readUInt32LE(0)).toBe(0x1f80);
    await expect(t.setFpRegisters(Buffer.alloc(100))).rejects.toThrow(/512 bytes/);

    // report() prints its argument: the value we put in xmm0 at its entry
    await t.removeBreakpoint(await symbol(t, FLOATS, 'report'));
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    expect(out).toContain('report 42.5\r\n');
    expect(out).not.toContain('report 0.20000000000000001');
  });
});

describe('line mode against gdb -batch', () => {
  it('prints x87/SSE registers at -O0 like gdb', () => {
    const setup = ['break report', 'run'];
    const commands = [
      'p $xmm0', 'p $xmm1', 'p $xmm5', 'p $st0', 'p $st6', 'p $st7', 'p $mxcsr', 'p $fctrl', 'p $fstat', 'p $ftag', 'p $fop',
      'p $xmm0.v2_double[0]', 'p $xmm0.v4_float[1]', 'p $xmm0.v16_int8', 'p $xmm0.uint128', 'p/x $xmm0', 'p v',
      'p $xmm0.v4_float[4]', 'ptype $xmm0', 'whatis $st0', 'whatis $xmm0.v2_double', 'whatis $xmm0', 'whatis $xmm0.v4_float[0]',
      'whatis $xmm0.v8_half[0]', 'whatis $xmm0.v8_bfloat16[0]', 'whatis $xmm0.v16_int8[0]', 'whatis $xmm0.uint128', 'whatis $fctrl',
      'ptype $st0', 'ptype $xmm0.v4_float', 'p sizeof($st0)', 'ptype $mxcsr',
      'info registers xmm0', 'info registers st7', 'info registers mxcsr', 'info registers fctrl fop', 'info registers float',
      'set var $xmm1.v2_double[1] = -3.75', 'p $xmm1.v2_double', 'p $xmm1.v8_half',
      'set var $st0 = 2.5', 'p $st0', 'info registers st0',
      'set var $mxcsr = 0x1f80', 'p $mxcsr',
      'up', 'p ld', 'p d', 'p f', 'p $xmm1.v2_double[1]', 'set var $xmm1.v2_double[1] = 8', 'p $xmm1.v2_double',
      'p $ftag = 3', 'p $ftag', 'info registers ftag', 'p $fop = 0x1ff', 'info registers fop', 'p $xmm0.nosuch', 'info registers xmm77',
    ];
    const theirs = gdb(FLOATS, setup, commands);
    expect(theirs[0]).toContain('v2_double = {0.20000000000000001, 0}');   // the stop both sides are at
    expect(theirs[5]).toBe('$6 = 1.5');
    expect(diffs(commands, ours(FLOATS, setup, commands), theirs)).toEqual([]);
  });

  it('prints and sets $ymm registers (xmm low half, AVX upper half) like gdb', () => {
    const setup = ['break report', 'run'];
    const commands = ['ptype $ymm0', 'p $ymm0', 'info registers ymm0', 'whatis $ymm0.v2_int128', 'set var $ymm2.v4_double[3] = 6.5',
      'p $ymm2.v4_double', 'p $xmm2.v2_double', 'set var $xmm2.v2_double[0] = 1', 'p $ymm2.v4_double', 'p $ymm2.v8_float[7] * 2',
      'p $ymm15.v4_double', 'info registers ymm2'];
    const theirs = gdb(FLOATS, setup, commands);
    expect(theirs[8]).toMatch(/^\$\d+ = \{1, .*, 0, 6\.5\}$/);
    expect(diffs(commands, ours(FLOATS, setup, commands), theirs)).toEqual([]);
  });

  it('shows the x87 stack in use (tag word rebuilt from FXSAVE\'s abridged one) and info float like gdb', () => {
    // ld = ld * 3 + 0.5L: two values pushed after fldt, fldt, fmulp, fldt
    const setup = ['break floats.c:39', 'run', 'continue'];
    const commands = ['stepi 4', 'info registers float', 'p $st0', 'p $st1', 'p $st1 * 2', 'p $fstat', 'p $ftag', 'info float',
      'stepi 2', 'info float'];
    const theirs = gdb(FLOATS, setup, commands);
    expect(theirs[1]).toMatch(/^ftag +0xfff /m);
    expect(theirs[7]).toContain('=>R6: Valid   0x3ffe8000000000000000 +0.5');
    expect(diffs(commands, ours(FLOATS, setup, commands), theirs)).toEqual([]);
  });

  it('says "No registers." / "The program has no registers now." before the program runs, as gdb', () => {
    const commands = ['p $xmm0', 'p $st0 + 1', 'info registers xmm0', 'info float', 'info all-registers'];
    const theirs = gdb(FLOATS, [], commands);
    expect(theirs[0]).toBe('No registers.');
    expect(diffs(commands, ours(FLOATS, [], commands), theirs)).toEqual([]);
  });

  it('info registers vector and all-registers list what gdb lists register by register', () => {
    const setup = ['break report', 'run'];
    const vector = Array.from({ length: 16 }, (_, i) => `xmm${i}`).concat('mxcsr');
    const [mine] = ours(FLOATS, setup, ['info registers vector']);
    const [theirs] = gdb(FLOATS, setup, [`info registers ${vector.join(' ')}`]);
    expect(mine).toBe(theirs);
    const [all] = ours(FLOATS, setup, ['info all-registers']);
    // rip, cs, ss: the same in both runs (eflags and stack addresses depend on the environment)
    const [general, float] = gdb(FLOATS, setup, ['info registers rip cs ss', 'info registers float']);
    for (const line of general!.split('\n')) expect(all).toContain(line);
    expect(all).toContain(`${float}\n${theirs}`);
  });

  it('prints a double that lives only in xmm0 at -O2 (DW_OP_reg17)', () => {
    const setup = ['break *scale+12', 'run', 'continue'];
    const commands = ['p y', 'p $xmm0.v2_double[0]', 'info registers xmm0', 'p $xmm1'];
    const mine = ours(FLOATS_O2, setup, commands);
    expect(mine[0]).toMatch(/^\$1 = 0\.7/);     // second pass: (0.1 * 1.5 + 0.25) / 2 * 2.5 + 0.25
    expect(diffs(commands, mine, gdb(FLOATS_O2, setup, commands))).toEqual([]);
  });
});

async function server(kind: 'gdbserver' | 'tsdbg', prog: string): Promise<Spawned> {
  const s = kind === 'gdbserver'
    ? await startListening('gdbserver', ['--once', '127.0.0.1:0', prog])
    : await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '--once', prog]);
  cleanup.push(() => s.stop());
  return s;
}

describe('checkpoints', () => {
  it('rewind restores the x87/SSE registers too, and the program prints the checkpoint\'s xmm0', () => {
    const commands = ['p $xmm0.v2_double[0]', 'set var $xmm0.v2_double[0] = 9.5', 'set var $st7 = 4', 'set var $mxcsr = 0x1f80',
      'rewind start', 'p $xmm0.v2_double[0]', 'p $st7', 'p $mxcsr', 'set var $ymm3.v4_double[3] = 2',
      'checkpoint ymm', 'set var $ymm3.v4_double[3] = 3', 'rewind ymm', 'p $ymm3.v4_double[3]', 'rewind start', 'delete', 'continue'];
    const [before, , , , , after, st7, mxcsr, , , , , ymm, , , cont] = ours(FLOATS, ['break *report', 'run', 'checkpoint start'], commands, true);
    expect(before).toBe('$1 = 0.20000000000000001');
    expect(after).toBe('$2 = 0.20000000000000001');
    expect(st7).toBe('$3 = 1.5');
    expect(mxcsr).toBe('$4 = [ PE IM DM ZM OM UM PM ]');   // PE (set by then) is back after we cleared it
    expect(cont).toContain('report 0.20000000000000001');
    expect(cont).not.toContain('report 9.5');
    expect(ymm).toBe('$5 = 2');   // the AVX upper half of ymm3 is restored too
  });
});

describe('NaNs, infinities and arithmetic on register values', () => {
  it('prints NaN payloads, infinities and float/long double results like gdb', () => {
    const setup = ['break report', 'run'];
    const commands = [
      'set var $xmm3.v4_int32[0] = 0x7fc00001', 'set var $xmm3.v4_int32[1] = 0xffc00000', 'set var $xmm3.v4_int32[2] = 0x7f800000',
      'set var $xmm3.v4_int32[3] = 0xff812345', 'p $xmm3', 'set var $xmm4.v2_int64[0] = 0x7ff8000000000001',
      'set var $xmm4.v2_int64[1] = -1', 'p $xmm4.v2_double', 'p $xmm4.v8_half', 'p $xmm4.v8_bfloat16',
      'set var $xmm5.v2_double[0] = 1e308', 'set var $st1 = $xmm5.v2_double[0] * 10', 'p $st1', 'p -$st1', 'info registers st1',
      'p/f 3', 'p/f $xmm0.v4_int32[1]', 'p/f $xmm0.v2_int64', 'p/f $xmm0.v8_int16[3]', 'p/f $xmm0', 'p/f $xmm3.v4_int32',
      'p/x $xmm0.v2_double', 'p/x $st7', 'p/t $mxcsr',
      'up', 'p ld * 2', 'p -ld', 'p $st7 / 3', 'whatis $st7 / 3', 'p f * 2', 'whatis f * 2', 'p $xmm0.v4_float[1] * 2',
    ];
    const theirs = gdb(FLOATS, setup, commands);
    expect(theirs[4]).toContain('v4_float = {nan(0x400001), -nan(0x400000), inf, -nan(0x12345)}');
    expect(diffs(commands, ours(FLOATS, setup, commands), theirs)).toEqual([]);
  });
});

describe('-O2 doubles computed by typed DWARF expressions', () => {
  it('evaluates DW_OP_regval_type/const_type float arithmetic and xmm call values (x@entry) like gdb', () => {
    // at scale's entry y is `xmm0 * xmm1 + 0.25` (a DWARF 5 typed-stack expression) and factor's
    // entry value is main's xmm1 at the call site
    const setup = ['break floats.c:13', 'run', 'continue'];
    const commands = ['frame', 'p y', 'p x', 'p factor', 'p factor@entry', 'info args', 'info locals', 'bt', 'up', 'p d'];
    const theirs = gdb(FLOATS_O2, setup, commands);
    expect(theirs[1]).toBe('$1 = 0.75');
    expect(diffs(commands, ours(FLOATS_O2, setup, commands), theirs)).toEqual([]);
  });
});

describe('RSP', () => {
  it('gdb sees the same FP/SSE registers through tsdbg serve as through gdbserver, and writes them', async () => {
    const setup = ['break scale', 'continue'];
    const commands = [
      'p $xmm0', 'p $xmm1', 'p $st7', 'info registers mxcsr', 'info registers float', 'p $xmm0.v2_double[0] * 2',
      'set var $xmm1.v2_double[0] = 2.5', 'p $xmm1', 'set var $st7 = -1.5', 'info registers st7', 'p $fctrl',
    ];
    const mine = gdb(FLOATS_O2, setup, commands, `127.0.0.1:${(await server('tsdbg', FLOATS_O2)).port}`);
    const theirs = gdb(FLOATS_O2, setup, commands, `127.0.0.1:${(await server('gdbserver', FLOATS_O2)).port}`);
    expect(mine[0]).toContain('v2_double = {0.10000000000000001, 0}');
    expect(diffs(commands, mine, theirs)).toEqual([]);
  });

  it('serves AVX (ymm0h-ymm15h): gdb sees and sets $ymm1 through tsdbg serve as through gdbserver', async () => {
    const setup = ['break scale', 'continue'];
    const commands = ['p $ymm0', 'p $ymm1.v4_double', 'set var $ymm1.v4_double[3] = 7.5', 'p $ymm1.v4_double', 'info registers ymm1',
      'p $xmm1', 'set var $xmm1.v2_double[0] = 2', 'p $ymm1.v4_double'];
    const mine = gdb(FLOATS_O2, setup, commands, `127.0.0.1:${(await server('tsdbg', FLOATS_O2)).port}`);
    const theirs = gdb(FLOATS_O2, setup, commands, `127.0.0.1:${(await server('gdbserver', FLOATS_O2)).port}`);
    expect(mine[3]).toBe('$3 = {1.5, 0, 0, 7.5}');
    expect(diffs(commands, mine, theirs)).toEqual([]);
  });

  it('tsdbg connect to gdbserver prints $xmm0 and $st0 as the local target does', async () => {
    const commands = ['break scale', 'continue', `echo ${SEP}\\n`, 'p $xmm1', `echo ${SEP}\\n`, 'info registers st7 mxcsr',
      `echo ${SEP}\\n`, 'set var $xmm1.v2_double[0] = 6.25', 'p $xmm1.v2_double', `echo ${SEP}\\n`,
      'set var $ymm1.v4_double[2] = -2.5', 'p $ymm1.v4_double', `echo ${SEP}\\n`, 'kill'];
    const gs = await server('gdbserver', FLOATS_O2);
    const remote = await new Promise<string>((resolve, reject) => {
      const child = spawn('node', [TSDBG, 'connect', '--batch', ...commands.flatMap((c) => ['-ex', c]), `127.0.0.1:${gs.port}`],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tsdbg connect timed out:\n${out}`)); }, SESSION_MS);
      child.on('exit', () => { clearTimeout(timer); resolve(out); });
    });
    const r = blocks(remote, 4);
    const local = ours(FLOATS_O2, ['break scale', 'run'], ['p $xmm1', 'info registers st7 mxcsr', 'set var $xmm1.v2_double[0] = 6.25', 'p $xmm1.v2_double']);
    expect(r[0]).toContain('v2_double = {1.5, 0}');
    expect(r[0]).toBe(local[0]);
    expect(r[1]).toBe(local[1]);
    expect(r[2]).toBe('$2 = {6.25, 0}');
    expect(local[3]).toBe(r[2]);
    expect(r[3]).toBe('$3 = {6.25, 0, -2.5, 0}');   // ymm1 = xmm1 (written above) : ymm1h through gdbserver's AVX registers
  });
});
