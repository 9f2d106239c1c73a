/**
 * Waiting for tracees without blocking the event loop and without a thread.
 *
 * Every ptrace stop and every exit of a tracee sends SIGCHLD to its tracer
 * (do_notify_parent_cldstop). libuv turns that signal into an event-loop
 * wake-up, and the handler collects, with waitpid(WNOHANG) on the main
 * thread, whatever the pending tracees have to report. So no pool thread
 * sits in a blocking waitpid (four running tracees would otherwise starve
 * Node's fs and dns of their thread pool), and the main thread is the only
 * one that ever reaps: an exit handler can still collect a stop itself.
 *
 * SIGCHLDs coalesce, so the handler polls every pending tracee; a slow timer
 * does the same in case the signal is lost to someone else's handling, and
 * keeps Node alive while a tracee runs (signal listeners do not).
 */
import { ERRNO, native } from './native.js';

const SAFETY_POLL_MS = 50;
const pending = new Map<number, Array<(status: number) => void>>();
let installed = false;
let timer: NodeJS.Timeout | undefined;

function poll(): void {
  for (const [pid, resolvers] of pending) {
    const st = native.waitNow(pid);
    if (st === -ERRNO.EAGAIN) continue;
    pending.delete(pid);
    for (const resolve of resolvers) resolve(st);
  }
  if (pending.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/**
 * The next wait status of `pid` (a tracee of ours): the status, or -errno
 * (-ECHILD once it is reaped elsewhere).
 */
export function nextStatus(pid: number): Promise<number> {
  if (!installed) {
    installed = true;
    process.on('SIGCHLD', poll);
  }
  const st = native.waitNow(pid);
  if (st !== -ERRNO.EAGAIN) return Promise.resolve(st);
  return new Promise((resolve) => {
    const list = pending.get(pid) ?? [];
    list.push(resolve);
    pending.set(pid, list);
    timer ??= setInterval(poll, SAFETY_POLL_MS);
  });
}
