/**
 * The stub's memory packets (m, M, X) over a stopped Target.
 */
import type { Target } from '../target/types.js';
import { PacketError } from './packet-error.js';
import { fromHex, parseHexBig, parseHexInt, unescapeBinary } from './packet.js';
import { HexReply } from './wire.js';
import { syncReads } from './sync-reads.js';

/**
 * m ADDR,LEN: the bytes, or the readable prefix of a range that runs into
 * unmapped memory; as a HexReply, framed by the wire without a hex string.
 */
export function readMemoryPacket(t: Target, arg: string, maxLen: number): HexReply | Promise<HexReply> {
  const [a, l] = arg.split(',');
  const addr = parseHexBig(a ?? '');
  const len = Math.min(parseHexInt(l ?? ''), maxLen);
  const now = syncReads(t);
  if (now) {
    try {
      return new HexReply(now.readMemoryNow(addr, len));
    } catch {
      // (the readable prefix: below)
    }
  }
  return readSlowly(t, addr, len);
}

async function readSlowly(t: Target, addr: bigint, len: number): Promise<HexReply> {
  try {
    return new HexReply(await t.readMemory(addr, len));
  } catch {
    // gdb wants the readable prefix of a range that runs into unmapped memory
    const part = await readablePrefix(t, addr, len);
    if (part.length === 0) throw new PacketError(14, `cannot read memory at 0x${addr.toString(16)}`);
    return new HexReply(part);
  }
}

/** M ADDR,LEN:HEX: the write to make, checked. */
export function parseWriteHex(arg: string): { addr: bigint; data: Buffer } {
  const colon = arg.indexOf(':');
  const [a, l] = arg.slice(0, colon).split(',');
  const data = fromHex(arg.slice(colon + 1));
  if (colon < 0 || data.length !== parseHexInt(l ?? '')) throw new PacketError(22, 'M packet length does not match its data');
  return { addr: parseHexBig(a ?? ''), data };
}

/** X ADDR,LEN:BINARY: the write to make, checked (an empty one is gdb's probe for X support). */
export function parseWriteBinary(p: Buffer): { addr: bigint; data: Buffer } {
  const colon = p.indexOf(0x3a);
  if (colon < 0) throw new PacketError(22, 'X packet without data');
  const [a, l] = p.toString('latin1', 1, colon).split(',');
  const data = unescapeBinary(p.subarray(colon + 1));
  if (data.length !== parseHexInt(l ?? '')) throw new PacketError(22, 'X packet length does not match its data');
  return { addr: parseHexBig(a ?? ''), data };
}

/** Read page by page up to the first unreadable byte. */
async function readablePrefix(t: Target, addr: bigint, len: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let at = addr;
  const end = addr + BigInt(len);
  while (at < end) {
    const pageEnd = (at | 0xfffn) + 1n;
    const n = Number((pageEnd < end ? pageEnd : end) - at);
    try {
      parts.push(await t.readMemory(at, n));
    } catch {
      // the first unreadable page ends the prefix (the caller says so when it is empty)
      break;
    }
    at += BigInt(n);
  }
  return Buffer.concat(parts);
}
