import { describe, expect, it } from 'vitest';
import { parseStopReply, parseThreadId } from '../../src/rsp/stop-reply.js';
import { gdbToLinuxSignal, linuxToGdbSignal, linuxSignalName } from '../../src/rsp/signals.js';
import { AMD64_REGISTERS, amd64TargetXml, parseTargetDescription } from '../../src/rsp/tdesc.js';
import { parseMaps } from '../../src/util/maps.js';
import { waitFor } from '../setup/wait.js';

describe('stop replies', () => {
  it('parses gdbserver T packets with expedited registers and reasons', () => {
    const s = parseStopReply('T05swbreak:;06:20dfffffff7f0000;07:08dfffffff7f0000;10:4951555555550000;thread:p3043.3044;core:1;');
    expect(s).toMatchObject({ kind: 'signal', value: 5, pid: 0x3043, tid: 0x3044, reason: 'swbreak' });
    expect(s.registers.get(0x10)).toBe(0x555555555149n);
    expect(s.registers.get(7)).toBe(0x7fffffffdf08n);
  });

  it('parses watch reasons with their address', () => {
    const s = parseStopReply('T05watch:555555558030;thread:1f;');
    expect(s).toMatchObject({ reason: 'watch', reasonValue: '555555558030', tid: 0x1f });
  });

  it('parses exits with one-digit and two-digit statuses', () => {
    expect(parseStopReply('W0;process:3043')).toMatchObject({ kind: 'exited', value: 0, pid: 0x3043 });
    expect(parseStopReply('W2a')).toMatchObject({ kind: 'exited', value: 42 });
    expect(parseStopReply('X09;process:10')).toMatchObject({ kind: 'killed', value: 9, pid: 16 });
    expect(parseStopReply('S0b')).toMatchObject({ kind: 'signal', value: 11 });
  });

  it('rejects what is not a stop reply', () => {
    expect(() => parseStopReply('OK')).toThrow();
    expect(() => parseStopReply('E01')).toThrow();
    expect(() => parseStopReply('Tzz')).toThrow();
  });

  it('parses thread ids in every form', () => {
    expect(parseThreadId('p1f.20')).toEqual({ pid: 0x1f, tid: 0x20 });
    expect(parseThreadId('p-1.-1')).toEqual({ pid: -1, tid: -1 });
    expect(parseThreadId('2a')).toEqual({ tid: 42 });
  });
});

describe('signal numbers', () => {
  it('maps Linux numbers to GDB wire numbers and back', () => {
    expect(linuxToGdbSignal(11)).toBe(11);  // SEGV same
    expect(linuxToGdbSignal(7)).toBe(10);   // BUS
    expect(linuxToGdbSignal(10)).toBe(30);  // USR1
    expect(linuxToGdbSignal(17)).toBe(20);  // CHLD
    expect(linuxToGdbSignal(34)).toBe(46);  // SIGRTMIN
    for (let s = 1; s <= 64; s++) {
      if (s === 16) continue; // SIGSTKFLT has no GDB number
      expect(gdbToLinuxSignal(linuxToGdbSignal(s))).toBe(s);
    }
    expect(linuxSignalName(11)).toBe('SIGSEGV');
  });
});

describe('target descriptions', () => {
  it('lays out our amd64 description like gdbserver', () => {
    const byName = new Map(AMD64_REGISTERS.map((r) => [r.name, r]));
    expect(byName.get('rip')).toMatchObject({ regnum: 16, offset: 128 });
    expect(byName.get('eflags')).toMatchObject({ regnum: 17, offset: 136 });
    expect(byName.get('st0')).toMatchObject({ regnum: 24, offset: 164 });
    expect(byName.get('xmm0')?.regnum).toBe(40);
    expect(byName.get('orig_rax')?.regnum).toBe(57);
    expect(byName.get('fs_base')?.regnum).toBe(58);
    expect(byName.get('gs_base')?.regnum).toBe(59);
  });

  it('parses its own XML back to the same layout', async () => {
    const regs = await parseTargetDescription(amd64TargetXml(), async () => { throw new Error('no includes'); });
    expect(regs.map((r) => [r.name, r.regnum, r.offset])).toEqual(AMD64_REGISTERS.map((r) => [r.name, r.regnum, r.offset]));
  });

  it('follows xi:include and implicit numbering', async () => {
    const files: Record<string, string> = {
      'a.xml': '<feature name="x.core"><reg name="a" bitsize="32"/><reg name="b" bitsize="64"/></feature>',
    };
    const regs = await parseTargetDescription('<target><xi:include href="a.xml"/><feature name="y"><reg name="c" bitsize="64" regnum="5"/></feature></target>', async (n) => files[n]);
    expect(regs.map((r) => [r.name, r.regnum, r.offset, r.feature])).toEqual([['a', 0, 0, 'x.core'], ['b', 1, 4, 'x.core'], ['c', 5, 12, 'y']]);
  });

  it('skips registers inside XML comments (QEMU comments out cs_base..es_base)', async () => {
    const xml = '<feature name="q"><reg name="gs" bitsize="32"/>\n  <!--reg name="cs_base" bitsize="64"/>\n'
      + '  <reg name="ss_base" bitsize="64"/-->\n  <reg name="fs_base" bitsize="64"/><!-- <reg name="x"/> --><reg name="cr0" bitsize="64"/></feature>';
    const regs = await parseTargetDescription(xml, async () => { throw new Error('no includes'); });
    expect(regs.map((r) => [r.name, r.regnum, r.offset])).toEqual([['gs', 0, 0], ['fs_base', 1, 4], ['cr0', 2, 12]]);
  });
});

