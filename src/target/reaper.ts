/**
 * No tracee left behind. Targets register here while alive; when Node exits
 * (normally, on an uncaught exception, or on SIGTERM/SIGHUP/SIGINT that
 * nobody else handles) processes we started are killed and reaped and
 * processes we attached to are detached. A Node killed outright is covered
 * by PTRACE_O_EXITKILL for started processes; the kernel detaches the rest.
 */
export interface Abandonable {
  /** Synchronous kill (started) or detach (attached), for exit handlers. */
  abandonSync(): void;
}

const live = new Set<Abandonable>();
let installed = false;

const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function abandonAll(): void {
  for (const t of [...live]) {
    try {
      t.abandonSync();
    } catch {
      // best effort on the way out: the next one must still be handled
    }
  }
  live.clear();
}

function onFatalSignal(sig: NodeJS.Signals): void {
  // Someone else (the UI: Ctrl-C means interrupt) handles this signal: not ours to act on.
  if (process.listenerCount(sig) > 1) return;
  abandonAll();
  for (const s of FATAL_SIGNALS) process.removeListener(s, onFatalSignal);
  process.kill(process.pid, sig);   // die of the signal, as without us
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

/**
 * A process we started and then detached from is still our child: once it
 * exits, someone must wait for it or it stays a zombie as long as we live.
 * Polls `reaped` (a WNOHANG wait that says whether the child is gone) until
 * it is; the timer never keeps Node alive (at our exit init adopts it).
 */
export function reapWhenGone(reaped: () => boolean, everyMs = 100): void {
  if (reaped()) return;
  const timer = setInterval(() => { if (reaped()) clearInterval(timer); }, everyMs);
  timer.unref();
}
