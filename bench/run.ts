/**
 * `npm run bench`: runs every benchmark, each in its own Node process so one
 * cannot warm up or disturb another, in sequence (the machine has 2 cores:
 * parallel runs would measure each other). Each benchmark measures its own
 * baseline (gdb, gdbserver, process_vm_readv, ...) in the same run, prints
 * its table and hands its numbers to the report (bench/record.ts); this runner
 * sequences them and writes bench/results/<date>.json and <date>.md
 * (bench/report.ts).
 *
 *   node dist/bench/run.js [--tiny] [--out DIR] [NAME...]
 *
 * --tiny runs each benchmark once at a tiny size (npm test does, to prove they
 * work; the numbers mean nothing); a benchmark without a tiny size is then
 * not run, and the report says so. A slow benchmark never fails: only one
 * that cannot run does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Record_ } from './record.js';
import { writeReport } from './report.js';

const BENCHES = ['startup', 'copies', 'ffi', 'target', 'cli', 'watch', 'checkpoint', 'rsp', 'snapshot-rsp', 'dwarf', 'prompt-fuzz', 'syscall', 'ui', 'guest'];

/** Arguments of the tiny run (a benchmark not listed is not run by --tiny). */
const TINY: Record<string, string[]> = {
  startup: ['1'], copies: ['4096,65536', '1'], ffi: ['1000', '1', '--no-install'], target: ['--hits', '20', '--steps', '20', '--reps', '1'],
  cli: ['20', '20', '1'], checkpoint: ['1', '3'], rsp: ['4', '4', '1', 'both'], 'snapshot-rsp': ['1', '4096'],
  syscall: ['200', '400', '1'], ui: ['5', '1'],
};

function main(argv: string[]): number {
  const tiny = argv.includes('--tiny');
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1]! : fileURLToPath(new URL('../../bench/results', import.meta.url));
  const names = argv.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
  const only = names.length > 0 ? names : BENCHES;
  const failed: string[] = [];
  const notRun: Array<[string, string]> = [];
  const work = mkdtempSync(join(tmpdir(), 'tsdbg-bench-run-'));
  const recordFile = join(work, 'records.jsonl');
  const started = new Date();
  const loadBefore = loadavg();
  const report = () => {
    const records: Record_[] = existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record_) : [];
    return writeReport(out, records, { started, tiny, failed, notRun, loadBefore });
  };
  try {
    for (const name of only) {
      const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
      if (!existsSync(file)) {
        process.stderr.write(`bench: no benchmark named "${name}" (have: ${BENCHES.join(', ')})\n`);
        failed.push(name);
        continue;
      }
      if (tiny && name === 'guest') {
        notRun.push(['guest', 'the tiny run does not boot the guest: the kernel requests are not measured']);
        continue;
      }
      if (tiny && !TINY[name]) {
        notRun.push([name, 'it has no tiny size (npm run bench runs it)']);
        continue;
      }
      process.stdout.write(`\n=== bench/${name} ===\n`);
      const r = spawnSync(process.execPath, [file, ...(tiny ? TINY[name]! : [])], { stdio: 'inherit', env: { ...process.env, TSDBG_BENCH_RECORD: recordFile } });
      if (r.status !== 0) failed.push(name);
      report();   // after each: a run cut short still leaves its report so far
    }
    process.stdout.write(`\nbench: report in ${report()}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failed.length > 0) {
    process.stderr.write(`\nbench: failed: ${failed.join(', ')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
