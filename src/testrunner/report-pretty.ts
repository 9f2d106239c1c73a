/**
 * The pretty reporter: a line per test as it ends (✓/✗, subtests indented),
 * each failure's details, and a summary. Colour only on a terminal, and not
 * with NO_COLOR set.
 */
import type { FileResult, TestResult } from './results.js';
import { failureText } from './report-text.js';

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export class Pretty {
  private readonly paint: (code: number, s: string) => string;

  constructor(color: boolean) {
    this.paint = color ? (code, s) => `\x1b[${code}m${s}\x1b[0m` : (_, s) => s;
  }

  /** One file's results, when it is done. */
  file(f: FileResult): string {
    const out = [this.paint(1, f.file)];
    if (f.error) out.push(`  ${this.paint(31, '✗')} ${f.error}`);
    for (const t of f.tests) out.push(...this.test(t, '  '));
    return `${out.join('\n')}\n`;
  }

  private test(t: TestResult, indent: string): string[] {
    const mark = t.ok ? this.paint(32, '✓') : this.paint(31, '✗');
    const out = [`${indent}${mark} ${t.name}${this.paint(2, ` (${t.ms} ms)`)}`];
    for (const s of t.subtests) out.push(...this.test(s, `${indent}  `));
    t.failures.forEach((f, i) => {
      if (i) out.push('');
      out.push(this.paint(31, failureText(f, `${indent}    `)));
    });
    return out;
  }

  summary(files: FileResult[]): string {
    const count = (ts: TestResult[]): [number, number] => ts.reduce(([p, f], t) => (t.ok ? [p + 1, f] : [p, f + 1]), [0, 0]);
    const [pass, fail] = count(files.flatMap((f) => f.tests));
    const broken = files.filter((f) => f.error).length;
    const ok = !fail && !broken;
    const parts = [`${pass} passed`, `${fail} failed`, ...(broken ? [`${broken} script${broken > 1 ? 's' : ''} not run`] : [])];
    return `${this.paint(ok ? 32 : 31, `${ok ? 'PASS' : 'FAIL'}`)} ${parts.join(', ')} (${files.length} file${files.length === 1 ? '' : 's'})\n`;
  }
}
