/** Parsers for /proc/PID files the targets read (pure functions, unit-testable), and a task's state. */
import { readFileSync } from 'node:fs';

/** /proc/PID/maps ("start-end perms offset dev inode   path"): one parser for every layer, in src/util/maps.ts. */
export { parseMaps } from '../util/maps.js';

/** /proc/PID/auxv: pairs of 64-bit words up to AT_NULL. */
export function parseAuxv(buf: Buffer): Array<[bigint, bigint]> {
  const out: Array<[bigint, bigint]> = [];
  for (let off = 0; off + 16 <= buf.length; off += 16) {
    const type = buf.readBigUInt64LE(off);
    if (type === 0n) break;
    out.push([type, buf.readBigUInt64LE(off + 8)]);
  }
  return out;
}

/** One letter of /proc/PID/task/TID/stat ('R', 'S', 't', 'Z'...); 'Z' once it is gone. */
export function taskState(pid: number, tid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    // no stat file: the task is gone (reaped), which its callers treat as a zombie's end
    return 'Z';
  }
}
