/**
 * Incremental checkpoints on a real program (tests/fixtures/ckpt_mem.c) and
 * the real kernel: after a rewind every writable byte equals a full copy
 * taken at the checkpoint, for each method this kernel offers and for full
 * copies; map changes are refused or restored where still mapped; a program
 * with its own userfaultfd falls back, saying why; detach and kill leave no
 * registration behind, and the program itself checks it was never disturbed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import type { Target } from '../../src/target/types.js';
import { selectEngine } from '../../src/snapshot/select.js';
import { CheckpointError, CheckpointManager, checkpointMappings } from '../../src/snapshot/checkpoint.js';
import type { MethodChoice } from '../../src/snapshot/dirty.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { SESSION_MS, waitFor } from '../setup/wait.js';

const PROG = fixture('ckpt_mem');
const STOP = symbol(PROG, 'stop_here');
const PG = 4096;

const started: LocalTarget[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of started.splice(0)) await t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The kernel release, comparable: 6.18.44-x -> 6018. */
const [major, minor] = /^(\d+)\.(\d+)/.exec(release())!.slice(1).map(Number) as [number, number];
/** This host: Linux 6.7+ with userfaultfd write-protect (our tracees run as root or as us). */
const expectUffd = major * 1000 + minor >= 6007 && existsSync('/proc/sys/vm/unprivileged_userfaultfd');

async function start(mode: string, method: MethodChoice = 'auto') {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-ckpt-'));
  dirs.push(dir);
  const out = join(dir, 'out');
  // glibc.pthread.rseq=0: no rseq area, whose cpu_id the kernel rewrites in the program's TLS page
  // whenever it runs on another CPU, so a replayed phase ends with the very bytes of its first run
  const t = await LocalTarget.spawn(PROG, { args: [mode, out], env: { ...process.env, GLIBC_TUNABLES: 'glibc.pthread.rseq=0' } });
  started.push(t);
  await t.insertBreakpoint(STOP);
  await t.cont();
  const m = new CheckpointManager(t, selectEngine(t), () => []);
  m.methodChoice = method;
  return { t, m, out };
}

/** The phase stop_here() was called with. */
async function phase(t: Target): Promise<number> {
  const ev = await t.cont();
  expect(ev.reason.kind).toBe('breakpoint');
  return Number((await t.getRegisters()).rdi);
}

/** A full copy of every private writable mapping: page address -> bytes. */
async function dump(t: Target): Promise<Map<number, Buffer>> {
  const pages = new Map<number, Buffer>();
  for (const m of checkpointMappings(await t.memoryMap())) {
    const bytes = await t.readMemory(m.start, Number(m.end - m.start));
    for (let at = 0; at < bytes.length; at += PG) pages.set(Number(m.start) + at, bytes.subarray(at, at + PG));
  }
  return pages;
}

/** Pages of `before` that differ now (only those still mapped: pages gone are not compared). */
function differing(before: Map<number, Buffer>, now: Map<number, Buffer>): string[] {
  const out: string[] = [];
  for (const [p, b] of before) if (now.has(p) && !now.get(p)!.equals(b)) out.push(`0x${p.toString(16)}`);
  return out;
}

async function finish(t: Target, out: string): Promise<string> {
  await t.removeBreakpoint(STOP);
  const ev = await t.cont();
  expect(ev.reason).toEqual({ kind: 'exited', code: 0 });
  return readFileSync(out, 'utf8');
}

const uffdFlagged = (pid: number) => /^VmFlags:.*\buw\b/m.test(readFileSync(`/proc/${pid}/smaps`, 'latin1'));
const userfaultfds = (pid: number | 'self') => readdirSync(`/proc/${pid}/fd`).filter((fd) => {
  try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[userfaultfd]'; } catch { return false; }
}).length;

