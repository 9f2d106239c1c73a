/**
 * globalSetup of every project (vitest.config.ts): one id per run, so a
 * process is attributed to this run's tests only, and a last sweep that fails
 * the run if anything this run started is still alive at its end (a test that
 * timed out keeps running in its worker after vitest moved on).
 */
import type { TestProject } from 'vitest/node';
import { formatLeaks, reapLeaks } from './leaks.js';

export default function setup(project: TestProject): () => Promise<void> {
  const run = `${process.pid}.${Date.now().toString(36)}.${project.name}`;
  project.provide('tsdbgTestRun', run);
  return async () => {
    const leaks = await reapLeaks(`${run}:`, false, 5_000);
    if (leaks.length === 0) return;
    // vitest reports a teardown's error but would still exit 0
    process.exitCode = 1;
    throw new Error(formatLeaks(`the ${project.name} tests`, leaks));
  };
}
