/**
 * Cost of the command layer against gdb, measured in the same run on the same
 * program (examples/bin/hot_loop, whose step() is called once per iteration):
 *
 *   breakpoint hit   `continue` with a breakpoint on step(), through
 *                    Session.execute() (parse, resume, classify, report);
 *   stepi            `stepi` commands, each printing its frame line;
 *   commands hit     a breakpoint whose `commands` list is `silent` +
 *                    `continue` (gdb's fastest scripted loop), N hits
 *                    of a program that calls step() N times.
 *
 * gdb runs in batch mode on a generated script; its per-command cost is the
 * slope between two script lengths, so its start-up and symbol loading cancel
 * out. tsdbg is timed around the command loop in this process.
 *
 * The whole comparison runs ROUNDS times (default 3), tsdbg and gdb
 * alternating; each row's estimate is the median round, the rounds its spread.
 *
 *   node dist/bench/cli.js [HITS] [STEPS] [ROUNDS]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from '../src/commands/session.js';
import { localLauncher } from '../cli/run/launcher.js';
import { median, record } from './record.js';

const PROG = fileURLToPath(new URL('../../examples/bin/hot_loop', import.meta.url));
const LOOP_ARG = '100000000';

async function tsdbgPerCommand(setup: string[], command: string, n: number): Promise<number> {
  const s = new Session({ launcher: localLauncher, exePath: PROG, args: [LOOP_ARG], launch: { aslr: false } });
  try {
    for (const line of setup) {
      const r = await s.execute(line);
      if (!r.ok) throw new Error(`${line}: ${r.error}`);
    }
    // Warm up the JIT and the caches the way a user's session would be.
    for (let i = 0; i < Math.min(200, n / 10); i++) await s.execute(command);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = await s.execute(command);
      if (!r.ok) throw new Error(`${command}: ${r.error}`);
    }
    return Number(process.hrtime.bigint() - t0) / 1000 / n;
  } finally {
    await s.shutdown();
  }
}

function gdbSeconds(dir: string, setup: string[], command: string, n: number): number {
  const script = join(dir, `cmds-${n}.gdb`);
  writeFileSync(script, [...setup, ...Array(n).fill(command), 'kill', ''].join('\n'));
  const t0 = process.hrtime.bigint();
  const r = spawnSync('gdb', ['-batch', '-nx', '-x', script, '--args', PROG, LOOP_ARG], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`gdb failed: ${r.stderr.split('\n')[0]}`);
  return secs;
}

/**
 * Per-item cost as the slope between a short and a long run, so start-up and
 * symbol loading cancel out. Each length is run REPS times and the fastest
 * kept (the usual estimator on a shared machine: noise only adds time); a
 * slope that is not positive means the noise outweighed the work: NaN, which
 * row() reports as inconclusive rather than as a negative time.
 */
const REPS = 3;
async function slopeMicros(run: (n: number) => number | Promise<number>, n: number): Promise<number> {
  const small = Math.max(1, Math.floor(n / 5));
  await run(small);                                  // warm the page cache
  const fastest = async (k: number) => {
    let best = Infinity;
    for (let i = 0; i < REPS; i++) best = Math.min(best, await run(k));
    return best;
  };
  const slope = ((await fastest(n)) - (await fastest(small))) * 1e6 / (n - small);
  return slope > 0 ? slope : NaN;
}

