/**
 * Checkpoints against gdb's, in one run on one program (examples/bin/ckpt_heap:
 * a heap of N MiB, every page touched, one page written between stops at
 * tick()):
 *
 *   rewind           one rewind after the program wrote one page, timed alone
 *                    (CheckpointManager on a LocalTarget), beside the engine's
 *                    bare one-page restore (one process_vm_writev: the floor);
 *                    incremental (the method this kernel offers) and full copy;
 *                    then as commands: `rewind` against `restore` of a one-page
 *                    snapshot of the page the program wrote (the goal's ratio);
 *   cycle            `checkpoint`, `continue`, `rewind` through the command
 *                    layer (Session.execute), the previous checkpoint deleted
 *                    each time so one is held, against gdb 13's fork-based
 *                    `checkpoint`, `continue`, `restart N` in batch mode (its
 *                    per-cycle cost is the slope between two script lengths, so
 *                    start-up cancels out). Both are means over CYCLES cycles,
 *                    repeated REPS times; the fastest repetition is the estimate
 *                    (as bench/cli: noise on a shared machine only adds time).
 *
 * Goals (issue 16): rewind of 64 MiB with one page changed under 10x a one-page
 * restore; the cycle at least 10x faster than gdb's. Each prints PASS or FAIL.
 *
 *   node dist/bench/checkpoint.js [MiB,...] [CYCLES]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from '../src/commands/session.js';
import { localLauncher } from '../cli/run/launcher.js';
import { LocalTarget } from '../src/target/local.js';
import { CheckpointManager } from '../src/snapshot/checkpoint.js';
import { selectEngine } from '../src/snapshot/select.js';
import type { MethodChoice } from '../src/snapshot/dirty.js';
import { record } from './record.js';

const PROG = fileURLToPath(new URL('../../examples/bin/ckpt_heap', import.meta.url));
const ROUNDS = '1000000';
const PAGE = 4096;

/** Repetitions of each cyclic measurement: the fastest is the estimate (noise on a shared machine only adds time), all of them the spread. */
const REPS = 3;
const micros = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

/** tick()'s address in the running (PIE) program: nm's offset plus the load address. */
async function tickAddress(t: LocalTarget): Promise<bigint> {
  const line = spawnSync('nm', [PROG], { encoding: 'utf8' }).stdout.split('\n').find((l) => / T tick$/.test(l));
  if (!line) throw new Error('no tick in ckpt_heap');
  const base = (await t.memoryMap()).find((m) => m.path === PROG && m.offset === 0n)!.start;
  return base + BigInt(`0x${line.split(' ')[0]}`);
}

interface RewindTimes {
  method: string;
  take: number[];
  rewind: number[];
  restoredBytes: number;
  onePage: number[];
}

/** Rewinds after one page written, timed one by one; and the engine's one-page restore as the baseline. */
async function rewindTimes(mib: number, method: MethodChoice, n: number): Promise<RewindTimes> {
  const t = await LocalTarget.spawn(PROG, { args: [String(mib), ROUNDS], pty: false });
  try {
    await t.insertBreakpoint(await tickAddress(t));
    await t.cont();
    const engine = selectEngine(t);
    const m = new CheckpointManager(t, engine, () => []);
    m.methodChoice = method;
    m.bufferLimit = Infinity;
    const out: RewindTimes = { method: '', take: [], rewind: [], restoredBytes: 0, onePage: [] };
    let t0 = process.hrtime.bigint();
    await m.take('first');
    out.take.push(micros(t0));
    out.method = m.methodText() ?? '?';
    for (let i = 0; i < n; i++) {
      await t.cont();
      t0 = process.hrtime.bigint();
      const r = await m.rewind(undefined, false);
      out.rewind.push(micros(t0));
      out.restoredBytes = r.restoredBytes;
    }
    // a second checkpoint after one page written: the incremental take
    await t.cont();
    t0 = process.hrtime.bigint();
    await m.take('second');
    out.take.push(micros(t0));
    // one page restored by the engine: the floor a rewind is measured against
    const heap = (await t.memoryMap()).find((x) => x.perms.startsWith('rw') && x.end - x.start >= BigInt(mib) << 20n)!;
    m.forget();
    await engine.clear();
    for (let i = 0; i < n; i++) {
      await engine.snapshot(heap.start, PAGE);
      t0 = process.hrtime.bigint();
      await engine.restore(heap.start);
      out.onePage.push(micros(t0));
    }
    return out;
  } finally {
    await t.kill();
  }
}

