/**
 * `info sharedlibrary` and `info inferiors` against gdb, line for line:
 * libraries from the dynamic loader's list (names as the loader has them,
 * .text bounds, "Yes (*)" without debugging information, gdb's order) for a
 * program we start, one we attach to, and one behind gdbserver; and the
 * inferior's connection ("1 (native)", "1 (remote HOST:PORT)").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { example, ROOT, startListening, type Spawned } from './rsp-util.js';
import { SESSION_MS, waitFor } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const cleanup: Array<Spawned | ChildProcess> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) {
    if ('stop' in c) await c.stop().catch(() => undefined);
    else c.kill('SIGKILL');
  }
});

const ex = (commands: string[]) => commands.flatMap((c) => ['-ex', c]);

function run(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
  return `${r.stdout}${r.stderr}`;
}

/** The blocks the two commands print (header and rows), pids left out. */
function tables(out: string): string[] {
  const lines = out.split('\n');
  const blocks: string[] = [];
  lines.forEach((l, i) => {
    if (l === 'No shared libraries loaded at this time.') blocks.push(l);
    if (!/^(From {16}To|  Num  Description)/.test(l)) return;
    let end = i + 1;
    while (end < lines.length && /^(0x|\* 1 |\(\*\): | {38})/.test(lines[end]!)) end++;
    blocks.push(lines.slice(i, end).join('\n').replace(/process \d+/g, 'process N'));
  });
  return blocks;
}

describe('info sharedlibrary and info inferiors, as gdb', () => {
  it('a program we start: before run, at the start, after a dlopen of a library without debug info, after kill', () => {
    const prog = fixture('dlopen_z');
    const script = ['info sharedlibrary', 'info inferiors', 'break loaded', 'starti', 'info sharedlibrary',
      'continue', 'info sharedlibrary', 'info inferiors', 'kill', 'info inferiors'];
    const gdb = tables(run(['gdb', '-nx', '-batch', ...ex(script), prog]));
    const ours = tables(run(['node', TSDBG, 'run', '--batch', ...ex(script), prog]));
    expect(gdb.join('\n')).toContain('Yes (*)     /lib/x86_64-linux-gnu/libz.so.1\n(*): Shared library is missing debugging information.');
    expect(gdb).toHaveLength(6);
    expect(ours).toEqual(gdb);
  });

  it('a process we attach to: the loader\'s order', async () => {
    const prog = spawn(example('hot_loop'), ['4000000000'], { stdio: 'ignore' });
    cleanup.push(prog);
    await waitFor(() => readlinkSync(`/proc/${prog.pid}/exe`).endsWith('/hot_loop'), 'the program to exec hot_loop');
    const script = ['info sharedlibrary', 'info inferiors', 'detach'];
    const gdb = tables(run(['gdb', '-nx', '-batch', '-p', String(prog.pid), ...ex(script)]));
    const ours = tables(run(['node', TSDBG, 'run', '--batch', '--pid', String(prog.pid), ...ex(script), example('hot_loop')]));
    expect(gdb[0]).toMatch(/libc\.so\.6\n.*ld-linux/);
    expect(ours).toEqual(gdb);
  });

  it('through gdbserver: the same libraries, and the remote connection', async () => {
    const prog = fixture('dlopen_z');
    const script = ['break loaded', 'continue', 'info sharedlibrary', 'info inferiors'];
    const outs: string[][] = [];
    for (const who of ['gdb', 'tsdbg']) {
      const s = await startListening('gdbserver', ['--once', '127.0.0.1:0', prog]);
      cleanup.push(s);
      const where = `127.0.0.1:${s.port}`;
      outs.push(tables(who === 'gdb'
        ? run(['gdb', '-nx', '-batch', '-ex', `target remote ${where}`, ...ex([...script, 'kill']), prog])
        : run(['node', TSDBG, 'connect', '--batch', ...ex([...script, 'kill']), where, prog]))
        // gdb reads the libraries through the stub (sysroot target:); we read them here, where they are
        .map((b) => b.replaceAll(where, 'HOST:PORT').replaceAll('target:/', '/')));
    }
    expect(outs[0]![1]).toContain('1 (remote HOST:PORT)');
    expect(outs[1]).toEqual(outs[0]);
  });
});
