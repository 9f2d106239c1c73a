/**
 * bench/report.ts - turns the records of one `npm run bench` (bench/record.ts)
 * into bench/results/<date>.json and a Markdown report beside it with SVG
 * charts; latest.md is a copy of the newest report (the README links to it).
 * Every number is a ratio against its baseline from the same run, with the
 * spread of the repeated runs; every goal of issue 16 prints PASS or FAIL.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement, NotMeasured, Record_ } from './record.js';
import { barChart, sizeChart, type Bar, type Series } from './svg.js';

export interface RunInfo {
  started: Date;
  tiny: boolean;
  /** Benchmarks that exited non-zero, and those not run (with why). */
  failed: string[];
  notRun: Array<[string, string]>;
  loadBefore: number[];
  /** When the report is written again from a past run's JSON: that run's load at its end. */
  loadAfter?: number[];
}

const isMeasured = (r: Record_): r is Measurement => !('notMeasured' in r);

/** ours / baseline as a time ratio (a throughput's is inverted); the goal's own ratio when it gives one. */
export function ratioOf(m: Measurement): number {
  if (m.goal?.ratio !== undefined) return m.goal.ratio;
  if (!m.baseline) return NaN;
  return m.unit === 'MB/s' ? m.baseline.value / m.ours.value : m.ours.value / m.baseline.value;
}

/** The ratio's spread: each sample of ours against the baseline's estimate. */
function ratioSpread(m: Measurement): [number, number] | undefined {
  if (!m.baseline || !m.ours.samples || m.ours.samples.length < 2) return undefined;
  const r = m.ours.samples.map((s) => (m.unit === 'MB/s' ? m.baseline!.value / s : s / m.baseline!.value));
  const scale = m.goal?.ratio !== undefined ? m.goal.ratio / ratioOf({ ...m, goal: undefined }) : 1;
  return [Math.min(...r) * scale, Math.max(...r) * scale];
}

const num = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));
// (a zero baseline, a cost below the clock's resolution: no ratio to give)
const ratioText = (r: number) => (Number.isFinite(r) ? `${num(r)}x` : 'n/a');
const spreadText = (xs?: number[]) => (xs && xs.length > 1 ? `${num(Math.min(...xs))}–${num(Math.max(...xs))} (n=${xs.length})` : 'one run');
const verdict = (m: Measurement) => (m.goal ? (m.goal.pass === null ? 'n/a' : m.goal.pass ? '**PASS**' : '**FAIL**') : '');

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0]!.trim() : `${cmd}: not available`;
}

