/**
 * Threads at the prompt (`tsdbg run --batch`) on examples/bin/threads, held
 * against gdb on the same program: gdb's thread messages, `info threads`,
 * `thread`, `thread N`, `bt` in a worker, and a run to the normal end.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startListening } from './rsp-util.js';
import { buildEdge } from './threads-util.js';

const TSDBG = path.join(ROOT, 'bin/tsdbg.js');
const PROG = path.join(ROOT, 'examples/bin/threads');
const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin' };

function run(debugger_: 'gdb' | 'tsdbg', commands: string[], prog = PROG): { out: string; err: string } {
  // -ex goes on after an error (a -x file would stop there, in both)
  const ex = commands.flatMap((c) => ['-ex', c]);
  const r = debugger_ === 'gdb'
    ? spawnSync('gdb', ['-batch', '-nx', ...ex, prog], { encoding: 'utf8', env: ENV, timeout: 60_000 })
    : spawnSync('node', [TSDBG, 'run', '--batch', ...ex, prog], { encoding: 'utf8', env: ENV, timeout: 60_000, cwd: ROOT });
  return { out: r.stdout, err: r.stderr };
}

/** The rows of each `info threads` table: [mark, id, lwp, name, frame]. */
function tables(out: string): Array<Array<{ current: boolean; id: number; lwp: number; name: string; frame: string }>> {
  const blocks = out.split(/^ {2}Id {3}Target Id +Frame $/m).slice(1);
  return blocks.map((b) => b.split('\n').slice(1)
    .map((l) => /^([* ]) (\d+) +Thread 0x[0-9a-f]+ \(LWP (\d+)\) "([^"]*)" (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m.index === 0)
    .map((m) => ({ current: m[1] === '*', id: Number(m[2]), lwp: Number(m[3]), name: m[4]!, frame: m[5]! }))
    .filter((row, i, rows) => i === 0 || row.id > rows[i - 1]!.id));
}

const SCRIPT = [
  'break bump', 'run', 'info threads', 'thread', 'bt', 'thread 1', 'thread', 'thread 9', 'thread x',
  'thread apply all bt 1', 'info threads 1 3', 'delete', 'continue', 'info threads',
];

