/**
 * GDB Remote Serial Protocol framing: `$data#cs`, acks, run-length encoding,
 * binary escaping, and a streaming parser that survives anything a wire can
 * deliver (garbage, truncation, oversize, bad checksums).
 *
 * Reference: GDB manual, Appendix E "GDB Remote Serial Protocol", sections
 * Overview (framing, RLE), Packets, Notification Packets, Interrupts.
 */
import { hexByte } from '../util/hex.js';

/** 1 for the bytes binary data escapes: `#`, `$`, `}` and `*` (a table: this runs per byte). */
const ESCAPED = new Uint8Array(256);
for (const b of [0x23, 0x24, 0x7d, 0x2a]) ESCAPED[b] = 1;
export const ESCAPE = 0x7d;
export const INTERRUPT = 0x03;

/** Modulo-256 sum of the bytes between `$` and `#`. */
export function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data[i]) & 0xff;
  return sum;
}

/** Frame a packet: `$` payload `#` two-hex-digit checksum. */
export function frame(payload: Buffer | string, leader = '$'): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const out = Buffer.allocUnsafe(body.length + 4);
  out[0] = leader.charCodeAt(0);
  body.copy(out, 1);
  out[body.length + 1] = 0x23;
  out.write(hexByte(checksum(body)), body.length + 2, 'latin1');
  return out;
}

/** Escape binary data: `#`, `$`, `}` and `*` become `}` followed by byte ^ 0x20. */
export function escapeBinary(data: Uint8Array): Buffer {
  // nothing to escape (text, such as qXfer's XML): four native scans, and a
  // check V8 always has feedback for (the counting loop's \`extra === 0\`
  // deoptimized tsdbg serve's optimized code at every qXfer:threads)
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (view.indexOf(0x23) < 0 && view.indexOf(0x24) < 0 && view.indexOf(0x7d) < 0 && view.indexOf(0x2a) < 0) return Buffer.from(view);
  let extra = 0;
  for (let i = 0; i < data.length; i++) extra += ESCAPED[data[i]!]!;
  const out = Buffer.allocUnsafe(data.length + extra);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (ESCAPED[b]) {
      out[o++] = ESCAPE;
      out[o++] = b ^ 0x20;
    } else {
      out[o++] = b;
    }
  }
  return out;
}

/** Undo escapeBinary. A trailing lone `}` is a malformed packet. */
export function unescapeBinary(data: Uint8Array): Buffer {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (view.indexOf(ESCAPE) < 0) return Buffer.from(view);
  const out = Buffer.allocUnsafe(data.length);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === ESCAPE) {
      if (++i >= data.length) throw new RangeError('binary data ends inside an escape');
      out[o++] = data[i] ^ 0x20;
    } else {
      out[o++] = data[i];
    }
  }
  return out.subarray(0, o);
}

/**
 * Expand run-length encoding: `X*n` stands for X followed by (n - 29) more Xs.
 * Applied to whole packet data on receipt; binary data in replies is escaped
 * so a literal `*` never appears there.
 */
export function decodeRunLength(data: Buffer): Buffer {
  let star = data.indexOf(0x2a);
  if (star < 0) return data;
  // at most 97 bytes for each 2 of the marker: size once, copy the runs between markers whole
  let out = Buffer.allocUnsafe(data.length + 97 * 8);
  let o = 0;
  let from = 0;
  const room = (n: number) => {
    if (o + n <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, o + n));
    out.copy(bigger, 0, 0, o);
    out = bigger;
  };
  while (star >= 0) {
    if (star === 0 || (star === from && o === 0)) throw new RangeError('run-length marker without a preceding character or count');
    if (star + 1 >= data.length) throw new RangeError('run-length marker without a preceding character or count');
    room(star - from);
    o += data.copy(out, o, from, star);
    const count = data[star + 1] - 29;
    if (count < 0) throw new RangeError('bad run-length count');
    room(count);
    out.fill(out[o - 1]!, o, o + count);
    o += count;
    from = star + 2;
    star = data.indexOf(0x2a, from);
  }
  room(data.length - from);
  o += data.copy(out, o, from);
  return out.subarray(0, o);
}