function gdbPerCommand(setup: string[], command: string, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-bench-'));
  return slopeMicros((k) => gdbSeconds(dir, setup, command, k), n)
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Seconds for one whole `commands`-loop session of `hits` hits, in tsdbg. */
async function tsdbgCommandsRun(hits: number): Promise<number> {
  const s = new Session({ launcher: localLauncher, exePath: PROG, args: [String(hits)], launch: { aslr: false } });
  try {
    for (const l of ['break step', 'commands', 'silent', 'continue', 'end']) await s.execute(l);
    const t0 = process.hrtime.bigint();
    const r = await s.execute('run');
    if (!r.ok) throw new Error(`run: ${r.error}`);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await s.shutdown();
  }
}

function gdbCommandsRun(dir: string, hits: number): number {
  const script = join(dir, 'commands.gdb');
  writeFileSync(script, ['break step', 'commands', 'silent', 'continue', 'end', 'run', ''].join('\n'));
  const t0 = process.hrtime.bigint();
  const r = spawnSync('gdb', ['-batch', '-nx', '-x', script, '--args', PROG, String(hits)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`gdb failed: ${r.stderr.split('\n')[0]}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Per-hit cost of the `commands` loop: the slope between two hit counts (start-up cancels). */
async function commandsPerHit(hits: number): Promise<[number, number]> {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-bench-'));
  try {
    const gdb = await slopeMicros((k) => gdbCommandsRun(dir, k), hits);
    const ours = await slopeMicros(tsdbgCommandsRun, hits);
    return [ours, gdb];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(name: string, ours: number, gdb: number): string {
  if (!(ours > 0) || !(gdb > 0)) {
    return `${name.padEnd(18)} inconclusive: the machine's noise outweighed the difference between run lengths; rerun when it is quieter`;
  }
  const ratio = gdb / ours;
  return `${name.padEnd(18)} tsdbg ${ours.toFixed(1).padStart(8)} us   gdb ${gdb.toFixed(1).padStart(8)} us   ` +
    `tsdbg is ${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`}`;
}

export async function main(argv: string[]): Promise<void> {
  const hits = Number(argv[0] ?? 2000);
  const steps = Number(argv[1] ?? 5000);
  const rounds = Math.max(1, Number(argv[2] ?? 3));
  const bpSetup = ['break step', 'run'];
  const stepSetup = ['break step', 'run', 'delete'];
  const all = { ourHit: [] as number[], gdbHit: [] as number[], ourStep: [] as number[], gdbStep: [] as number[], ourCmd: [] as number[], gdbCmd: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    all.ourHit.push(await tsdbgPerCommand(bpSetup, 'continue', hits));
    all.gdbHit.push(await gdbPerCommand(bpSetup, 'continue', hits));
    all.ourStep.push(await tsdbgPerCommand(stepSetup, 'stepi', steps));
    all.gdbStep.push(await gdbPerCommand(stepSetup, 'stepi', steps));
    const [ourCmd, gdbCmd] = await commandsPerHit(hits);
    all.ourCmd.push(ourCmd);
    all.gdbCmd.push(gdbCmd);
  }
  // an inconclusive slope (NaN) is left out of its row's median and spread
  const ok = (xs: number[]) => xs.filter((x) => x > 0);
  const est = (xs: number[]) => (ok(xs).length ? median(ok(xs)) : NaN);
  const [ourHit, gdbHit, ourStep, gdbStep, ourCmd, gdbCmd] = [all.ourHit, all.gdbHit, all.ourStep, all.gdbStep, all.ourCmd, all.gdbCmd].map(est) as
    [number, number, number, number, number, number];
  process.stdout.write(`command layer vs gdb ${spawnSync('gdb', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]} (batch), ${hits} hits, ${steps} steps, median of ${rounds} rounds\n`);
  process.stdout.write(`${row('breakpoint hit', ourHit, gdbHit)}\n${row('stepi', ourStep, gdbStep)}\n${row('commands hit', ourCmd, gdbCmd)}\n`);
  const group = 'Round trips: commands against gdb';
  for (const [name, ours, gdb, oursAll, gdbAll] of [
    ['breakpoint hit (continue)', ourHit, gdbHit, all.ourHit, all.gdbHit], ['stepi', ourStep, gdbStep, all.ourStep, all.gdbStep],
    ['commands hit (silent; continue)', ourCmd, gdbCmd, all.ourCmd, all.gdbCmd]] as const) {
    if (ours > 0 && gdb > 0) {
      record({ bench: 'cli', group, name, unit: 'us', ours: { name: 'tsdbg', value: ours, samples: ok(oursAll) }, baseline: { name: 'gdb 13 (batch)', value: gdb, samples: ok(gdbAll) },
        note: `gdb: slope between two script lengths, fastest of 3 each; median of ${rounds} alternating rounds` });
    } else record({ bench: 'cli', group, name, notMeasured: 'inconclusive: the noise outweighed the difference between run lengths' });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench/cli: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
