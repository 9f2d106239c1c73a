/**
 * bench/target.ts - LocalTarget and the snapshot engine against their
 * baselines, measured in the same run on the same programs:
 *
 *  1. breakpoint hit round trip (cont -> stop at tick() -> cont ...) and
 *     stepi, tsdbg's LocalTarget vs gdb in batch mode
 *     (`commands / silent / continue / end` and `stepi N`);
 *  2. a snapshot through the selected engine vs a bare process_vm_readv of
 *     the same length (and a PTRACE_PEEKDATA loop), 4 KiB, 64 KiB, 1 MiB.
 *
 * Run: npm run build && node dist/bench/target.js [--hits N] [--steps N] [--reps R]
 * The round trips are measured R times (default 3), tsdbg and gdb alternating,
 * so both see the same load; the median is the estimate, the runs the spread.
 * Prints one table; ratios < 1 mean tsdbg is faster.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalTarget } from '../src/target/local.js';
import { native } from '../src/target/native.js';
import { engineProvider } from '../src/snapshot/select.js';
import { median, record } from './record.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the tsdbg checkout');
    dir = up;
  }
  return dir;
}

const ROOT = findRoot();
const FIXTURES = join(ROOT, 'tests', 'fixtures');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function symbol(binary: string, name: string): bigint {
  const line = execFileSync('nm', [binary]).toString().split('\n').find((l) => l.trim().endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${binary}`);
  return BigInt('0x' + line.trim().split(/\s+/)[0]);
}

const now = (): number => Number(process.hrtime.bigint()) / 1000;   // µs

// ------------------------------------------------------------ gdb baseline

/** Wall time of a gdb batch run of `script` on `prog args`, in µs. */
function gdbRun(script: string, prog: string, args: string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-bench-'));
  const file = join(dir, 'script.gdb');
  writeFileSync(file, script);
  const t0 = now();
  const r = spawnSync('gdb', ['-nx', '-batch', '-x', file, '--args', prog, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const dt = now() - t0;
  if (r.status !== 0) throw new Error(`gdb failed: ${r.stderr.toString().trim().split('\n').pop()}`);
  return dt;
}

/** gdb µs per breakpoint hit: the difference between n and 0 hits removes startup costs. */
function gdbPerHit(prog: string, n: number): number {
  const script = 'set pagination off\nset confirm off\nbreak tick\ncommands\nsilent\ncontinue\nend\nrun\n';
  const base = Math.min(gdbRun(script, prog, ['0']), gdbRun(script, prog, ['0']));
  const full = gdbRun(script, prog, [String(n)]);
  return (full - base) / n;
}

function gdbPerStepi(prog: string, n: number): number {
  const script = (k: number) => `set pagination off\nset confirm off\nbreak main\nrun\nstepi ${k}\nkill\n`;
  const base = Math.min(gdbRun(script(1), prog, ['1000000000']), gdbRun(script(1), prog, ['1000000000']));
  const full = gdbRun(script(n + 1), prog, ['1000000000']);
  return (full - base) / n;
}

// ------------------------------------------------------------ tsdbg

async function tsdbgPerHit(prog: string, n: number): Promise<number> {
  const t = await LocalTarget.spawn(prog, { args: [String(n + 100)], pty: false });
  try {
    await t.insertBreakpoint(symbol(prog, 'tick'));
    for (let i = 0; i < 100; i++) await t.cont();          // warm up
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const ev = await t.cont();
      if (ev.reason.kind !== 'breakpoint') throw new Error(`unexpected stop ${ev.reason.kind}`);
    }
    return (now() - t0) / n;
  } finally {
    await t.kill();
  }
}

async function tsdbgPerStepi(prog: string, n: number): Promise<number> {
  const t = await LocalTarget.spawn(prog, { args: ['1000000000'], pty: false });
  try {
    await t.insertBreakpoint(symbol(prog, 'main'));
    await t.cont();
    for (let i = 0; i < 100; i++) await t.step();
    const t0 = now();
    for (let i = 0; i < n; i++) await t.step();
    return (now() - t0) / n;
  } finally {
    await t.kill();
  }
}

// ------------------------------------------------------------ snapshots

interface SnapRow { size: string; engine: string; engineUs: number; readvUs: number; peekUs: number; engineSamples: number[]; readvSamples: number[] }

/**
 * Per-call µs of two operations, timed in alternating batches so that the
 * load of a shared machine hits both alike; the median batch of each.
 */
async function timePair(a: () => unknown, b: () => unknown, inner: number, reps = 31): Promise<[number, number, number[], number[]]> {
  const sa: number[] = [];
  const sb: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = now();
    for (let i = 0; i < inner; i++) await a();
    sa.push((now() - t0) / inner);
    t0 = now();
    for (let i = 0; i < inner; i++) await b();
    sb.push((now() - t0) / inner);
  }
  return [median(sa), median(sb), sa, sb];
}