/**
 * Run-length encode a (non-binary) reply. Counts that would produce `#` or
 * `$` (6 and 7 extra repeats) are shortened to 5 as the manual says; runs are
 * capped at 97 extra so the count stays printable (<= 126).
 */
export function encodeRunLength(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let o = 0;
  let i = 0;
  while (i < data.length) {
    const b = data[i];
    let run = 1;
    while (i + run < data.length && data[i + run] === b && run < 98) run++;
    out[o++] = b;
    let extra = run - 1;
    if (extra >= 3) {
      if (extra === 6 || extra === 7) extra = 5;
      out[o++] = 0x2a;
      out[o++] = extra + 29;
      i += extra + 1;
    } else {
      i += 1;
    }
  }
  return out.subarray(0, o);
}

export type WireEvent =
  | { type: 'packet'; data: Buffer }              // checksum good, RLE expanded
  | { type: 'bad-checksum'; data: Buffer }         // NAK it (or drop in no-ack mode)
  | { type: 'oversized'; length: number }          // longer than the advertised PacketSize
  | { type: 'notification'; data: Buffer }         // %name:data#cs (non-stop; we ignore)
  | { type: 'ack' }
  | { type: 'nak' }
  | { type: 'interrupt' };

const enum St { Idle, Body, Sum1, Sum2, Skip, SkipSum1, SkipSum2 }

/**
 * Incremental parser. Feed it whatever arrives; it emits complete events.
 *
 * Robustness rules (what gdbserver does, made explicit):
 *  - bytes outside a packet other than `+ - $ % 0x03` are line noise: skipped;
 *  - a `$` inside a packet means the sender gave up on the previous one and
 *    started over (a raw `$` is never legal inside data): restart;
 *  - bodies longer than maxPacket are not buffered; the rest is skipped up to
 *    its checksum and reported once as 'oversized', so memory stays bounded;
 *  - a non-hex checksum digit counts as a bad checksum.
 */
export class PacketParser {
  private state = St.Idle;
  private buf: Buffer;
  private len = 0;
  private notify = false;
  private sumHi = 0;
  private skipped = 0;

