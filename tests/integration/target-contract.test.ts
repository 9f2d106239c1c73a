/**
 * The Target contract: the same cases, word for word, against every back end
 * (Delve runs one proc test suite over native and gdbserial the same way):
 *
 *  - local:     LocalTarget (ptrace, this process);
 *  - serve:     RemoteTarget over `tsdbg serve` (the built CLI, its own process);
 *  - gdbserver: RemoteTarget over Debian's real gdbserver.
 *
 * Behaviour only: what stops where, what memory and registers hold, what the
 * program's exit code is, that no process is left behind. Nothing above
 * src/target/ may tell these apart; a case that needs a branch on the back
 * end does not belong here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { debugRegistersTrap } from '../../src/target/debugregs.js';
import { TargetError, type StopEvent, type Target } from '../../src/target/types.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { ROOT, example, requireFreshServerBuild, startListening, symbol as pieSymbol, until } from './rsp-util.js';

const BASIC = fixture('target_basic');
const SIGNALS = fixture('target_signals');
const LOOP = fixture('target_loop');
const THREADS = example('threads');

interface Started {
  target: Target;
  /** Everything the program printed so far, wherever the back end puts it (pty, O packets, the stub's stdio). */
  output(): string;
  /** The processes besides the program that this back end started for it (a stub), to be gone after kill or detach. */
  helpers: number[];
}

interface Backend {
  name: string;
  /** `prog` started and stopped before its first instruction. */
  spawn(prog: string, args?: string[]): Promise<Started>;
  /** Attach to a running process (not a child of ours) and stop it. */
  attach(pid: number): Promise<Started>;
  /** Whether a hardware watchpoint this back end accepted fires on this machine. */
  watchFires(): boolean;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function collect(t: Target): () => string {
  let out = '';
  t.on('output', (b) => { out += b.toString('latin1'); });
  return () => out;
}

const local: Backend = {
  name: 'local',
  async spawn(prog, args = []) {
    const target = await LocalTarget.spawn(prog, { args });
    cleanup.push(() => target.kill());
    return { target, output: collect(target), helpers: [] };
  },
  async attach(pid) {
    const target = await LocalTarget.attach(pid);
    cleanup.push(() => target.detach());
    return { target, output: collect(target), helpers: [] };
  },
  watchFires: () => debugRegistersTrap(),
};

/** RemoteTarget to a stub started by `argv` (it prints "Listening on port N"). */
function overStub(name: string, command: string, argsFor: (prog: string, args: string[]) => string[],
  attachArgs: (pid: number) => string[], watchFires: () => boolean): Backend {
  const connect = async (argv: string[]): Promise<Started> => {
    const server = await startListening(command, argv);
    cleanup.push(() => server.stop());
    const target = await RemoteTarget.connect(`127.0.0.1:${server.port}`);
    cleanup.push(() => target.kill());
    const fromTarget = collect(target);
    return { target, output: () => fromTarget() + server.stdout() + server.stderr(), helpers: [server.child.pid!] };
  };
  return {
    name,
    spawn: (prog, args = []) => connect(argsFor(prog, args)),
    attach: (pid) => connect(attachArgs(pid)),
    watchFires,
  };
}

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const serve = overStub('serve', process.execPath,
  (prog, args) => [TSDBG, 'serve', '--once', '--listen', '127.0.0.1:0', prog, ...args],
  (pid) => [TSDBG, 'serve', '--once', '--listen', '127.0.0.1:0', '--attach', String(pid)],
  // tsdbg serve refuses Z2 where the debug registers do not trap: what it accepts fires
  () => true);
const gdbserver = overStub('gdbserver', 'gdbserver',
  (prog, args) => ['--once', '--no-startup-with-shell', '127.0.0.1:0', prog, ...args],
  (pid) => ['--once', '--attach', '127.0.0.1:0', String(pid)],
  // gdbserver accepts Z2 whether or not this machine's debug registers trap
  () => debugRegistersTrap());

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    return /State:\s+[^ZX]/.test(readFileSync(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return false;
  }
}

function tracerOf(pid: number): number {
  return Number(/TracerPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]);
}

function exeOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** A target_loop that is nobody's child here (the shell that started it is gone); killed after the test. */
async function orphanLoop(): Promise<number> {
  const pid = Number(execFileSync('/bin/sh', ['-c', `${LOOP} >/dev/null 2>&1 & echo $!`]).toString());
  cleanup.push(async () => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ } });
  await until(() => exeOf(pid) === LOOP, `pid ${pid} to run ${LOOP}`);
  return pid;
}

/** Run to `fn`'s first instruction through a breakpoint taken out again. */
async function runTo(t: Target, addr: bigint): Promise<StopEvent> {
  await t.insertBreakpoint(addr);
  const ev = await t.cont();
  await t.removeBreakpoint(addr);
  return ev;
}

