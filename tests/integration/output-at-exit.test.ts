/**
 * What a program writes right before it exits is all shown, before the exit
 * report ("[Inferior 1 (process N) exited normally]", gdb's W packet through
 * `tsdbg serve`). When the process ends, the pty still holds the tail of its
 * output; libuv, reading the pty master, takes the hangup for the end of the
 * stream (libuv#4992) and Node closes its descriptor, so that tail was lost
 * (see LocalTarget.openPty). exit_burst writes 64 KiB in one write() and
 * exits at once, or three threads each write a block and the last to finish
 * calls exit(): most such runs lost a few KiB, so a handful of runs each
 * catches it. Content is checked, not timing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { LocalTarget } from '../../src/target/local.js';
import { gdbBatch, requireFreshServerBuild, ROOT, startListening } from './rsp-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
/** exit_burst's line length (see tests/fixtures/exit_burst.c). */
const LINE = 32;
/** [KiB per writer, threads (0: the main thread writes alone)], one entry a run. */
const RUNS: Array<[number, number]> = [[64, 0], [24, 3], [64, 0], [24, 3]];
/** Not anchored: the line of a program's output cut short ends right where the report begins. */
const EXITED = /\[Inferior 1 \(process \d+\) exited normally\]\r?\n/;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

/**
 * The program's lines in `out` are exactly exit_burst's for one run: every
 * writer's numbered lines, all of them, in order (writers may interleave).
 * Lines that are not the program's (the debugger's own) are ignored.
 */
function expectBurst(out: string, kib: number, threads: number, what: string): void {
  const ids = threads === 0 ? [0] : Array.from({ length: threads }, (_, i) => i + 1);
  const seen = new Map<number, number[]>(ids.map((id) => [id, []]));
  for (const line of out.split(/\r?\n/)) {
    const m = /^t(\d+) (\d{5}) x+$/.exec(line);
    if (m) (seen.get(Number(m[1])) ?? []).push(Number(m[2]));
  }
  const count = (kib * 1024) / LINE;
  for (const id of ids) {
    const got = seen.get(id)!;
    const firstWrong = got.findIndex((n, i) => n !== i);
    expect({ what, writer: id, lines: got.length, firstWrong }).toEqual({ what, writer: id, lines: count, firstWrong: -1 });
  }
}

describe('program output written right before the exit', () => {
  it('LocalTarget: all of it is emitted before the exit stop, run after run', async () => {
    const prog = fixture('exit_burst');
    for (let run = 0; run < 12; run++) {
      const [kib, threads] = RUNS[run % RUNS.length]!;
      const t = await LocalTarget.spawn(prog, { args: [String(kib), String(threads)] });
      cleanup.push(() => t.kill());
      let out = '';
      let atExit: string | undefined;
      t.on('output', (b) => { out += b.toString('latin1'); });
      t.on('stop', (ev) => { if (ev.reason.kind === 'exited') atExit = out; });
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
      expect(atExit, 'the exit was reported').toBeDefined();
      expectBurst(atExit!, kib, threads, `run ${run}`);
    }
  });

  it('tsdbg run: all of it comes before "[Inferior 1 (process N) exited normally]"', () => {
    const r = spawnSync('node', [TSDBG, 'run', '--batch', fixture('exit_burst')], {
      input: RUNS.map(([kib, threads]) => `run ${kib} ${threads}\n`).join(''), encoding: 'utf8', timeout: 120_000, cwd: ROOT,
    });
    expect(r.stderr).toBe('');
    const parts = r.stdout.split(EXITED);
    expect(parts, r.stdout.slice(-2000)).toHaveLength(RUNS.length + 1);
    RUNS.forEach(([kib, threads], i) => expectBurst(parts[i]!, kib, threads, `run ${i}`));
  });

  it('tsdbg serve: gdb prints all of it (O packets) before the exit (W)', async () => {
    requireFreshServerBuild();
    // no program: extended-remote, where gdb runs it again and again
    const s = await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0']);
    cleanup.push(() => s.stop());
    const prog = fixture('exit_burst');
    const out = await gdbBatch(`target extended-remote 127.0.0.1:${s.port}`,
      [`set remote exec-file ${prog}`, ...RUNS.map(([kib, threads]) => `run ${kib} ${threads}`)], prog);
    const parts = out.split(EXITED);
    expect(parts, out.slice(-2000)).toHaveLength(RUNS.length + 1);
    RUNS.forEach(([kib, threads], i) => expectBurst(parts[i]!, kib, threads, `run ${i}`));
  });

  it('tsdbg connect to tsdbg serve: all of it before the exit report', async () => {
    requireFreshServerBuild();
    const prog = fixture('exit_burst');
    for (const [kib, threads] of RUNS.slice(0, 2)) {
      const s = await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '--once', prog, String(kib), String(threads)]);
      cleanup.push(() => s.stop());
      const child = spawn('node', [TSDBG, 'connect', '--batch', '-ex', 'continue', `127.0.0.1:${s.port}`, prog], { stdio: ['ignore', 'pipe', 'pipe'] });
      cleanup.push(async () => { child.kill('SIGKILL'); });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, out.slice(-2000)).toBe(0);
      const parts = out.split(EXITED);
      expect(parts, out.slice(-2000)).toHaveLength(2);
      expectBurst(parts[0]!, kib, threads, `${kib} KiB, ${threads} threads`);
    }
  });
});
