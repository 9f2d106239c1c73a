/**
 * bench/copies.ts - the copy paths, 4 KiB to 16 MiB, in one run:
 *
 *  from C (bench/copies/copies.c): memcpy (the physical floor), PTRACE_PEEKDATA /
 *  POKEDATA loops, /proc/PID/mem pread/pwrite, process_vm_readv/writev; every
 *  row a ratio against memcpy of the same length;
 *
 *  through tsdbg (a LocalTarget on examples/bin/ckpt_heap's heap): the shim's
 *  process_vm_readv called through koffi, and the selected snapshot engine's
 *  snapshot and restore; every row a ratio against C's process_vm_readv (a
 *  snapshot) or process_vm_writev (a restore) of the same length, measured
 *  just before.
 *
 * The kernel requests (PTRACE_SNAPSHOT/RESTORE) exist only in the patched
 * guest: bench/guest measures them.
 *
 *   node dist/bench/copies.js [SIZES in bytes, comma-separated] [ROUNDS]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LocalTarget } from '../src/target/local.js';
import { native } from '../src/target/native.js';
import { engineProvider } from '../src/snapshot/select.js';
import { median, record } from './record.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COPIES = `${ROOT}bench/copies/bin/copies`;
const HEAP = fileURLToPath(new URL('../../examples/bin/ckpt_heap', import.meta.url));
const SIZES = (process.argv[2] ?? `${4 << 10},${64 << 10},${1 << 20},${16 << 20}`).split(',').map(Number);
const ROUNDS = Number(process.argv[3] ?? 3);

const sizeText = (n: number) => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;

/** One run of copies.c: method -> microseconds per copy, one per round. */
function fromC(len: number, rounds: number): Map<string, number[]> {
  const r = spawnSync(COPIES, [String(len), String(rounds)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`copies ${len}: ${r.stderr.trim()}`);
  const out = new Map<string, number[]>();
  for (const line of r.stdout.trim().split('\n')) {
    const [method, , ...us] = line.split(' ');
    out.set(method!, us.map(Number));
  }
  return out;
}

const C_ROWS: Array<[string, string]> = [
  ['peek', 'PTRACE_PEEKDATA loop'], ['poke', 'PTRACE_POKEDATA loop'],
  ['mem-read', '/proc/PID/mem pread'], ['mem-write', '/proc/PID/mem pwrite'],
  ['readv', 'process_vm_readv'], ['writev', 'process_vm_writev'],
];

/** Per-call microseconds of `op`, ROUNDS rounds of at least 8 MiB (or one call) each. */
async function rounds(len: number, op: () => unknown, untimed?: () => unknown): Promise<number[]> {
  const calls = Math.max(1, Math.floor((8 << 20) / len));
  const out: number[] = [];
  await untimed?.();
  await op();                                    // warm up
  for (let k = 0; k < ROUNDS; k++) {
    let total = 0;
    for (let i = 0; i < calls; i++) {
      await untimed?.();
      const t0 = process.hrtime.bigint();
      await op();
      total += Number(process.hrtime.bigint() - t0) / 1000;
    }
    out.push(total / calls);
  }
  return out;
}

async function main(): Promise<void> {
  execFileSync('make', ['-s', '-C', `${ROOT}bench/copies`], { stdio: 'inherit' });
  const maxLen = Math.max(...SIZES);
  const t = await LocalTarget.spawn(HEAP, { args: [String(Math.max(1, Math.ceil(maxLen / (1 << 20)))), '1000000'], pty: false, snapshots: engineProvider('auto') });
  try {
    // run to tick(): the heap exists and every page of it was touched
    const tick = spawnSync('nm', [HEAP], { encoding: 'utf8' }).stdout.split('\n').find((l) => / T tick$/.test(l))!;
    const base = (await t.memoryMap()).find((m) => m.path === HEAP && m.offset === 0n)!.start;
    await t.insertBreakpoint(base + BigInt(`0x${tick.split(' ')[0]}`));
    await t.cont();
    const heap = (await t.memoryMap()).find((m) => m.perms.startsWith('rw') && m.end - m.start >= BigInt(maxLen))!;
    const engine = t.capabilities.snapshots!;
    console.log(`copies of a stopped tracee's memory; us per copy, median (min-max) of ${ROUNDS} rounds; ratio against the baseline of the same length in this run`);
    for (const len of SIZES) {
      const c = fromC(len, ROUNDS);
      const memcpy = c.get('memcpy')!;
      const m0 = median(memcpy);
      const size = sizeText(len);
      console.log(`\n${size}\n  ${'memcpy (C)'.padEnd(34)}${m0.toFixed(1).padStart(12)} us (${spread(memcpy)})`);
      for (const [key, name] of C_ROWS) {
        const xs = c.get(key)!;
        const m = median(xs);
        console.log(`  ${`${name} (C)`.padEnd(34)}${m.toFixed(1).padStart(12)} us (${spread(xs)})   ${(m / m0).toFixed(1)}x memcpy`);
        record({ bench: 'copies', group: 'Copies from C', name, bytes: len, unit: 'us', ours: { name, value: m, samples: xs }, baseline: { name: 'memcpy', value: m0, samples: memcpy } });
      }
      const buf = Buffer.alloc(len);
      const readv = c.get('readv')!;
      const writev = c.get('writev')!;
      const through: Array<[string, number[], string, number[]]> = [
        ['process_vm_readv through koffi', await rounds(len, () => native.vmRead(t.pid, heap.start, buf)), 'process_vm_readv (C)', readv],
        [`snapshot (${engine.name} engine)`, await rounds(len, () => engine.snapshot(heap.start, len)), 'process_vm_readv (C)', readv],
        [`restore (${engine.name} engine)`, await rounds(len, () => engine.restore(heap.start), () => engine.snapshot(heap.start, len)), 'process_vm_writev (C)', writev],
      ];
      await engine.clear();
      for (const [name, xs, baseName, base] of through) {
        const m = median(xs);
        const b = median(base);
        console.log(`  ${name.padEnd(34)}${m.toFixed(1).padStart(12)} us (${spread(xs)})   ${(m / b).toFixed(2)}x ${baseName}`);
        record({ bench: 'copies', group: 'Copies through tsdbg', name, bytes: len, unit: 'us', ours: { name, value: m, samples: xs }, baseline: { name: baseName, value: b, samples: base } });
      }
    }
  } finally {
    await t.kill();
  }
}

main().catch((e: unknown) => {
  console.error(`bench/copies: ${(e as Error).message}`);
  process.exitCode = 1;
});
