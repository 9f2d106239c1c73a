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
 * gdb runs in batch mode; each per-operation cost is the slope between two
 * script lengths, so connection set-up and symbol loading cancel out; the
 * servers alternate and the median of REPEAT slopes is kept. Goal: ratio
 * (tsdbg time / gdbserver time) <= 1, both as the machine is and with a
 * CPU-bound process beside it (a `yes >/dev/null`, started for that half and
 * killed after it): each goal prints PASS or FAIL.
 *
 *   node dist/bench/rsp.js [STEPS] [HITS] [REPEAT] [idle|loaded|both]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LocalTarget } from '../src/target/local.js';
import { ElfFile, SymbolTable, biasFromAuxv } from '../src/elf/index.js';
import { record } from './record.js';

const PROG = fileURLToPath(new URL('../../examples/bin/hot_loop', import.meta.url));
const TSDBG = fileURLToPath(new URL('../../bin/tsdbg.js', import.meta.url));
const LOOP_ARG = '100000000';
const [STEPS, HITS, REPEAT] = [Number(process.argv[2] ?? 400), Number(process.argv[3] ?? 400), Number(process.argv[4] ?? 3)];
const MODE = process.argv[5] ?? 'both';
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

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * Seconds gdb takes to run `body` against a fresh server, and the server's
 * CPU seconds (user + system) by then: gdb prints them from the server's
 * /proc/PID/stat before its `kill`.
 */
async function timeScript(kind: Server, body: string[]): Promise<{ wall: number; cpu: number }> {
  const server = await startServer(kind);
  const script = join(dir, `${kind}.gdb`);
  const cpuLine = `python print("server-cpu", *open("/proc/${server.pid}/stat").read().rsplit(")", 1)[1].split()[11:13])`;
  writeFileSync(script, ['set confirm off', 'set pagination off', `target remote 127.0.0.1:${server.port}`, ...body, cpuLine, 'kill', ''].join('\n'));
  const t0 = performance.now();
  const r = spawnSync('gdb', ['-batch', '-nx', '-x', script, PROG], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  server.stop();
  if (r.status !== 0) throw new Error(`gdb failed against ${kind}: ${r.stderr.slice(-500)}`);
  const m = /^server-cpu (\d+) (\d+)$/m.exec(r.stdout);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) / CLOCK_TICKS : NaN };
}

interface PerOp { wall: number; cpu: number; samples?: number[] }

/**
 * Per-operation seconds for both servers (wall, and the server's CPU): the
 * slope between n and 4n repetitions of `op`. The two servers are measured
 * alternately, REPEAT times, and the median slope kept, so both see the same
 * machine load (the machine is shared; a one-sided burst of load would otherwise decide).
 */
async function perOp(setup: string[], op: string[], n: number): Promise<Record<Server, PerOp>> {
  const rep = (k: number) => Array.from({ length: k }, () => op).flat();
  const slopes: Record<Server, { wall: number[]; cpu: number[] }> = { tsdbg: { wall: [], cpu: [] }, gdbserver: { wall: [], cpu: [] } };
  for (let i = 0; i < REPEAT; i++) {
    for (const kind of ['tsdbg', 'gdbserver'] as const) {
      const short = await timeScript(kind, [...setup, ...rep(n)]);
      const long = await timeScript(kind, [...setup, ...rep(4 * n)]);
      slopes[kind].wall.push((long.wall - short.wall) / (3 * n));
      slopes[kind].cpu.push((long.cpu - short.cpu) / (3 * n));
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const of = (k: Server) => ({ wall: median(slopes[k].wall), cpu: median(slopes[k].cpu), samples: slopes[k].wall });
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
  const stepi = await perOp(stepSetup, ['stepi'], STEPS);
  rows.push(['stepi', stepi.tsdbg, stepi.gdbserver, 'per op']);

  const hitSetup = ['break step'];
  const hit = await perOp(hitSetup, ['continue'], HITS);
  rows.push(['breakpoint hit', hit.tsdbg, hit.gdbserver, 'per op']);

  const libc = await libcText();
  const bytes = Number(libc.end - libc.start);
  const file = join(dir, 'dump.bin');
  const dump = [`dump binary memory ${file} 0x${libc.start.toString(16)} 0x${libc.end.toString(16)}`];
  const readSetup = ['break main', 'continue'];
  // per dump: slope between 4 and 16 dumps, so the setup cancels out
  const rd = await perOp(readSetup, dump, 4);
  rows.push(['memory read', rd.tsdbg, rd.gdbserver, { bytes }]);
  return rows;
}

function report(title: string, rows: Row[], condition: string): void {
  const us = (s: number) => `${(s * 1e6).toFixed(1)} us`;
  console.log(`\n${title}: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  console.log('operation         tsdbg serve      gdbserver        ratio (time)  goal <= 1.00   server CPU per op: tsdbg / gdbserver');
  for (const [name, ours, theirs, unit] of rows) {
    // memory read as a throughput; the ratio is of time either way
    const show = (v: PerOp) => (typeof unit === 'object' ? `${(unit.bytes / v.wall / 1e6).toFixed(1)} MB/s` : us(v.wall));
    const ratio = ours.wall / theirs.wall;
    const cpu = `${us(ours.cpu)} / ${us(theirs.cpu)} (${(ours.cpu / theirs.cpu).toFixed(2)})`;
    if (!(ours.wall > 0) || !(theirs.wall > 0)) {
      // a slope that is not positive: the noise outweighed the work
      console.log(`${name.padEnd(18)}inconclusive: the noise outweighed the difference between script lengths (raise the counts)`);
      record({ bench: 'rsp', group: `Remote: tsdbg serve against gdbserver, ${condition}`, name, notMeasured: 'inconclusive: the noise outweighed the difference between script lengths', goal: `${name}: at most 1.0x gdbserver's time, ${condition}` });
      continue;
    }
    const perByte = (v: PerOp) => (typeof unit === 'object' ? unit.bytes / v.wall / 1e6 : v.wall * 1e6);
    record({ bench: 'rsp', group: `Remote: tsdbg serve against gdbserver, ${condition}`, name, unit: typeof unit === 'object' ? 'MB/s' : 'us',
      ours: { name: 'tsdbg serve', value: perByte(ours), samples: ours.samples?.map((w) => perByte({ ...ours, wall: w })) },
      baseline: { name: 'gdbserver', value: perByte(theirs), samples: theirs.samples?.map((w) => perByte({ ...theirs, wall: w })) },
      goal: { text: `${name}: at most 1.0x gdbserver's time, ${condition}`, pass: ratio <= 1, ratio },
      note: `same gdb client; slope between two script lengths, median of ${REPEAT} alternating runs; load average ${loadavg()[0]!.toFixed(1)}` });
    console.log(`${name.padEnd(18)}${show(ours).padEnd(17)}${show(theirs).padEnd(17)}${ratio.toFixed(2).padEnd(14)}${(ratio <= 1 ? 'PASS' : 'FAIL').padEnd(15)}${cpu}`);
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
  console.log(`program ${PROG}; stepi x${STEPS}/${4 * STEPS}, hits x${HITS}/${4 * HITS}, libc's text read x4/x16;`);
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
