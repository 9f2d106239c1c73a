/**
 * Reads a target can answer without a promise (LocalTarget's are plain
 * syscalls): tsdbg serve then answers the m and qXfer:threads packets gdb
 * sends after every stop in the tick they arrive, instead of a hop through
 * the microtask queue and the session's queue per packet (issue 16 part 4).
 * A target without them (RemoteTarget) is served through the promises.
 */
import type { Target, ThreadInfo } from '../target/types.js';

export interface SyncReads {
  readMemoryNow(addr: bigint, len: number): Buffer;
  threadsNow(): ThreadInfo[];
}

export function syncReads(t: Target): SyncReads | undefined {
  const s = t as Target & Partial<SyncReads>;
  return typeof s.readMemoryNow === 'function' && typeof s.threadsNow === 'function' ? (s as Target & SyncReads) : undefined;
}
