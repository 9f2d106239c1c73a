/**
 * TAP 14: one subtest per file, a test point per test, and foreach values
 * and retry runs as nested subtests; a failure's details as a YAML block.
 */
import type { FileResult, TestResult } from './results.js';
import { failureLines } from './report-text.js';

export function tap(files: FileResult[]): string {
  const out = ['TAP version 14'];
  files.forEach((f, i) => {
    out.push(`# Subtest: ${f.file}`);
    const body: string[] = [];
    f.tests.forEach((t, j) => body.push(...point(t, j + 1)));
    if (f.error) body.push(`not ok ${f.tests.length + 1} - ${f.file}`, ...yaml([{ at: f.error.replace(/: .*$/s, ''), message: f.error }]));
    body.push(`1..${f.tests.length + (f.error ? 1 : 0)}`);
    out.push(...body.map((l) => `    ${l}`));
    out.push(`${!f.error && f.tests.every((t) => t.ok) ? 'ok' : 'not ok'} ${i + 1} - ${f.file}`);
  });
  out.push(`1..${files.length}`);
  return `${out.join('\n')}\n`;
}

function point(t: TestResult, n: number): string[] {
  const out: string[] = [];
  if (t.subtests.length) {
    out.push(`# Subtest: ${t.name}`);
    const body: string[] = [];
    t.subtests.forEach((s, k) => body.push(...point(s, k + 1)));
    body.push(`1..${t.subtests.length}`);
    out.push(...body.map((l) => `    ${l}`));
  }
  out.push(`${t.ok ? 'ok' : 'not ok'} ${n} - ${escape(t.name)}`);
  // the subtests' failures are under them; the rest here
  const own = t.failures;
  if (own.length) {
    out.push(...yaml(own.map((f) => ({
      ...Object.fromEntries(failureLines(f)), ...(f.backtrace ? { backtrace: f.backtrace } : {}), ...(f.diff ? { diff: f.diff } : {}),
    }))));
  } else if (!t.ok && !t.subtests.length) {
    out.push(...yaml([{ message: 'failed' }]));
  }
  return out;
}

/** TAP's description: `#` starts a directive, so it is escaped. */
const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/#/g, '\\#');

/** The YAML diagnostic block: the first failure's keys, the others under `more`. */
function yaml(items: Record<string, string | string[]>[]): string[] {
  const block = (o: Record<string, string | string[]>, pad: string, first: string) => Object.entries(o).flatMap(([k, v], i) => {
    const lead = i === 0 ? first : pad;
    return Array.isArray(v) ? [`${lead}${k}:`, ...v.map((x) => `${pad}  - ${JSON.stringify(x)}`)] : [`${lead}${k}: ${JSON.stringify(v)}`];
  });
  const [head, ...rest] = items;
  const out = ['  ---', ...block(head!, '  ', '  ')];
  if (rest.length) out.push('  more:', ...rest.flatMap((o) => block(o, '      ', '    - ')));
  out.push('  ...');
  return out;
}
