/**
 * Files in parallel: up to `jobs` workers (./worker.ts, each its own
 * process), one file each. A worker that stops answering (a test past its
 * timeout plus a grace period) or dies is killed with the tracee it named,
 * its file's unfinished test is reported failed, and the others go on.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FileResult, TestResult } from './results.js';
import type { Job, WorkerMessage } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
/** Beyond a test's own timeout, how long a worker may take to kill its tracee and report. */
const GRACE_MS = 30_000;

export interface FileEvents {
  test?: (file: string, r: TestResult) => void;
  file?: (r: FileResult) => void;
}

export async function runFiles(jobs: Job[], parallel: number, events: FileEvents = {}): Promise<{ results: FileResult[]; recorded: Map<string, Map<number, string>> }> {
  const results: FileResult[] = new Array(jobs.length);
  const recorded = new Map<string, Map<number, string>>();
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      const r = await runOne(job, (t) => events.test?.(job.file, t), (rec) => recorded.set(job.file, new Map(rec)));
      results[i] = r;
      events.file?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, lane));
  return { results, recorded };
}

function runOne(job: Job, onTest: (t: TestResult) => void, onRecord: (r: [number, string][]) => void): Promise<FileResult> {
  return new Promise((resolve) => {
    const result: FileResult = { file: job.file, tests: [] };
    const child = fork(WORKER, ['--tsdbg-test-worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let pid: number | undefined;
    let done = false;
    let watchdog: NodeJS.Timeout | undefined;
    let bound = job.opts.timeoutMs;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => finish(`the worker gave no answer within ${(bound + GRACE_MS) / 1000} s; it and its program were killed`), bound + GRACE_MS);
    };
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(watchdog);
      if (error) {
        if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        try { child.kill('SIGKILL'); } catch { /* gone */ }
        const t: TestResult = { name: '(worker)', ok: false, failures: [{ loc: { file: job.file, line: 1 }, source: job.file, message: error }], subtests: [], checks: 0, ms: 0 };
        result.tests.push(t);
        onTest(t);
      }
      resolve(result);
    };
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'start') bound = m.timeoutMs;
      arm();
      if (m.type === 'pid') pid = m.pid;
      else if (m.type === 'result') { result.tests.push(m.result); onTest(m.result); }
      else if (m.type === 'done') {
        if (m.error) result.error = m.error;
        if (m.recorded) onRecord(m.recorded);
        done = true;
        clearTimeout(watchdog);
        resolve(result);
      }
    });
    child.on('exit', (code, signal) => finish(done ? undefined : `tsdbg's worker ended (${signal ?? `exit ${code}`}) before the file's tests did`));
    arm();
    child.send(job);
  });
}
