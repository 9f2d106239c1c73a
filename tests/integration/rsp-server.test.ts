/**
 * The server packet by packet, in-process over TCP with our RspClient as the
 * peer, on a LocalTarget; where gdbserver has an answer for the same question
 * (libraries-svr4, auxv, registers at the same stop), compared with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RspClient } from '../../src/rsp/client.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { PACKET_SIZE, listenTcp } from '../../src/rsp/server.js';
import { frame, toHex, unescapeBinary } from '../../src/rsp/packet.js';
import { localLauncher } from '../../cli/run/launcher.js';
import type { Target } from '../../src/target/types.js';
import { example, symbol, until } from './rsp-util.js';
import net from 'node:net';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

/** tsdbg's server on a fresh LocalTarget stopped in main, and a raw client. */
async function ours(prog = 'struct_loop'): Promise<{ c: RspClient; t: Target }> {
  const t = await localLauncher.spawn(example(prog), [], { aslr: false });
  cleanup.push(() => t.kill());
  await runToMain(t, prog);
  const srv = await listenTcp('127.0.0.1', 0, { target: t, once: true });
  cleanup.push(() => srv.close());
  const c = await RspClient.connectTcp('127.0.0.1', srv.port);
  cleanup.push(() => c.close());
  await c.handshake(['multiprocess+', 'swbreak+', 'hwbreak+', 'xmlRegisters=i386']);
  return { c, t };
}

async function runToMain(t: Target, prog: string): Promise<void> {
  const main = await symbol(t, example(prog), 'main');
  await t.insertBreakpoint(main);
  await t.cont();
  await t.removeBreakpoint(main);
}

/** gdbserver (ASLR off, no shell) stopped in main, through RemoteTarget. */
async function theirs(prog = 'struct_loop'): Promise<RemoteTarget> {
  const client = RspClient.spawnStdio('gdbserver', ['--no-startup-with-shell', '-', example(prog)], 'ignore');
  const t = await RemoteTarget.connect(client);
  cleanup.push(() => t.kill());
  await runToMain(t, prog);
  return t;
}

async function xfer(c: RspClient, object: string, annex = ''): Promise<string> {
  let out = Buffer.alloc(0);
  for (;;) {
    const r = await c.request(`qXfer:${object}:read:${annex}:${out.length.toString(16)},400`);
    out = Buffer.concat([out, unescapeBinary(r.subarray(1))]);
    if (r[0] !== 0x6d) return out.toString('latin1');
  }
}

