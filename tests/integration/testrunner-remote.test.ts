/**
 * `tsdbg test --remote HOST:PORT`: the scripts drive a process behind a GDB
 * remote server (the RSP client, src/rsp/remote-target.ts): real gdbserver,
 * whose snapshots the rsp engine builds from memory packets, and `tsdbg
 * serve`, which lends its own engine. A server serves one process, so each
 * run here has one test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { example, startListening, type Spawned } from './rsp-util.js';
import { parseTap, scripts, TSDBG, tsdbgTest } from './testrunner-util.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

async function server(kind: 'gdbserver' | 'tsdbg'): Promise<Spawned> {
  const prog = example('struct_loop');
  const s = kind === 'gdbserver'
    ? await startListening('gdbserver', ['--once', '127.0.0.1:0', prog])
    : await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '--once', prog]);
  cleanup.push(() => s.stop());
  return s;
}

const SCRIPT = [
  `file ${example('struct_loop')}`,
  'break tick',
  'test "over the remote protocol" {',
  '  run',
  '  expect stop at tick',
  '  expect pt.x == 1',
  '  expect pt.tag == "start"',
  '  snapshot &pt sizeof(pt)',
  '  set var pt.x = 77',
  '  expect snapshot diff &pt only x',
  '  restore &pt',
  '  expect memory &pt.x == 01 00 00 00',
  '  finish',
  '  expect counter == 1',
  '  delete',
  '  continue',
  '  expect exit 0',
  '}',
].join('\n');

describe.each(['gdbserver', 'tsdbg'] as const)('tsdbg test --remote to %s', (kind) => {
  it('runs a script against the served process, snapshots included', async () => {
    const s = await server(kind);
    const dir = scripts({ 'remote.tsdbg': SCRIPT });
    const r = tsdbgTest(['--remote', `127.0.0.1:${s.port}`, '--reporter', 'tap', path.join(dir, 'remote.tsdbg')]);
    const { final, asserts } = await parseTap(r.stdout);
    expect(asserts.map((a) => [a.name, a.ok])).toEqual([['over the remote protocol', true], [path.join(dir, 'remote.tsdbg'), true]]);
    expect(final.ok).toBe(true);
    expect(r.code).toBe(0);
  });
});

it('tsdbg test --remote with nothing listening: the test fails with the connection error', async () => {
  const dir = scripts({ 'remote.tsdbg': SCRIPT });
  // a port that was free a moment ago: a server started and stopped
  const s = await server('tsdbg');
  await s.stop();
  const r = tsdbgTest(['--remote', `127.0.0.1:${s.port}`, '--reporter', 'tap', path.join(dir, 'remote.tsdbg')]);
  expect(r.code).toBe(1);
  const { asserts } = await parseTap(r.stdout);
  expect(asserts[0]!.diag).toMatchObject({ at: `${path.join(dir, 'remote.tsdbg')}:4`, statement: 'run' });
  expect(asserts[0]!.diag.message).toMatch(/refused|ECONNREFUSED/i);
});