describe('maps', () => {
  it('parses /proc/PID/maps lines', () => {
    const m = parseMaps('555555554000-555555555000 r--p 00000000 fe:00 123   /bin/x\n7ffff7ff9000-7ffff7ffd000 r--p 00000000 00:00 0                          [vvar]\n');
    expect(m).toHaveLength(2);
    expect(m[0]).toMatchObject({ start: 0x555555554000n, end: 0x555555555000n, perms: 'r--p', inode: 123, path: '/bin/x' });
    expect(m[1].path).toBe('[vvar]');
  });
});

describe('client ack discipline (over a real socket)', () => {
  it('resends on NAK, acks replies, expands run-length encoding and collects O output', async () => {
    const { createServer } = await import('node:net');
    const { RspClient } = await import('../../src/rsp/client.js');
    const { frame } = await import('../../src/rsp/packet.js');
    const seen: string[] = [];
    const srv = createServer((sock) => {
      let n = 0;
      sock.on('data', (b: Buffer) => {
        const text = b.toString('latin1');
        seen.push(text);
        if (!text.startsWith('$')) return;       // the client's acks
        if (n++ === 0) { sock.write('-'); return; }  // NAK the first try
        sock.write(Buffer.concat([Buffer.from('+'), frame('O6869'), frame('0* ')]));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const c = await RspClient.connectTcp('127.0.0.1', port);
    const out: string[] = [];
    const reply = await c.text('qRcmd,6869', { consoleOutput: true, onOutput: (b) => out.push(b.toString()) });
    expect(reply).toBe('0000');
    expect(out).toEqual(['hi']);
    expect(seen[0]).toBe(frame('qRcmd,6869').toString('latin1'));
    expect(seen[1]).toBe(seen[0]);                 // the retransmission
    // the acks may still be on their way: wait for two bytes, then check them
    await waitFor(() => seen.slice(2).join('').length >= 2, 'two acks');
    expect(seen.slice(2).join('')).toBe('++');     // both packets acked
    await c.close();
    await new Promise<void>((r) => srv.close(() => r()));
  });
});

describe('waiting for the next packet (RspWire.awaitInput)', () => {
  it('returns once bytes arrive, and leaves them to be delivered as a packet', async () => {
    const { spawn } = await import('node:child_process');
    const { PassThrough } = await import('node:stream');
    const { RspWire, setInputSpin } = await import('../../src/rsp/wire.js');
    const { native } = await import('../../src/target/native.js');
    // the spin is the shim's, installed from outside; here the bare poll loop (native-spin.ts's
    // also skips spinning while no CPU is free, which a loaded machine would make this test see)
    setInputSpin((fd, spinNs) => { native.pollSpin(fd, spinNs); });
    // the peer writes a packet 200 ms from now, through a pipe with a descriptor
    // (exec: the kill below ends the last sleep too, rather than orphaning it)
    const child = spawn('sh', ['-c', 'sleep 0.2; printf \'$qC#b4\'; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const wire = new RspWire(child.stdout, new PassThrough(), 4096);
      wire.noAck = true;
      const got = new Promise<string>((r) => wire.once('packet', (b) => r(b.toString())));
      const t0 = Date.now();
      // blocks until the bytes are there, not 10 minutes: the bound is far beyond any
      // loaded machine's delay, so only a wait that ignored the bytes reaches it
      wire.awaitInput(600e9);
      const waited = Date.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(100);   // it did wait for them
      expect(waited).toBeLessThan(300_000);         // and stopped once they came
      expect(await got).toBe('qC');                 // not consumed by the wait
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('does nothing on a stream without a descriptor or a closed wire', async () => {
    const { PassThrough } = await import('node:stream');
    const { RspWire } = await import('../../src/rsp/wire.js');
    const wire = new RspWire(new PassThrough(), new PassThrough(), 4096);
    const t0 = Date.now();
    wire.awaitInput(600e9);                         // 10 minutes, were it to wait at all
    wire.close();
    wire.awaitInput(600e9);
    expect(Date.now() - t0).toBeLessThan(300_000);
  });
});
