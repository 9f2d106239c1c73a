/**
 * bench/snapshot-rsp.ts - the snapshot engine on the remote protocol's
 * memory packets (src/snapshot/rsp-memory.ts) over gdbserver, against the
 * local user-space engine (process_vm_readv/writev) on the same program, in
 * the same run: a snapshot, and a restore, of 4 KiB to 16 MiB of
 * tests/fixtures/snap_victim's g_big; median of REPEAT, and the ratio
 * (rsp time / userspace time). No goal: a remote copy goes through a socket
 * and hex; the ratio says what that costs.
 *
 *   node dist/bench/snapshot-rsp.js [REPEAT]
 */
import { RspClient } from '../src/rsp/client.js';
import { RemoteTarget } from '../src/rsp/remote-target.js';
import { LocalTarget } from '../src/target/local.js';
import { UserspaceEngine } from '../src/snapshot/userspace.js';
import { snapshotsOf } from '../src/target/capabilities.js';
import type { SnapshotEngine } from '../src/snapshot/types.js';
import type { Target } from '../src/target/types.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, record } from './record.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

const FIXTURES = join(findRoot(), 'tests', 'fixtures');

/** Link-time address (the fixtures are non-PIE). */
function symbol(binary: string, name: string): bigint {
  const line = execFileSync('nm', [binary]).toString().split('\n').find((l) => l.trim().endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${binary}`);
  return BigInt('0x' + line.trim().split(/\s+/)[0]);
}

const REPEAT = Number(process.argv[2] ?? 5);
const SIZES_ARG = process.argv[3];
const SIZES = SIZES_ARG ? SIZES_ARG.split(',').map(Number) : [4 << 10, 64 << 10, 1 << 20, 16 << 20];
const VICTIM = join(FIXTURES, 'bin', 'snap_victim');

const now = (): number => Number(process.hrtime.bigint()) / 1e3;   // µs

async function atReady(t: Target): Promise<bigint> {
  await t.insertBreakpoint(symbol(VICTIM, 'ready'));
  const ev = await t.cont();
  if (ev.reason.kind !== 'breakpoint') throw new Error(`snap_victim did not reach ready(): ${ev.reason.kind}`);
  return (await t.readMemory(symbol(VICTIM, 'g_big'), 8)).readBigUInt64LE();
}

interface Timed { take: number; restore: number; samples: { take: number[]; restore: number[] } }

/** Median µs of a snapshot and of a restore of `size` bytes at `at`, with every sample. */
async function time(e: SnapshotEngine, at: bigint, size: number): Promise<Timed> {
  const take: number[] = [];
  const restore: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    let t0 = now();
    await e.snapshot(at, size);
    take.push(now() - t0);
    t0 = now();
    await e.restore(at);
    restore.push(now() - t0);
  }
  return { take: median(take), restore: median(restore), samples: { take, restore } };
}

async function main(): Promise<void> {
  execFileSync('make', ['-s', '-C', FIXTURES], { stdio: 'inherit' });
  const local = await LocalTarget.spawn(VICTIM, { pty: false });
  const client = RspClient.spawnStdio('gdbserver', ['-', VICTIM], 'ignore');
  let remote: RemoteTarget | undefined;
  try {
    remote = await RemoteTarget.connect(client);
    const userspace = new UserspaceEngine(local);
    const rsp = snapshotsOf(remote);
    if (rsp.name !== 'rsp') throw new Error(`gdbserver's target offers the ${rsp.name} engine, not rsp`);
    const [localBig, remoteBig] = [await atReady(local), await atReady(remote)];
    console.log(`snapshot and restore: rsp engine over gdbserver (stdio) vs the userspace engine, median of ${REPEAT}`);
    console.log('size        userspace take/restore    rsp take/restore          ratio take  ratio restore  rsp MB/s (take)');
    for (const size of SIZES) {
      const u = await time(userspace, localBig, size);
      const r = await time(rsp, remoteBig, size);
      const kib = size >= 1 << 20 ? `${size >> 20} MiB` : `${size >> 10} KiB`;
      const pair = (x: Timed) => `${x.take.toFixed(0)} / ${x.restore.toFixed(0)} us`;
      console.log(`${kib.padEnd(12)}${pair(u).padEnd(26)}${pair(r).padEnd(26)}${(r.take / u.take).toFixed(1).padEnd(12)}`
        + `${(r.restore / u.restore).toFixed(1).padEnd(15)}${(size / r.take).toFixed(1)}`);
      for (const op of ['take', 'restore'] as const) {
        record({ bench: 'snapshot-rsp', group: 'Snapshots over gdbserver (rsp engine) against the local userspace engine', name: `${op} ${kib}`, bytes: size, unit: 'us',
          ours: { name: 'rsp engine over gdbserver', value: r[op], samples: r.samples[op] },
          baseline: { name: 'userspace engine', value: u[op], samples: u.samples[op] }, note: `median of ${REPEAT}` });
      }
    }
  } finally {
    await local.kill();
    if (remote) await remote.kill();
    else await client.close();
  }
}

main().catch((e) => {
  console.error(`bench/snapshot-rsp: ${(e as Error).message}`);
  process.exitCode = 1;
});