interface SessionTimes {
  /** checkpoint, delete the previous one, continue, rewind: microseconds per cycle, the mean of each of REPS blocks of cycles. */
  cycle: number[];
  /** `rewind` after one page written. */
  rewind: number[];
  /** `restore` of a one-page snapshot after the page was written. */
  restore: number[];
}

/** The same operations as a user types them, through the command layer. */
async function sessionTimes(mib: number, method: MethodChoice, n: number): Promise<SessionTimes> {
  const s = new Session({ launcher: localLauncher, exePath: PROG, args: [String(mib), ROUNDS], launch: { aslr: false } });
  const run = async (line: string) => {
    const t0 = process.hrtime.bigint();
    const r = await s.execute(line);
    if (!r.ok) throw new Error(`${line}: ${r.error}`);
    return micros(t0);
  };
  try {
    for (const line of ['set checkpoint-limit unlimited', `set checkpoint-method ${method}`, 'break tick', 'run', 'checkpoint c0']) await run(line);
    const out: SessionTimes = { cycle: [], rewind: [], restore: [] };
    let k = 0;
    for (let rep = 0; rep < REPS; rep++) {
      let total = 0;
      for (let i = 0; i < n; i++, k++) {
        total += await run(`checkpoint c${k + 1}`) + await run(`checkpoint delete c${k}`) + await run('continue') + await run('rewind');
      }
      out.cycle.push(total / n);
    }
    for (let i = 0; i < n; i++) {
      await run('continue');
      out.rewind.push(await run('rewind'));
    }
    // the page the next round writes: heap + (round * 7 pages + 100) % size, as ckpt_heap.c
    for (let i = 0; i < n; i++) {
      await run('snapshot (heap + ((round + 1) * 4096 * 7 + 100) % heap_len - 100) 4096');
      await run('continue');
      out.restore.push(await run('restore (heap + (round * 4096 * 7 + 100) % heap_len - 100)'));
    }
    return out;
  } finally {
    await s.shutdown();
  }
}

function gdbSeconds(dir: string, mib: number, cycles: number): number {
  const script = join(dir, `cycle-${cycles}.gdb`);
  const lines = ['break tick', 'run'];
  for (let i = 1; i <= cycles; i++) lines.push('checkpoint', 'continue', `restart ${i}`);
  writeFileSync(script, [...lines, 'kill', ''].join('\n'));
  const t0 = process.hrtime.bigint();
  const r = spawnSync('gdb', ['-batch', '-nx', '-x', script, '--args', PROG, String(mib), ROUNDS], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 || !r.stdout.includes(`Switching to`)) throw new Error(`gdb failed: ${(r.stderr || r.stdout).split('\n')[0]}`);
  return secs;
}

