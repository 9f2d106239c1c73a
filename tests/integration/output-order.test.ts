/**
 * What a program writes before it stops is shown before the stop: in
 * `tsdbg run` before "Breakpoint 1, ..." / "Program received signal ...",
 * and through `tsdbg serve` as O packets ahead of the stop reply, so gdb
 * prints it before its own stop line. 200 stops per run: an ordering that
 * only holds when the event loop happens to be quick fails here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture, symbol } from '../fixtures/programs.js';
import { LocalTarget } from '../../src/target/local.js';
import { ROOT, startListening, type Spawned } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const ROUNDS = 200;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

/**
 * Every stop line must come right after the program's line of the same
 * round: the k-th stop follows exactly k+1 "round" lines, the last "round k".
 */
function expectOrdered(out: string, stopLine: RegExp): void {
  const lines = out.split(/\r?\n/);
  let rounds = 0;
  let last = '';
  let stops = 0;
  for (const l of lines) {
    if (/^round \d+$/.test(l)) { rounds++; last = l; continue; }
    if (!stopLine.test(l)) continue;
    expect({ stop: stops, rounds, last }, `stop ${stops} came before its output`)
      .toEqual({ stop: stops, rounds: stops + 1, last: `round ${stops}` });
    stops++;
  }
  expect(stops).toBe(ROUNDS);
  expect(rounds).toBe(ROUNDS);
  expect(out.indexOf('done')).toBeGreaterThan(out.lastIndexOf(`round ${ROUNDS - 1}`));
  expect(out).toMatch(/done\r?\n(?:.*\n)*?\[Inferior 1 \(process \d+\) exited normally\]/);
}

function tsdbgRun(mode: 'break' | 'signal'): string {
  const commands = ['break mark', `run ${ROUNDS} ${mode}`, ...Array<string>(ROUNDS).fill('continue')];
  const r = spawnSync('node', [TSDBG, 'run', '--batch', fixture('output_order')], {
    input: `${commands.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT,
  });
  // nothing but, as gdb, the missing C library source file where the signal stops land
  expect(r.stderr.split('\n').filter((l) => l && !/^\d+\t\S+: No such file or directory\.$/.test(l))).toEqual([]);
  return r.stdout;
}

describe('program output before the stop', () => {
  it('LocalTarget: a line written just before a breakpoint is emitted before the stop', async () => {
    const prog = fixture('output_order');
    const t = await LocalTarget.spawn(prog, { args: [String(ROUNDS)] });
    cleanup.push(() => t.kill());
    let out = '';
    const lastLineAtStop: string[] = [];
    t.on('output', (b) => { out += b.toString('latin1'); });
    t.on('stop', () => { lastLineAtStop.push(out.slice(out.lastIndexOf('round'))); });
    await t.insertBreakpoint(symbol(prog, 'mark'));
    for (let i = 0; i < ROUNDS; i++) expect((await t.cont()).reason.kind).toBe('breakpoint');
    expect(lastLineAtStop).toEqual(Array.from({ length: ROUNDS }, (_, i) => `round ${i}\r\n`));
  });

  it('LocalTarget: every byte written before a stop is emitted before it, once, in order', async () => {
    const prog = fixture('output_order');
    const t = await LocalTarget.spawn(prog, { args: ['4', 'big'] });
    cleanup.push(() => t.kill());
    let out = '';
    const atStop: string[] = [];
    t.on('output', (b) => { out += b.toString('latin1'); });
    t.on('stop', () => { atStop.push(out); });
    await t.insertBreakpoint(symbol(prog, 'mark'));
    for (let i = 0; i < 4; i++) expect((await t.cont()).reason.kind).toBe('breakpoint');
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    // 4 rounds of 3000 numbered lines and a round line, each complete at its stop
    const expected = (rounds: number) => Array.from({ length: rounds }, (_, i) =>
      [...Array.from({ length: 3000 }, (_, j) => `line ${i}.${String(j).padStart(4, '0')}\r\n`), `round ${i}\r\n`].join('')).join('');
    atStop.slice(0, 4).forEach((seen, i) => expect(seen === expected(i + 1), `output at stop ${i}`).toBe(true));
    expect(out).toBe(`${expected(4)}done\r\n`);
  });

  it('tsdbg run: each line before its breakpoint stop', () => {
    expectOrdered(tsdbgRun('break'), /^Breakpoint 1, /);
  });

  it('tsdbg run: each line before its signal stop', () => {
    expectOrdered(tsdbgRun('signal'), /^Program received signal SIGUSR1, /);
  });

  it('tsdbg serve: gdb prints each line before its breakpoint stop', async () => {
    const s: Spawned = await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', fixture('output_order'), String(ROUNDS)]);
    cleanup.push(() => s.stop());
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-order-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const script = path.join(dir, 'cmds.gdb');
    writeFileSync(script, [
      'set confirm off', 'set width 0', 'set height 0', `target remote 127.0.0.1:${s.port}`,
      'break mark', 'set $n = 0', `while $n < ${ROUNDS + 1}`, 'continue', 'set $n = $n + 1', 'end', '',
    ].join('\n'));
    // gdb's stdout and stderr into one file, in the order gdb wrote them
    const outFile = path.join(dir, 'out');
    const fd = openSync(outFile, 'w');
    const child = spawn('gdb', ['-batch', '-nx', '-x', script, fixture('output_order')], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), SESSION_MS);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    const out = readFileSync(outFile, 'utf8');
    expect(code, out).not.toBeNull();
    expectOrdered(out, /^Breakpoint 1, /);
  });
});

describe('program output before thread events', () => {
  it('tsdbg run: a worker\'s lines come before its "[Thread ... exited]"', () => {
    const r = spawnSync('node', [TSDBG, 'run', '--batch', path.join(ROOT, 'examples/bin/threads')], {
      input: 'run\n', encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL',
    });
    const lines = r.stdout.split(/\r?\n/);
    const exits = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\[Thread 0x[0-9a-f]+ \(LWP \d+\) exited\]$/.test(l));
    expect(exits).toHaveLength(3);
    // a worker prints its round 3 before it ends: the k-th exit line follows at least k+1 of them
    exits.forEach(([, i], k) => {
      const finished = lines.slice(0, i).filter((l) => /^worker \d round 3 /.test(l)).length;
      expect(finished, r.stdout).toBeGreaterThanOrEqual(k + 1);
    });
  });
});
