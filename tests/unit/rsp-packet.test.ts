import { describe, expect, it } from 'vitest';
import {
  PacketParser, checksum, decodeRunLength, encodeRunLength, escapeBinary, frame, unescapeBinary,
  fromLeHex, leHex, parseHexBig, fromHex, type WireEvent,
} from '../../src/rsp/packet.js';

function parse(input: string | Buffer, max = 4096): WireEvent[] {
  const events: WireEvent[] = [];
  const p = new PacketParser(max, (e) => events.push(e));
  p.feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  return events;
}

function packets(events: WireEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'packet' ? [e.data.toString('latin1')] : []));
}

describe('framing', () => {
  it('computes the manual checksums', () => {
    // values gdb itself sends: $qSupported...#, $?#3f, $g#67, $k#6b
    expect(frame('?').toString()).toBe('$?#3f');
    expect(frame('g').toString()).toBe('$g#67');
    expect(frame('k').toString()).toBe('$k#6b');
    expect(frame('OK').toString()).toBe('$OK#9a');
    expect(checksum(Buffer.from(''))).toBe(0);
  });

  it('round-trips through the parser, whatever the chunking', () => {
    const wire = Buffer.concat([frame('m401000,10'), Buffer.from('+'), frame('vCont;c'), Buffer.from([3])]);
    for (let split = 1; split <= 5; split++) {
      const events: WireEvent[] = [];
      const p = new PacketParser(4096, (e) => events.push(e));
      for (let i = 0; i < wire.length; i += split) p.feed(wire.subarray(i, i + split));
      expect(events.map((e) => e.type)).toEqual(['packet', 'ack', 'packet', 'interrupt']);
      expect(packets(events)).toEqual(['m401000,10', 'vCont;c']);
    }
  });

  it('reports bad checksums, including non-hex digits', () => {
    expect(parse('$g#00').map((e) => e.type)).toEqual(['bad-checksum']);
    expect(parse('$g#zz').map((e) => e.type)).toEqual(['bad-checksum']);
    expect(parse('$g#6G').map((e) => e.type)).toEqual(['bad-checksum']);
  });

  it('accepts upper-case checksum digits', () => {
    expect(packets(parse('$OK#9A'))).toEqual(['OK']);
  });

  it('skips line noise between packets', () => {
    expect(packets(parse('garbage\n\x00\xff$g#67junk#$?#3f'))).toEqual(['g', '?']);
  });

  it('restarts on a $ inside a packet (truncated previous packet)', () => {
    expect(packets(parse('$m4010$g#67'))).toEqual(['g']);
    expect(packets(parse('$m4010#$g#67'))).toEqual(['g']);
    expect(packets(parse('$m4010#6$g#67'))).toEqual(['g']);
  });

  it('keeps a truncated packet pending without emitting anything', () => {
    const events: WireEvent[] = [];
    const p = new PacketParser(4096, (e) => events.push(e));
    p.feed(Buffer.from('$m401000,1'));
    expect(events).toEqual([]);
    expect(p.pending).toBe(9);
  });

  it('bounds memory on oversized packets and resynchronises', () => {
    const big = '$' + 'a'.repeat(100_000) + '#00';
    const events = parse(big + '$g#67', 1000);
    expect(events.map((e) => e.type)).toEqual(['oversized', 'packet']);
    expect((events[0] as { length: number }).length).toBe(100_000);
    expect(packets(events)).toEqual(['g']);
  });

  it('accepts a packet of exactly the advertised size', () => {
    const body = 'X'.repeat(1000);
    expect(packets(parse(frame(body), 1000))).toEqual([body]);
  });

  it('passes notifications separately and never as packets', () => {
    const events = parse(Buffer.concat([frame('Stop:T05', '%'), frame('OK')]));
    expect(events.map((e) => e.type)).toEqual(['notification', 'packet']);
  });

  it('drops corrupt notifications silently', () => {
    expect(parse('%Stop:T05#00')).toEqual([]);
  });
});

describe('run-length encoding', () => {
  it('expands the manual example: "0* " is four zeros', () => {
    expect(decodeRunLength(Buffer.from('0* ')).toString()).toBe('0000');
    expect(decodeRunLength(Buffer.from('0*"0')).toString()).toBe('0000000');
  });

  it('round-trips runs of every length up to 300', () => {
    for (let n = 1; n <= 300; n++) {
      const s = Buffer.from('ab' + 'x'.repeat(n) + 'cd');
      const enc = encodeRunLength(s);
      expect(enc.includes(0x23) || enc.includes(0x24)).toBe(false);
      for (const b of enc) expect(b).toBeLessThanOrEqual(126);
      expect(decodeRunLength(enc).toString()).toBe(s.toString());
    }
  });

  it('is applied by the parser', () => {
    expect(packets(parse(frame('0* ')))).toEqual(['0000']);
  });

  it('rejects a count below 29 and a dangling marker', () => {
    expect(() => decodeRunLength(Buffer.from('0*\x01'))).toThrow();
    expect(() => decodeRunLength(Buffer.from('*a'))).toThrow();
  });
});

describe('binary escaping', () => {
  it('escapes # $ } * and nothing else', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const esc = escapeBinary(all);
    expect(esc.length).toBe(256 + 4);
    expect(esc.includes(0x23) || esc.includes(0x24) || esc.includes(0x2a)).toBe(false);
    expect(unescapeBinary(esc).equals(all)).toBe(true);
    expect(escapeBinary(Buffer.from('}')).toString('latin1')).toBe('}]');
  });

  it('rejects data ending inside an escape', () => {
    expect(() => unescapeBinary(Buffer.from('ab}'))).toThrow();
  });

  it('survives the parser unchanged (X packet payload)', () => {
    const data = Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff, 0x03]);
    const wire = frame(Buffer.concat([Buffer.from('X1000,7:'), escapeBinary(data)]));
    const [e] = parse(wire);
    expect(e.type).toBe('packet');
    const payload = (e as { data: Buffer }).data;
    expect(unescapeBinary(payload.subarray(payload.indexOf(0x3a) + 1)).equals(data)).toBe(true);
  });
});

describe('hex helpers', () => {
  it('encodes registers little-endian', () => {
    expect(leHex(0x401136n, 8)).toBe('3611400000000000');
    expect(fromLeHex('3611400000000000')).toBe(0x401136n);
    expect(leHex(-1n, 4)).toBe('ffffffff');
  });

  it('rejects malformed numbers and data', () => {
    expect(() => parseHexBig('')).toThrow();
    expect(() => parseHexBig('12g')).toThrow();
    expect(() => fromHex('abc')).toThrow();
    expect(parseHexBig('7fffffffe000')).toBe(0x7fffffffe000n);
  });
});
