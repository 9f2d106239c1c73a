/**
 * `tsdbg serve` safe by default (the built CLI, real programs): where it
 * listens, what a client may run, attach to and read, with gdbserver's
 * replies as the reference where gdbserver has one; and two protocol details
 * (z0 where no breakpoint is, D in extended mode) checked against the kernel's
 * view of the processes.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { RspClient } from '../../src/rsp/client.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { toHex } from '../../src/rsp/packet.js';
import { example, gdbBatch as gdb, hasRun, requireFreshServerBuild, ROOT, startListening, symbol, until, type Spawned } from './rsp-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const FEATURES = ['multiprocess+', 'swbreak+', 'hwbreak+'];
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

beforeAll(requireFreshServerBuild);

async function serve(args: string[]): Promise<Spawned> {
  const s = await startListening('node', [TSDBG, 'serve', ...args]);
  cleanup.push(() => s.stop());
  return s;
}

async function gdbserver(args: string[]): Promise<Spawned> {
  const s = await startListening('gdbserver', ['--once', '--no-startup-with-shell', ...args]);
  cleanup.push(() => s.stop());
  return s;
}

async function client(port: number): Promise<RspClient> {
  const c = await RspClient.connectTcp('127.0.0.1', port);
  cleanup.push(() => c.close());
  await c.handshake(FEATURES);
  return c;
}

/** The address a listening TCP socket on `port` is bound to, from the kernel's table (hex, as /proc/net/tcp has it). */
function listeningAddress(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && f[1]?.endsWith(`:${hexPort}`)) return f[1].split(':')[0];
  }
  return undefined;
}

