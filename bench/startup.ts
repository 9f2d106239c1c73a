/**
 * bench/startup.ts - time to the first prompt, side by side with gdb, in one run:
 *
 *   gdb -q -nx PROG                 until "(gdb) " appears
 *   gdb -q -nx -tui PROG            until its full screen draws "(gdb)" (the UI's baseline)
 *   node bin/tsdbg.js run PROG      until "(tsdbg) " appears
 *   npx tsdbg run PROG              the same through npm's launcher
 *   tsdbg run --tui=on PROG         until the full-screen UI draws its command line
 *   node -e                         Node printing a prompt and nothing else: the floor of any Node program
 *
 * Every Node row runs twice: in this machine's environment, and without
 * NODE_EXTRA_CA_CERTS. Where that variable names a certificate bundle, Node
 * reads and parses the whole bundle at every start, before any JavaScript runs
 * (here /etc/ssl/certs/ca-certificates.crt: ~35 ms of a 60 ms `node -e 0`); no
 * Node program can avoid it, so the goal is judged on both rows.
 *
 * Each runs on a terminal (node-pty), as a user starts it; the clock starts
 * before the spawn and stops when the prompt's text arrives, then the
 * debugger is told to quit (and killed if it does not). The ways alternate,
 * REPS times, so all see the same load; the median of each is the estimate,
 * all runs the spread. Then the same again with two CPU-bound processes
 * beside (the machine has 2 cores), unless --idle-only. Goal (issue 16
 * part 3): `node bin/tsdbg.js` within 1.5x gdb; the full-screen UI within
 * 1.5x gdb's own full-screen UI (it must not undo the first).
 *
 *   node dist/bench/startup.js [REPS] [--idle-only]
 */
import pty from '@lydell/node-pty';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { median, record } from './record.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROG = fileURLToPath(new URL('../../examples/bin/hot_loop', import.meta.url));
const argv = process.argv.slice(2);
const REPS = Number(argv.find((a) => !a.startsWith('--')) ?? 15);
const IDLE_ONLY = argv.includes('--idle-only');
const GIVE_UP_MS = 60_000;
const CA = 'NODE_EXTRA_CA_CERTS';
const HAS_CA = Boolean(process.env[CA]);

interface Way {
  name: string; file: string; args: string[]; prompt: string;
  /** without NODE_EXTRA_CA_CERTS */
  clean?: boolean;
  /** the row this one is compared with */
  baseline: string;
  goal?: string;
}

const GDB = 'gdb -q';
const GDB_TUI = 'gdb -q -tui';

// Line mode is what compares with gdb's line mode, so those rows say --tui=off
// (at a terminal `tsdbg run` opens the full-screen UI); the UI's own first frame
// is a row of its own, against gdb's. Prompts are looked for in the text with its escape
// sequences removed, since the UIs draw "(tsdbg)"/"(gdb)" with cursor moves around it.
const NODE_WAYS: Omit<Way, 'clean'>[] = [
  { name: 'node bin/tsdbg.js run', file: process.execPath, args: [`${ROOT}bin/tsdbg.js`, 'run', '--tui=off', PROG], prompt: '(tsdbg) ', baseline: GDB, goal: 'first prompt within 1.5x gdb' },
  { name: 'npx tsdbg run', file: 'npx', args: ['--no-install', 'tsdbg', 'run', '--tui=off', PROG], prompt: '(tsdbg) ', baseline: GDB },
  { name: 'tsdbg run (full-screen UI)', file: process.execPath, args: [`${ROOT}bin/tsdbg.js`, 'run', '--tui=on', PROG], prompt: '(tsdbg)', baseline: GDB_TUI, goal: "full-screen UI's first frame within 1.5x gdb -tui's" },
  { name: 'node -e (prompt only)', file: process.execPath, args: ['-e', "process.stdout.write('(tsdbg) '); process.stdin.once('data', () => process.exit(0))"], prompt: '(tsdbg) ', baseline: GDB },
];
const WAYS: Way[] = [
  { name: GDB, file: 'gdb', args: ['-q', '-nx', PROG], prompt: '(gdb) ', baseline: GDB },
  { name: GDB_TUI, file: 'gdb', args: ['-q', '-nx', '-tui', PROG], prompt: '(gdb)', baseline: GDB_TUI },
  ...NODE_WAYS.flatMap((w) => HAS_CA
    ? [{ ...w, name: `${w.name} [${CA} set]` }, { ...w, name: `${w.name} [no ${CA}]`, clean: true }]
    : [w]),
];

