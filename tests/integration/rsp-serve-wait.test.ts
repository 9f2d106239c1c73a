/**
 * How tsdbg serve waits (src/rsp/serve-wait.ts): a LocalTarget that sleeps in
 * waitpid for a stop (blockUs) must behave as one that does not, also when
 * the stop comes after that sleep ends (a 150 ms nanosleep) or never comes
 * until interrupted; and gdb against `tsdbg serve` (which reads gdb's next
 * packet itself between replies) sees what it sees against gdbserver.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cpus } from 'node:os';
import { LocalTarget } from '../../src/target/local.js';
import { native } from '../../src/target/native.js';
import { SERVE_BLOCK_US } from '../../src/rsp/serve-wait.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { ROOT, startListening, stopChild, until } from './rsp-util.js';
import { ownerEnv } from '../setup/leaks.js';
import { SESSION_MS, finished } from '../setup/wait.js';

const PROG = fixture('serve_wait');
const targets: LocalTarget[] = [];
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.kill();
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

async function spawn(blockUs: number): Promise<LocalTarget> {
  const t = await LocalTarget.spawn(PROG, { pty: false, blockUs });
  targets.push(t);
  return t;
}

describe('LocalTarget sleeping in waitpid for stops (blockUs)', () => {
  it('counts free CPUs as online CPUs minus runnable tasks, itself included', () => {
    const free = native.cpusFree();
    expect(Number.isInteger(free)).toBe(true);
    expect(free).toBeLessThan(cpus().length);
  });

  it('stops at the same places as without it, also after a sleep longer than its own', async () => {
    const trace = async (blockUs: number): Promise<string[]> => {
      const t = await spawn(blockUs);
      const tick = symbol(PROG, 'tick');
      await t.insertBreakpoint(tick);
      const seen: string[] = [];
      for (;;) {
        const ev = await t.cont();
        if (ev.reason.kind !== 'breakpoint') {
          seen.push(JSON.stringify(ev.reason));
          return seen;
        }
        // a few instructions by stepi from each hit
        for (let i = 0; i < 5; i++) {
          const s = await t.step();
          seen.push(`${s.reason.kind} ${(await t.getRegisters()).rip.toString(16)}`);
        }
      }
    };
    const blocking = await trace(SERVE_BLOCK_US);
    expect(blocking.filter((l) => l.startsWith('step')).length).toBe(4 * 5);
    expect(blocking.at(-1)).toBe(JSON.stringify({ kind: 'exited', code: 7 }));
    expect(blocking).toEqual(await trace(0));
  });

  it('is interrupted while the program sleeps past its own sleep', async () => {
    const t = await spawn(SERVE_BLOCK_US);
    await t.insertBreakpoint(symbol(PROG, 'tick'));
    expect((await t.cont()).reason.kind).toBe('breakpoint');
    await t.removeBreakpoint(symbol(PROG, 'tick'));
    const running = t.cont();                   // into the 150 ms nanosleep
    setTimeout(() => t.interrupt(), 60);
    const ev = await running;
    expect(['interrupted', 'exited']).toContain(ev.reason.kind);
    if (ev.reason.kind === 'interrupted') expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 7 });
  });
});

describe('reading the next packet without the event loop (RspWire.readNow)', () => {
  it('sleeps until the bytes come, then has emitted their packet', async () => {
    const { spawn: spawnChild } = await import('node:child_process');
    const { PassThrough } = await import('node:stream');
    const { RspWire } = await import('../../src/rsp/wire.js');
    // the server installs the shim's blocking read (the wire itself never loads the shim)
    (await import('../../src/rsp/native-spin.js')).useNativeInputSpin();
    // the peer writes a packet 200 ms from now, through a pipe with a descriptor
    const child = spawnChild('sh', ['-c', 'sleep 0.2; printf \'$qC#b4$g#67\'; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const wire = new RspWire(child.stdout, new PassThrough(), 4096);
      wire.noAck = true;
      const got: string[] = [];
      wire.on('packet', (b) => got.push(b.toString()));
      // a bound far beyond any loaded machine's delay: only a wait that missed the bytes reaches it
      expect(wire.readNow(0, 600e9)).toBe(true);
      expect(got).toEqual(['qC', 'g']);              // both, before it returned
      expect(wire.readNow(0, 1e6)).toBe(false);      // nothing more within 1 ms
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('replies without the event loop (RspWire with the shim installed)', () => {
  it('writes a reply larger than the pipe takes at once whole, waiting for room, and frames hex replies', async () => {
    const { spawn: spawnChild } = await import('node:child_process');
    const { PassThrough } = await import('node:stream');
    const { RspWire, HexReply } = await import('../../src/rsp/wire.js');
    const { frame, toHex } = await import('../../src/rsp/packet.js');
    (await import('../../src/rsp/native-spin.js')).useNativeInputSpin();
    // the reader starts 100 ms late: the 64 KiB pipe fills, and the rest waits for room
    const child = spawnChild('sh', ['-c', 'sleep 0.1; exec cat'], { stdio: ['pipe', 'pipe', 'ignore'], env: ownerEnv() });
    try {
      const out: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
      const raw = Buffer.alloc(300_000, 0x41);
      // a bound far beyond any loaded machine's delay: only a wait that gave up early writes less
      expect(native.writeWait(fd, raw, raw.length, 600e9)).toBe(raw.length);
      const wire = new RspWire(new PassThrough(), child.stdin, 4096);
      wire.noAck = true;
      // at an offset in its buffer, as a pooled Buffer is
      const data = Buffer.from(Array.from({ length: 200_001 }, (_, i) => (i * 7 + (i >> 9)) & 0xff)).subarray(1);
      wire.send(new HexReply(data));
      wire.send(new HexReply(Buffer.from([0x23, 0x00, 0xff])));
      child.stdin.end();
      await new Promise((r) => child.stdout.once('end', r));
      expect(Buffer.concat(out).toString('latin1')).toBe(raw.toString('latin1') + frame(toHex(data)).toString('latin1') + frame('2300ff').toString('latin1'));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps its own copy of a hex reply for the stream and for a resend in ack mode', async () => {
    const { PassThrough } = await import('node:stream');
    const { RspWire, HexReply } = await import('../../src/rsp/wire.js');
    const { frame, toHex } = await import('../../src/rsp/packet.js');
    (await import('../../src/rsp/native-spin.js')).useNativeInputSpin();
    const input = new PassThrough();
    const output = new PassThrough();
    const sent: Buffer[] = [];
    output.on('data', (b: Buffer) => sent.push(b));
    const wire = new RspWire(input, output, 4096);
    const a = Buffer.alloc(3000, 0x11);
    const b = Buffer.alloc(1000, 0x22);
    wire.send(new HexReply(a));
    wire.send(new HexReply(b));                            // reuses the frame buffer a was framed in
    input.write('-');                                      // the peer wants the last one again
    await until(() => Buffer.concat(sent).length >= 2 * (2 * b.length + 4) + 2 * a.length + 4, 'the resend');
    const fb = frame(toHex(b)).toString('latin1');
    expect(Buffer.concat(sent).toString('latin1')).toBe(frame(toHex(a)).toString('latin1') + fb + fb);
  });
});

describe('gdb against tsdbg serve and gdbserver', () => {
  it('sees the same stops, registers and memory across the sleep', async () => {
    const script = ['break tick', 'continue', 'continue', 'stepi', 'stepi', 'info registers rip', 'p hits', 'x/4xb &hits', 'delete', 'continue'];
    const run = async (kind: 'gdbserver' | 'tsdbg'): Promise<string> => {
      const s = kind === 'gdbserver'
        ? await startListening('gdbserver', ['--once', '127.0.0.1:0', PROG])
        : await startListening('node', [path.join(ROOT, 'bin/tsdbg.js'), 'serve', '--listen', '127.0.0.1:0', '--once', PROG]);
      cleanup.push(() => s.stop());
      const args = ['-batch', '-nx', '-ex', `target remote 127.0.0.1:${s.port}`, ...script.flatMap((c) => ['-ex', c]), PROG];
      const r = finished(spawnSync('gdb', args, { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' }), `gdb against ${kind}`);
      await stopChild(s.child);
      // the stub's own lines and the remote port differ by design
      return r.stdout.split('\n').filter((l) => !/^(Remote debugging|Process |Listening|Reading|warning:)/.test(l)).join('\n')
        .replace(/process \d+/g, 'process N');
    };
    const ours = await run('tsdbg');
    expect(ours).toMatch(/Breakpoint 1, tick \(\) at .*serve_wait\.c:7/);
    expect(ours).toMatch(/\$1 = 1/);
    expect(ours).toMatch(/exited with code 07/);
    expect(ours).toBe(await run('gdbserver'));
  });
});
