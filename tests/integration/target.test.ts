/**
 * LocalTarget on real programs (tests/fixtures/*.c) and the real kernel:
 * breakpoints, stepping, registers, memory, watchpoints, signals, exec,
 * exit codes, interrupt, attach/detach, and no tracee ever left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn as spawnChild, execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, writeFileSync, mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import { native } from '../../src/target/native.js';
import { TargetError, type StopEvent } from '../../src/target/types.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { nodeChild } from './node-child.js';
import { insertHardwareWatch, writeWatch } from './watch-util.js';

const BASIC = fixture('target_basic');
const SIGNALS = fixture('target_signals');
const LOOP = fixture('target_loop');

const started: LocalTarget[] = [];
async function start(prog: string, args: string[] = [], opts: { aslr?: boolean } = {}): Promise<LocalTarget> {
  const t = await LocalTarget.spawn(prog, { args, ...opts });
  started.push(t);
  return t;
}
afterEach(async () => {
  for (const t of started.splice(0)) await t.kill();
});

/** Alive and not a zombie (pid 1 of a container may never reap the tracees it inherits). */
const alive = (pid: number): boolean => {
  try {
    return /State:\s+[^Z]/.test(readFileSync(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return false;
  }
};
const procState = (pid: number): string => /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]!;
const word = async (t: LocalTarget, addr: bigint): Promise<bigint> => (await t.readMemory(addr, 8)).readBigInt64LE();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expectError(p: Promise<unknown>, code: string): Promise<TargetError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TargetError);
  expect((err as TargetError).code).toBe(code);
  expect((err as TargetError).message).not.toContain('\n');
  return err as TargetError;
}

describe('spawn', () => {
  it('stops at the exec of the program, on its own pty', async () => {
    const t = await start(BASIC);
    expect(t.state).toBe('stopped');
    expect(t.exePath).toBe(BASIC);
    expect(t.lastStop?.reason.kind).toBe('exec');
    expect(procState(t.pid)).toBe('t');
    expect(t.ptyMaster).toBeGreaterThan(2);
    // the program's stdin is a terminal that is not ours
    const tty = execFileSync('readlink', [`/proc/${t.pid}/fd/0`]).toString().trim();
    expect(tty).toMatch(/^\/dev\/pts\/\d+$/);
  });

  it('reports a missing program in one line (ENOENT) and leaves nothing behind', async () => {
    const err = await expectError(LocalTarget.spawn('/nonexistent/prog'), 'ENOENT');
    expect(err.message).toBe('/nonexistent/prog: no such file or directory');
    await expectError(LocalTarget.spawn('surely-not-a-command-tsdbg'), 'ENOENT');
  });

  it('reports a program that is not executable (EACCES) and one exec refuses (ENOEXEC)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdbg-exec-'));
    const noexec = join(dir, 'noexec');
    writeFileSync(noexec, '#!/bin/sh\n');
    await expectError(LocalTarget.spawn(noexec), 'EACCES');
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, Buffer.alloc(64, 0xff));
    chmodSync(garbage, 0o755);
    const err = await expectError(LocalTarget.spawn(garbage), 'ENOEXEC');
    expect(err.message).toContain('exec format error');
  });

  it('runs to the exit code and streams the output', async () => {
    const t = await start(BASIC, ['4', '7']);
    let out = '';
    t.on('output', (b) => { out += b.toString(); });
    const ev = await t.cont();
    expect(ev.reason).toEqual({ kind: 'exited', code: 7 });
    expect(t.state).toBe('exited');
    expect(out).toContain('hello from target_basic counter=10');
    expect(alive(t.pid)).toBe(false);
    await expectError(t.cont(), 'ESRCH');
  });

  it('turns ASLR off by default and keeps it on request', async () => {
    const sp = async (aslr: boolean) => {
      const t = await start('/bin/true', [], { aslr });
      const maps = await t.memoryMap();
      await t.kill();
      return maps.find((m) => m.path === '[stack]')!.start;
    };
    expect(await sp(false)).toBe(await sp(false));
    const randomized = new Set([await sp(true), await sp(true), await sp(true)]);
    expect(randomized.size).toBeGreaterThan(1);
  });
});

