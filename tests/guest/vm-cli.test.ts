/**
 * `tsdbg vm run` itself: the guest runs the patched 5.10.223 kernel (6.1.176 with
 * --kernel 6.1), the
 * command's stdout and stderr come back separately and byte-exact, and its
 * exit status is tsdbg's.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { commandStderr, freePort, ROOT, tsdbgVm } from './vm-run.js';

const LIMIT_MS = 5 * 60_000;

/** What a connection to 127.0.0.1:port receives ('' when it is closed at once). */
function fetchLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const s = connect(port, '127.0.0.1');
    s.on('data', (d: Buffer) => { data += d.toString(); });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(''));
  });
}

describe('tsdbg vm run', () => {
  it('runs uname -r in the guest: 5.10.223, exit 0', async () => {
    const r = await tsdbgVm(['run', '--', 'uname', '-r'], LIMIT_MS);
    expect(r.stderr).not.toMatch(/failed|error/i);
    expect(r.stdout).toBe('5.10.223\n');
    expect(r.status).toBe(0);
  });

  it('boots 6.1 with --kernel 6.1: uname -r is 6.1.176', async () => {
    const r = await tsdbgVm(['run', '--kernel', '6.1', '--', 'uname', '-r'], LIMIT_MS);
    expect(r.stderr).not.toMatch(/failed|error/i);
    expect(r.stdout).toBe('6.1.176\n');
    expect(r.status).toBe(0);
  });

  it('passes the exit status, stdout and stderr of a failing command back', async () => {
    const script = 'printf "out\\r\\n\\001"; echo err >&2; echo "$TSDBG_MARK $(pwd)"; exit 7';
    const r = await tsdbgVm(['run', '--', 'sh', '-c', script], LIMIT_MS, { TSDBG_MARK: 'passed-through' });
    expect(r.status).toBe(7);
    expect(r.stdout).toBe(`out\r\n\x01passed-through ${ROOT}\n`);
    expect(commandStderr(r.stderr)).toBe('err\n');
  });

  it('rejects bad options with one line and status 2, without booting', async () => {
    const r = await tsdbgVm(['run', '--forward', '99999:1', '--', 'true'], LIMIT_MS);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tsdbg vm: host port "99999" is not a TCP port (1-65535)');
    const k = await tsdbgVm(['run', '--kernel', '4.19', '--', 'true'], LIMIT_MS);
    expect(k.status).toBe(2);
    expect(k.stderr.split('\n')[0]).toBe('tsdbg vm: --kernel must be 5.10 or 6.1, not "4.19"');
  });

  it('forwards a host port to a server in the guest (--forward)', async () => {
    const port = await freePort();
    const server = 'require("net").createServer((s) => s.end("hello from " + require("os").release() + "\\n", ' +
      '() => process.exit(0))).listen(7000)';
    const vm = tsdbgVm(['run', '--forward', `${port}:7000`, '--', 'node', '-e', server], LIMIT_MS);
    // QEMU accepts and closes connections until the guest listens: poll, while the run
    // lasts (a TCG guest on a loaded machine boots slowly; tsdbg vm's LIMIT_MS bounds it)
    let ended = false;
    void vm.then(() => { ended = true; });
    let line = '';
    while (!line && !ended) {
      await new Promise((r) => setTimeout(r, 500));
      line = await fetchLine(port);
    }
    const r = await vm;
    expect(line).toBe('hello from 5.10.223\n');
    expect(r.status).toBe(0);
  });
});
