/**
 * The 6.1 guest run (tests/guest/guest-suite.ts): one boot of 6.1 + patches-6.1 runs the
 * kernel ABI suite, the series' kselftest, tracer.ko's tests and the in-guest TypeScript
 * suites (tests/in-guest), as the 5.10 run does (kernel.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { guestSuiteTests, runGuestSuite } from './guest-suite.js';

const share = mkdtempSync(join(tmpdir(), 'tsdbg-guest-suite-6.1-'));
const suite = await runGuestSuite(share, '6.1', true);
afterAll(() => rmSync(share, { recursive: true, force: true }));

guestSuiteTests(suite, true);
