/**
 * The 6.1 guest run (tests/guest/guest-suite.ts): one boot of 6.1 + patches-6.1 runs the
 * kernel ABI suite, the series' kselftest and tracer.ko's tests. The in-guest TypeScript
 * suites run on 5.10 only (kernel.test.ts): they test tsdbg, not the kernel, and take minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { guestSuiteTests, runGuestSuite } from './guest-suite.js';

const share = mkdtempSync(join(tmpdir(), 'tsdbg-guest-suite-6.1-'));
const suite = await runGuestSuite(share, '6.1', false);
afterAll(() => rmSync(share, { recursive: true, force: true }));

guestSuiteTests(suite, false);
