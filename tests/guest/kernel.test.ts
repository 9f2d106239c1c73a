/**
 * The 5.10 guest run (tests/guest/guest-suite.ts): one boot runs the kernel ABI suite, the
 * series' kselftest, tracer.ko's tests and the in-guest TypeScript suites.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { guestSuiteTests, runGuestSuite } from './guest-suite.js';

const share = mkdtempSync(join(tmpdir(), 'tsdbg-guest-suite-'));
const suite = await runGuestSuite(share, '5.10', true);
afterAll(() => rmSync(share, { recursive: true, force: true }));

guestSuiteTests(suite, true);
