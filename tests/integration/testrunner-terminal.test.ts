/**
 * `tsdbg test` on a real terminal (a pty): the pretty reporter is the
 * default there, in colour; NO_COLOR turns the colour off.
 */
import { afterEach, expect, it } from 'vitest';
import { killTerminals, terminal, TSDBG, tsdbg } from './pty-util.js';

afterEach(killTerminals);

const MUST_FAIL = 'examples/tests/failing/must-fail.tsdbg';

it('on a terminal: the pretty reporter by default, in colour', async () => {
  const t = tsdbg(['test', MUST_FAIL], { env: { NO_COLOR: '' } });   // the pty helper sets NO_COLOR unless told
  await t.waitFor(/FAIL.* 1 passed, 2 failed \(1 file\)/);
  expect((await t.exited).exitCode).toBe(1);
  const out = t.output();
  expect(out).toContain('\x1b[31m✗\x1b[0m a value that is not what the script says');
  expect(out).toContain('\x1b[32m✓\x1b[0m this one passes');
  expect(out).toContain(`at:        ${MUST_FAIL}:9`);
  expect(out).toContain('\x1b[31mFAIL\x1b[0m 1 passed, 2 failed (1 file)');
});

it('on a terminal with NO_COLOR set: no colour', async () => {
  const t = terminal('env', ['NO_COLOR=1', process.execPath, TSDBG, 'test', MUST_FAIL]);
  await t.waitFor('FAIL 1 passed, 2 failed (1 file)');
  expect((await t.exited).exitCode).toBe(1);
  expect(t.output()).toContain('✗ a value that is not what the script says');
  expect(t.output()).not.toContain('\x1b[');
});
