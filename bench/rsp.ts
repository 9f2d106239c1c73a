/**
 * tsdbg serve against Debian's gdbserver, with the same gdb client, the same
 * program (examples/bin/hot_loop, ASLR off in both) and the same scripts, in
 * one run:
 *
 *   stepi            per `stepi`
 *   breakpoint hit   per `continue` that stops at the breakpoint on step()
 *   memory read      bytes/s of `dump binary memory` over libc's text
 *                    (gdb's m packets; x/ would mostly time gdb's printing)
 *
 * gdb runs in batch mode against a fresh server per run; after the setup
 * and a warm-up it prints its clock and the server's CPU time (all threads'
 * schedstat, in ns) before and after N operations, so each run gives a
 * per-operation time directly (no slope between two script lengths, which
 * came out negative under load). The servers alternate, REPEAT runs each,
 * the median is kept and the spread (min-max) reported. Goal: ratio of
 * times (tsdbg / gdbserver) <= 1, both as the machine is and with a
 * CPU-bound process beside it (a `yes >/dev/null`, started for that half and
 * killed after it): each goal prints PASS or FAIL. The servers' CPU per
 * operation is printed beside it, as information.
 *
 *   node dist/bench/rsp.js [STEPS] [HITS] [REPEAT] [idle|loaded|both]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalTarget } from '../src/target/local.js';
import { ElfFile, SymbolTable, biasFromAuxv } from '../src/elf/index.js';
import { median, record } from './record.js';

const PROG = fileURLToPath(new URL('../../examples/bin/hot_loop', import.meta.url));
const TSDBG = fileURLToPath(new URL('../../bin/tsdbg.js', import.meta.url));
const LOOP_ARG = '100000000';
const [STEPS, HITS, REPEAT] = [Number(process.argv[2] ?? 400), Number(process.argv[3] ?? 400), Number(process.argv[4] ?? 5)];
const MODE = process.argv[5] ?? 'both';
/**
 * Operations run before the timed ones: the first stepi reads the frame, and
 * serve's JIT compiles its hot paths (on V8's worker threads, whose CPU the
 * server's time includes) within about a hundred.
 */
const WARM = 100;
/** Dumps of libc's text timed per run. */
const DUMPS = 4;
const dir = mkdtempSync(join(tmpdir(), 'tsdbg-bench-rsp-'));

type Server = 'tsdbg' | 'gdbserver';

/** Start a server on a free port; resolves with its port, pid and a stopper. */
function startServer(kind: Server): Promise<{ port: number; pid: number; stop: () => void }> {
  const [cmd, args] = kind === 'gdbserver'
    ? ['gdbserver', ['--once', '--no-startup-with-shell', '127.0.0.1:0', PROG, LOOP_ARG]]
    : ['node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '--once', PROG, LOOP_ARG]];
  const child = spawn(cmd, args as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      text += b.toString();
      const m = /Listening on port (\d+)/.exec(text);
      if (m) resolve({ port: Number(m[1]), pid: child.pid!, stop: () => child.kill('SIGKILL') });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`${kind} exited: ${text}`)));
  });
}

/**
 * The server's CPU seconds so far, user + system of all its threads, in
 * nanoseconds (each thread's schedstat run time: exact, where /proc/PID/stat
 * counts 10 ms ticks), and gdb's clock beside it: one line gdb prints.
 */
const markLine = (pid: number) => 'python import os, time; print("mark", time.perf_counter(), '
  + `sum(int(open("/proc/${pid}/task/" + t + "/schedstat").read().split()[0]) for t in os.listdir("/proc/${pid}/task")))`;

/**
 * Wall and server CPU seconds of `n` repetitions of `op` against a fresh
 * server, after `setup` and a warm-up of `warm` repetitions: gdb marks its
 * clock and the server's CPU just before and after the n, so connection
 * set-up, symbol loading and the warm-up (the first stepi reads the frame's
 * memory, a JIT warms up) are outside what is timed, and no slope between
 * two noisy runs is taken (one could come out negative under load).
 */
