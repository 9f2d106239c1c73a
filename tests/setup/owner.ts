/**
 * setupFiles module of every project (vitest.config.ts): marks each test's
 * children with TSDBG_TEST_OWNER and fails the test, or the file, that leaves
 * a process running (naming pid, exe and cmdline, after killing it).
 */
import { afterAll, afterEach, beforeEach, expect, inject } from 'vitest';
import { relative } from 'node:path';
import { OWNER_VAR, formatLeaks, reapLeaks } from './leaks.js';

declare module 'vitest' {
  export interface ProvidedContext { tsdbgTestRun: string }
}

const run = inject('tsdbgTestRun') ?? `r${process.pid}`;
// The file's marker is set before the test file is imported: some start their
// processes at the top level (tests/guest/kernel.test.ts boots the guest there).
const file = relative(process.cwd(), expect.getState().testPath ?? 'unknown');
// reapLeaks may wait out a grace period and then the kills: more than vitest's default hook time
const HOOK_MS = 120_000;
const fileMarker = () => `${run}:${file}:file`;
process.env[OWNER_VAR] = fileMarker();

beforeEach(({ task }) => {
  process.env[OWNER_VAR] = `${run}:${file}:${task.id}`;
});

afterEach(async ({ task }) => {
  const marker = `${run}:${file}:${task.id}`;
  process.env[OWNER_VAR] = fileMarker();
  const leaks = await reapLeaks(marker, true);
  if (leaks.length > 0) throw new Error(formatLeaks(`test "${task.name}"`, leaks));
}, HOOK_MS);

afterAll(async () => {
  const leaks = await reapLeaks(`${run}:${file}:`);
  if (leaks.length > 0) throw new Error(formatLeaks(file, leaks));
}, HOOK_MS);
