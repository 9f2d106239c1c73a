/**
 * Processes that outlive their test: found, named, killed.
 *
 * Every test runs with TSDBG_TEST_OWNER=<run>:<file>:<slot> in its worker's
 * environment (tests/setup/owner.ts sets it; <slot> is the test's id while it
 * runs, "file" between tests). Children inherit it and keep it after they are
 * orphaned, so /proc/PID/environ names the test that started any process, be
 * it a tracee, tsdbg, gdb, gdbserver or QEMU. A process started with a cleaned
 * environment (`env -i`) carries no marker: pass it `ownerEnv()` explicitly or
 * register its pid with `trackPid()`. (One marker per worker process: tests
 * of one file that ran concurrently would share it; none do.)
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const OWNER_VAR = 'TSDBG_TEST_OWNER';

export interface Leak {
  pid: number;
  exe: string;
  cmdline: string;
  owner: string;
}

/**
 * The marker of the test (or file) running now, for an environment built from
 * nothing: `env -i ...Object.entries(ownerEnv())` or `{ ...ownerEnv(), HOME }`.
 * gdb and tsdbg run by one test get the same value, so their programs' stacks
 * still agree.
 */
export function ownerEnv(): Record<string, string> {
  const owner = process.env[OWNER_VAR];
  return owner ? { [OWNER_VAR]: owner } : {};
}

interface Tracked { pid: number; start: string; owner: string }
const tracked: Tracked[] = [];

/** Field 22 of /proc/PID/stat (start time in ticks): tells a pid from a reused one. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' || f[0] === 'X' ? undefined : f[19];
  } catch {
    return undefined;
  }
}

/** Count `pid` (started without the marker in its environment) as the current test's. */
export function trackPid(pid: number): void {
  const start = startTime(pid);
  if (start !== undefined) tracked.push({ pid, start, owner: process.env[OWNER_VAR] ?? '' });
}

function describe(pid: number, owner: string): Leak {
  let exe = '?';
  let cmdline = '';
  try { exe = readlinkSync(`/proc/${pid}/exe`); } catch { /* gone, or not ours to read */ }
  try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '); } catch { /* gone */ }
  return { pid, exe, cmdline, owner };
}

/** Live (non-zombie) processes, other than this one, whose marker starts with `prefix` (or equals it, `exact`). */
export function findOwned(prefix: string, exact = false): Leak[] {
  const found: Leak[] = [];
  const seen = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let environ: string;
    try { environ = readFileSync(`/proc/${pid}/environ`, 'latin1'); } catch { continue; }
    const entry = environ.split('\0').find((e) => e.startsWith(`${OWNER_VAR}=`));
    if (!entry) continue;
    const owner = entry.slice(OWNER_VAR.length + 1);
    if (!(exact ? owner === prefix : owner.startsWith(prefix))) continue;
    if (startTime(pid) === undefined) continue;           // a zombie: already dead
    found.push(describe(pid, owner));
    seen.add(pid);
  }
  for (const t of tracked) {
    if (seen.has(t.pid) || !(exact ? t.owner === prefix : t.owner.startsWith(prefix))) continue;
    if (startTime(t.pid) === t.start) found.push(describe(t.pid, t.owner));
  }
  return found;
}

/** How long a process may take to end after its test (TSDBG_LEAK_GRACE_MS: the check's own test shortens it). */
const GRACE_MS = Number(process.env.TSDBG_LEAK_GRACE_MS) || 20_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The processes owned by `prefix` that are still alive after `graceMs` (a
 * server told to stop may take a while on a loaded machine), each SIGKILLed
 * and waited for. Empty when nothing was left behind.
 */
export async function reapLeaks(prefix: string, exact = false, graceMs = GRACE_MS): Promise<Leak[]> {
  let left = findOwned(prefix, exact);
  for (const end = Date.now() + graceMs; left.length > 0 && Date.now() < end;) {
    await pause(50);
    left = findOwned(prefix, exact);
  }
  if (left.length === 0) return [];
  for (const l of left) {
    try { process.kill(l.pid, 'SIGKILL'); } catch { /* went by itself */ }
  }
  // SIGKILL ends even a ptrace-stopped process; wait until each one is gone or a zombie
  for (const end = Date.now() + 30_000; Date.now() < end && left.some((l) => startTime(l.pid) !== undefined);) await pause(20);
  for (let i = tracked.length - 1; i >= 0; i--) if (left.some((l) => l.pid === tracked[i]!.pid)) tracked.splice(i, 1);
  return left;
}

/** One line per leftover, for the failure message. */
export function formatLeaks(what: string, leaks: Leak[]): string {
  return `${what} left ${leaks.length} process${leaks.length === 1 ? '' : 'es'} running (killed now):\n`
    + leaks.map((l) => `  pid ${l.pid} exe ${l.exe} cmdline: ${l.cmdline}`).join('\n');
}