describe.each(['auto', 'full'] as const)('checkpoint-method %s', (method) => {
  it('rewinds every writable byte to the checkpoint, twice, and to an older checkpoint through newer ones', async () => {
    const { t, m, out } = await start('pages', method);
    const fdsBefore = readdirSync(`/proc/${t.pid}/fd`);
    const c1 = await m.take('c1');
    const d0 = await dump(t);
    expect(m.method).toBe(method === 'full' ? 'full' : expectUffd ? 'uffd-wp' : m.method);
    // the program's descriptors are as they were (tsdbg keeps its own copy of the userfaultfd)
    expect(readdirSync(`/proc/${t.pid}/fd`)).toEqual(fdsBefore);
    expect(c1.copiedBytes).toBeGreaterThan(8 << 20);

    for (let i = 0; i < 2; i++) {
      expect(await phase(t)).toBe(1);
      expect(differing(d0, await dump(t)).length).toBeGreaterThanOrEqual(5);
      const r = await m.rewind('c1', false);
      expect(differing(d0, await dump(t))).toEqual([]);
      expect(Number((await t.getRegisters()).rip)).toBe(Number(c1.regs.rip));
      // only what changed was written back: a handful of pages of more than 8 MiB
      expect(r.restoredBytes).toBeGreaterThan(0);
      expect(r.restoredBytes).toBeLessThanOrEqual(16 * PG);
    }

    expect(await phase(t)).toBe(1);
    const c2 = await m.take('c2');
    const d1 = await dump(t);
    if (method !== 'full') expect(c2.copiedBytes).toBeLessThanOrEqual(16 * PG);
    expect(await phase(t)).toBe(2);
    await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
    await m.rewind('c2', false);
    expect(differing(d1, await dump(t))).toEqual([]);
    await m.delete('c2');
    await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
    // the program replays from the first stop and finds each phase done exactly once
    expect(await phase(t)).toBe(1);
    expect(await phase(t)).toBe(2);
    expect(await finish(t, out)).toBe('ok\n');
  });

  it('deleting a checkpoint between two others keeps both rewindable', async () => {
    const { t, m } = await start('pages', method);
    await m.take('c1');
    const d0 = await dump(t);
    expect(await phase(t)).toBe(1);
    await m.take('c2');
    expect(await phase(t)).toBe(2);
    await m.take('c3');
    const d2 = await dump(t);
    await m.delete('c2');
    await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
    await m.rewind('c3', false);
    expect(differing(d2, await dump(t))).toEqual([]);
    await m.delete('c3');
    await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
  });

  it('over IOV_MAX scattered pages, some written twice and one with its own bytes: every byte back, through an older checkpoint and forth', async () => {
    const { t, m, out } = await start('scatter', method);
    const c1 = await m.take('c1');
    const d0 = await dump(t);
    expect(await phase(t)).toBe(1);
    // every other page of the 8 MiB heap: 1024 runs, and a few more elsewhere
    expect(differing(d0, await dump(t)).length).toBeGreaterThan(1024);
    let r = await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
    expect(r.restoredBytes).toBeGreaterThanOrEqual(1024 * PG);
    expect(await phase(t)).toBe(1);
    const c2 = await m.take('c2');
    const d1 = await dump(t);
    if (method !== 'full') expect(c2.copiedBytes).toBeGreaterThanOrEqual(1024 * PG);
    if (method !== 'full') expect(c2.copiedBytes).toBeLessThan(c1.copiedBytes);
    expect(await phase(t)).toBe(2);
    const d2 = await dump(t);
    // the pages phase 2 wrote again are half of phase 1's
    expect(differing(d1, d2).length).toBeGreaterThanOrEqual(512);
    r = await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
    r = await m.rewind('c2', false);
    expect(differing(d1, await dump(t))).toEqual([]);
    expect(await phase(t)).toBe(2);
    expect(differing(d2, await dump(t))).toEqual([]);
    await m.rewind('c1', false);
    expect(differing(d0, await dump(t))).toEqual([]);
    // the program replays both phases and finds each done exactly once
    expect(await phase(t)).toBe(1);
    expect(await phase(t)).toBe(2);
    expect(await finish(t, out)).toBe('ok\n');
  });

  it('refuses a rewind across mmap, munmap, brk and mprotect; forced, restores what is still mapped; then checkpoints the new map', async () => {
    const { t, m, out } = await start('maps', method);
    await m.take('c1');
    const d0 = await dump(t);
    expect(await phase(t)).toBe(1);
    const refusal = await m.rewind('c1', false).then(() => undefined, (e: unknown) => e);
    expect(refusal).toBeInstanceOf(CheckpointError);
    const changes = (refusal as CheckpointError).changes.map((c) => c.text);
    expect(changes.some((c) => c.startsWith('[heap]'))).toBe(true);
    expect(changes.length).toBeGreaterThanOrEqual(2);
    const r = await m.rewind('c1', true);
    expect(r.skipped.length).toBe(changes.length);
    expect(differing(d0, await dump(t))).toEqual([]);
    // the program runs phase 1 again on the new map; a checkpoint there, a rewind to it
    expect(await phase(t)).toBe(1);
    await m.take('c2');
    const d1 = await dump(t);
    expect(await phase(t)).toBe(2);
    await m.rewind('c2', false);
    expect(differing(d1, await dump(t))).toEqual([]);
    expect(await phase(t)).toBe(2);
    expect(await finish(t, out)).toBe('ok\n');
  });
});

