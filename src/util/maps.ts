/** /proc/PID/maps text (read locally, or remotely through vFile) to Mapping records. */
import type { Mapping } from '../target/types.js';

/** "start-end perms offset dev inode   path". */
const LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/;

/** Lines that are not a mapping (an empty last line) are skipped. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({
      start: BigInt('0x' + m[1]), end: BigInt('0x' + m[2]), perms: m[3]!,
      offset: BigInt('0x' + m[4]), dev: m[5]!, inode: Number(m[6]), path: m[7]!,
    });
  }
  return out;
}
