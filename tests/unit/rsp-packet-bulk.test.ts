/**
 * The packet parser copies a body whole up to its `#` and expands
 * run-length runs and escapes in bulk (memory reads' replies are kilobytes):
 * the same packets as byte by byte, however the bytes are split.
 */
import { describe, expect, it } from 'vitest';
import { PacketParser, checksum, decodeRunLength, encodeRunLength, escapeBinary, frame, unescapeBinary, type WireEvent } from '../../src/rsp/packet.js';

/** Deterministic bytes with long runs, the four escaped characters and noise. */
function sample(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (x >> 16) % 5 === 0 ? 0 : [0x23, 0x24, 0x7d, 0x2a, x & 0xff][(x >> 8) % 5]!;
  }
  return out;
}

function parse(wire: Buffer, splits: number[], max = 1 << 20): WireEvent[] {
  const events: WireEvent[] = [];
  const p = new PacketParser(max, (e) => events.push(e));
  let at = 0;
  for (const s of [...splits, wire.length]) {
    p.feed(wire.subarray(at, Math.min(s, wire.length)));
    at = Math.min(s, wire.length);
  }
  return events;
}

describe('packet parsing in bulk', () => {
  it('gives the same binary and hex packets whole or split anywhere', () => {
    const data = sample(40_000, 7);
    const hex = encodeRunLength(Buffer.from(data.toString('hex')));
    const wire = Buffer.concat([Buffer.from('+'), frame(escapeBinary(data)), Buffer.from('xx'), frame(hex), frame('OK')]);
    for (const splits of [[], [1], [3, 17, 4096, 4097, 40_010, 40_011], Array.from({ length: 200 }, (_, i) => i * 613)]) {
      const ev = parse(wire, splits);
      expect(ev.map((e) => e.type)).toEqual(['ack', 'packet', 'packet', 'packet']);
      const [, bin, rle, ok] = ev as Array<{ type: 'packet'; data: Buffer }>;
      expect(unescapeBinary(bin!.data).equals(data)).toBe(true);
      expect(rle!.data.toString()).toBe(data.toString('hex'));
      expect(ok!.data.toString()).toBe('OK');
    }
  });

  it('still reports a body past PacketSize once, and a packet restarted by `$`', () => {
    const big = frame(Buffer.alloc(5000, 0x61));
    const ev = parse(Buffer.concat([big, Buffer.from('$abc$qC#b4')]), [100, 2500], 4096);
    expect(ev).toEqual([{ type: 'oversized', length: 5000 }, { type: 'packet', data: Buffer.from('qC') }]);
  });

  it('expands runs as the manual says, and refuses a marker with nothing before it or no count', () => {
    expect(decodeRunLength(Buffer.from('0* 1*"x')).toString()).toBe('0000' + '111111x');
    expect(decodeRunLength(Buffer.from('a*!*!')).toString()).toBe('a'.repeat(1 + 4 + 4));
    expect(() => decodeRunLength(Buffer.from('*!'))).toThrow(RangeError);
    expect(() => decodeRunLength(Buffer.from('ab*'))).toThrow(RangeError);
    expect(checksum(Buffer.from('qC'))).toBe(0xb4);
  });
});