async function timeScript(kind: Server, setup: string[], op: string[], warm: number, n: number): Promise<{ wall: number; cpu: number }> {
  const server = await startServer(kind);
  try {
    const script = join(dir, `${kind}.gdb`);
    const rep = (k: number) => Array.from({ length: k }, () => op).flat();
    writeFileSync(script, ['set confirm off', 'set pagination off', `target remote 127.0.0.1:${server.port}`,
      ...setup, ...rep(warm), markLine(server.pid), ...rep(n), markLine(server.pid), 'kill', ''].join('\n'));
    const r = spawnSync('gdb', ['-batch', '-nx', '-x', script, PROG], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`gdb failed against ${kind}: ${r.stderr.slice(-500)}`);
    const marks = [...r.stdout.matchAll(/^mark (\S+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2]) / 1e9] as const);
    if (marks.length !== 2) throw new Error(`gdb against ${kind} printed ${marks.length} marks of 2: ${r.stderr.slice(-500)}`);
    const [[w0, c0], [w1, c1]] = marks as [readonly [number, number], readonly [number, number]];
    return { wall: (w1 - w0) / n, cpu: (c1 - c0) / n };
  } finally {
    server.stop();
  }
}

interface PerOp { wall: number; cpu: number; samples: number[]; cpuSamples: number[] }

/**
 * Per-operation seconds for both servers (wall, and the server's CPU): n
 * operations timed directly after a warm-up, REPEAT times, the two servers
 * alternating (so both see the same machine load: it is shared, and a
 * one-sided burst of load would otherwise decide), the median kept.
 */
async function perOp(setup: string[], op: string[], n: number, warm: number): Promise<Record<Server, PerOp>> {
  const runs: Record<Server, { wall: number[]; cpu: number[] }> = { tsdbg: { wall: [], cpu: [] }, gdbserver: { wall: [], cpu: [] } };
  for (let i = 0; i < REPEAT; i++) {
    // which server goes first alternates too
    const order = i % 2 ? (['gdbserver', 'tsdbg'] as const) : (['tsdbg', 'gdbserver'] as const);
    for (const kind of order) {
      const r = await timeScript(kind, setup, op, warm, n);
      runs[kind].wall.push(r.wall);
      runs[kind].cpu.push(r.cpu);
    }
  }
  const of = (k: Server): PerOp => ({ wall: median(runs[k].wall), cpu: median(runs[k].cpu), samples: runs[k].wall, cpuSamples: runs[k].cpu });
  return { tsdbg: of('tsdbg'), gdbserver: of('gdbserver') };
}

/** libc's executable mapping in hot_loop (same address under both servers: ASLR is off). */
async function libcText(): Promise<{ start: bigint; end: bigint }> {
  const t = await LocalTarget.spawn(PROG, { args: [LOOP_ARG] });
  try {
    // run to main so libc is mapped
    const elf = ElfFile.load(PROG);
    const sym = new SymbolTable(elf, biasFromAuxv(elf, await t.auxv()) ?? 0n).symbolByName('main')!;
    await t.insertBreakpoint(sym.address);
    await t.cont();
    const m = (await t.memoryMap()).find((x) => x.path.includes('libc.so') && x.perms.startsWith('r-x'));
    if (!m) throw new Error('libc text not found');
    return { start: m.start, end: m.end };
  } finally {
    await t.kill();
  }
}

type Row = [string, PerOp, PerOp, 'per op' | { bytes: number }];

async function measure(): Promise<Row[]> {
  const rows: Row[] = [];
  const stepSetup = ['break step', 'continue', 'delete'];
  const stepi = await perOp(stepSetup, ['stepi'], STEPS, WARM);
  rows.push(['stepi', stepi.tsdbg, stepi.gdbserver, 'per op']);

  const hitSetup = ['break step'];
  const hit = await perOp(hitSetup, ['continue'], HITS, WARM);
  rows.push(['breakpoint hit', hit.tsdbg, hit.gdbserver, 'per op']);

  const libc = await libcText();
  const bytes = Number(libc.end - libc.start);
  const file = join(dir, 'dump.bin');
  const dump = [`dump binary memory ${file} 0x${libc.start.toString(16)} 0x${libc.end.toString(16)}`];
  const readSetup = ['break main', 'continue'];
  // per dump, after three that warm up (each is a few dozen m packets: serve's JIT compiles meanwhile)
  const rd = await perOp(readSetup, dump, DUMPS, 3);
  rows.push(['memory read', rd.tsdbg, rd.gdbserver, { bytes }]);
  return rows;
}

