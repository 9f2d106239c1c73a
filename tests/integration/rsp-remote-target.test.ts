/**
 * RemoteTarget against Debian's real gdbserver: every Target operation over
 * the wire, on the example programs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { realpathSync } from 'node:fs';
import { RspClient } from '../../src/rsp/client.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { snapshotsOf } from '../../src/target/capabilities.js';
import { alive, example, startListening, symbol, until, type Spawned } from './rsp-util.js';
import { writeWatch } from './watch-util.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

/** gdbserver over its stdio; the inferior's output lands on gdbserver's stderr. */
async function overStdio(prog: string, args: string[] = []): Promise<{ target: RemoteTarget; output: () => string }> {
  const client = RspClient.spawnStdio('gdbserver', ['-', example(prog), ...args], 'pipe');
  let out = '';
  client.process!.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const target = await RemoteTarget.connect(client);
  cleanup.push(() => target.kill());
  return { target, output: () => out };
}

async function overTcp(prog: string): Promise<{ target: RemoteTarget; server: Spawned }> {
  const server = await startListening('gdbserver', ['--once', '127.0.0.1:0', example(prog)]);
  cleanup.push(() => server.stop());
  const target = await RemoteTarget.connect(`127.0.0.1:${server.port}`);
  cleanup.push(() => target.kill());
  return { target, server };
}