/** gdb's microseconds per cycle: slopes between a short and a long script, each rep one sample. */
function gdbCycle(mib: number, n: number, reps: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-bench-'));
  try {
    const small = Math.max(1, Math.floor(n / 4));
    gdbSeconds(dir, mib, small);      // warm the page cache
    const out: number[] = [];
    for (let i = 0; i < reps; i++) out.push(((gdbSeconds(dir, mib, n) - gdbSeconds(dir, mib, small)) * 1e6) / (n - small));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;

export async function main(argv: string[]): Promise<void> {
  const sizes = (argv[0] ?? '1,16,64').split(',').map(Number);
  const cycles = Number(argv[1] ?? 20);
  const w = (s: string) => process.stdout.write(`${s}\n`);
  w(`checkpoints vs ${spawnSync('gdb', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}: examples/bin/ckpt_heap, one page written between stops; medians (min-max) of ${cycles}`);
  for (const mib of sizes) {
    const inc = await rewindTimes(mib, 'auto', cycles);
    const full = await rewindTimes(mib, 'full', cycles);
    const floor = median(inc.onePage);
    w(`\n${mib} MiB heap`);
    w(`  one-page restore (engine)      ${ms(floor)} (${spread(inc.onePage)} us)`);
    for (const r of [inc, full]) {
      w(`  ${r.method.slice(0, 44).padEnd(44)} first checkpoint ${ms(r.take[0]!)}, next ${ms(r.take[1]!)}; ` +
        `rewind ${ms(median(r.rewind))} (${spread(r.rewind)} us), ${r.restoredBytes} bytes written = ${(median(r.rewind) / floor).toFixed(1)}x one-page restore`);
    }
    const ours = await sessionTimes(mib, 'auto', cycles);
    const oursFull = await sessionTimes(mib, 'full', Math.min(cycles, 5));
    // a slope that is not positive means the noise outweighed the work: left out (none left: inconclusive)
    const gdb = gdbCycle(mib, cycles, REPS).filter((x) => x > 0);
    const ratio = gdb.length ? Math.min(...gdb) / Math.min(...ours.cycle) : NaN;
    const rewindRatio = median(ours.rewind) / median(ours.restore);
    w(`  commands: rewind ${ms(median(ours.rewind))} (${spread(ours.rewind)} us), full copy ${ms(median(oursFull.rewind))}; ` +
      `restore of a one-page snapshot ${ms(median(ours.restore))} (${spread(ours.restore)} us): rewind = ${rewindRatio.toFixed(1)}x one-page restore`);
    const gdbText = gdb.length ? `gdb ${ms(Math.min(...gdb))} (${spread(gdb)} us): tsdbg ${ratio.toFixed(1)}x faster than gdb`
      : 'gdb inconclusive (the noise outweighed the difference between script lengths; rerun when it is quieter)';
    w(`  cycle (mean of ${cycles}, fastest of ${REPS}): tsdbg ${ms(Math.min(...ours.cycle))} (${spread(ours.cycle)} us), full copy ${ms(Math.min(...oursFull.cycle))}, ${gdbText}`);
    const goalHere = mib === 64 || sizes.length === 1;
    const size = `${mib} MiB heap`;
    record({ bench: 'checkpoint', group: 'Checkpoints: rewind with one page changed, against a one-page restore', name: size, bytes: mib << 20, unit: 'us',
      ours: { name: `rewind (${inc.method})`, value: median(ours.rewind), samples: ours.rewind },
      baseline: { name: 'restore of a one-page snapshot', value: median(ours.restore), samples: ours.restore },
      ...(goalHere ? { goal: { text: 'rewind of 64 MiB with one page changed under 10x a one-page restore', pass: rewindRatio < 10 } } : {}),
      note: `commands through the session; medians of ${cycles}` });
    if (gdb.length) {
      record({ bench: 'checkpoint', group: 'Checkpoints: checkpoint-continue-rewind cycle, against gdb checkpoint-continue-restart', name: size, bytes: mib << 20, unit: 'us',
        ours: { name: 'tsdbg checkpoint/continue/rewind', value: Math.min(...ours.cycle), samples: ours.cycle },
        baseline: { name: 'gdb 13 checkpoint/continue/restart', value: Math.min(...gdb), samples: gdb },
        ...(goalHere ? { goal: { text: 'cycle at least 10x faster than gdb (time ratio at most 0.10)', pass: ratio >= 10, ratio: 1 / ratio } } : {}),
        note: `means of ${cycles} cycles, fastest of ${REPS}; gdb: slope between two script lengths` });
    } else record({ bench: 'checkpoint', group: 'Checkpoints: checkpoint-continue-rewind cycle, against gdb checkpoint-continue-restart', name: size, notMeasured: 'gdb inconclusive: the noise outweighed the difference between script lengths', ...(goalHere ? { goal: 'cycle at least 10x faster than gdb (time ratio at most 0.10)' } : {}) });
    if (goalHere) {
      w(`  goal: rewind with one page changed under 10x a one-page restore (commands): ${rewindRatio.toFixed(1)}x ${verdict(rewindRatio < 10)}`);
      w(`  goal: checkpoint-continue-rewind at least 10x faster than gdb's checkpoint-continue-restart: ${Number.isNaN(ratio) ? 'inconclusive' : `${ratio.toFixed(1)}x`} ${verdict(ratio >= 10)}`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench/checkpoint: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
