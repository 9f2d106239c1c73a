/**
 * bench/startup.ts - time to the first prompt, side by side with gdb, in one run:
 *
 *   gdb -q -nx PROG                 until "(gdb) " appears
 *   node bin/tsdbg.js run PROG      until "(tsdbg) " appears
 *   npx tsdbg run PROG              the same through npm's launcher
 *   tsdbg run --tui=on PROG         until the full-screen UI draws its command line
 *
 * Each runs on a terminal (node-pty), as a user starts it; the clock starts
 * before the spawn and stops when the prompt's text arrives, then the
 * debugger is told to quit (and killed if it does not). The three alternate,
 * REPS times, so all see the same load; the median of each is the estimate,
 * all runs the spread. Goal (issue 16 part 3): `node bin/tsdbg.js` within
 * 1.5x gdb.
 *
 *   node dist/bench/startup.js [REPS]
 */
import pty from '@lydell/node-pty';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, record } from './record.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROG = fileURLToPath(new URL('../../examples/bin/hot_loop', import.meta.url));
const REPS = Number(process.argv[2] ?? 15);
const GIVE_UP_MS = 60_000;

interface Way { name: string; file: string; args: string[]; prompt: string }

// Line mode is what compares with gdb's line mode, so those rows say --tui=off
// (at a terminal `tsdbg run` opens the full-screen UI); the UI's own first frame
// is a row of its own. Prompts are looked for in the text with its escape
// sequences removed, since the UI draws "(tsdbg)" with cursor moves around it.
const WAYS: Way[] = [
  { name: 'gdb -q', file: 'gdb', args: ['-q', '-nx', PROG], prompt: '(gdb) ' },
  { name: 'node bin/tsdbg.js run', file: process.execPath, args: [`${ROOT}bin/tsdbg.js`, 'run', '--tui=off', PROG], prompt: '(tsdbg) ' },
  { name: 'npx tsdbg run', file: 'npx', args: ['--no-install', 'tsdbg', 'run', '--tui=off', PROG], prompt: '(tsdbg) ' },
  { name: 'tsdbg run (full-screen UI)', file: process.execPath, args: [`${ROOT}bin/tsdbg.js`, 'run', '--tui=on', PROG], prompt: '(tsdbg)' },
  // the floor: Node itself, printing a prompt and nothing else
  { name: 'node -e (prompt only)', file: process.execPath, args: ['-e', "process.stdout.write('(tsdbg) '); process.stdin.once('data', () => process.exit(0))"], prompt: '(tsdbg) ' },
];

/** The text a terminal shows, without CSI/OSC sequences (cursor moves, colours). */
function stripEscapes(s: string): string {
  return s.replace(/\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}

/** Milliseconds from spawn to the prompt on a terminal. */
function timeToPrompt(way: Way): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const term = pty.spawn(way.file, way.args, { name: 'xterm', cols: 120, rows: 40, cwd: ROOT, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
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

async function main(): Promise<void> {
  const samples = new Map<string, number[]>(WAYS.map((w) => [w.name, []]));
  for (const w of WAYS) await timeToPrompt(w);           // warm the page cache
  for (let i = 0; i < REPS; i++) {
    for (const w of WAYS) samples.get(w.name)!.push(await timeToPrompt(w));
  }
  const gdb = samples.get('gdb -q')!;
  const g = median(gdb);
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
  console.log(`time to the first prompt on a terminal, ${PROG.replace(ROOT, '')}; median (min-max) of ${REPS}, alternating`);
  for (const w of WAYS) {
    const xs = samples.get(w.name)!;
    const m = median(xs);
    const isGoal = w.name.startsWith('node bin/');
    const goal = isGoal ? `   goal <= 1.5x gdb: ${m / g <= 1.5 ? 'PASS' : 'FAIL'}` : '';
    console.log(`  ${w.name.padEnd(28)}${m.toFixed(0).padStart(6)} ms (${spread(xs)})   ${(m / g).toFixed(2)}x gdb${goal}`);
    if (w.name === 'gdb -q') continue;
    record({
      bench: 'startup', group: 'Start-up: time to the first prompt', name: w.name, unit: 'ms',
      ours: { name: w.name, value: m, samples: xs }, baseline: { name: 'gdb -q', value: g, samples: gdb },
      ...(isGoal ? { goal: { text: 'first prompt within 1.5x gdb', pass: m / g <= 1.5 } } : {}),
      note: `median of ${REPS} on a terminal (node-pty), alternating with gdb; "node -e (prompt only)" is Node starting and printing a prompt: the floor for any Node program`,
    });
  }
}

main().catch((e: unknown) => {
  console.error(`bench/startup: ${(e as Error).message}`);
  process.exitCode = 1;
});