async function snapshotBench(): Promise<SnapRow[]> {
  const prog = join(FIXTURES, 'bin', 'snap_victim');
  const t = await LocalTarget.spawn(prog, { pty: false, snapshots: engineProvider('auto') });
  try {
    await t.insertBreakpoint(symbol(prog, 'ready'));
    await t.cont();
    const engine = t.capabilities.snapshots!;
    const big = (await t.readMemory(symbol(prog, 'g_big'), 8)).readBigUInt64LE();
    await t.writeMemory(big, Buffer.alloc(2 << 20, 0x11));   // fault the pages in: both sides read real memory
    const rows: SnapRow[] = [];
    for (const [size, len] of [['4 KiB', 4096], ['64 KiB', 65536], ['1 MiB', 1 << 20]] as const) {
      const inner = Math.max(4, Math.floor((4 << 20) / len));
      const buf = Buffer.alloc(len);
      const readv = () => native.vmRead(t.pid, big, buf);
      const snap = () => engine.snapshot(big, len);
      await timePair(readv, snap, inner, 3);                  // warm up: JIT, map cache, buffer reuse
      const [readvUs, engineUs, readvSamples, engineSamples] = await timePair(readv, snap, inner);
      const [peekUs] = await timePair(() => native.peekRead(t.pid, big, buf), readv, Math.max(2, inner >> 6), 3);
      await engine.clear();
      rows.push({ size, engine: engine.name, engineUs, readvUs, peekUs, engineSamples, readvSamples });
    }
    return rows;
  } finally {
    await t.kill();
  }
}

// ------------------------------------------------------------ main

async function main(): Promise<void> {
  const hits = arg('--hits', 5000);
  const steps = arg('--steps', 5000);
  const reps = Math.max(1, arg('--reps', 3));
  execFileSync('make', ['-s', '-C', FIXTURES], { stdio: 'inherit' });
  const prog = join(FIXTURES, 'bin', 'target_basic');

  const samples = { oursHit: [] as number[], oursStep: [] as number[], gdbHit: [] as number[], gdbStep: [] as number[] };
  for (let r = 0; r < reps; r++) {
    samples.oursHit.push(await tsdbgPerHit(prog, hits));
    samples.gdbHit.push(gdbPerHit(prog, hits));
    samples.oursStep.push(await tsdbgPerStepi(prog, steps));
    samples.gdbStep.push(gdbPerStepi(prog, steps));
  }
  const oursHit = median(samples.oursHit);
  const oursStep = median(samples.oursStep);
  const gdbHit = median(samples.gdbHit);
  const gdbStep = median(samples.gdbStep);
  const snaps = await snapshotBench();

  const f = (us: number) => (us > 0 ? `${us.toFixed(1).padStart(8)} µs` : '   noise');
  // gdb's per-event cost is a difference of two runs: too few events and its start-up jitter wins.
  const ratio = (ours: number, base: number) => (base > 0 ? (ours / base).toFixed(2) : 'n/a (raise --hits/--steps)');
  const lines = [
    `tsdbg LocalTarget vs gdb ${execFileSync('gdb', ['--version']).toString().split('\n')[0]!.replace(/^GNU gdb /, '')} (batch), ${prog.replace(ROOT + '/', '')}`,
    `  breakpoint hit round trip (${hits} hits): tsdbg ${f(oursHit)}   gdb ${f(gdbHit)}   ratio ${ratio(oursHit, gdbHit)}`,
    `  stepi                     (${steps} steps): tsdbg ${f(oursStep)}   gdb ${f(gdbStep)}   ratio ${ratio(oursStep, gdbStep)}`,
    `snapshot through the ${snaps[0]!.engine} engine vs a bare process_vm_readv of the same length (goal: ratio <= 1.20)`,
    ...snaps.map((r) =>
      `  ${r.size.padEnd(7)} engine ${f(r.engineUs)}   process_vm_readv ${f(r.readvUs)}   ratio ${(r.engineUs / r.readvUs).toFixed(2)}   PEEKDATA loop ${f(r.peekUs)} (${(r.peekUs / r.readvUs).toFixed(0)}x readv)`),
  ];
  if (snaps[0]!.engine !== 'kernel') {
    lines.push(`  (this kernel, ${release()}, has no PTRACE_SNAPSHOT: \`tsdbg vm run -- node dist/bench/target.js\` measures the kernel engine in the guest)`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  const group = 'Round trips: LocalTarget against gdb';
  const note = `tsdbg: mean over the run after 100 warm-up events; gdb: the difference between a run of N events and one of none; median of ${reps} alternating runs`;
  for (const [name, ours, base, oursAll, baseAll] of [
    ['breakpoint hit', oursHit, gdbHit, samples.oursHit, samples.gdbHit], ['stepi', oursStep, gdbStep, samples.oursStep, samples.gdbStep]] as const) {
    if (base > 0) record({ bench: 'target', group, name, unit: 'us', ours: { name: 'tsdbg LocalTarget', value: ours, samples: oursAll }, baseline: { name: 'gdb 13 (batch)', value: base, samples: baseAll }, note });
    else record({ bench: 'target', group, name, notMeasured: 'gdb\'s slope drowned in noise at this run length' });
  }
  for (const r of snaps) {
    record({ bench: 'target', group: 'Snapshot through the engine against process_vm_readv (through koffi)', name: r.size, unit: 'us',
      ours: { name: `${r.engine} engine`, value: r.engineUs, samples: r.engineSamples }, baseline: { name: 'process_vm_readv', value: r.readvUs, samples: r.readvSamples },
      goal: { text: 'engine snapshot within 1.20x process_vm_readv', pass: r.engineUs / r.readvUs <= 1.2 }, note: 'median of 31 alternating batches' });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/target: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