for (const backend of [local, serve, gdbserver]) {
  describe(`Target contract: ${backend.name}`, () => {
    if (backend !== local) requireFreshServerBuild();

    it('spawns the program stopped before its first instruction', async () => {
      const { target: t } = await backend.spawn(BASIC);
      expect(t.state).toBe('stopped');
      expect(t.pid).toBeGreaterThan(0);
      expect(alive(t.pid)).toBe(true);
      expect(exeOf(t.pid)).toBe(BASIC);
      expect(t.exePath).toBe(BASIC);
      const regs = await t.getRegisters();
      // in the dynamic loader (the program's own code has not run)
      const at = (await t.memoryMap()).find((m) => m.start <= regs.rip && regs.rip < m.end);
      expect(at?.path).toMatch(/ld-linux-x86-64\.so/);
      expect((await t.threads()).map((x) => x.tid)).toEqual([t.pid]);
    });

    it('reads and writes memory, and hides its breakpoints from reads', async () => {
      const { target: t, output } = await backend.spawn(BASIC);
      const message = symbol(BASIC, 'message');
      expect((await t.readMemory(message, 23)).toString('latin1')).toBe('hello from target_basic');
      await t.writeMemory(message, Buffer.from('HELLO'));
      expect((await t.readMemory(message, 5)).toString('latin1')).toBe('HELLO');
      const tick = symbol(BASIC, 'tick');
      const original = await t.readMemory(tick, 4);
      await t.insertBreakpoint(tick);
      expect(await t.readMemory(tick, 4)).toEqual(original);
      await t.removeBreakpoint(tick);
      await expect(t.readMemory(0n, 8)).rejects.toBeInstanceOf(TargetError);
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
      await until(() => output().includes('HELLO from target_basic counter=6'), () => `the program's output, so far: ${output()}`);
    });

    it('reads and writes registers', async () => {
      const { target: t } = await backend.spawn(BASIC);
      await runTo(t, symbol(BASIC, 'tick'));
      const regs = await t.getRegisters();
      expect(regs.rip).toBe(symbol(BASIC, 'tick'));
      expect(regs.rdi).toBe(1n);                        // tick(1)
      await t.setRegisters({ rdi: 5n, rax: 0x1122334455667788n });
      const now = await t.getRegisters();
      expect(now.rdi).toBe(5n);
      expect(now.rax).toBe(0x1122334455667788n);
      expect(now.rip).toBe(regs.rip);
      expect(now.rsp).toBe(regs.rsp);
      // counter += 5 and then 2 + 3: the program says 10
      await t.setRegisters({ rax: regs.rax });
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    });

    it('stops at a breakpoint each time it is hit, and not once removed', async () => {
      const { target: t } = await backend.spawn(BASIC, ['3', '7']);
      const tick = symbol(BASIC, 'tick');
      const counter = symbol(BASIC, 'counter');
      await t.insertBreakpoint(tick);
      for (const before of [0n, 1n, 3n]) {
        const ev = await t.cont();
        expect(ev.reason).toEqual({ kind: 'breakpoint', pc: tick });
        expect(ev.pid).toBe(t.pid);
        expect((await t.getRegisters()).rip).toBe(tick);
        expect((await t.readMemory(counter, 8)).readBigInt64LE()).toBe(before);
      }
      await t.removeBreakpoint(tick);
      await expect(t.removeBreakpoint(tick)).rejects.toBeInstanceOf(TargetError);
      const end = await t.cont();
      expect(end.reason).toEqual({ kind: 'exited', code: 7 });
      expect(t.state).toBe('exited');
      await until(() => !alive(end.pid), `pid ${end.pid} to be gone`);
    });

    it('steps one instruction, also off a breakpoint', async () => {
      const { target: t } = await backend.spawn(BASIC);
      const tick = symbol(BASIC, 'tick');
      await t.insertBreakpoint(tick);
      expect((await t.cont()).reason.kind).toBe('breakpoint');
      const first = await t.step();
      expect(first.reason.kind).toBe('step');
      const after = (await t.getRegisters()).rip;
      expect(after).toBeGreaterThan(tick);
      expect(first.reason).toEqual({ kind: 'step', pc: after });
      expect((await t.step()).reason.kind).toBe('step');
      expect((await t.getRegisters()).rip).not.toBe(after);
      // the breakpoint is still there for the next call
      expect((await t.cont()).reason).toEqual({ kind: 'breakpoint', pc: tick });
      await t.removeBreakpoint(tick);
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    });

    it('reports signals and delivers them on continue', async () => {
      const { target: t, output } = await backend.spawn(SIGNALS, ['segv']);
      const usr1 = await t.cont();
      expect(usr1.reason).toMatchObject({ kind: 'signal', signal: 10, signame: 'SIGUSR1' });
      // continue passes SIGUSR1 on: the handler runs (usr1_hits=1)
      const segv = await t.cont();
      expect(segv.reason).toMatchObject({ kind: 'signal', signal: 11, signame: 'SIGSEGV', fault: 0x1234n });
      expect((await t.readMemory(symbol(SIGNALS, 'usr1_hits'), 4)).readInt32LE()).toBe(1);
      await until(() => output().includes('usr1_hits=1'), () => `the program's output, so far: ${output()}`);
      // and SIGSEGV, passed on, kills it
      expect((await t.cont()).reason).toMatchObject({ kind: 'killed', signal: 11, signame: 'SIGSEGV' });
    });

    it('continues with no signal when told so (signal 0)', async () => {
      const { target: t } = await backend.spawn(SIGNALS);
      expect((await t.cont()).reason).toMatchObject({ kind: 'signal', signame: 'SIGUSR1' });
      // SIGUSR1 dropped: the handler never runs, the program exits 1
      expect((await t.cont(0)).reason).toEqual({ kind: 'exited', code: 1 });
    });

    it('lists the threads and selects one', async () => {
      const { target: t } = await backend.spawn(THREADS);
      const bump = await symbolOf(t, THREADS, 'bump');
      await t.insertBreakpoint(bump);
      const ev = await t.cont();
      expect(ev.reason).toEqual({ kind: 'breakpoint', pc: bump });
      expect(t.selectedThread).toBe(ev.tid);
      const threads = await t.threads();
      expect(threads).toHaveLength(4);                  // main and its 3 workers, past their barrier
      expect(threads[0]!.tid).toBe(t.pid);
      expect(threads.map((x) => x.tid)).toContain(ev.tid);
      for (const x of threads) expect(x.state).toBe('stopped');
      t.selectThread(t.pid);
      expect((await t.getRegisters()).rip).not.toBe(bump);
      t.selectThread(ev.tid);
      expect((await t.getRegisters()).rip).toBe(bump);
      expect(() => t.selectThread(2 ** 22 + 1)).toThrow(TargetError);
      await t.removeBreakpoint(bump);
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    });

    it('stops at a hardware watchpoint where the capability says so, else has none', async () => {
      const { target: t } = await backend.spawn(BASIC);
      const watched = symbol(BASIC, 'watched');
      await runTo(t, symbol(BASIC, 'main'));
      if (!t.capabilities.hardwareBreakpoints) {
        await expect(t.insertWatchpoint(watched, 8, 'write')).rejects.toMatchObject({ code: 'ENOTSUP' });
        expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
        return;
      }
      await t.insertWatchpoint(watched, 8, 'write');
      if (!backend.watchFires()) {
        // accepted by a stub on a machine whose debug registers never trap: it cannot fire
        expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
        return;
      }
      const hit = await t.cont();
      expect(hit.reason).toMatchObject({ kind: 'watchpoint', address: watched, access: 'write' });
      expect((await t.readMemory(watched, 8)).readBigInt64LE()).toBe(2n);    // counter 1, doubled
      await t.removeWatchpoint(watched, 8, 'write');
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    });

    it('kill leaves no process behind, stopped or running', async () => {
      const { target: stopped, helpers } = await backend.spawn(BASIC);
      const first = stopped.pid;
      await stopped.kill();
      expect(stopped.state).toBe('exited');
      for (const pid of [first, ...helpers]) await until(() => !alive(pid), `pid ${pid} to be gone`);

      const { target: t, helpers: more } = await backend.spawn(LOOP);
      const pid = t.pid;
      const running = t.cont().then((ev) => ev.reason.kind, (e: unknown) => (e as Error).message);
      await until(() => t.state === 'running' && cpuTicks(pid) > 0, `pid ${pid} to run`);
      await t.kill();
      expect(t.state).toBe('exited');
      for (const p of [pid, ...more]) await until(() => !alive(p), `pid ${p} to be gone`);
      // the resume in flight ends (a back end says killed, or that the connection went with it): it never hangs
      expect(await running).toBeTypeOf('string');
    });

    it('attaches to a running process and detaches leaving it running, untraced', async () => {
      const pid = await orphanLoop();
      const { target: t, helpers } = await backend.attach(pid);
      expect(t.pid).toBe(pid);
      expect(t.state).toBe('stopped');
      expect(tracerOf(pid)).not.toBe(0);
      const spins = symbol(LOOP, 'spins');
      const n = (await t.readMemory(spins, 8)).readBigUInt64LE();
      expect((await t.readMemory(spins, 8)).readBigUInt64LE()).toBe(n);       // really stopped
      const main = symbol(LOOP, 'main');
      const code = await t.readMemory(main, 1);
      await t.insertBreakpoint(main);
      await t.detach();
      expect(t.state).toBe('exited');
      await until(() => alive(pid) && tracerOf(pid) === 0, `pid ${pid} to be detached`);
      for (const p of helpers) await until(() => !alive(p), `the stub (pid ${p}) to end with its session`);
      // running on, and our breakpoint out of its code (/proc/PID/mem needs no tracer of ours)
      const ticks = cpuTicks(pid);
      await until(() => cpuTicks(pid) > ticks, `pid ${pid} to run on`);
      expect(readProcMem(pid, main, 1)).toEqual(code);
    });
  });
}

/** Address of a symbol through the target's auxv (examples/ are PIE). */
const symbolOf = pieSymbol;

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return -1;
  }
}

/** Bytes of a process we do not trace (same user: /proc/PID/mem needs no tracer). */
function readProcMem(pid: number, addr: bigint, len: number): Buffer {
  const out = Buffer.alloc(len);
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    readSync(fd, out, 0, len, Number(addr));
  } finally {
    closeSync(fd);
  }
  return out;
}