/** Process state letter from /proc/PID/stat, or undefined once the process is gone (reaped). */
async function procState(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** This machine's IPv4 addresses other than loopback. */
function otherAddresses(): string[] {
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
}

/** Connect and hang up at once: 'connected', or the error code. */
function connectResult(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, host);
    sock.once('connect', () => { sock.destroy(); resolve('connected'); });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

const tracerOf = (pid: number): number => Number(/^TracerPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const hex = (s: string) => toHex(Buffer.from(s));
const pidOf = (s: Spawned) => Number(/pid = (\d+)/.exec(s.stderr())![1]);

describe('tsdbg serve listens where it is told', () => {
  it('binds :PORT to 127.0.0.1 only, and 0.0.0.0:PORT to every address', async () => {
    const local = await serve([':0', example('struct_loop')]);
    expect(listeningAddress(local.port)).toBe('0100007F');
    const everywhere = await serve(['--listen', '0.0.0.0:0', '--multi', example('struct_loop')]);
    expect(listeningAddress(everywhere.port)).toBe('00000000');
    // and through this machine's other addresses: refused by the one, answered by the other
    for (const address of otherAddresses()) {
      expect(await connectResult(address, local.port), address).toBe('ECONNREFUSED');
      expect(await connectResult(address, everywhere.port), address).toBe('connected');
    }
  });

  it('says so in --help, with the options that widen what a client may do', () => {
    const r = spawnSync('node', [TSDBG, 'serve', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: tsdbg serve /);
    expect(r.stdout).toContain(':PORT listens on 127.0.0.1 only; 0.0.0.0:PORT on every address');
    for (const opt of ['--allow-run', '--allow-attach', '--allow-files DIR']) expect(r.stdout).toContain(opt);
    const bad = spawnSync('node', [TSDBG, 'serve', '--allow-files', '/nonexistent/dir', ':0', example('struct_loop')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tsdbg serve: --allow-files /nonexistent/dir: No such file or directory\n');
  });
});

describe('tsdbg serve refuses what gdbserver refuses', () => {
  it('answers vRun and vAttach outside extended mode with E01, "Already debugging a process", as gdbserver', async () => {
    const victim = spawn(example('hot_loop'), ['100000000000'], { stdio: 'ignore' });
    cleanup.push(async () => { victim.kill('SIGKILL'); });
    for (const server of [await gdbserver(['127.0.0.1:0', example('struct_loop')]), await serve(['--listen', '127.0.0.1:0', example('struct_loop')])]) {
      const c = await client(server.port);
      expect(await c.text(`vRun;${hex('/bin/true')}`)).toBe('E01');
      expect(await c.text(`vAttach;${victim.pid!.toString(16)}`)).toBe('E01');
      await until(() => server.stderr().match(/^Already debugging a process$/gm)?.length === 2, `two "Already debugging a process" lines:\n${server.stderr()}`);
      // the program is still there, stopped where it was
      expect(await c.text('?')).toMatch(/^T05/);
      expect(await procState(pidOf(server))).toBe('t');
    }
    expect(tracerOf(victim.pid!)).toBe(0);
  });

  it('answers z0 where no breakpoint is with E01, as gdbserver, and the next vCont;c runs', async () => {
    for (const server of [await gdbserver(['127.0.0.1:0', example('struct_loop')]), await serve(['--listen', '127.0.0.1:0', example('struct_loop')])]) {
      const c = await client(server.port);
      const t = await RemoteTarget.connect(c);
      const tick = await symbol(t, example('struct_loop'), 'tick');
      const main = await symbol(t, example('struct_loop'), 'main');
      expect(await c.text(`z0,${main.toString(16)},1`)).toBe('E01');
      expect(await c.text(`Z0,${tick.toString(16)},1`)).toBe('OK');
      const stop = await c.text('vCont;c', { timeoutMs: 30_000, consoleOutput: true });
      expect(stop).toMatch(/^T05/);
      expect(stop).toContain(`10:${Buffer.from(tick.toString(16).padStart(16, '0'), 'hex').reverse().toString('hex')}`);
      // removed twice: the second finds none; the program then runs to its end
      expect(await c.text(`z0,${tick.toString(16)},1`)).toBe('OK');
      expect(await c.text(`z0,${tick.toString(16)},1`)).toBe('E01');
      expect(await c.text('vCont;c', { timeoutMs: 30_000, consoleOutput: true })).toMatch(/^W0+;/);   // gdbserver says W0
    }
  });
});

describe('tsdbg serve policy', () => {
  it('runs only the served program again unless --allow-run', async () => {
    const s = await serve(['--listen', '127.0.0.1:0', example('struct_loop')]);
    const out = await gdb(`target extended-remote 127.0.0.1:${s.port}`, [
      'set remote exec-file /bin/true', 'run',
      `set remote exec-file ${example('struct_loop')}`, 'run',
    ]);
    expect(out).toContain('Running "/bin/true" on the remote target failed');
    expect(out).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
    const note = `tsdbg serve: refused to run /bin/true: only ${example('struct_loop')} may run (see --allow-run)\n`;
    await until(() => s.stderr().includes(note), `the note on stderr:\n${s.stderr()}`);
    expect(s.stderr()).not.toMatch(/vRun/);   // one line per refusal

    const free = await serve(['--listen', '127.0.0.1:0', '--allow-run', example('struct_loop')]);
    const ran = await gdb(`target extended-remote 127.0.0.1:${free.port}`, [
      `set remote exec-file ${example('hot_loop')}`, 'run',
    ], example('hot_loop'));
    expect(ran).toContain('total 499500');
    expect(ran).toMatch(/exited normally/);
  });

  it('refuses to attach without --allow-attach, and leaves the process untraced', async () => {
    const victim = spawn(example('hot_loop'), ['100000000000'], { stdio: 'ignore' });
    cleanup.push(async () => { victim.kill('SIGKILL'); });
    await until(() => hasRun(victim.pid!, example('hot_loop')), 'the victim to run its loop');
    const s = await serve(['--listen', '127.0.0.1:0']);
    const out = await gdb(`target extended-remote 127.0.0.1:${s.port}`, [`attach ${victim.pid}`, 'info registers rip'], example('hot_loop'));
    expect(out).toContain(`Attaching to process ${victim.pid} failed`);
    expect(out).toContain('The program has no registers now.');
    const note = `tsdbg serve: refused to attach to process ${victim.pid} (see --allow-attach)\n`;
    await until(() => s.stderr().includes(note), `the note on stderr:\n${s.stderr()}`);
    expect(tracerOf(victim.pid!)).toBe(0);
    expect(await procState(victim.pid!)).toMatch(/^[RS]$/);
  });

  it('serves the debugged program\'s own files and refuses others with EACCES', async () => {
    const s = await serve(['--listen', '127.0.0.1:0', example('struct_loop')]);
    const c = await client(s.port);
    const pid = pidOf(s);
    const open = (p: string) => c.text(`vFile:open:${hex(p)},0,0`);
    const close = async (fd: string) => expect(await c.text(`vFile:close:${fd.slice(1)}`)).toBe('F0');
    for (const mine of [`/proc/${pid}/maps`, example('struct_loop'), '/lib64/ld-linux-x86-64.so.2']) {
      const fd = await open(mine);
      expect(fd, mine).toMatch(/^F[0-9a-f]+$/);
      await close(fd);
    }
    expect(await open('/etc/passwd')).toBe('F-1,d');
    expect(await open(`/proc/${s.child.pid}/environ`)).toBe('F-1,d');             // the server's own
    expect(await open(`/proc/${pid}/root/etc/passwd`)).toBe('F-1,d');             // a way out through /proc
    expect(await open('/nonexistent/file')).toBe('F-1,d');                        // existence is not told either
    expect(await open('/usr/lib/debug/.build-id/00/none.debug')).toBe('F-1,2');   // debug info: looked for, missing
    expect(await c.text(`vFile:open:${hex('/etc/passwd')},1,0`)).toBe('F-1,1e');   // read-only service: EROFS
    const exe = await c.request(`vFile:readlink:${hex(`/proc/${pid}/exe`)}`);
    expect(exe.toString('latin1')).toBe(`F${example('struct_loop').length.toString(16)};${example('struct_loop')}`);
    expect(await c.text(`vFile:readlink:${hex('/proc/self/exe')}`)).toBe('F-1,d');
    const notes = () => s.stderr().split('\n').filter((l) => l.startsWith('tsdbg serve: refused'));
    await until(() => notes().length >= 5, `five notes on stderr:\n${s.stderr()}`);
    expect(notes()).toEqual([
      'tsdbg serve: refused vFile:open of /etc/passwd: outside the debugged program\'s files (see --allow-files)',
      `tsdbg serve: refused vFile:open of /proc/${s.child.pid}/environ: outside the debugged program's files (see --allow-files)`,
      `tsdbg serve: refused vFile:open of /proc/${pid}/root/etc/passwd: outside the debugged program's files (see --allow-files)`,
      'tsdbg serve: refused vFile:open of /nonexistent/file: outside the debugged program\'s files (see --allow-files)',
      'tsdbg serve: refused vFile:readlink of /proc/self/exe: outside the debugged program\'s files (see --allow-files)',
    ]);
    expect(await c.text('?')).toMatch(/^T05/);   // the session goes on

    const wide = await serve(['--listen', '127.0.0.1:0', '--allow-files', '/etc', example('struct_loop')]);
    const w = await client(wide.port);
    const fd = await w.text(`vFile:open:${hex('/etc/passwd')},0,0`);
    expect(fd).toMatch(/^F[0-9a-f]+$/);
    const data = await w.request(`vFile:pread:${fd.slice(1)},40,0`);
    expect(data.toString('latin1')).toMatch(/^F[0-9a-f]+;root:/);
  });

  it('gives gdb the libraries it reads through target: by default', async () => {
    const s = await serve(['--listen', '127.0.0.1:0', example('struct_loop')]);
    const out = await gdb(`target remote 127.0.0.1:${s.port}`, ['break tick', 'continue', 'info sharedlibrary', 'info proc', 'kill']);
    expect(out).toContain('Reading /lib/x86_64-linux-gnu/libc.so.6 from remote target...');
    expect(out).toMatch(/^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes +target:\/lib\/x86_64-linux-gnu\/libc\.so\.6$/m);
    expect(out).toMatch(/Breakpoint 1, tick \(p=0x[0-9a-f]+ <pt>\) at struct_loop\.c:17/);
    expect(out).toContain(`exe = '${example('struct_loop')}'`);
    expect(s.stderr()).not.toMatch(/refused/);
  });
});

describe('tsdbg serve in extended mode', () => {
  it('leaves no zombie when gdb detaches from a program it ran', async () => {
    const s = await serve(['--listen', '127.0.0.1:0']);
    const c = await client(s.port);
    expect(await c.text('!')).toBe('OK');
    const stop = await c.text(`vRun;${hex(example('hot_loop'))};${hex('1000')}`);
    const pid = Number.parseInt(/thread:p([0-9a-f]+)\./.exec(stop)![1]!, 16);
    expect(await c.text(`D;${pid.toString(16)}`)).toBe('OK');
    // it runs to its end on its own; then the server reaps it: gone from /proc, never left in Z
    await until(async () => (await procState(pid)) === undefined, `process ${pid} to be reaped, not left a zombie`, 30_000);
    // the session goes on: run again and detach again
    const again = await c.text(`vRun;${hex(example('hot_loop'))};${hex('1000')}`);
    const pid2 = Number.parseInt(/thread:p([0-9a-f]+)\./.exec(again)![1]!, 16);
    expect(await c.text(`D;${pid2.toString(16)}`)).toBe('OK');
    await until(async () => (await procState(pid2)) === undefined, `process ${pid2} to be reaped`, 30_000);
  });
});
