/** Which pages of a saved copy differ from memory now: a rewind writes back only those. */
const PAGE = 4096;

/** Byte ranges [start, end) of `saved`, page by page, where it differs from `now` (same length), neighbours joined. */
export function diffRuns(saved: Buffer, now: Buffer): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (let at = 0; at < saved.length; at += PAGE) {
    const end = Math.min(at + PAGE, saved.length);
    if (saved.subarray(at, end).equals(now.subarray(at, end))) continue;
    const last = out[out.length - 1];
    if (last && last.end === at) last.end = end;
    else out.push({ start: at, end });
  }
  return out;
}
