/**
 * Software watchpoints against gdb's, in the same run on the same program:
 * examples/bin/struct_loop_nopie, `set can-use-hw-watchpoints 0`, `watch
 * counter`, then `continue` K times. Between two writes of counter the loop
 * runs printf (thousands of instructions, a write(2) among them), so this is
 * the cost of single-stepping and comparing. Both debuggers run in batch mode
 * as a user would; the per-continue cost is the slope between two values of
 * K (start-up, symbol loading and the run to the first stop cancel out),
 * the fastest of REPS runs each.
 *
 *   node dist/bench/watch.js
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROG = fileURLToPath(new URL('../../examples/bin/struct_loop_nopie', import.meta.url));
const TSDBG = fileURLToPath(new URL('../../bin/tsdbg.js', import.meta.url));
const REPS = 3;
const FEW = 1;
const MANY = 8;

function script(continues: number): string[] {
  const cmds = ['set can-use-hw-watchpoints 0', 'break tick', 'run', 'watch counter', 'delete 1', ...Array(continues).fill('continue'), 'kill'];
  return cmds.flatMap((c) => ['-ex', c]);
}

function seconds(argv: string[], continues: number): number {
  let best = Infinity;
  for (let i = 0; i < REPS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, [...argv.slice(1), ...script(continues), PROG], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const fired = (r.stdout.match(/^New value = /gm) ?? []).length;
    if (fired !== continues) throw new Error(`${argv[0]}: ${fired} of ${continues} watchpoint stops:\n${r.stdout}${r.stderr}`);
    best = Math.min(best, s);
  }
  return best;
}

function perContinueMs(argv: string[]): number {
  return (seconds(argv, MANY) - seconds(argv, FEW)) * 1000 / (MANY - FEW);
}

export function main(): void {
  const gdb = perContinueMs(['gdb', '-batch', '-nx']);
  const ours = perContinueMs([process.execPath, TSDBG, 'run', '--batch']);
  const version = spawnSync('gdb', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  process.stdout.write(`software watchpoint vs ${version}: continue to the next write of counter (one printf between)\n`);
  if (!(ours > 0) || !(gdb > 0)) {
    process.stdout.write('inconclusive: the machine\'s noise outweighed the difference between run lengths; rerun when it is quieter\n');
    return;
  }
  const ratio = gdb / ours;
  process.stdout.write(`software watch     tsdbg ${ours.toFixed(1).padStart(8)} ms   gdb ${gdb.toFixed(1).padStart(8)} ms   ` +
    `tsdbg is ${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`bench/watch: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