describe('threads at the prompt', () => {
  it('announces threads, stops in a worker, lists and switches threads like gdb', () => {
    const ours = run('tsdbg', SCRIPT);
    const gdb = run('gdb', SCRIPT);
    // errors (and the missing libc source file) on stderr, word for word as gdb's
    expect(ours.err).toMatch(/^\d+\t\S+: No such file or directory\.\nUnknown thread 9\.\nInvalid thread ID: x\n$/);
    // (gdb adds a warning about its index cache in this environment). Which libc
    // file main's frame is in depends on the run: still waking from the barrier
    // (futex-internal.h) or already in pthread_join (futex-internal.c)
    const anySource = (err: string) => err.replace(/^\d+\t\S+: No such file or directory\.$/m, 'N\tFILE: No such file or directory.');
    expect(anySource(gdb.err)).toContain(anySource(ours.err));
    for (const { out } of [ours, gdb]) {
      const news = [...out.matchAll(/^\[New Thread 0x([0-9a-f]+) \(LWP (\d+)\)\]$/gm)];
      expect(news.length).toBeGreaterThanOrEqual(3);
      const stop = /^\[Switching to Thread 0x([0-9a-f]+) \(LWP (\d+)\)\]\n\nThread (\d) "threads" hit Breakpoint 1, bump \(id=(\d), round=0\) at threads\.c:22\n22\t\tpthread_mutex_lock\(&lock\);$/m.exec(out);
      expect(stop, out).not.toBeNull();
      const [, , lwp, num] = stop!;
      // numbered in the order they were created
      const lwps = news.map((m) => Number(m[2]));
      expect([...lwps].sort((a, b) => a - b)).toEqual(lwps);
      const [first, some] = tables(out);
      // the barrier: at any stop in bump the main thread and the 3 workers exist
      expect(first!.map((r) => r.id)).toEqual([1, 2, 3, 4]);
      expect(first!.every((r) => r.name === 'threads')).toBe(true);
      const current = first!.filter((r) => r.current);
      expect(current).toHaveLength(1);
      expect(current[0]!.id).toBe(Number(num));
      expect(current[0]!.lwp).toBe(Number(lwp));
      expect(current[0]!.frame).toMatch(/^bump \(id=\d, round=0\) at threads\.c:22$/);
      // the workers announced are the rows 2-4, the main thread's LWP is the process id
      expect(first!.slice(1).map((r) => r.lwp)).toEqual(news.slice(0, 3).map((m) => Number(m[2])));
      expect(out).toContain(`[Current thread is ${num} (Thread 0x${stop![1]} (LWP ${lwp}))]`);
      // bt in the worker: bump <- worker <- start_thread
      expect(out).toMatch(/^#1 {2}0x[0-9a-f]+ in worker \(arg=0x\d\) at threads\.c:35$/m);
      expect(out).toMatch(/^#2 {2}0x[0-9a-f]+ in start_thread /m);
      const main = first!.find((r) => r.id === 1)!;
      expect(out).toMatch(new RegExp(`^\\[Switching to thread 1 \\(Thread 0x[0-9a-f]+ \\(LWP ${main.lwp}\\)\\)\\]\\n#0  `, 'm'));
      expect(out).toMatch(new RegExp(`^\\[Current thread is 1 \\(Thread 0x[0-9a-f]+ \\(LWP ${main.lwp}\\)\\)\\]$`, 'm'));
      expect(out).toContain(`[Inferior 1 (process ${main.lwp}) exited normally]`);
      expect(out).toContain('all done: counter 24');
      expect([...out.matchAll(/^\[Thread 0x[0-9a-f]+ \(LWP \d+\) exited\]$/gm)]).toHaveLength(3);
      expect(out).toMatch(/^No threads\.$/m);
      // thread apply all: newest first, each under its heading; info threads with a list
      const heads = [...out.matchAll(/^Thread (\d) \(Thread 0x[0-9a-f]+ \(LWP (\d+)\) "threads"\):\n#0  /gm)];
      expect(heads.map((m) => Number(m[1]))).toEqual([4, 3, 2, 1]);
      expect(heads.map((m) => Number(m[2]))).toEqual([...first!].reverse().map((r) => r.lwp));
      expect(some!.map((r) => r.id)).toEqual([1, 3]);
    }
    // no process
    expect(run('tsdbg', ['thread 2', 'info threads'])).toEqual({ out: 'No threads.\n', err: 'No thread selected\n' });
  });

  it('next and finish in a worker stay in that worker while the others run the same code', () => {
    const steps = run('tsdbg', ['break bump', 'run', 'delete', 'next', 'next', 'next', 'thread']);
    expect(steps.err).toBe('');
    const stop = /^Thread (\d) "threads" hit Breakpoint 1, bump \(id=\d, round=0\)/m.exec(steps.out);
    expect(stop).not.toBeNull();
    // the other workers print and exit meanwhile; the source lines are the stepping thread's
    expect(steps.out.split('\n').filter((l) => /^\d+\t/.test(l)).map((l) => Number(l.split('\t')[0]))).toEqual([22, 23, 24, 25]);
    expect(/^\[Current thread is (\d)/m.exec(steps.out)![1]).toBe(stop![1]);
    // slow() sleeps in thread 1 only: the other threads pass the return
    // address of its frame thousands of times before it returns
    const edge = buildEdge();
    const fin = run('tsdbg', ['break slow if n > 1', 'run spin', 'delete', 'finish', 'thread'], edge);
    expect(fin.err).toBe('');
    const hit = /^Thread (\d) "threads-edge" hit Breakpoint 1, slow \(n=20000\)/m.exec(fin.out);
    expect(hit, fin.out).not.toBeNull();
    // a script's finish says nothing before it stops, as in gdb -batch
    expect(fin.out).not.toMatch(/Run till exit/);
    expect(fin.out).toMatch(/^(0x[0-9a-f]+ in )?spinner \(arg=0x1\) at /m);
    expect(/^\[Current thread is (\d)/m.exec(fin.out)![1]).toBe(hit![1]);
  });

  it('a signal in a worker: named with its thread, then the switch, as gdb prints it; continue delivers it', () => {
    const edge = buildEdge();
    for (const who of ['tsdbg', 'gdb'] as const) {
      const { out } = run(who, ['run signal', 'continue'], edge);
      expect(out, who).toMatch(/^Thread 2 "threads-edge" received signal SIGUSR1, User defined signal 1\.\n\[Switching to Thread 0x[0-9a-f]+ \(LWP \d+\)\]\n__pthread_kill_implementation /m);
      expect(out, who).toMatch(/^\[Inferior 1 \(process \d+\) exited with code 01\]$/m);   // the handler ran once
    }
  });

  it('quit at a stop in a worker leaves no process and no thread behind', () => {
    const { out, err } = run('tsdbg', ['break bump', 'run', 'info proc', 'quit']);
    expect(err).toBe('');
    const pid = Number(/^process (\d+)$/m.exec(out)![1]);
    expect(out).toMatch(/^Thread \d "threads" hit Breakpoint 1, /m);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('attach names the threads the process has, lists them, and detach leaves them all running', () => {
    const edge = buildEdge();
    const pid = Number(execFileSync('/bin/sh', ['-c', `${edge} spin >/dev/null 2>&1 & echo $!`]).toString());
    try {
      for (let i = 0; i < 200 && readdirSync(`/proc/${pid}/task`).length < 3; i++) execFileSync('sleep', ['0.01']);
      const { out, err } = run('tsdbg', [`attach ${pid}`, 'info threads', 'detach'], edge);
      expect(err).toBe('');
      const news = [...out.matchAll(/^\[New Thread 0x[0-9a-f]+ \(LWP (\d+)\)\]$/gm)].map((m) => Number(m[1]));
      const tasks = readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => tid !== pid).sort((a, b) => a - b);
      expect(news.sort((a, b) => a - b)).toEqual(tasks);
      expect(tables(out)[0]!.map((r) => r.lwp).sort((a, b) => a - b)).toEqual([pid, ...tasks]);
      for (const tid of [pid, ...tasks]) {
        expect(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1')).toMatch(/TracerPid:\s+0\n/);
      }
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('tsdbg connect to gdbserver: thread stop lines, info threads, thread apply', async () => {
    const server = await startListening('gdbserver', ['--once', '127.0.0.1:0', PROG]);
    try {
      const r = spawnSync('node', [TSDBG, 'connect', '--batch', '-ex', 'break bump', '-ex', 'continue', '-ex', 'info threads',
        '-ex', 'thread apply 1 bt 1', '-ex', 'kill', `127.0.0.1:${server.port}`, PROG], { encoding: 'utf8', env: ENV, timeout: 60_000, cwd: ROOT });
      expect(r.stderr).toBe('');
      const stop = /^Thread (\d) "threads" hit Breakpoint 1, bump \(id=\d, round=0\) at threads\.c:22$/m.exec(r.stdout);
      expect(stop, r.stdout).not.toBeNull();
      // remote threads are named as gdb names them over the wire: Thread PID.TID
      const rows = [...r.stdout.matchAll(/^([* ]) (\d) +Thread (\d+)\.(\d+) "threads" (.*)$/gm)];
      expect(rows.map((m) => Number(m[2])).sort()).toEqual([1, 2, 3, 4]);
      expect(rows.find((m) => m[1] === '*')![2]).toBe(stop![1]);
      const main = rows.find((m) => m[2] === '1')!;
      expect(main[4]).toBe(main[3]);
      expect(r.stdout).toContain(`Thread 1 (Thread ${main[3]}.${main[3]} "threads"):\n#0  `);
    } finally {
      await server.stop();
    }
  });
});
