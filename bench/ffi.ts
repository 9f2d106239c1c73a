/**
 * bench/ffi.ts - what one foreign call costs: koffi (tsdbg's binding to its
 * shim) against the maintained ffi-napi fork the project card names
 * (@2060.io/ffi-napi; ffi-napi 4.0.3 itself does not build on Node 20), the
 * same libc function (`int abs(int)`: no system call, so the binding is all
 * that is timed) through both, in alternating rounds.
 *
 * The fork is not a dependency of tsdbg: it is installed on first use into
 * ~/.cache/tsdbg/bench/ffi-napi with npm (or TSDBG_FFI_NAPI_DIR names such a
 * directory). With --no-install, or when npm cannot install or build it, the
 * row says "not measured" and why.
 *
 *   node dist/bench/ffi.js [CALLS] [ROUNDS] [--no-install]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { median, record } from './record.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const CALLS = Number(args[0] ?? 200_000);
const ROUNDS = Number(args[1] ?? 7);
const INSTALL = !process.argv.includes('--no-install');
const FORK = '@2060.io/ffi-napi';
const FORK_VERSION = '4.0.9';
const GROUP = 'FFI: one call of libc abs()';
const KOFFI = (koffi as unknown as { version: string }).version;

type Abs = (x: number) => number;

/** The fork's abs(), or the reason it is not available here. */
function forkAbs(): Abs | string {
  const dir = process.env.TSDBG_FFI_NAPI_DIR ?? join(homedir(), '.cache', 'tsdbg', 'bench', 'ffi-napi');
  if (!existsSync(join(dir, 'node_modules', FORK))) {
    if (!INSTALL) return `${FORK} is not installed in ${dir} (this run does not install it)`;
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"name":"tsdbg-bench-ffi","private":true}\n');
    const r = spawnSync('npm', ['install', '--save-exact', '--no-audit', '--no-fund', `${FORK}@${FORK_VERSION}`], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) return `npm could not install ${FORK}@${FORK_VERSION}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  }
  try {
    const ffi = createRequire(join(dir, 'package.json'))(FORK) as { Library: (name: string | null, fns: Record<string, [string, string[]]>) => Record<string, Abs> };
    return ffi.Library('libc.so.6', { abs: ['int', ['int']] }).abs!;
  } catch (e) {
    return `${FORK} does not load on Node ${process.versions.node}: ${(e as Error).message.split('\n')[0]}`;
  }
}

function perCall(fn: Abs): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += fn(-i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / CALLS;
  if (sink < 0) throw new Error('abs() returned a negative number');
  return us;
}

function main(): void {
  const koffiAbs = koffi.load('libc.so.6').func('int abs(int)') as Abs;
  const fork = forkAbs();
  const ours: number[] = [];
  const theirs: number[] = [];
  perCall(koffiAbs);
  if (typeof fork === 'function') perCall(fork);     // warm up both
  for (let k = 0; k < ROUNDS; k++) {
    ours.push(perCall(koffiAbs));
    if (typeof fork === 'function') theirs.push(perCall(fork));
  }
  const us = (x: number) => `${x.toFixed(3)} us`;
  console.log(`one foreign call (libc abs), ${CALLS} calls a round, median (min-max) of ${ROUNDS} alternating rounds`);
  console.log(`  koffi ${KOFFI}: ${us(median(ours))} (${us(Math.min(...ours))}-${us(Math.max(...ours))})`);
  if (typeof fork === 'string') {
    console.log(`  ${FORK}: not measured: ${fork}`);
    record({ bench: 'ffi', group: GROUP, name: `${FORK} ${FORK_VERSION}`, notMeasured: fork });
    record({ bench: 'ffi', group: GROUP, name: `koffi ${KOFFI}`, unit: 'us', ours: { name: 'koffi', value: median(ours), samples: ours } });
    return;
  }
  console.log(`  ${FORK} ${FORK_VERSION}: ${us(median(theirs))} (${us(Math.min(...theirs))}-${us(Math.max(...theirs))})   koffi = ${(median(ours) / median(theirs)).toFixed(3)}x the fork`);
  record({
    bench: 'ffi', group: GROUP, name: `koffi ${KOFFI}`, unit: 'us',
    ours: { name: 'koffi', value: median(ours), samples: ours },
    baseline: { name: `${FORK} ${FORK_VERSION}`, value: median(theirs), samples: theirs },
  });
}

main();