/** Writes the JSON, the Markdown and the charts into `dir`; returns the Markdown's path. */
export function writeReport(dir: string, records: Record_[], info: RunInfo): string {
  mkdirSync(dir, { recursive: true });
  const stamp = info.started.toISOString().slice(0, 16).replace(':', '').replace('T', '-');
  const name = `${stamp}${info.tiny ? '-tiny' : ''}`;
  const machine = {
    cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', kernel: release(), node: process.version,
    gdb: firstLine('gdb', ['--version']), loadBefore: info.loadBefore, loadAfter: info.loadAfter ?? loadavg(),
  };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ started: info.started.toISOString(), tiny: info.tiny, machine, failed: info.failed, notRun: info.notRun, records }, null, 1)}\n`);

  const md: string[] = [`# tsdbg benchmark report, ${info.started.toISOString().slice(0, 16).replace('T', ' ')} UTC${info.tiny ? ' (tiny run: proves the benchmarks work; the numbers mean nothing)' : ''}`, '',
    `${machine.cpus} × ${machine.cpu}; Linux ${machine.kernel}; Node ${machine.node}; ${machine.gdb}. ` +
    `Load average ${machine.loadBefore.map((l) => l.toFixed(1)).join(' ')} at the start, ${machine.loadAfter.map((l) => l.toFixed(1)).join(' ')} at the end ` +
    '(a shared machine: read the ratios, each against a baseline measured in the same run, not the absolute times).', '',
    `Raw data: [${name}.json](${name}.json). Produced by \`npm run bench\` (bench/run.ts); each benchmark's own table is in its output.`, ''];

  const measured = records.filter(isMeasured);
  const goals = measured.filter((m) => m.goal);
  md.push('## Goals', '', 'Ratios are time ratios, tsdbg / baseline (below 1: tsdbg is faster).', '', '| goal | measured | ratio | verdict |', '|---|---|---|---|');
  for (const m of goals) md.push(`| ${m.goal!.text} | ${m.group}: ${m.name} | ${ratioText(ratioOf(m))} | ${verdict(m)} |`);
  for (const r of records.filter((x): x is NotMeasured => !isMeasured(x))) md.push(`| ${r.goal ?? `${r.group}: ${r.name}`} | not measured: ${r.notMeasured} | | ${r.goal ? 'none' : ''} |`);
  for (const [bench, why] of info.notRun) md.push(`| bench/${bench} | not run: ${why} | | |`);
  for (const bench of info.failed) md.push(`| bench/${bench} | **failed** (see its output) | | |`);
  md.push('');

  const groups = [...new Set(records.map((r) => r.group))];
  groups.forEach((group, gi) => {
    const rows = records.filter((r) => r.group === group);
    const ms = rows.filter(isMeasured);
    md.push(`## ${group}`, '');
    if (ms.length > 0) {
      const svg = `${name}-${gi + 1}.svg`;
      let drawn = true;
      const bySize = ms.every((m) => m.bytes !== undefined) && new Set(ms.map((m) => m.bytes)).size > 1;
      if (bySize) {
        const series = new Map<string, Series>();
        const add = (n: string, bytes: number, v: number) => {
          const s = series.get(n) ?? { name: n, points: [] };
          if (!s.points.some((p) => p[0] === bytes)) s.points.push([bytes, v]);
          series.set(n, s);
        };
        for (const m of ms) {
          add(m.ours.name, m.bytes!, m.ours.value);
          if (m.baseline) add(`${m.baseline.name} (baseline)`, m.bytes!, m.baseline.value);
        }
        writeFileSync(join(dir, svg), sizeChart(`${group}: ${ms[0]!.unit} per copy`, ms[0]!.unit, [...series.values()]));
      } else {
        const bars: Bar[] = ms.filter((m) => m.baseline).map((m) => {
          const sp = ratioSpread(m);
          return { label: m.name, ratio: ratioOf(m), low: sp?.[0], high: sp?.[1], verdict: m.goal ? (m.goal.pass ? 'PASS' : 'FAIL') : undefined };
        });
        if (bars.length) writeFileSync(join(dir, svg), barChart(group, bars));
        else drawn = false;
      }
      if (drawn) md.push(`![${group}](${svg})`, '');
      md.push('| row | measured | baseline | ratio | spread | baseline spread | goal |', '|---|---|---|---|---|---|---|');
      for (const m of ms) {
        const base = m.baseline ? `${num(m.baseline.value)} ${m.unit} (${m.baseline.name})` : '—';
        const row = m.bytes !== undefined && !m.name.includes('iB') ? `${m.name}, ${m.bytes >= 1 << 20 ? `${m.bytes >> 20} MiB` : `${m.bytes >> 10} KiB`}` : m.name;
        md.push(`| ${row} | ${num(m.ours.value)} ${m.unit} (${m.ours.name}) | ${base} | ${m.baseline ? ratioText(ratioOf(m)) : '—'} | ${spreadText(m.ours.samples)} | ${spreadText(m.baseline?.samples)} | ${m.goal ? `${m.goal.text}: ${verdict(m)}` : ''} |`);
      }
      const notes = [...new Set(ms.map((m) => m.note).filter(Boolean))];
      if (notes.length) md.push('', ...notes.map((n) => `*${n}*`));
      md.push('');
    }
    for (const r of rows.filter((x): x is NotMeasured => !isMeasured(x))) md.push(`- ${r.name}: **not measured**: ${r.notMeasured}`);
    md.push('');
  });
  const text = `${md.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
  const file = join(dir, `${name}.md`);
  writeFileSync(file, text);
  if (!info.tiny) writeFileSync(join(dir, 'latest.md'), text);
  return file;
}

/**
 * `node dist/bench/report.js RESULTS.json`: writes the report of a past run
 * again from its JSON (after the report's layout changed), beside the JSON.
 */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/report.js RESULTS.json\n');
    process.exitCode = 2;
  } else {
    const run = JSON.parse(readFileSync(file, 'utf8')) as { started: string; tiny: boolean; failed: string[]; notRun: Array<[string, string]>; machine: { loadBefore: number[]; loadAfter: number[] }; records: Record_[] };
    const md = writeReport(dirname(file), run.records, { started: new Date(run.started), tiny: run.tiny, failed: run.failed, notRun: run.notRun, loadBefore: run.machine.loadBefore, loadAfter: run.machine.loadAfter });
    process.stdout.write(`${md}\n`);
  }
}
