/**
 * What a test run produces, as plain data (it crosses from the workers to the
 * reporters as JSON).
 */
import type { Loc } from './script.js';

export interface Place { function: string | undefined; file: string | undefined; line: number | undefined }

export interface Failure {
  loc: Loc;
  /** The statement as written: `expect p->x == 3`. */
  source: string;
  message: string;
  expected?: string;
  actual?: string;
  /** Where the program was (undefined: no process). */
  where?: Place;
  /** A short backtrace, `#0  tick (struct_loop.c:17)`. */
  backtrace?: string[];
  /** For memory: expected and actual bytes, lines of a hex diff. */
  diff?: string[];
}

export interface TestResult {
  name: string;
  ok: boolean;
  failures: Failure[];
  /** foreach values and retry runs: each its own subtest. */
  subtests: TestResult[];
  /** Expectations checked. */
  checks: number;
  ms: number;
}

export interface FileResult {
  file: string;
  tests: TestResult[];
  /** A script that could not be read or parsed: `FILE:LINE: message`. */
  error?: string;
}

export function passed(f: FileResult): boolean {
  return !f.error && f.tests.every((t) => t.ok);
}

/** The one-line location of a failure: `FILE:LINE`. */
export const where = (l: Loc) => `${l.file}:${l.line}`;
