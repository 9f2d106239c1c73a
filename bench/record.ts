/**
 * bench/record.ts - what a benchmark hands to the report (bench/report.ts).
 *
 * Each benchmark keeps printing its own table; beside it, it calls record()
 * for every number the report shows: ours and the baseline measured in the
 * same run, each with all its samples (the spread), and, for a goal of the
 * issue, the verdict. When `npm run bench` runs it, TSDBG_BENCH_RECORD names a
 * file that collects one JSON line per measurement; run alone, record() does
 * nothing.
 */
import { appendFileSync } from 'node:fs';

/** One side of a comparison: what was timed, its estimate and every sample. */
export interface Side {
  name: string;
  /** The estimate (a median or a fastest run, as the benchmark says in `how`). */
  value: number;
  samples?: number[];
}

export interface Measurement {
  /** The benchmark (file name under bench/). */
  bench: string;
  /** A group of rows shown together (one table, one chart). */
  group: string;
  /** The row: an operation, or a region size for the copy paths. */
  name: string;
  /** Unit of value and samples: 'us', 'ms', 's', 'MB/s'. */
  unit: string;
  ours: Side;
  /** The baseline from the same run; absent when there is none (then no ratio). */
  baseline?: Side;
  /** Bytes per operation, for the copy paths (the chart's log x axis). */
  bytes?: number;
  /** A goal of the issue, with its verdict; the ratio is ours / baseline unless told. */
  goal?: { text: string; pass: boolean | null; ratio?: number };
  /** How the estimate was taken, and anything the reader must know. */
  note?: string;
}

/** A row that could not be measured here, and why: the report prints it as such. */
export interface NotMeasured {
  bench: string;
  group: string;
  name: string;
  notMeasured: string;
  /** The goal this row would have decided. */
  goal?: string;
}

export type Record_ = Measurement | NotMeasured;

export function record(m: Record_): void {
  const file = process.env.TSDBG_BENCH_RECORD;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify(m)}\n`);
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
