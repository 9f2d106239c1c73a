/**
 * bench/report.ts on records of a known shape: the ratio's direction (a
 * throughput's is inverted), the goal table, "not measured" rows, and the two
 * kinds of chart (ratios as bars; the copy paths against region size).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ratioOf, writeReport } from '../../bench/report.js';
import type { Record_ } from '../../bench/record.js';

const dir = mkdtempSync(join(tmpdir(), 'tsdbg-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records: Record_[] = [
  { bench: 'startup', group: 'Start-up', name: 'node bin/tsdbg.js run', unit: 'ms', ours: { name: 'tsdbg', value: 300, samples: [280, 300, 350] },
    baseline: { name: 'gdb -q', value: 150, samples: [140, 150, 160] }, goal: { text: 'first prompt within 1.5x gdb', pass: false } },
  { bench: 'rsp', group: 'Remote', name: 'memory read', unit: 'MB/s', ours: { name: 'tsdbg serve', value: 50 }, baseline: { name: 'gdbserver', value: 40 } },
  ...[4096, 65536, 1 << 20].map((bytes): Record_ => ({ bench: 'copies', group: 'Copies from C', name: 'process_vm_readv', bytes, unit: 'us',
    ours: { name: 'process_vm_readv', value: bytes / 1000 }, baseline: { name: 'memcpy', value: bytes / 10000 } })),
  { bench: 'ffi', group: 'FFI', name: 'the fork', notMeasured: 'it does not build here' },
  { bench: 'rsp', group: 'Remote', name: 'stepi', notMeasured: 'inconclusive', goal: 'stepi: at most 1.0x gdbserver' },
];

describe('bench report', () => {
  it('takes a time ratio as ours / baseline and a throughput ratio the other way', () => {
    expect(ratioOf(records[0] as never)).toBe(2);
    expect(ratioOf(records[1] as never)).toBe(0.8);
  });

  it('writes the JSON, the Markdown with its goals and not-measured rows, and the charts it names', () => {
    const md = writeReport(dir, records, { started: new Date('2026-01-02T03:04:00Z'), tiny: false, failed: ['dwarf'], notRun: [['guest', 'no guest here']], loadBefore: [1, 1, 1] });
    expect(md).toBe(join(dir, '2026-01-02-0304.md'));
    const text = readFileSync(md, 'utf8');
    expect(readFileSync(join(dir, 'latest.md'), 'utf8')).toBe(text);
    expect(text).toContain('| first prompt within 1.5x gdb | Start-up: node bin/tsdbg.js run | 2.00x | **FAIL** |');
    expect(text).toContain('| stepi: at most 1.0x gdbserver | not measured: inconclusive | | none |');
    expect(text).toContain('| bench/guest | not run: no guest here | | |');
    expect(text).toContain('| bench/dwarf | **failed** (see its output) | | |');
    expect(text).toContain('- the fork: **not measured**: it does not build here');
    expect(text).toMatch(/\| node bin\/tsdbg\.js run \| 300 ms \(tsdbg\) \| 150 ms \(gdb -q\) \| 2\.00x \| 280–350 \(n=3\) \| 140–160 \(n=3\) \|/);
    const json = JSON.parse(readFileSync(join(dir, '2026-01-02-0304.json'), 'utf8')) as { records: unknown[] };
    expect(json.records).toHaveLength(records.length);
    const charts = [...text.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(charts.map(([g]) => g)).toEqual(['Start-up', 'Remote', 'Copies from C']);
    for (const [, file] of charts) expect(readdirSync(dir)).toContain(file);
    const copies = readFileSync(join(dir, charts[2]![1]), 'utf8');
    expect(copies).toContain('region size (log)');
    expect(copies).toContain('memcpy (baseline)');
    // three sizes, two series: a point for each
    expect(copies.match(/<circle /g)).toHaveLength(6);
    const bars = readFileSync(join(dir, charts[0]![1]), 'utf8');
    expect(bars).toContain('2.00x FAIL');
  });
});