describe('breakpoints and stepping', () => {
  it('hits a breakpoint every call, hides the int3, and executes the original instruction on cont', async () => {
    const t = await start(BASIC, ['5']);
    const tick = symbol(BASIC, 'tick');
    const before = await t.readMemory(tick, 8);
    await t.insertBreakpoint(tick);
    expect(await t.readMemory(tick, 8)).toEqual(before);
    const args: bigint[] = [];
    let ev: StopEvent;
    for (;;) {
      ev = await t.cont();
      if (ev.reason.kind !== 'breakpoint') break;
      expect(ev.reason.pc).toBe(tick);
      const regs = await t.getRegisters();
      expect(regs.rip).toBe(tick);
      args.push(regs.rdi);
    }
    expect(args).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(ev.reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('removes a breakpoint so the program runs on', async () => {
    const t = await start(BASIC, ['3']);
    const tick = symbol(BASIC, 'tick');
    await t.insertBreakpoint(tick);
    expect((await t.cont()).reason.kind).toBe('breakpoint');
    await t.removeBreakpoint(tick);
    expect((await t.readMemory(tick, 1))[0]).not.toBe(0xcc);
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    await expectError(start(BASIC).then((u) => u.removeBreakpoint(tick)), 'ENOENT');
  });

  it('single-steps, including off a breakpoint', async () => {
    const t = await start(BASIC, ['2']);
    const tick = symbol(BASIC, 'tick');
    await t.insertBreakpoint(tick);
    await t.cont();
    const s1 = await t.step();
    expect(s1.reason.kind).toBe('step');
    // tick starts with push %rbp (1 byte): the step executed it, not the int3
    expect(s1.reason.kind === 'step' && s1.reason.pc).toBe(tick + 1n);
    const rsp = (await t.getRegisters()).rsp;
    const s2 = await t.step();
    expect(s2.reason.kind === 'step' && s2.reason.pc).toBe(tick + 4n);   // mov %rsp,%rbp
    expect((await t.getRegisters()).rbp).toBe(rsp);
    expect((await t.cont()).reason.kind).toBe('breakpoint');
  });

  it('writes registers: a changed argument changes what the program computes', async () => {
    const t = await start(BASIC, ['2']);
    await t.insertBreakpoint(symbol(BASIC, 'tick'));
    await t.cont();
    await t.setRegisters({ rdi: 100n });
    expect((await t.getRegisters()).rdi).toBe(100n);
    expect((await t.cont()).reason.kind).toBe('breakpoint');
    expect(await word(t, symbol(BASIC, 'counter'))).toBe(100n);
    await expectError(t.setRegisters({ nosuch: 1n } as never), 'EINVAL');
  });
});

describe('memory', () => {
  it('reads and writes data, writes read-only text, refuses unmapped addresses', async () => {
    const t = await start(BASIC, ['1']);
    const msg = symbol(BASIC, 'message');
    expect((await t.readMemory(msg, 23)).toString()).toBe('hello from target_basic');
    await t.writeMemory(msg, Buffer.from('HELLO'));
    let out = '';
    t.on('output', (b) => { out += b.toString(); });
    // text is r-x: process_vm_writev refuses it, POKEDATA does not
    const main = symbol(BASIC, 'main');
    const orig = await t.readMemory(main, 1);
    await t.writeMemory(main, Buffer.of(0x90));
    expect((await t.readMemory(main, 1))[0]).toBe(0x90);
    await t.writeMemory(main, orig);
    const maps = await t.memoryMap();
    const text = maps.find((m) => m.path === BASIC && m.perms.startsWith('r-x'))!;
    expect(text.start <= main && main < text.end).toBe(true);
    const err = await expectError(t.readMemory(8n, 4), 'EIO');
    expect(err.message).toBe('cannot access memory at address 0x8');
    await expectError(t.writeMemory(8n, Buffer.of(1)), 'EIO');
    await expectError(t.readMemory(0n, -1), 'EINVAL');
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    expect(out).toContain('HELLO from target_basic');
  });

  it('keeps a breakpoint when memory under it is overwritten', async () => {
    const t = await start(BASIC, ['2']);
    const tick = symbol(BASIC, 'tick');
    const orig = await t.readMemory(tick, 4);
    await t.insertBreakpoint(tick);
    await t.writeMemory(tick, orig);          // same bytes, written through the int3
    expect((await t.cont()).reason.kind).toBe('breakpoint');
    expect(await t.readMemory(tick, 4)).toEqual(orig);
  });

  it('reads the memory map and the auxiliary vector', async () => {
    const t = await start(BASIC);
    const auxv = new Map(await t.auxv());
    expect(auxv.get(6n)).toBe(4096n);                                   // AT_PAGESZ
    const entry = BigInt(execFileSync('readelf', ['-h', BASIC]).toString().match(/Entry point address:\s+(0x[0-9a-f]+)/)![1]!);
    expect(auxv.get(9n)).toBe(entry);                                   // AT_ENTRY
    const maps = await t.memoryMap();
    expect(maps.some((m) => m.path === '[stack]' && m.perms === 'rw-p')).toBe(true);
    expect(maps.every((m) => m.start < m.end)).toBe(true);
  });
});

describe('watchpoints', () => {
  it('stops after each write to a watched variable and says which one', async () => {
    const t = await start(BASIC, ['3']);
    const watched = symbol(BASIC, 'watched');
    // from main: a software watchpoint would single-step the dynamic loader too
    await t.insertBreakpoint(symbol(BASIC, 'main'));
    expect((await t.cont()).reason.kind).toBe('breakpoint');
    await t.removeBreakpoint(symbol(BASIC, 'main'));
    const w = await writeWatch(t, watched, 8);
    const values: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const ev = await w.cont();
      expect(ev.reason.kind).toBe('watchpoint');
      if (ev.reason.kind !== 'watchpoint') return;
      expect(ev.reason.address).toBe(watched);
      expect(ev.reason.access).toBe('write');
      values.push(await word(t, watched));
    }
    expect(values).toEqual([2n, 6n, 12n]);
    await w.remove();
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('reports reads with an access watchpoint, and the slot limits', async () => {
    const t = await start(BASIC, ['2']);
    const counter = symbol(BASIC, 'counter');
    if (!(await insertHardwareWatch(t, counter, 8, 'access'))) return;
    const ev = await t.cont();
    expect(ev.reason.kind === 'watchpoint' && ev.reason.address).toBe(counter);
    await expectError(t.insertWatchpoint(counter + 1n, 8, 'write'), 'EINVAL');
    await expectError(t.insertWatchpoint(counter, 3, 'write'), 'EINVAL');
    for (let i = 1; i < 4; i++) await t.insertWatchpoint(counter + 8n * BigInt(i), 8, 'write');
    await expectError(t.insertWatchpoint(counter + 64n, 8, 'write'), 'ENOSPC');
    await expectError(t.removeWatchpoint(counter + 128n, 8, 'write'), 'ENOENT');
  });
});

describe('signals', () => {
  it('stops on SIGUSR1 and passes it on continue so the handler runs', async () => {
    const t = await start(SIGNALS);
    const ev = await t.cont();
    expect(ev.reason).toMatchObject({ kind: 'signal', signal: 10, signame: 'SIGUSR1' });
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
  });

  it('suppresses the signal with cont(0)', async () => {
    const t = await start(SIGNALS);
    await t.cont();
    expect((await t.cont(0)).reason).toEqual({ kind: 'exited', code: 1 });
  });

  it('reports SIGSEGV with the fault address, then the death', async () => {
    const t = await start(SIGNALS, ['segv']);
    await t.cont();
    const ev = await t.cont();
    expect(ev.reason).toMatchObject({ kind: 'signal', signame: 'SIGSEGV', fault: 0x1234n });
    expect((await t.cont()).reason).toEqual({ kind: 'killed', signal: 11, signame: 'SIGSEGV' });
  });

  it('a stop signal it is given stops the program, reported as gdb reports it; resuming goes on', async () => {
    const t = await start(LOOP);
    const spins = symbol(LOOP, 'spins');
    const running = t.cont();
    await sleep(50);
    process.kill(t.pid, 'SIGSTOP');
    expect((await running).reason).toMatchObject({ kind: 'signal', signame: 'SIGSTOP' });
    // delivering SIGSTOP job-stops the program: that stop is reported (gdb: "Program received
    // signal SIGSTOP" again), not waited out until a SIGCONT that may never come
    expect((await t.cont(19)).reason).toMatchObject({ kind: 'signal', signame: 'SIGSTOP' });
    expect(t.state).toBe('stopped');
    expect(procState(t.pid)).toBe('t');
    const n1 = await word(t, spins);
    const cpu = () => Number(readFileSync(`/proc/${t.pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[11]);   // utime
    const before = cpu();
    const again = t.cont(0);                 // a stopped tracee's resume runs it again
    await until(() => cpu() > before, 60_000);
    t.interrupt();
    expect((await again).reason.kind).toBe('interrupted');
    expect(await word(t, spins)).toBeGreaterThan(n1);
  });
});

describe('interrupt, exec, attach, kill', () => {
  it('interrupts a running loop without blocking the event loop', async () => {
    const t = await start(LOOP);
    const spins = symbol(LOOP, 'spins');
    const running = t.cont();
    expect(t.state).toBe('running');
    await expectError(t.getRegisters(), 'EBUSY');
    // timers keep firing while it runs (an emulated guest may be slow to fire them: no fixed window)
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    await until(() => ticks >= 5, 10_000);
    clearInterval(timer);
    expect(t.state).toBe('running');
    t.interrupt();
    const ev = await running;
    expect(ev.reason.kind).toBe('interrupted');
    const n1 = await word(t, spins);
    expect(n1).toBeGreaterThan(0n);
    // again, until it has made progress (a loaded machine may not schedule it at once)
    for (let i = 0; i < 50 && (await word(t, spins)) === n1; i++) {
      const again = t.cont();
      setTimeout(() => t.interrupt(), 20);
      expect((await again).reason.kind).toBe('interrupted');
    }
    expect(await word(t, spins)).toBeGreaterThan(n1);
  });

  it('reports an exec by the program and forgets the old breakpoints', async () => {
    const t = await start('/bin/sh', ['-c', `exec ${BASIC} 2 3`]);
    await t.insertBreakpoint((await t.getRegisters()).rip);   // in sh's loader: gone after exec
    const ev = await t.cont();
    expect(ev.reason).toMatchObject({ kind: 'exec', path: BASIC });
    expect(t.exePath).toBe(BASIC);
    expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 3 });
  });

  it('attaches to a running process and detaches leaving it running', async () => {
    // Not our child: libuv reaps its own children and would steal the ptrace stops.
    const own = spawnChild(LOOP, [], { stdio: 'ignore' });
    await expectError(LocalTarget.attach(own.pid!), 'EPERM').finally(() => own.kill('SIGKILL'));
    const pid = Number(execFileSync('/bin/sh', ['-c', `${LOOP} >/dev/null 2>&1 & echo $!`]).toString());
    const child = { pid, kill: (sig: NodeJS.Signals) => process.kill(pid, sig) };
    try {
      // the shell's child may not have exec'd the program yet
      await until(() => exeOf(child.pid) === LOOP);
      const t = await LocalTarget.attach(child.pid!);
      expect(t.state).toBe('stopped');
      expect(t.lastStop).toBeUndefined();
      expect(t.exePath).toBe(LOOP);
      const spins = symbol(LOOP, 'spins');
      const n1 = await word(t, spins);
      await sleep(30);
      expect(await word(t, spins)).toBe(n1);      // really stopped
      await t.insertBreakpoint(symbol(LOOP, 'main'));
      await t.detach();
      expect(t.state).toBe('exited');
      expect(alive(child.pid!)).toBe(true);
      // it runs on (read without ptrace: process_vm_readv needs no tracer)
      await until(() => peekWord(child.pid!, spins) > n1);
      expect(procState(child.pid!)).toMatch(/[RS]/);
      // and can be attached again: the first tracer left nothing behind
      const again = await LocalTarget.attach(child.pid!);
      expect(await again.readMemory(symbol(LOOP, 'main'), 1)).toEqual(await readFileByte(LOOP, symbol(LOOP, 'main')));
      await again.detach();
    } finally {
      child.kill('SIGKILL');
    }
    await expectError(LocalTarget.attach(2 ** 22 + 1), 'ESRCH');
  });

  it('kills and reaps, in any state', async () => {
    const t = await start(LOOP);
    await t.kill();
    expect(t.state).toBe('exited');
    expect(alive(t.pid)).toBe(false);
    const u = await start(LOOP);
    const running = u.cont();
    await sleep(20);
    await u.kill();
    expect((await running).reason).toMatchObject({ kind: 'killed', signame: 'SIGKILL' });
    expect(alive(u.pid)).toBe(false);
    await u.kill();                           // twice is fine
  });

  it('leaves no tracee behind when Node itself is SIGKILLed', async () => {
    const script = `
      import { LocalTarget } from ${JSON.stringify(new URL('../../src/target/local.ts', import.meta.url).pathname)};
      const t = await LocalTarget.spawn(${JSON.stringify(LOOP)});
      t.cont();
      process.stdout.write(t.pid + '\\n');
      setInterval(() => {}, 1000);
    `;
    const tracee = await nodeChild(script, async (child, pid) => {
      expect(alive(pid)).toBe(true);
      child.kill('SIGKILL');
    });
    await waitGone(tracee);
  });

  it('detaches an attached process, breakpoints out, when Node exits while it runs', async () => {
    const pid = Number(execFileSync('/bin/sh', ['-c', `${LOOP} >/dev/null 2>&1 & echo $!`]).toString());
    const main = symbol(LOOP, 'main');
    try {
      const script = `
        import { LocalTarget } from ${JSON.stringify(new URL('../../src/target/local.ts', import.meta.url).pathname)};
        const t = await LocalTarget.attach(${pid});
        await t.insertBreakpoint(${main}n);
        t.cont();
        process.stdout.write(t.pid + '\\n');
        setTimeout(() => process.exit(0), 50);
      `;
      await nodeChild(script, async () => undefined);
      await until(() => /TracerPid:\s+0\b/.test(readFileSync(`/proc/${pid}/status`, 'latin1')));
      expect(alive(pid)).toBe(true);
      const byte = Buffer.alloc(1);
      expect(native.vmRead(pid, main, byte)).toBe(1);
      expect(byte).toEqual(await readFileByte(LOOP, main));
      const n = peekWord(pid, symbol(LOOP, 'spins'));
      await until(() => peekWord(pid, symbol(LOOP, 'spins')) > n);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('kills the tracee on an unhandled SIGTERM of Node', async () => {
    const script = `
      import { LocalTarget } from ${JSON.stringify(new URL('../../src/target/local.ts', import.meta.url).pathname)};
      const t = await LocalTarget.spawn(${JSON.stringify(LOOP)});
      process.stdout.write(t.pid + '\\n');
      setInterval(() => {}, 1000);
    `;
    const tracee = await nodeChild(script, async (child) => { child.kill('SIGTERM'); });
    await waitGone(tracee);
  });
});

function exeOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await sleep(10);
  expect(cond()).toBe(true);
}

function peekWord(pid: number, addr: bigint): bigint {
  const buf = Buffer.alloc(8);
  expect(native.vmRead(pid, addr, buf)).toBe(8);
  return buf.readBigInt64LE();
}

/** The byte of `binary` that is loaded at `addr` (non-PIE: from the ELF file through objdump). */
async function readFileByte(binary: string, addr: bigint): Promise<Buffer> {
  const out = execFileSync('objdump', ['-s', '--start-address', `0x${addr.toString(16)}`, '--stop-address', `0x${(addr + 1n).toString(16)}`, binary]).toString();
  const m = /^\s*[0-9a-f]+ ([0-9a-f]{2})/m.exec(out.split('Contents of section')[1] ?? '');
  return Buffer.from(m![1]!, 'hex');
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(10);
  expect(alive(pid)).toBe(false);
}
