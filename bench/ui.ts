/**
 * A `next` round trip at a terminal: tsdbg on a pty (node-pty), in line
 * mode (`--tui=off`, the baseline of the same run) and in the full-screen
 * UI. Line mode: from Enter to the next prompt; the UI: from Enter to the
 * status line naming the new line (then the panes follow the stop: the
 * stack and disassembly, queued before the next command). The program is
 * examples/bin/hot_loop, whose loop alternates lines 17 and 18.
 *
 * Line mode and the UI alternate ROUNDS times (default 3) so both see the
 * same load; the median round is the estimate, the rounds the spread. Goal
 * (issue 12): stepping in the UI as fast as in line mode.
 *
 *   node dist/bench/ui.js [NEXTS] [ROUNDS]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from '@lydell/node-pty';
import { median, record } from './record.js';

const PROG = fileURLToPath(new URL('../../examples/bin/hot_loop', import.meta.url));
const TSDBG = fileURLToPath(new URL('../../bin/tsdbg.js', import.meta.url));
const WAIT_MS = 60_000;
const home = mkdtempSync(join(tmpdir(), 'tsdbg-bench-ui-home-'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

const TICKS_PER_S = 100;   // /proc's clock ticks (USER_HZ), 100 on Linux x86-64

/** CPU ms (user + system) process `pid` has used so far. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
}

/** Per `next`: wall ms, and tsdbg's own CPU ms (steadier than the wall time on a loaded machine). */
async function perNext(mode: 'line' | 'ui', n: number): Promise<{ wall: number; cpu: number }> {
  // NO_COLOR: line mode styles file names as gdb does, which the waits below would not see through;
  // a HOME of its own, so the run's lines do not go into the user's ~/.tsdbg_history
  const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm-256color', NO_COLOR: '1', HOME: home };
  delete env.CI;
  delete env.TSDBG_TUI;
  const args = [TSDBG, 'run', ...(mode === 'line' ? ['--tui=off'] : []), PROG, '100000000'];
  const p = pty.spawn(process.execPath, [...(process.env.UI_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), ...args], { name: 'xterm-256color', cols: 100, rows: 30, env });
  let out = '';
  p.onData((d) => { out += d; });
  const until = async (re: RegExp, from: number): Promise<void> => {
    const end = Date.now() + WAIT_MS;
    while (!re.test(out.slice(from))) {
      if (Date.now() > end) throw new Error(`${mode}: no ${re} in ${JSON.stringify(out.slice(from, from + 2000))}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  const done = (line: number) => (mode === 'line' ? /\n(\x1b\[[0-9;]*[GJ])*\(tsdbg\) (\x1b\[\d+G)?$/ : new RegExp(`stopped: step in main at \\S*hot_loop\\.c:${line}\\b`));
  try {
    await until(/\(tsdbg\) /, 0);
    let at = out.length;
    p.write('break 17\r');
    await until(/Breakpoint 1 at|1\s+b\+ main/, at);
    at = out.length;
    p.write('run\r');
    await until(/hot_loop\.c:17/, at);
    await new Promise((r) => setTimeout(r, 500));   // the UI's follow-up of the stop
    p.write('delete 1\r');
    await new Promise((r) => setTimeout(r, 500));
    let line = 17;
    const step = async () => {
      line = line === 17 ? 18 : 17;
      const from = out.length;
      p.write('next\r');
      await until(done(line), from);
    };
    for (let i = 0; i < 20; i++) await step();    // warm-up
    const c0 = cpuMs(p.pid);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await step();
    return { wall: Number(process.hrtime.bigint() - t0) / 1e6 / n, cpu: (cpuMs(p.pid) - c0) / n };
  } finally {
    // SIGTERM: tsdbg kills its program and restores the terminal; SIGKILL if it does not end
    const exited = new Promise<void>((r) => p.onExit(() => r()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), WAIT_MS);
    await exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const rounds = Math.max(1, Number(process.argv[3] ?? 3));
  const lines: Array<{ wall: number; cpu: number }> = [];
  const uis: Array<{ wall: number; cpu: number }> = [];
  for (let r = 0; r < rounds; r++) {
    lines.push(await perNext('line', n));
    uis.push(await perNext('ui', n));
  }
  const wall = (xs: typeof lines) => xs.map((x) => x.wall);
  const cpu = (xs: typeof lines) => xs.map((x) => x.cpu);
  const line = median(wall(lines));
  const ui = median(wall(uis));
  const [lineCpu, uiCpu] = [median(cpu(lines)), median(cpu(uis))];
  const pass = ui <= line;
  process.stdout.write(`next round trip on a pty (${n} nexts, median of ${rounds} alternating rounds)\n`);
  process.stdout.write(`  line mode (--tui=off)  ${line.toFixed(2)} ms   tsdbg CPU ${lineCpu.toFixed(2)} ms\n`);
  process.stdout.write(`  full-screen UI         ${ui.toFixed(2)} ms   tsdbg CPU ${uiCpu.toFixed(2)} ms   (${(ui / line).toFixed(2)}x line mode's time, ${(uiCpu / lineCpu).toFixed(2)}x its CPU)   goal <= 1.0x: ${pass ? 'PASS' : 'FAIL'}\n`);
  const group = 'Full-screen UI: a next round trip against line mode';
  const note = `on a pty, from Enter to the status line naming the new line (the UI) or the next prompt (line mode); ${n} nexts, median of ${rounds} alternating rounds`;
  record({ bench: 'ui', group, name: 'next (time)', unit: 'ms',
    ours: { name: 'full-screen UI', value: ui, samples: wall(uis) }, baseline: { name: 'line mode (--tui=off)', value: line, samples: wall(lines) },
    goal: { text: 'stepping in the UI as fast as in line mode', pass }, note });
  record({ bench: 'ui', group, name: 'next (tsdbg CPU)', unit: 'ms',
    ours: { name: 'full-screen UI', value: uiCpu, samples: cpu(uis) }, baseline: { name: 'line mode (--tui=off)', value: lineCpu, samples: cpu(lines) }, note });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/ui: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