/** The text a terminal shows, without CSI/OSC sequences (cursor moves, colours). */
function stripEscapes(s: string): string {
  return s.replace(/\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}

/** Milliseconds from spawn to the prompt on a terminal. */
function timeToPrompt(way: Way): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm' };
    if (way.clean) delete env[CA];
    const term = pty.spawn(way.file, way.args, { name: 'xterm', cols: 120, rows: 40, cwd: ROOT, env: env as Record<string, string> });
    let text = '';
    let done = false;
    let exited = false;
    let onExited = () => undefined as void;
    term.onExit(() => { exited = true; onExited(); });
    const timer = setTimeout(() => finish(new Error(`${way.name}: no prompt after ${GIVE_UP_MS / 1000} s: ${JSON.stringify(text.slice(-200))}`)), GIVE_UP_MS);
    const finish = (result: number | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const settle = () => { if (result instanceof Error) reject(result); else resolve(result); };
      // (a debugger that exited before its prompt is settled at once: waiting for its exit would wait forever)
      if (exited) { settle(); return; }
      term.write('quit\r');
      const kill = setTimeout(() => term.kill('SIGKILL'), 5000);
      onExited = () => { clearTimeout(kill); settle(); };
    };
    term.onData((d) => {
      text += d;
      if (stripEscapes(text).includes(way.prompt)) finish(performance.now() - t0);
    });
    term.onExit(() => finish(new Error(`${way.name} exited before its prompt: ${JSON.stringify(text.slice(-300))}`)));
  });
}

/** `n` CPU-bound processes (the load a busy 2-core machine has), until stopped. */
function burners(n: number): () => void {
  const kids: ChildProcess[] = [];
  // each ends itself once this process is gone, however it ended
  const loop = 'const p = process.ppid; for (let i = 1; ; i++) if (i % 5e7 === 0) { try { process.kill(p, 0); } catch { process.exit(); } }';
  for (let i = 0; i < n; i++) kids.push(spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
  const stop = () => { for (const k of kids) k.kill('SIGKILL'); };
  process.once('exit', stop);
  return stop;
}

async function pass(label: string, suffix: string): Promise<void> {
  const samples = new Map<string, number[]>(WAYS.map((w) => [w.name, []]));
  for (const w of WAYS) await timeToPrompt(w);           // warm the page cache
  const load0 = loadavg()[0]!;
  for (let i = 0; i < REPS; i++) {
    for (const w of WAYS) samples.get(w.name)!.push(await timeToPrompt(w));
  }
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
  const load = `load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`;
  console.log(`time to the first prompt on a terminal, ${label}, ${PROG.replace(ROOT, '')}; median (min-max) of ${REPS}, alternating; ${load}`);
  for (const w of WAYS) {
    const xs = samples.get(w.name)!;
    const m = median(xs);
    const base = samples.get(w.baseline)!;
    const b = median(base);
    const goal = w.goal ? `   goal <= 1.5x ${w.baseline}: ${m / b <= 1.5 ? 'PASS' : 'FAIL'}` : '';
    console.log(`  ${w.name.padEnd(54)}${m.toFixed(0).padStart(6)} ms (${spread(xs)})   ${(m / b).toFixed(2)}x ${w.baseline}${goal}`);
    if (w.name === w.baseline) continue;
    const env = !HAS_CA ? '' : w.clean
      ? `; without ${CA} (set here: Node reads and parses that certificate bundle at every start, before any JavaScript; every Node program pays it)`
      : `; in this machine's environment (${CA} is set: Node parses that bundle at every start, before any JavaScript)`;
    record({
      bench: 'startup', group: `Start-up: time to the first prompt${suffix}`, name: w.name, unit: 'ms',
      ours: { name: w.name, value: m, samples: xs }, baseline: { name: w.baseline, value: b, samples: base },
      ...(w.goal ? { goal: { text: `${w.goal}${suffix}`, pass: m / b <= 1.5 } } : {}),
      note: `median of ${REPS} on a terminal (node-pty), alternating with gdb, ${label}, ${load}${env}; "node -e (prompt only)" is Node starting and printing a prompt: the floor for any Node program`,
    });
  }
}

async function main(): Promise<void> {
  await pass('as the machine is', '');
  if (IDLE_ONLY) return;
  const stop = burners(2);
  try {
    await pass('with 2 CPU-bound processes beside', ', 2 CPU-bound beside');
  } finally {
    stop();
  }
}

main().catch((e: unknown) => {
  console.error(`bench/startup: ${(e as Error).message}`);
  process.exitCode = 1;
});
