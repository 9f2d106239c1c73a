/**
 * The float printers gdb's output depends on, checked against glibc's printf
 * itself (gdb formats with it): %.21Lg for x87 80-bit values ($st0, long
 * double), %.17g / %.9g for double / float, and info float's % -+27.19Lg.
 * Thousands of pseudo-random bit patterns over every exponent range,
 * denormals and ties included.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatFloat, formatX87 } from '../../src/dwarf/format.js';

const PRINTER = `
#include <stdio.h>
#include <string.h>
int main(void) {
  char kind; unsigned char b[16];
  while (scanf(" %c", &kind) == 1) {
    int n = kind == 'x' ? 10 : kind == 'd' ? 8 : 4;
    for (int i = 0; i < n; i++) { unsigned v; scanf("%2x", &v); b[i] = v; }
    if (kind == 'x') { long double v = 0; memcpy(&v, b, 10); printf("%.21Lg|% -+27.19Lg|\\n", v, v); }
    else if (kind == 'd') { double v; memcpy(&v, b, 8); printf("%.17g\\n", v); }
    else { float v; memcpy(&v, b, 4); printf("%.9g\\n", (double)v); }
  }
  return 0;
}`;

/** xorshift: the same values on every run. */
function rng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    return s;
  };
}

function samples(): Array<{ kind: 'x' | 'd' | 'f'; bytes: Buffer }> {
  const next = rng(0x9e3779b97f4a7c15n);
  const out: Array<{ kind: 'x' | 'd' | 'f'; bytes: Buffer }> = [];
  for (let i = 0; i < 3000; i++) {
    const r = next();
    // x87: integer bit set (normal) except for the denormal/zero exponent; every exponent range
    const x = Buffer.alloc(10);
    const exp = i % 7 === 0 ? 0 : Number(next() % 0x7ffen) + 1;
    const mant = exp === 0 ? r >> 1n : (r | (1n << 63n));
    // short mantissas (ties, exact values); the integer bit set iff the exponent is not 0 (valid encodings)
    x.writeBigUInt64LE(i % 11 === 0 && exp !== 0 ? (1n << 63n) | (BigInt(i) << 40n) : mant);
    x.writeUInt16LE((i % 2 ? 0x8000 : 0) | (i % 5 === 0 && exp !== 0 ? 16383 + (i % 80) - 40 : exp), 8);
    out.push({ kind: 'x', bytes: x });
    const d = Buffer.alloc(8);
    d.writeBigUInt64LE(i % 13 === 0 ? r & 0x800fffffffffffffn : r);                 // denormals too
    if (Number.isFinite(d.readDoubleLE(0))) out.push({ kind: 'd', bytes: d });
    const f = Buffer.alloc(4);
    f.writeUInt32LE(Number(r & 0xffffffffn));
    if (Number.isFinite(f.readFloatLE(0))) out.push({ kind: 'f', bytes: f });
  }
  return out;
}

describe('float formatting matches glibc printf', () => {
  it('x87 %.21Lg and % -+27.19Lg, double %.17g, float %.9g', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-fmt-'));
    try {
      writeFileSync(path.join(dir, 'p.c'), PRINTER);
      execFileSync('cc', ['-O1', '-o', path.join(dir, 'p'), path.join(dir, 'p.c')]);
      const list = samples();
      const input = list.map((s) => `${s.kind} ${s.bytes.toString('hex')}`).join('\n');
      const expected = execFileSync(path.join(dir, 'p'), { input, encoding: 'utf8', maxBuffer: 64 << 20 }).trimEnd().split('\n');
      expect(expected.length).toBe(list.length);
      const wrong = list.flatMap((s, i) => {
        const ours = s.kind === 'x'
          ? (() => { const t = formatX87(s.bytes, 19, true); return `${formatX87(s.bytes)}|${(t.startsWith('-') ? t : `+${t}`).padEnd(27)}|`; })()
          : s.kind === 'd' ? formatFloat(s.bytes.readDoubleLE(0), 8) : formatFloat(s.bytes.readFloatLE(0), 4);
        const glibc = s.kind === 'x' ? expected[i]!.replace('| ', '|') : expected[i];
        return ours === glibc ? [] : [`${s.kind} ${s.bytes.toString('hex')}: ours ${ours} glibc ${glibc}`];
      });
      expect(wrong.slice(0, 10)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
