/** Parsers for /proc/PID files the targets read (pure functions, unit-testable), and a task's state. */
import { readFileSync } from 'node:fs';
import type { Mapping } from './types.js';

/** /proc/PID/maps: "start-end perms offset dev inode   path". */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      start: BigInt('0x' + m[1]), end: BigInt('0x' + m[2]), perms: m[3]!,
      offset: BigInt('0x' + m[4]), dev: m[5]!, inode: Number(m[6]), path: m[7]!,
    });
  }
  return out;
}

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
