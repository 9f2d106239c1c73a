/**
 * JUnit XML (Jenkins, GitLab) through junit-report-builder: a testsuite per
 * file, a testcase per test and one per foreach value or retry run; a
 * failure's message is `FILE:LINE: statement`, its body the details.
 */
import junitModule, { type Builder, type TestSuite } from 'junit-report-builder';
import type { FileResult, TestResult } from './results.js';
import { where } from './results.js';
import { failureText } from './report-text.js';

/** The package is CommonJS whose module.exports is the builder (its types say `default`). */
const junit = junitModule as unknown as Builder;

export function junitXml(files: FileResult[]): string {
  const b = junit.newBuilder();
  for (const f of files) {
    const suite = b.testSuite().name(f.file);
    if (f.error) suite.testCase().className(f.file).name('(script)').file(f.file).failure(f.error, 'script');
    for (const t of f.tests) add(suite, f.file, t, '');
  }
  return b.build();
}

function add(suite: TestSuite, file: string, t: TestResult, prefix: string): void {
  const name = `${prefix}${t.name}`;
  if (t.subtests.length) {
    for (const s of t.subtests) add(suite, file, s, `${name} / `);
    if (!t.failures.length) return;
  }
  const c = suite.testCase().className(file).name(name).file(file).time(t.ms / 1000);
  const f = t.failures[0];
  if (f) {
    const more = t.failures.length > 1 ? ` (and ${t.failures.length - 1} more)` : '';
    c.failure(`${where(f.loc)}: ${f.source}: ${f.expected !== undefined ? `expected ${f.expected}, actual ${f.actual}` : f.message}${more}`, 'expectation');
    c.stacktrace(t.failures.map((x) => failureText(x)).join('\n\n'));
  }
}