describe('incremental checkpoints and the program', () => {
  it('a program with its own userfaultfd gets full copies, and the reason is given; its userfaultfd keeps working', async () => {
    const { t, m, out } = await start('uffd');
    await m.take(undefined);
    expect(m.method).toBe('full');
    expect(m.methodText()).toContain('the program uses userfaultfd itself');
    const d0 = await dump(t);
    expect(await phase(t)).toBe(1);
    await m.rewind(undefined, false);
    expect(differing(d0, await dump(t))).toEqual([]);
    expect(await phase(t)).toBe(1);
    expect(await phase(t)).toBe(2);
    expect(await finish(t, out)).toBe('ok\n');
  });

  it('asking for a method this kernel lacks is a clear one-line error', async () => {
    const { m } = await start('pages', expectUffd ? 'soft-dirty' : 'uffd-wp');
    const err = await m.take(undefined).then(() => undefined, (e: unknown) => e);
    // the host kernel has userfaultfd write-protect and no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY)
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/^Cannot use checkpoint-method (soft-dirty|uffd-wp): .+\.$/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('after detach no range stays registered and the program runs on correctly', async () => {
    const { t, m, out } = await start('pages');
    const ours = userfaultfds('self');
    await m.take(undefined);
    if (expectUffd) {
      expect(uffdFlagged(t.pid)).toBe(true);
      expect(userfaultfds('self')).toBe(ours + 1);
    }
    expect(await phase(t)).toBe(1);
    await m.rewind(undefined, false);
    m.forget();
    expect(uffdFlagged(t.pid)).toBe(false);
    expect(userfaultfds('self')).toBe(ours);
    expect(userfaultfds(t.pid)).toBe(0);
    await t.removeBreakpoint(STOP);
    await t.detach();
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').length > 0, 'the detached program to write its verdict');
    expect(readFileSync(out, 'utf8')).toBe('ok\n');
  });

  it('an exec ends the checkpoints and their page tracking with the old address space', async () => {
    const { t, m } = await start('exec');
    const ours = userfaultfds('self');
    await m.take(undefined);
    const ev = await t.cont();
    expect(ev.reason.kind).toBe('exec');
    expect(m.checkpoints).toEqual([]);
    expect(userfaultfds('self')).toBe(ours);
    // the new image gets checkpoints of its own
    await m.take('after');
    expect(m.checkpoints.map((c) => c.name)).toEqual(['after']);
  });

  it('kill leaves no userfaultfd in tsdbg', async () => {
    const { t, m } = await start('pages');
    const ours = userfaultfds('self');
    await m.take(undefined);
    await t.kill();
    m.forget();
    expect(userfaultfds('self')).toBe(ours);
  });
});

describe('checkpoint commands', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const batch = (lines: string[]) => spawnSync('node', [`${root}bin/tsdbg.js`, 'run', '--batch', PROG, 'pages', '/dev/null'], {
    input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root,
  });

  it('work from the exec stop (starti), where the thread is still inside execve, and the program then runs correctly', () => {
    const r = batch(['starti', 'checkpoint', 'stepi', 'stepi', 'rewind', 'continue']);
    const method = expectUffd ? 'userfaultfd write-protect \\+ PAGEMAP_SCAN' : '.+';
    expect(r.stdout).toMatch(new RegExp(`^Checkpoint 1 "c1" at 0x[0-9a-f]+ <_start>: .*written pages found by ${method}\\.$`, 'm'));
    expect(r.stdout).toMatch(/^Rewound to checkpoint "c1": /m);
    // the program checks its own memory at the end: exit code 0 is its "ok"
    expect(r.stdout).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
  });

  it('say how written pages are found and how much was copied; set checkpoint-method is checked like a gdb enum', () => {
    const r = batch(['set checkpoint-method', 'set checkpoint-method bogus', 'show checkpoint-method', 'break stop_here', 'run', 'checkpoint', 'show checkpoint-method', 'continue', 'checkpoint',
      'set checkpoint-method full', 'checkpoints', 'rewind c1', 'checkpoint delete c2', 'checkpoint delete c1', 'set checkpoint-method full',
      'checkpoint', 'checkpoints', 'kill']);
    expect(r.stderr).toContain('Requires an argument. Valid arguments are auto, uffd-wp, soft-dirty, full.\n');
    expect(r.stderr).toContain('Undefined item: "bogus".\n');
    expect(r.stderr).toContain('Cannot change checkpoint-method while checkpoints exist; delete them first.\n');
    const method = expectUffd ? 'userfaultfd write-protect \\+ PAGEMAP_SCAN' : '.+';
    expect(r.stdout).toContain('How checkpoints find the pages the program wrote is "auto".\n');
    expect(r.stdout).toMatch(new RegExp(`^How checkpoints find the pages the program wrote is "auto"\\. In use: ${method}\\.$`, 'm'));
    const taken = r.stdout.split("\n").filter((l) => /^Checkpoint \d/.test(l));
    expect(taken[0]).toMatch(new RegExp(`^Checkpoint 1 "c1" at 0x[0-9a-f]+ <stop_here\\+\\d+>: \\d+ regions, [\\d.]+ MiB; [\\d.]+ MiB copied, written pages found by ${method}\\.$`));
    // the second copies what phase 1 wrote: a few pages, in KiB
    expect(taken[1]).toMatch(new RegExp(`^Checkpoint 2 "c2" at .*: \\d+ regions, [\\d.]+ MiB; [\\d.]+ KiB copied, written pages found by ${method}\\.$`));
    expect(taken[2]).toMatch(/^Checkpoint 3 "c3" at .*: \d+ regions, [\d.]+ MiB \(\d+ held by the (userspace|kernel) engine, \d+ in tsdbg\)\.$/);
    expect(r.stdout).toMatch(new RegExp(`^2 +c2 +\\d+ +[\\d.]+ MiB +tsdbg copy +0x`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^Written pages found by ${method} \\(set checkpoint-method\\)\\.$`, 'm'));
    expect(r.stdout).toMatch(/^Written pages found by full copy \(set checkpoint-method\)\.$/m);
    expect(r.stdout).toMatch(/^Rewound to checkpoint "c1": [\d.]+ KiB of memory and all registers restored\.$/m);
  });
});

describe('checkpoints in tsdbg serve', () => {
  it('a detach drops the page tracking: the program runs on correctly, and the server holds no userfaultfd', async () => {
    const { startListening, gdbBatch } = await import('./rsp-util.js');
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'tsdbg-ckpt-'));
    dirs.push(dir);
    const out = join(dir, 'out');
    const s = await startListening('node', [`${root}bin/tsdbg.js`, 'serve', '--listen', '127.0.0.1:0', PROG, 'pages', out]);
    try {
      const text = await gdbBatch(`target remote 127.0.0.1:${s.port}`, [
        'break stop_here', 'continue', 'monitor checkpoint c', 'continue', 'monitor rewind c', 'delete', 'detach',
      ], PROG);
      expect(text).toMatch(/checkpoint 1 "c": \d+ regions/);
      expect(text).toMatch(/rewound to checkpoint 1 "c"/);
      const pid = Number(/process (\d+)\) detached/.exec(text)?.[1]);
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').length > 0,
        () => `the detached program to write its verdict; gdb said:\n${text}\nserver: ${s.stderr()}${s.stdout()}\nprogram: ${existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'latin1').split('\n').slice(0, 3).join(' ') : 'gone'}`);
      expect(readFileSync(out, 'utf8')).toBe('ok\n');
      if (s.child.exitCode === null && s.child.pid) expect(userfaultfds(s.child.pid)).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
