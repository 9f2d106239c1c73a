/**
 * Parsing for the RSP client: connection addresses, the threads document,
 * watchpoint arguments.
 */
import { TargetError } from '../target/types.js';
import { fromLeHex } from './packet.js';
import { parseThreadId } from './stop-reply.js';

export function checkWatch(addr: bigint, len: number): void {
  if (![1, 2, 4, 8].includes(len)) throw new TargetError('EINVAL', `watchpoint length must be 1, 2, 4 or 8 (not ${len})`);
  if (addr % BigInt(len) !== 0n) throw new TargetError('EINVAL', `watchpoint address 0x${addr.toString(16)} is not ${len}-byte aligned`);
}

/** HOST:PORT, [V6HOST]:PORT or :PORT; port 0 only when listening (any free port). */
export function parseHostPort(spec: string, listening = false): [string, number] {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(spec);
  if (!m) throw new TargetError('EINVAL', `expected HOST:PORT, got "${spec}"`);
  const port = Number(m[3]);
  if (port < (listening ? 0 : 1) || port > 65535) throw new TargetError('EINVAL', `bad port ${m[3]}`);
  return [m[1] ?? (m[2] || 'localhost'), port];
}

/** The <threads> document of qXfer:threads:read: tid, name, and the pthread_t from `handle` (target-order bytes). */
export function parseThreadsXml(xml: string): Array<{ tid: number; name: string; threadPointer?: bigint }> {
  const out: Array<{ tid: number; name: string; threadPointer?: bigint }> = [];
  for (const m of xml.matchAll(/<thread\b([^>]*?)\/?>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
    const id = attr('id');
    if (!id) continue;
    const handle = attr('handle');
    const entry: { tid: number; name: string; threadPointer?: bigint } = {
      tid: parseThreadId(id).tid ?? -1, name: xmlUnescape(attr('name') ?? ''),
    };
    if (handle && /^[0-9a-f]{2,16}$/i.test(handle) && handle.length % 2 === 0) entry.threadPointer = fromLeHex(handle);
    out.push(entry);
  }
  return out;
}

function xmlUnescape(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
    if (e[0] === '#') return String.fromCharCode(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return named[e] ?? all;
  });
}
