/**
 * A `tsdbg test` worker: a child process that runs one file (a script or an
 * annotated C source) and sends its results to the parent as they come. Its
 * own process, so a test that wedges or crashes tsdbg takes only this file
 * down: the parent kills it and the tracee it was told of.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../debugger/errors.js';
import { runScript, type RunOptions } from './exec.js';
import type { TestResult } from './results.js';
import { parseScript, ScriptError } from './script.js';
import { parseSource, runSource } from './source.js';

export interface Job {
  file: string;
  source: boolean;
  opts: Omit<RunOptions, 'record' | 'onPid' | 'onTestStart'> & { record: boolean };
}

export type WorkerMessage =
  | { type: 'pid'; pid: number | undefined }
  | { type: 'start'; timeoutMs: number }
  | { type: 'result'; result: TestResult }
  | { type: 'done'; error?: string; recorded?: [number, string][] };

/** gdb's words for a script it cannot read. */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory.', EISDIR: 'Is a directory.', EACCES: 'Permission denied.',
};

/** Read, parse and run one file, telling `send` each result. */
export async function runJob(job: Job, send: (m: WorkerMessage) => void): Promise<void> {
  let text: string;
  try {
    text = readFileSync(job.file, 'utf8');
  } catch (e) {
    send({ type: 'done', error: `${job.file}: ${READ_ERRORS[(e as NodeJS.ErrnoException).code ?? ''] ?? errorMessage(e)}` });
    return;
  }
  const record = job.opts.record ? new Map<number, string>() : undefined;
  const opts: RunOptions = { ...job.opts, record, onPid: (pid) => send({ type: 'pid', pid }), onTestStart: (timeoutMs) => send({ type: 'start', timeoutMs }) };
  const onResult = (result: TestResult) => send({ type: 'result', result });
  try {
    if (job.source) await runSource(job.file, parseSource(text, job.file), opts, onResult);
    else await runScript(parseScript(text, job.file), opts, onResult);
    send({ type: 'done', recorded: record ? [...record] : undefined });
  } catch (e) {
    send({ type: 'done', error: e instanceof ScriptError ? e.message : `${job.file}: ${errorMessage(e)}` });
  }
}

// as a forked child: one job from the parent, results back over IPC
if (process.send && process.argv[2] === '--tsdbg-test-worker') {
  process.once('message', (job: Job) => {
    void runJob(job, (m) => process.send!(m)).finally(() => {
      process.disconnect();
      // a handle left open must not keep the worker (and so the run) alive
      setTimeout(() => process.exit(0), 2000).unref();
    });
  });
}
