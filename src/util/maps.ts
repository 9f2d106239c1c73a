/** /proc/PID/maps text (read locally, or remotely through vFile) to Mapping records. */
import type { Mapping } from '../target/types.js';

/** "start-end perms offset dev inode   path". */
const LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/;

/** The last text parsed and its records: a checkpoint's take and rewind read the same map again and again. */
let last: { text: string; maps: Mapping[] } | undefined;

/** Lines that are not a mapping (an empty last line) are skipped. */
export function parseMaps(text: string): Mapping[] {
  // fresh records each time: a caller may change the ones it got
  if (last?.text === text) return last.maps.map((m) => ({ ...m }));
  const out = parseLines(text);
  last = { text, maps: out.map((m) => ({ ...m })) };
  return out;
}

function parseLines(text: string): Mapping[] {
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
