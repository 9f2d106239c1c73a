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
 * A wait is for a set of threads (the threads of one process): the first
 * of them to report resolves it, and the others are not waited for, so no
 * status is ever collected for a waiter that is gone. Threads are polled by
 * tid, never with waitpid(-1): that would reap Node's own children.
 *
 * SIGCHLDs coalesce, so the handler polls every pending wait; a slow timer
 * does the same in case the signal is lost to someone else's handling, and
 * keeps Node alive while a tracee runs (signal listeners do not).
 */
import { ERRNO, native } from './native.js';

const SAFETY_POLL_MS = 50;

/** A status, or -errno (-ECHILD: that thread is not ours any more), and whose it is. */
export interface ThreadStatus {
  tid: number;
  status: number;
}

interface PendingWait {
  tids: Int32Array;
  resolve: (r: ThreadStatus) => void;
}

const pending = new Set<PendingWait>();
/**
 * Threads whose next status is taken by someone polling for it directly
 * (a thread stepped off a breakpoint while the event loop runs on): the
 * pending waits leave them alone meanwhile.
 */
const reserved = new Set<number>();

/** Keep the pending waits off thread `tid` until unreserve(tid). */
export function reserve(tid: number): void {
  reserved.add(tid);
}

export function unreserve(tid: number): void {
  reserved.delete(tid);
  if (pending.size > 0) poll();     // what it reported meanwhile is due to them now
}

/** The tids a wait may collect now. */
function collectable(tids: Int32Array): Int32Array {
  return reserved.size === 0 ? tids : tids.filter((t) => !reserved.has(t));
}
let installed = false;
let timer: NodeJS.Timeout | undefined;

function poll(): void {
  for (const w of pending) {
    const tids = collectable(w.tids);
    if (tids.length === 0) continue;
    const r = native.waitAny(tids, 0);
    if (r.st === -ERRNO.EAGAIN) continue;
    pending.delete(w);
    w.resolve({ tid: r.tid, status: r.st });
  }
  if (pending.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** The next wait status of any of `tids` (threads traced by us). */
export function nextStatusAny(tids: ArrayLike<number>): Promise<ThreadStatus> {
  if (!installed) {
    installed = true;
    process.on('SIGCHLD', poll);
  }
  const set = Int32Array.from(tids);
  const now = collectable(set);
  const r = now.length > 0 ? native.waitAny(now, 0) : { tid: 0, st: -ERRNO.EAGAIN };
  if (r.st !== -ERRNO.EAGAIN) return Promise.resolve({ tid: r.tid, status: r.st });
  return new Promise((resolve) => {
    pending.add({ tids: set, resolve });
    timer ??= setInterval(poll, SAFETY_POLL_MS);
  });
}

/**
 * The next wait status of `pid` (a tracee of ours): the status, or -errno
 * (-ECHILD once it is reaped elsewhere).
 */
export async function nextStatus(pid: number): Promise<number> {
  return (await nextStatusAny([pid])).status;
}
