/**
 * Across the guest boundary: Debian's gdb on the host debugs a program that
 * `tsdbg serve` runs inside the patched kernel (port forwarded by
 * `tsdbg vm run --forward`), and a snapshot taken with `monitor snapshot`
 * lives in kernel memory (PTRACE_SNAPSHOT) until `monitor restore` puts it
 * back and changes what the program prints.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT, startVm } from './vm-run.js';

const LIMIT_MS = 8 * 60_000;
const PROG = join(ROOT, 'examples/bin/struct_loop');

/** gdb -batch against the guest's server, which listens already. */
function gdb(port: number, commands: string[]): Promise<{ out: string; status: number | null }> {
  const args = ['-batch', '-nx', '-ex', 'set confirm off', '-ex', 'set width 0', '-ex', 'set pagination off',
    '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  args.push(PROG);
  return new Promise((resolve) => {
    const child = spawn('gdb', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ out, status }); });
  });
}

describe('gdb on the host, tsdbg serve in the patched guest', () => {
  it('takes a kernel-engine snapshot and restores it through monitor commands', async () => {
    const port = await freePort();
    const vm = startVm(['run', '--forward', `${port}:2345`, '--',
      process.execPath, join(ROOT, 'bin/tsdbg.js'), 'serve', '--engine', 'kernel',
      '--listen', '0.0.0.0:2345', '--once', PROG], LIMIT_MS);
    // The server's stderr comes through the guest's serial line once it
    // listens; QEMU accepts on the forwarded port long before that.
    await vm.waitForStderr(/^Listening on port 2345\r?$/m, LIMIT_MS).catch((e: unknown) => {
      vm.stop();
      throw e;
    });
    const g = await gdb(port, [
      'break tick', 'continue',
      'monitor snapshot-info',
      'eval "monitor snapshot %p %d", &pt, sizeof(pt)',
      'monitor snapshot-info',
      'continue', 'continue',
      'eval "monitor restore %p", &pt',
      'maintenance flush register-cache',
      'print pt.x',
      'delete', 'continue',
    ]);
    const r = await vm.done;
    const out = g.out;
    const said = `--- gdb:\n${out}--- tsdbg vm stderr:\n${r.stderr}`;
    expect(out, said).toMatch(/^engine=kernel max-len=\d+ max-total=\d+ held=0$/m);
    expect(out).toMatch(/snapshot of 24 bytes at 0x[0-9a-f]+ taken/);
    expect(out).toMatch(/^engine=kernel max-len=\d+ max-total=\d+ held=24$/m);
    expect(out).toMatch(/restored 24 bytes at 0x/);
    expect(out).toMatch(/^\$1 = 1$/m);
    expect(out).toContain('iter 1: x=3 y=8 steps=2 tag=start');
    expect(out).toContain('iter 2: x=2 y=4 steps=1 tag=start');   // back to the snapshot
    expect(out).toMatch(/exited normally/);
    expect(g.status).toBe(0);
    expect(r.status, r.stderr).toBe(0);
  }, LIMIT_MS + 60_000);
});