describe('RemoteTarget over gdbserver', () => {
  it('connects over TCP and learns the process', async () => {
    const { target, server } = await overTcp('struct_loop');
    expect(target.kind).toBe('remote');
    expect(server.stderr()).toContain(`pid = ${target.pid}`);
    expect(target.exePath).toBe(example('struct_loop'));
    expect(target.state).toBe('stopped');
    expect(target.attached).toBe(false);
    expect(await alive(target.pid)).toBe(true);
    // stopped at the dynamic loader's entry: rip inside ld.so's mapping
    const regs = await target.getRegisters();
    const maps = await target.memoryMap();
    const ld = maps.find((m) => m.start <= regs.rip && regs.rip < m.end);
    expect(ld?.path).toMatch(/ld-linux-x86-64\.so/);
    expect(maps.some((m) => m.path === example('struct_loop'))).toBe(true);
    expect(maps.some((m) => m.path === '[stack]' && m.start <= regs.rsp && regs.rsp < m.end)).toBe(true);
  });

  it('breaks, reads and writes memory, steps and runs to exit', async () => {
    const { target, output } = await overStdio('struct_loop');
    const tick = await symbol(target, example('struct_loop'), 'tick');
    const pt = await symbol(target, example('struct_loop'), 'pt');
    await target.insertBreakpoint(tick);
    // the stub hides its int3 from memory reads
    expect((await target.readMemory(tick, 1))[0]).not.toBe(0xcc);

    let ev = await target.cont();
    expect(ev.reason).toEqual({ kind: 'breakpoint', pc: tick });
    expect((await target.getRegisters()).rip).toBe(tick);
    const before = await target.readMemory(pt, 24);
    expect(before.readInt32LE(0)).toBe(1);          // pt.x
    expect(before.toString('latin1', 16, 21)).toBe('start');

    // single step moves rip forward by one instruction
    ev = await target.step();
    expect(ev.reason.kind).toBe('step');
    expect((await target.getRegisters()).rip).toBeGreaterThan(tick);

    // write pt.x = 41: the program prints x=42 after tick adds one
    await target.writeMemory(pt, Buffer.from([41, 0, 0, 0]));
    expect((await target.readMemory(pt, 4)).readInt32LE(0)).toBe(41);
    await target.removeBreakpoint(tick);
    ev = await target.cont();
    expect(ev.reason).toEqual({ kind: 'exited', code: 0 });
    expect(target.state).toBe('exited');
    // gdbserver's program writes to gdbserver's own stderr, a pipe of its own: wait for the last line
    await until(() => output().includes('iter 9:'), () => `the program's output in:\n${output()}`);
    expect(output()).toContain('iter 0: x=42 y=4 steps=1 tag=start');
    expect(output()).toContain('iter 9: x=51');
  });

  it('writes registers with P and sees the effect', async () => {
    const { target } = await overStdio('struct_loop');
    const tick = await symbol(target, example('struct_loop'), 'tick');
    await target.insertBreakpoint(tick);
    await target.cont();
    const regs = await target.getRegisters();
    await target.setRegisters({ rax: 0x1122334455667788n, r15: 7n });
    const after = await target.getRegisters();
    expect(after.rax).toBe(0x1122334455667788n);
    expect(after.r15).toBe(7n);
    expect(after.rip).toBe(regs.rip);
    expect(after.fs_base).toBe(regs.fs_base);
    expect(after.fs_base).not.toBe(0n);       // libc set up TLS by now
    expect(after.cs).toBe(0x33n);
  });

  it('stops on a write watchpoint with the data address (hardware where the debug registers trap)', async () => {
    const { target } = await overStdio('struct_loop');
    const main = await symbol(target, example('struct_loop'), 'main');
    const counter = await symbol(target, example('struct_loop'), 'counter');
    await target.insertBreakpoint(main);
    await target.cont();
    await target.removeBreakpoint(main);
    const w = await writeWatch(target, counter, 4, { foreignStub: true });
    const ev = await w.cont();
    expect(ev.reason).toMatchObject({ kind: 'watchpoint', address: counter, access: 'write' });
    expect((await target.readMemory(counter, 4)).readInt32LE(0)).toBe(1);
    await w.remove();
    await expect(target.insertWatchpoint(counter + 1n, 4, 'write')).rejects.toThrow(/aligned/);
  });

  it('interrupts a running program with 0x03', async () => {
    const { target } = await overStdio('hot_loop', ['1000000000000']);
    const running = target.cont();
    await new Promise((r) => setTimeout(r, 300));
    expect(target.state).toBe('running');
    await expect(target.getRegisters()).rejects.toThrow(/running/);
    target.interrupt();
    const ev = await running;
    expect(ev.reason.kind).toBe('interrupted');
    expect(target.state).toBe('stopped');
  });

  it('reports a crash with its signal and fault address', async () => {
    const { target } = await overStdio('crash');
    const ev = await target.cont();
    expect(ev.reason).toMatchObject({ kind: 'signal', signal: 11, signame: 'SIGSEGV' });
    if (ev.reason.kind !== 'signal') throw new Error('unreachable');
    expect(typeof ev.reason.fault).toBe('bigint');
  });

  it('reads the auxiliary vector', async () => {
    const { target } = await overStdio('struct_loop');
    const auxv = await target.auxv();
    const get = (t: bigint) => auxv.find(([k]) => k === t)?.[1];
    expect(get(6n)).toBe(4096n);              // AT_PAGESZ
    expect(get(0n)).toBe(0n);                 // AT_NULL ends it
    const regs = await target.getRegisters();
    expect(get(7n)! <= regs.rip).toBe(true);  // AT_BASE: ld.so, where we stand
  });

  it('kills the process and leaves nothing behind', async () => {
    const { target } = await overStdio('hot_loop', ['1000000000000']);
    const pid = target.pid;
    expect(await alive(pid)).toBe(true);
    await target.kill();
    await until(async () => !(await alive(pid)), `process ${pid} to be gone`);
    await expect(target.getRegisters()).rejects.toThrow(/exited/);
  });

  it('detaches and lets the program run to completion', async () => {
    const { target, output } = await overStdio('struct_loop');
    const tick = await symbol(target, example('struct_loop'), 'tick');
    await target.insertBreakpoint(tick);
    await target.cont();
    await target.detach();
    await until(() => output().includes('iter 9:'), () => `the detached program's last line in:\n${output()}`);
  });

  it('rebuilds an approximate map from the loaded objects that agrees with the exact one', async () => {
    const { target } = await overStdio('struct_loop');
    const main = await symbol(target, example('struct_loop'), 'main');
    await target.insertBreakpoint(main);
    await target.cont();
    const exact = await target.memoryMap();
    const approx = await target.approximateMemoryMap();
    const libc = exact.find((m) => /libc\.so/.test(m.path))!.path;
    // the loader names libraries by the paths it opened; the kernel by real paths
    const real = (p: string) => { try { return realpathSync(p); } catch { return p; } };
    expect(approx.filter((m) => m.path === '[vdso]')).toHaveLength(1);
    for (const path of [example('struct_loop'), libc]) {
      const mine = approx.filter((m) => real(m.path) === path);
      expect(mine.length).toBeGreaterThanOrEqual(3);
      // every file-backed page the kernel maps for the object is covered, executable text exactly
      for (const m of exact.filter((e) => e.path === path)) {
        expect(mine.some((a) => a.start <= m.start && m.end <= a.end)).toBe(true);
      }
      const text = exact.find((e) => e.path === path && e.perms.startsWith('r-x'))!;
      expect(mine.find((a) => a.perms.startsWith('r-x'))).toMatchObject({ start: text.start, end: text.end, offset: text.offset });
    }
  });

  it('snapshots over gdbserver with the engine on the memory packets', async () => {
    const { target } = await overStdio('struct_loop');
    expect(snapshotsOf(target).name).toBe('rsp');
  });

  it('turns unreadable memory into EFAULT', async () => {
    const { target } = await overStdio('struct_loop');
    await expect(target.readMemory(0x10n, 8)).rejects.toMatchObject({ code: 'EFAULT' });
  });
});