describe('tsdbg serve packets', () => {
  it('advertises what gdb needs in qSupported', async () => {
    const { c } = await ours();
    expect(c.features.get('PacketSize')).toBe(PACKET_SIZE.toString(16));
    for (const f of ['qXfer:features:read', 'qXfer:auxv:read', 'qXfer:exec-file:read', 'qXfer:libraries-svr4:read',
      'swbreak', 'hwbreak', 'multiprocess', 'QStartNoAckMode', 'vContSupported']) {
      expect(c.supports(f)).toBe(true);
    }
    expect(await c.text('vCont?')).toBe('vCont;c;C;s;S;t');
    expect(await c.text('vMustReplyEmpty')).toBe('');
    expect(await c.text('qAttached')).toBe('0');
    expect(await c.text('qUnknownThing:1')).toBe('');
  });

  it('lists the same shared libraries, at the same addresses, as gdbserver', async () => {
    const { c } = await ours();
    const g = await theirs();
    const mine = await xfer(c, 'libraries-svr4');
    const reference = (await g.xferRead('libraries-svr4', '')).toString('latin1');
    const libs = (xml: string) => [...xml.matchAll(/<library name="([^"]+)"[^>]*l_addr="([^"]+)"/g)].map((m) => `${m[1]}@${m[2]}`);
    expect(libs(mine).some((l) => l.includes('libc.so.6'))).toBe(true);
    expect(libs(mine)).toEqual(libs(reference));
    expect(/main-lm="(0x[0-9a-f]+)"/.exec(mine)?.[1]).toBe(/main-lm="(0x[0-9a-f]+)"/.exec(reference)?.[1]);
  });

  it('serves the same auxv and registers as gdbserver at main', async () => {
    const { c } = await ours();
    const g = await theirs();
    const auxv = Buffer.from(await xfer(c, 'auxv'), 'latin1');
    const ref = await g.xferRead('auxv', '');
    // AT_PHDR, AT_ENTRY, AT_BASE, AT_PAGESZ agree (random bytes and hwcaps may not)
    const pick = (b: Buffer) => new Map(Array.from({ length: b.length / 16 }, (_, i) => [b.readBigUInt64LE(i * 16), b.readBigUInt64LE(i * 16 + 8)]));
    for (const type of [3n, 6n, 7n, 9n]) expect(pick(auxv).get(type)).toBe(pick(ref).get(type));
    const gm = await c.text('g');
    const regs = await g.getRegisters();
    // rip is regnum 16 at byte offset 128 in both layouts
    expect(gm.slice(256, 272)).toBe(Buffer.from(regs.rip.toString(16).padStart(16, '0'), 'hex').reverse().toString('hex'));
    // st0..mxcsr (bytes 164..535): the same x87/SSE state as gdbserver's at the same stop
    const gref = await g.client.text('g');
    expect(gm.slice(328, 1072)).toBe(gref.slice(328, 1072));
    expect(gm.slice(328, 1072)).not.toMatch(/x/);
  });

  it('reads the readable prefix of a range running into unmapped memory', async () => {
    const { c, t } = await ours();
    const maps = await t.memoryMap();
    const last = maps.find((m) => m.path === example('struct_loop') && m.perms.startsWith('rw'))!;
    // the next page after the program's data is not mapped (heap comes later)
    const r = await c.text(`m${(last.end - 16n).toString(16)},40`);
    expect(r.length).toBe(32);
    expect(await c.text('m0,8')).toMatch(/^E/);
  });

  it('writes with X (escaped binary) and M, and hides lazy-removed breakpoints', async () => {
    const { c, t } = await ours();
    const pt = await symbol(t, example('struct_loop'), 'pt');
    const tick = await symbol(t, example('struct_loop'), 'tick');
    const data = Buffer.from([0x23, 0x24, 0x7d, 0x2a]);
    const x = Buffer.concat([Buffer.from(`X${pt.toString(16)},4:`), Buffer.from('}\x03}\x04}]}\x0a', 'latin1')]);
    expect(await c.text(x)).toBe('OK');
    expect(await c.text(`m${pt.toString(16)},4`)).toBe(toHex(data));
    expect(await c.text(`M${pt.toString(16)},2:0102`)).toBe('OK');
    expect(await c.text(`m${pt.toString(16)},2`)).toBe('0102');
    expect(await c.text(`M${pt.toString(16)},3:0102`)).toMatch(/^E/);   // length mismatch
    const original = await c.text(`m${tick.toString(16)},1`);
    expect(await c.text(`Z0,${tick.toString(16)},1`)).toBe('OK');
    expect(await c.text(`z0,${tick.toString(16)},1`)).toBe('OK');
    expect(await c.text(`m${tick.toString(16)},1`)).toBe(original);
    // the removal is carried out before the program runs: it exits without stopping at tick
    const end = await c.text('vCont;c', { timeoutMs: 20_000, consoleOutput: true });
    expect(end).toMatch(/^W00;process:/);
  });

  it('answers malformed packets with errors and keeps going', async () => {
    const { c } = await ours();
    for (const p of ['mzz,10', 'm10', 'P9999=00', 'pzz', 'Z0,zz,1', 'Xbad', 'qXfer:features:read:target.xml:zz,10', 'vCont;q', 'C', 'Gff']) {
      expect(await c.text(p)).toMatch(/^E|^$/);
    }
    expect(await c.text('?')).toMatch(/^T05/);
  });

  it('answers an oversized packet with an error and the next one normally', async () => {
    const { c } = await ours();
    const big = 'm' + '0'.repeat(PACKET_SIZE + 10);
    expect(await c.text(big)).toMatch(/^E\.packet of \d+ bytes exceeds PacketSize/);
    expect(await c.text('?')).toMatch(/^T05/);
  });

  it('NAKs a bad checksum in ack mode and takes the retransmission', async () => {
    const t = await localLauncher.spawn(example('struct_loop'), [], { aslr: false });
    cleanup.push(() => t.kill());
    const srv = await listenTcp('127.0.0.1', 0, { target: t, once: true });
    cleanup.push(() => srv.close());
    const sock = net.connect(srv.port, '127.0.0.1');
    cleanup.push(async () => { sock.destroy(); });
    let got = '';
    sock.on('data', (b: Buffer) => { got += b.toString('latin1'); });
    await new Promise((r) => sock.once('connect', r));
    sock.write('$qC#00');
    await until(() => got !== '', 'the NAK');
    expect(got).toBe('-');
    sock.write(frame('qC'));
    await until(() => /#[0-9a-f]{2}$/.test(got), 'the qC reply');
    expect(got).toMatch(/^-\+\$QC[0-9a-f]+#[0-9a-f]{2}$/);
  });

  it('serves files through vFile (read-only)', async () => {
    const { c, t } = await ours();
    const fd = await c.text(`vFile:open:${toHex(Buffer.from(`/proc/${t.pid}/maps`))},0,0`);
    expect(fd).toMatch(/^F[0-9a-f]+$/);
    const r = await c.request(`vFile:pread:${fd.slice(1)},1000,0`);
    expect(r.toString('latin1')).toMatch(/^F[0-9a-f]+;[0-9a-f]+-[0-9a-f]+ r/);
    expect(await c.text(`vFile:close:${fd.slice(1)}`)).toBe('F0');
    expect(await c.text(`vFile:open:${toHex(Buffer.from('/etc/passwd'))},1,0`)).toBe('F-1,1e');   // EROFS
    // outside the program's own files: refused, whether it exists or not (see rsp-serve-policy.test.ts)
    expect(await c.text(`vFile:open:${toHex(Buffer.from('/nonexistent'))},0,0`)).toBe('F-1,d');
  });
});
