/**
 * Fuzz the server: 10,000 random and mutated packets (bad checksums,
 * truncation, oversize, garbage, interrupts, run-length markers, malformed
 * arguments) over TCP against a live traced program. The server must stay up,
 * keep the program alive, and still answer `?` correctly afterwards.
 *
 * Resume, kill and detach packets are filtered out of the stream: they are
 * legitimate and would end or run the program, which is tested elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { PACKET_SIZE, listenTcp, type TcpServer } from '../../src/rsp/server.js';
import { PacketParser, frame, fromLeHex, type WireEvent } from '../../src/rsp/packet.js';
import { localLauncher } from '../../cli/run/launcher.js';
import type { Target } from '../../src/target/types.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { RspClient } from '../../src/rsp/client.js';
import { alive, example, symbol, until } from './rsp-util.js';

const COUNT = 10_000;
const SEED = Number(process.env.RSP_FUZZ_SEED ?? 0x5eed);

/** xorshift32: deterministic, so a failure can be replayed with RSP_FUZZ_SEED. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!,
  };
}

const hex = (s: string) => Buffer.from(s).toString('hex');

function corpus(pt: bigint, tick: bigint): string[] {
  const a = pt.toString(16);
  const t = tick.toString(16);
  return [
    '?', 'g', 'p10', 'p7', 'p3b', 'p18', 'P0=1122334455667788', `P10=${'0'.repeat(16)}`, 'Gxx', `G${'0'.repeat(16)}`,
    `m${a},18`, `m${a},ffffffff`, 'm0,10', `m${t},40`, 'mffffffffffffffff,10', `M${a},4:01020304`, `M${a},2:0102`,
    `X${a},4:abcd`, `X${a},0:`, `X${a},2:}]}`, `Z0,${t},1`, `z0,${t},1`, `Z1,${t},1`, `Z2,${a},4`, `z2,${a},4`,
    `Z3,${a},8`, `Z4,${a},3`, 'Z9,0,0', 'qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386',
    'qXfer:features:read:target.xml:0,fff', 'qXfer:features:read:nope.xml:0,10', 'qXfer:auxv:read::0,100',
    'qXfer:libraries-svr4:read::0,1000', 'qXfer:exec-file:read::0,100', 'qXfer:exec-file:read:1:0,100',
    'qXfer:bogus:read::0,10', 'qXfer:auxv:read::ffffffff,ffffffff', `qRcmd,${hex('help')}`,
    `qRcmd,${hex(`snapshot 0x${a} 24`)}`, `qRcmd,${hex(`restore 0x${a}`)}`, `qRcmd,${hex('snapshots')}`,
    `qRcmd,${hex('snapshot zzz 1')}`, `qRcmd,${hex(`snapshot-read 0x${a} 0 8`)}`, `qRcmd,${hex('bogus')}`,
    'qRcmd,zz', `vFile:open:${hex('/proc/self/maps')},0,0`, 'vFile:pread:3,100,0', 'vFile:close:3',
    `vFile:open:${hex('/nonexistent')},0,0`, 'vFile:fstat:3', `vFile:readlink:${hex('/proc/self/exe')}`,
    'Hg0', 'Hc-1', 'Hgp1.1', 'T1', 'Tp1.1', 'qC', 'qfThreadInfo', 'qsThreadInfo', 'qAttached', 'qAttached:1',
    'QStartNoAckMode', 'vMustReplyEmpty', 'vCont?', 'qSymbol::', 'qTStatus', 'qOffsets', 'QNonStop:0',
  ];
}

/** Packets that would resume, kill, detach or replace the program. */
function dangerous(payload: Buffer): boolean {
  const s = payload.toString('latin1');
  return /^[cCsSkDiIrR]/.test(s) || (s.startsWith('vCont') && s !== 'vCont?') ||
    s.startsWith('vKill') || s.startsWith('vRun') || s.startsWith('vAttach') || s.startsWith('vStopped');
}

function mutate(r: ReturnType<typeof rng>, s: Buffer): Buffer {
  const b = Buffer.from(s);
  switch (r.int(7)) {
    case 0: if (b.length) b[r.int(b.length)] = r.int(256); return b;                 // flip a byte
    case 1: return b.subarray(0, r.int(b.length + 1));                               // truncate the payload
    case 2: return Buffer.concat([b, Buffer.from(Array.from({ length: r.int(40) }, () => r.int(256)))]);
    case 3: return Buffer.from(b.toString('latin1').replace(/[0-9a-f]+/, 'f'.repeat(1 + r.int(40))), 'latin1');
    case 4: return Buffer.concat([b.subarray(0, 1), Buffer.from('*'), Buffer.from([r.int(128)]), b.subarray(1)]);
    case 5: return Buffer.from(b.toString('latin1').replace(/[,:;]/, r.pick([',', ':', ';', '', '=', ',,'])), 'latin1');
    default: return b;
  }
}

