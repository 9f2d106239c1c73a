/**
 * No tracee left behind. Targets register here while alive (an explicit
 * registry: what is in it is killed or detached, whoever else listens to
 * what). When Node exits (normally, or on an uncaught exception) processes
 * we started are killed and reaped and processes we attached to are
 * detached. On SIGTERM/SIGHUP/SIGINT the same happens and we die of the
 * signal, unless a front end has taken those signals over (claimSignals():
 * the CLI ends its session its own way, a UI makes Ctrl-C an interrupt);
 * the exit path still covers it then. A Node killed outright is covered by
 * PTRACE_O_EXITKILL for started processes; the kernel detaches the rest.
 */
import { constants as os } from 'node:os';

export interface Abandonable {
  /** Synchronous kill (started) or detach (attached), for exit handlers. */
  abandonSync(): void;
}

const live = new Set<Abandonable>();
let installed = false;
/** Front ends that handle the fatal signals themselves (claimSignals), by token. */
const claims = new Set<symbol>();

const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function abandonAll(): void {
  for (const t of [...live]) {
    try {
      t.abandonSync();
    } catch (e) {
      // on the way out the next one must still be handled: say what failed, in one line
      process.stderr.write(`tsdbg: could not let a traced process go: ${(e as Error).message}\n`);
    }
  }
  live.clear();
}

function onFatalSignal(sig: NodeJS.Signals): void {
  // A front end handles this signal (it ends its session, or makes Ctrl-C an interrupt): not ours to act on.
  if (claims.size > 0) return;
  abandonAll();
  for (const s of FATAL_SIGNALS) process.removeListener(s, onFatalSignal);
  process.kill(process.pid, sig);   // die of the signal, as without us
}

/**
 * A front end takes SIGINT/SIGTERM/SIGHUP over: until the returned release()
 * the reaper leaves them to it (the tracees are still let go at exit).
 */
export function claimSignals(): () => void {
  const token = Symbol('signals');
  claims.add(token);
  return () => { claims.delete(token); };
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', abandonAll);
  for (const s of FATAL_SIGNALS) process.on(s, onFatalSignal);
}

export function registerTracee(t: Abandonable): void {
  install();
  live.add(t);
}

export function unregisterTracee(t: Abandonable): void {
  live.delete(t);
}

/** Tracees still alive (for tests and the quit command). */
export function liveTracees(): number {
  return live.size;
}

/** The wait statuses of the children reapWhenGone reaped, by pid. */
const reapedStatuses = new Map<number, number>();

/**
 * The wait status a detached child of ours ended with, once reapWhenGone has
 * reaped it (undefined before): whoever else waits for it finds it gone.
 */
export function reapedStatus(pid: number): number | undefined {
  return reapedStatuses.get(pid);
}

/**
 * A process we started and then detached from is still our child: once it
 * exits, someone must wait for it or it stays a zombie as long as we live.
 * Polls `wait` (a WNOHANG wait for `pid`: its status, -EAGAIN while it runs,
 * another -errno when there is nothing to wait for) until it is gone, and
 * keeps the status for reapedStatus(); the timer never keeps Node alive (at
 * our exit init adopts it).
 */
export function reapWhenGone(pid: number, wait: () => number, everyMs = 100): void {
  const reaped = (): boolean => {
    const st = wait();
    if (st === -os.errno.EAGAIN) return false;
    if (st >= 0) reapedStatuses.set(pid, st);
    return true;
  };
  if (reaped()) return;
  const timer = setInterval(() => { if (reaped()) clearInterval(timer); }, everyMs);
  timer.unref();
}