  constructor(
    private readonly maxPacket: number,
    private readonly emit: (e: WireEvent) => void,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(maxPacket, 4096));
  }

  /** Bytes of the current (incomplete) packet, for tests and diagnostics. */
  get pending(): number {
    return this.len;
  }

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      switch (this.state) {
        case St.Idle:
          this.idle(b);
          break;
        case St.Body:
          if (b !== 0x23 && b !== 0x24 && this.len < this.maxPacket) {
            // the body up to the next `#` or `$`, copied whole (a memory read's reply is kilobytes)
            const end = bodyEnd(chunk, i, i + this.maxPacket - this.len);
            this.append(chunk, i, end);
            i = end - 1;
            break;
          }
          if (b === 0x23) this.state = St.Sum1;
          else if (b === 0x24) this.start(b);
          else if (this.len >= this.maxPacket) {
            this.skipped = this.len + 1;
            this.len = 0;
            this.state = St.Skip;
          } else this.push(b);
          break;
        case St.Sum1:
          // a packet start where a checksum digit belongs: the previous
          // packet was truncated; drop it and take the new one
          if (b === 0x24) this.start(b);
          else {
            this.sumHi = hexValue(b);
            this.state = St.Sum2;
          }
          break;
        case St.Sum2:
          if (b === 0x24) this.start(b);
          else this.finish(this.sumHi, hexValue(b));
          break;
        case St.Skip:
          if (b === 0x23) this.state = St.SkipSum1;
          else if (b === 0x24) {
            this.emit({ type: 'oversized', length: this.skipped });
            this.start(b);
          } else this.skipped++;
          break;
        case St.SkipSum1:
          this.state = St.SkipSum2;
          break;
        case St.SkipSum2:
          this.state = St.Idle;
          this.emit({ type: 'oversized', length: this.skipped });
          break;
      }
    }
  }

  private idle(b: number): void {
    if (b === 0x24 || b === 0x25) this.start(b);
    else if (b === 0x2b) this.emit({ type: 'ack' });
    else if (b === 0x2d) this.emit({ type: 'nak' });
    else if (b === INTERRUPT) this.emit({ type: 'interrupt' });
    // anything else is noise between packets
  }

  private start(leader: number): void {
    this.notify = leader === 0x25;
    this.len = 0;
    this.state = St.Body;
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.len + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(this.maxPacket, Math.max(this.buf.length * 2, this.len + n)));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    this.buf.set(chunk.subarray(from, to), this.len);
    this.len += n;
  }

  private push(b: number): void {
    if (this.len === this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(this.maxPacket, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }

  private finish(hi: number, lo: number): void {
    this.state = St.Idle;
    const raw = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== checksum(raw)) {
      // notifications are never acked, so a corrupt one is just dropped
      if (!this.notify) this.emit({ type: 'bad-checksum', data: raw });
      return;
    }
    if (this.notify) {
      this.emit({ type: 'notification', data: raw });
      return;
    }
    let data: Buffer;
    try {
      data = decodeRunLength(raw);
    } catch {
      this.emit({ type: 'bad-checksum', data: raw });
      return;
    }
    this.emit({ type: 'packet', data });
  }
}

/** Index of the first `#` or `$` in chunk[from, limit) (limit: where the packet would pass maxPacket), else limit. */
function bodyEnd(chunk: Uint8Array, from: number, limit: number): number {
  const to = Math.min(chunk.length, limit);
  const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const hash = view.indexOf(0x23, from);
  const dollar = view.indexOf(0x24, from);
  let end = to;
  if (hash >= 0 && hash < end) end = hash;
  if (dollar >= 0 && dollar < end) end = dollar;
  return Math.max(end, from + 1);
}

export function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/* ---- hex helpers shared by client and server ---- */

/** Strict hex to bytes; throws on odd length or non-hex digits. */
export function fromHex(s: string): Buffer {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new RangeError(`bad hex data "${s.slice(0, 16)}"`);
  return Buffer.from(s, 'hex');
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Parse a hex number field (addresses, lengths); throws on anything else. */
export function parseHexBig(s: string): bigint {
  if (!/^[0-9a-fA-F]{1,32}$/.test(s)) throw new RangeError(`bad hex number "${s.slice(0, 20)}"`);
  return BigInt('0x' + s);
}

export function parseHexInt(s: string, max = 0x7fffffff): number {
  const v = parseHexBig(s);
  if (v > BigInt(max)) throw new RangeError(`number 0x${s} too large`);
  return Number(v);
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** leHex(value, 8) without a Buffer: stop replies carry three of these per stop. */
function le64Hex(value: bigint): string {
  const v = BigInt.asUintN(64, value);
  let lo = Number(v & 0xffffffffn);
  let hi = Number(v >> 32n);
  let out = '';
  for (let i = 0; i < 4; i++, lo >>>= 8) out += HEX_BYTE[lo & 0xff];
  for (let i = 0; i < 4; i++, hi >>>= 8) out += HEX_BYTE[hi & 0xff];
  return out;
}

/** Little-endian register bytes of an n-byte value, as hex. */
export function leHex(value: bigint, bytes: number): string {
  if (bytes === 8) return le64Hex(value);
  const b = Buffer.alloc(bytes);
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b.toString('hex');
}

/** Inverse of leHex. */
export function fromLeHex(s: string): bigint {
  const b = fromHex(s);
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}