/** One wire chunk: mostly well-framed packets, plus every kind of damage. */
function wireChunk(r: ReturnType<typeof rng>, seeds: string[]): Buffer {
  const roll = r.int(100);
  const raw = () => Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256)).map((x) => (x === 0x24 ? 0x41 : x)));
  if (roll < 3) return raw();                                                          // line noise
  if (roll < 5) return Buffer.from([0x03]);                                            // interrupt while stopped
  if (roll < 7) return Buffer.from(r.pick(['+', '-', '++--', '%Stop:T05#00']));
  let payload = r.int(10) < 8 ? mutate(r, Buffer.from(r.pick(seeds), 'latin1')) : raw();
  if (r.int(500) === 0) payload = Buffer.alloc(PACKET_SIZE + 1 + r.int(10_000), 0x61); // oversized
  if (dangerous(payload)) payload = Buffer.from('?');
  const framed = frame(payload);
  if (roll < 12) framed[framed.length - 1] ^= 0x01;                                    // bad checksum
  else if (roll < 15) return framed.subarray(0, 1 + r.int(framed.length - 1));         // truncated packet
  else if (roll < 17) framed[framed.length - 2] = 0x7a;                                // non-hex checksum
  return framed;
}

let server: TcpServer;
let target: Target;

/**
 * The server's Target: the local ptrace one, or (RSP_FUZZ_BACKING=gdbserver)
 * a RemoteTarget over Debian's gdbserver, which makes tsdbg serve a proxy.
 */
async function backing(): Promise<Target> {
  if (process.env.RSP_FUZZ_BACKING === 'gdbserver') {
    return RemoteTarget.connect(RspClient.spawnStdio('gdbserver', ['-', example('struct_loop')], 'ignore'));
  }
  return localLauncher.spawn(example('struct_loop'), [], { aslr: false });
}

beforeAll(async () => {
  target = await backing();
  const tick = await symbol(target, example('struct_loop'), 'tick');
  await target.insertBreakpoint(tick);
  await target.cont();                      // stop inside main, libc loaded
  server = await listenTcp('127.0.0.1', 0, { target, once: true });
});

afterAll(async () => {
  await server?.close();
  if (target && target.state !== 'exited') await target.kill();
});

describe('server fuzz', () => {
  it(`survives ${COUNT} random and mutated packets and still answers ?`, async () => {
    const r = rng(SEED);
    const pt = await symbol(target, example('struct_loop'), 'pt');
    const tick = await symbol(target, example('struct_loop'), 'tick');
    const seeds = corpus(pt, tick);
    const sock = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((res, rej) => { sock.once('connect', res); sock.once('error', rej); });
    const events: WireEvent[] = [];
    let lastData = Date.now();
    const parser = new PacketParser(1 << 22, (e) => events.push(e));
    sock.on('data', (b: Buffer) => { lastData = Date.now(); parser.feed(b); });

    for (let i = 0; i < COUNT; i++) {
      const chunk = wireChunk(r, seeds);
      // every 50 chunks, end any half-open packet and let the server catch up
      if (!sock.write(chunk) || i % 50 === 49) {
        sock.write('#00');
        await new Promise((res) => setTimeout(res, 1));
      }
    }
    sock.write('#00');
    lastData = Date.now();
    // the server has answered all it will once it has been silent a while (2 s: a loaded
    // machine may pause it for a good part of that mid-backlog)
    const quiet = () => until(() => Date.now() - lastData >= 2_000, 'the server to fall silent');
    await quiet();
    const replies0 = events.flatMap((e) => (e.type === 'packet' ? [e.data.toString('latin1')] : []));
    expect(replies0.length).toBeGreaterThan(COUNT / 4);
    // oversized packets were answered with an error, not buffered or crashed on
    expect(replies0.some((r) => r.startsWith('E.packet of'))).toBe(true);

    // the program is alive and stopped, and `?` describes exactly that
    events.length = 0;
    lastData = Date.now();
    sock.write(frame('?'));
    await until(() => events.some((e) => e.type === 'packet' && /^T05/.test(e.data.toString('latin1'))), 'the reply to ?');
    await quiet();
    const replies = events.flatMap((e) => (e.type === 'packet' ? [e.data.toString('latin1')] : []));
    const stop = replies[replies.length - 1]!;
    expect(stop).toMatch(/^T05/);
    expect(stop).toMatch(/thread:/);
    const rip = /(?:^T05|;)10:([0-9a-f]{16});/.exec(stop);
    expect(rip).not.toBeNull();
    expect(target.state).toBe('stopped');
    expect(await alive(target.pid)).toBe(true);
    expect(fromLeHex(rip![1]!)).toBe((await target.getRegisters()).rip);
    sock.destroy();
  }, 300_000);
});