function report(title: string, rows: Row[], condition: string): void {
  const us = (s: number) => `${(s * 1e6).toFixed(1)} us`;
  const load = loadavg();
  console.log(`\n${title}: load average ${load.map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  console.log('operation         tsdbg serve      gdbserver        ratio (time)  goal <= 1.00   spread (slow-fast): tsdbg | gdbserver       server CPU per op: tsdbg / gdbserver');
  const group = `Remote: tsdbg serve against gdbserver, ${condition}`;
  for (const [name, ours, theirs, unit] of rows) {
    // memory read as a throughput; the ratio is of time either way
    const value = (wall: number) => (typeof unit === 'object' ? unit.bytes / wall / 1e6 : wall * 1e6);
    const show = (wall: number) => (typeof unit === 'object' ? `${value(wall).toFixed(1)} MB/s` : us(wall));
    // slowest to fastest run, whichever way the unit goes
    const spread = (v: PerOp) => `${show(Math.max(...v.samples))}-${show(Math.min(...v.samples))}`;
    const ratio = ours.wall / theirs.wall;
    const cpuRatio = ours.cpu / theirs.cpu;
    const note = `same gdb client; ${typeof unit === 'object' ? DUMPS : name === 'stepi' ? STEPS : HITS} operations timed after a warm-up, median of ${REPEAT} alternating runs; load average ${load[0]!.toFixed(1)}`;
    record({ bench: 'rsp', group, name, unit: typeof unit === 'object' ? 'MB/s' : 'us',
      ours: { name: 'tsdbg serve', value: value(ours.wall), samples: ours.samples.map(value) },
      baseline: { name: 'gdbserver', value: value(theirs.wall), samples: theirs.samples.map(value) },
      goal: { text: `${name}: at most 1.0x gdbserver's time, ${condition}`, pass: ratio <= 1, ratio }, note });
    // the servers' CPU: information beside the goal
    record({ bench: 'rsp', group, name: `${name}: server CPU per operation`, unit: 'us',
      ours: { name: 'tsdbg serve', value: ours.cpu * 1e6, samples: ours.cpuSamples.map((c) => c * 1e6) },
      baseline: { name: 'gdbserver', value: theirs.cpu * 1e6, samples: theirs.cpuSamples.map((c) => c * 1e6) },
      note: 'user + system time of all the server\'s threads (schedstat), per operation; information, no goal' });
    console.log(`${name.padEnd(18)}${show(ours.wall).padEnd(17)}${show(theirs.wall).padEnd(17)}${ratio.toFixed(2).padEnd(14)}${(ratio <= 1 ? 'PASS' : 'FAIL').padEnd(15)}`
      + `${`${spread(ours)} | ${spread(theirs)}`.padEnd(44)} ${us(ours.cpu)} / ${us(theirs.cpu)} (${cpuRatio.toFixed(2)})`);
  }
}

/** A CPU-bound process beside the servers (`yes` into /dev/null), until stopped. */
function startBurner(): () => void {
  const burner = spawn('yes', [], { stdio: 'ignore' });
  const stop = () => { if (burner.exitCode === null && burner.signalCode === null) burner.kill('SIGKILL'); };
  process.once('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { stop(); process.exit(130); });
  return stop;
}

async function main(): Promise<void> {
  console.log(`tsdbg serve vs gdbserver, gdb ${spawnSync('gdb', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
  console.log(`program ${PROG}; ${STEPS} stepi, ${HITS} breakpoint hits, ${DUMPS} reads of libc's text per run, each after a warm-up;`);
  console.log(`median of ${REPEAT} alternating runs`);
  if (MODE !== 'loaded') report('as the machine is', await measure(), 'as the machine is');
  if (MODE !== 'idle') {
    const stop = startBurner();
    try {
      report('with a CPU-bound process beside them (yes >/dev/null)', await measure(), 'with a CPU-bound process beside');
    } finally {
      stop();
    }
  }
}

main().then(
  () => rmSync(dir, { recursive: true, force: true }),
  (e) => { console.error(`bench/rsp: ${(e as Error).message}`); rmSync(dir, { recursive: true, force: true }); process.exitCode = 1; },
);
