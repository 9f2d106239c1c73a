/**
 * bench/guest.ts - the kernel engine, measured where it exists: in the patched
 * guest (`tsdbg vm run`). Runs bench/target (the snapshot rows then use the
 * kernel engine against process_vm_readv) and bench/kernel/snapshot_calls,
 * the bare requests against process_vm_readv/writev, at 4 KiB to 16 MiB.
 * Without a built guest kernel this benchmark fails (`npm run kernel` first),
 * and the report marks the kernel requests "not measured".
 *
 *   node dist/bench/guest.js [--tiny]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, record } from './record.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TINY = process.argv.includes('--tiny');
const SIZES: Array<[number, number]> = TINY ? [[4096, 20]] : [[4096, 2000], [65536, 500], [1 << 20, 50], [16 << 20, 5]];
const GROUP = 'Copies: the kernel requests (patched guest)';

/** The rows of snapshot_calls' output (three rounds a size), as report records. */
function recordCalls(out: string): void {
  const rows = new Map<number, Record<string, number[]>>();
  const re = /^\s*(\d+) bytes: readv\s+([\d.]+) us\s+SNAPSHOT again\s+([\d.]+) \([\d.]+\)\s+new\s+([\d.]+) \([\d.]+\)\s+GETSNAPSHOT\s+([\d.]+)\s+writev\s+([\d.]+)\s+RESTORE\s+([\d.]+)/gm;
  for (const m of out.matchAll(re)) {
    const len = Number(m[1]);
    const r = rows.get(len) ?? { readv: [], again: [], fresh: [], get: [], writev: [], restore: [] };
    (['readv', 'again', 'fresh', 'get', 'writev', 'restore'] as const).forEach((k, i) => r[k]!.push(Number(m[i + 2])));
    rows.set(len, r);
  }
  for (const [len, r] of rows) {
    const side = (name: string, xs: number[]) => ({ name, value: median(xs), samples: xs });
    const row = (name: string, xs: number[], base: string, bs: number[]) =>
      record({ bench: 'guest', group: GROUP, name, bytes: len, unit: 'us', ours: side(name, xs), baseline: side(base, bs), note: 'in the guest (QEMU); three rounds' });
    row('PTRACE_SNAPSHOT (refresh)', r.again!, 'process_vm_readv', r.readv!);
    row('PTRACE_SNAPSHOT (new)', r.fresh!, 'process_vm_readv', r.readv!);
    row('PTRACE_GETSNAPSHOT', r.get!, 'process_vm_readv', r.readv!);
    row('PTRACE_RESTORE', r.restore!, 'process_vm_writev', r.writev!);
  }
  if (rows.size === 0) record({ bench: 'guest', group: GROUP, name: 'PTRACE_SNAPSHOT / RESTORE', notMeasured: 'the guest ran but printed no snapshot_calls rows' });
}

function main(): number {
  const kernel = spawnSync('bash', [join(ROOT, 'kernel-patch', 'build.sh'), '--path'], { encoding: 'utf8' });
  if (kernel.status !== 0) {
    process.stderr.write('bench/guest: the guest kernel is not built: run `npm run kernel` first\n');
    record({ bench: 'guest', group: GROUP, name: 'PTRACE_SNAPSHOT / RESTORE', notMeasured: 'the guest kernel is not built here (npm run kernel)' });
    return 1;
  }
  const make = spawnSync('make', ['-s', '-C', join(ROOT, 'bench', 'kernel')], { stdio: 'inherit' });
  if (make.status !== 0) return 1;
  const calls = SIZES.map(([len, n]) => `bench/kernel/bin/snapshot_calls ${len} ${n}`).join(' && ');
  const target = TINY ? 'node dist/bench/target.js --hits 20 --steps 20' : 'node dist/bench/target.js';
  // the guest's root is the host's, read-only: the report's records are taken from the output here
  const script = `TSDBG_BENCH_RECORD= ${target} && echo "PTRACE_SNAPSHOT requests (bench/kernel/snapshot_calls.c), three rounds each:" && ${calls}`;
  const vm = spawnSync(process.execPath, [join(ROOT, 'bin', 'tsdbg.js'), 'vm', 'run', '--', 'sh', '-c', script],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 });
  process.stdout.write(vm.stdout ?? '');
  if (vm.status === 0) recordCalls(vm.stdout);
  else record({ bench: 'guest', group: GROUP, name: 'PTRACE_SNAPSHOT / RESTORE', notMeasured: `the guest run failed (exit ${vm.status ?? vm.signal})` });
  return vm.status ?? 1;
}

process.exitCode = main();
