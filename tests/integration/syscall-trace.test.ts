/**
 * `tsdbg trace` against strace 6.1 on real programs: the same calls, decoded
 * the same, line for line, after addresses, pids and variable counts are
 * normalised. Then what strace cannot be compared on: the seccomp filter's
 * stop count, -f, -c's table, fault injection and path rewriting.
 * Needs `npm run build` (dist/, examples/bin/, the shim).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_MS, finished, waitFor } from '../setup/wait.js';
import { ownerEnv } from '../setup/leaks.js';
import { runTrace } from '../../src/syscall/tracer.js';
import { parseTraceSet } from '../../src/syscall/table.js';
import { RewriteHooks } from '../../src/syscall/rewrite.js';
import { build } from './gdb-compare.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsdbg = `${root}bin/tsdbg.js`;
const loop = `${root}examples/bin/syscall_loop`;
/** The calls compared line for line (decoded fully by both). */
const CHOSEN = 'openat,read,write,close,newfstatat,fstat,mmap,munmap,mprotect,brk,access,exit_group,pread64,lseek';

const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp', ...ownerEnv() };
const dir = mkdtempSync(join(tmpdir(), 'tsdbg-trace-'));

/** Trace text from strace or tsdbg trace (-o FILE), the program's stdio to /dev/null. */
function traceWith(tool: 'strace' | 'tsdbg', args: string[], name: string): { text: string; code: number | null; stderr: string } {
  const out = join(dir, `${name}.${tool}`);
  const cmd = tool === 'strace' ? ['strace', '-o', out, ...args] : ['node', tsdbg, 'trace', '-o', out, ...args];
  const r = finished(spawnSync(cmd[0]!, cmd.slice(1), { env, cwd: dir, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', stdio: ['ignore', 'ignore', 'pipe'] }), cmd.join(' '));
  return { text: readFileSync(out, 'utf8'), code: r.status, stderr: r.stderr };
}

/** What differs between two runs of one program: addresses, pids, the variable count, the padding before `=`. */
const normalise = (s: string): string[] => s.split('\n').filter(Boolean).map((l) => l
  .replace(/0x[0-9a-f]+/g, 'ADDR').replace(/\/\* \d+ vars \*\//, '/* N vars */').replace(/si_pid=\d+/g, 'si_pid=PID')
  .replace(/^\d+ +/, 'PID ').replace(/<\.\.\. (\w+) resumed>/, '<... $1 resumed>').replace(/ +=/, ' ='));

function compare(args: string[], name: string): string[] {
  const ref = traceWith('strace', args, name);
  const ours = traceWith('tsdbg', args, name);
  expect(ours.stderr).toBe(ref.stderr);
  expect(ours.code).toBe(ref.code);
  const want = normalise(ref.text);
  expect(normalise(ours.text)).toEqual(want);
  return want;
}

describe('tsdbg trace against strace', () => {
  it('cat: execve, the loader\'s opens and mmaps, stat structs, a read and a write, exit_group', () => {
    const lines = compare(['-e', `trace=execve,${CHOSEN}`, 'cat', '/etc/hostname'], 'cat');
    expect(lines[0]).toMatch(/^execve\("\/usr\/bin\/cat", \["cat", "\/etc\/hostname"\], ADDR \/\* N vars \*\/\) = 0$/);
    expect(lines).toContain('access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)');
    expect(lines.some((l) => /^newfstatat\(3, "", \{st_mode=S_IFREG\|0644, st_size=\d+, \.\.\.\}, AT_EMPTY_PATH\) = 0$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('+++ exited with 0 +++');
  });

  it('ls: a directory opened O_DIRECTORY, a failing call\'s errno', () => {
    compare(['-e', `trace=${CHOSEN}`, 'ls', '-l', '/etc/hostname', '/nonexistent'], 'ls');
  });

  it('python3 -c: a larger program, buffers shortened with ...', () => {
    const lines = compare(['-e', `trace=${CHOSEN}`, '/usr/bin/python3', '-c', 'import os; os.write(1, b"x" * 40)'], 'python');
    expect(lines).toContain('write(1, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 40) = 40');
  });

  it('an example with signals: --- SIGUSR1 {...} --- lines', () => {
    const lines = compare(['-e', `trace=${CHOSEN}`, `${root}examples/bin/signals`], 'signals');
    expect(lines.some((l) => l.startsWith('--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL'))).toBe(true);
  });

  it('-f: children with their pids, the parent\'s wait4 decoded, +++ killed by +++', () => {
    const args = ['-f', '-e', 'trace=vfork,write,exit_group,wait4', 'sh', '-c', '/bin/echo hi; kill -TERM $$'];
    const ref = traceWith('strace', args, 'fork');
    const ours = traceWith('tsdbg', args, 'fork');
    expect(ours.code).toBe(ref.code);
    expect(ours.code).toBe(null);   // killed by SIGTERM, as the program was
    // The scheduler decides the order of parent and child, where a call is split into
    // <unfinished ...> and <... resumed>, and whether the parent's wait4 sleeps (then
    // SIGCHLD may interrupt it): compare whole calls as sets, the wait4s apart.
    const joined = (s: string) => {
      const open = new Map<string, string>();
      const out: string[] = [];
      for (const l of s.split('\n').filter(Boolean)) {
        const u = /^(\d+) +(.*) <unfinished \.\.\.>$/.exec(l);
        if (u) { open.set(u[1]!, u[2]!); continue; }
        const r = /^(\d+) +<\.\.\. \w+ resumed>(.*)$/.exec(l);
        out.push(r ? `${r[1]} ${open.get(r[1]!) ?? ''}${r[2]}` : l);
      }
      return out;
    };
    const stable = (s: string) => normalise(joined(s).join('\n')).filter((l) => !/^PID (wait4|--- SIGCHLD)/.test(l))
      .map((l) => l.replace(/\d{2,}/g, 'N')).sort();
    expect(stable(ours.text)).toEqual(stable(ref.text));
    const reaped = /^\d+ +wait4\(-1, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, NULL\) += \d+$/m;
    expect(joined(ours.text).join('\n')).toMatch(reaped);
    expect(joined(ref.text).join('\n')).toMatch(reaped);
    expect(ours.text).toMatch(/^\d+ +\+\+\+ killed by SIGTERM \+\+\+$/m);
  });

  it('-c: strace\'s table, the same calls and error counts', () => {
    const rows = (s: string) => s.split('\n').filter((l) => /^ *[\d.]+ +[\d.]+ +\d+ +\d+ /.test(l))
      .map((l) => { const f = l.trim().split(/\s+/); return f.slice(3).join(' '); }).sort();
    const args = ['-c', 'ls', '/etc/hostname', '/nonexistent'];
    const ref = traceWith('strace', args, 'count');
    const ours = traceWith('tsdbg', args, 'count');
    expect(ours.text.split('\n').slice(0, 2)).toEqual(ref.text.split('\n').slice(0, 2));
    expect(rows(ours.text)).toEqual(rows(ref.text));
    expect(ours.text).toMatch(/^100\.00 +[\d.]+ +\d+ +\d+ +\d+ total$/m);
  });

  it('-e inject=: the chosen call fails with the errno and says (INJECTED), as strace prints it', () => {
    compare(['-e', 'trace=openat', '-e', 'inject=openat:error=ENOENT:when=3', 'cat', '/etc/hostname'], 'inject');
  });
});

describe('tsdbg trace filters in the kernel and rewrites', () => {
  it('with -e trace=openat a seccomp filter stops only at openat: 2 stops a call, not 2 for each getpid', () => {
    const set = parseTraceSet('openat') as Set<number>;
    const run = (seccomp: boolean) => {
      const out = join(dir, `stops-${seccomp}`);
      const fd = openSync(out, 'w');
      try {
        const r = runTrace({ path: loop, argv: [loop, '5000', '/etc/hostname'], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), cwd: dir,
          trace: set, follow: false, outFd: fd, outIsFile: true, summary: 'off', seccomp, strsize: 32 });
        return { ...r, opens: readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('openat(')).length };
      } finally {
        closeSync(fd);
      }
    };
    const filtered = run(true);
    expect(filtered.code).toBe(0);
    expect(filtered.opens).toBeGreaterThanOrEqual(3);   // ld.so.cache, libc, /etc/hostname
    expect(filtered.syscallStops).toBe(2 * filtered.opens);
    const all = run(false);
    expect(all.opens).toBe(filtered.opens);
    expect(all.syscallStops).toBeGreaterThan(2 * 5000);
  });

  it('from the registers (a kernel without PTRACE_GET_SYSCALL_INFO): the same trace, with and without the filter', () => {
    const trace = (name: string, set: Set<number> | 'all', registersOnly: boolean) => {
      const out = join(dir, `regs-${name}-${registersOnly}`);
      const fd = openSync(out, 'w');
      try {
        const r = runTrace({ path: '/usr/bin/cat', argv: ['cat', '/etc/hostname'], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), cwd: dir,
          trace: set, follow: false, outFd: fd, outIsFile: true, summary: 'off', seccomp: true, strsize: 32, registersOnly });
        expect(r.code).toBe(0);
      } finally {
        closeSync(fd);
      }
      // what differs between two runs: the pid set_tid_address returns, getrandom's bytes
      return normalise(readFileSync(out, 'utf8')).filter((l) => !l.startsWith('getrandom('))
        .map((l) => l.replace(/^(set_tid_address\(ADDR\)) = \d+$/, '$1 = PID'));
    };
    const all = trace('all', 'all', false);
    expect(all.length).toBeGreaterThan(20);
    expect(trace('all', 'all', true)).toEqual(all);
    const some = parseTraceSet(CHOSEN) as Set<number>;
    const filtered = trace('some', some, false);
    expect(filtered.length).toBeGreaterThan(10);
    expect(trace('some', some, true)).toEqual(filtered);
  });

  it('--rewrite openat:path=/etc/passwd->/etc/hostname: cat /etc/passwd prints /etc/hostname', () => {
    const r = finished(spawnSync('node', [tsdbg, 'trace', '-o', join(dir, 'rw'), '--rewrite', 'openat:path=/etc/passwd->/etc/hostname', 'cat', '/etc/passwd'],
      { env, cwd: dir, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' }), 'tsdbg trace --rewrite');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync('/etc/hostname', 'utf8'));
  });

  it('a rewritten path: the line shows what the kernel saw, strace\'s line for that path, with the original noted', () => {
    const ref = traceWith('strace', ['-e', 'trace=openat', 'cat', '/etc/hostname'], 'rw-ref').text.split('\n').find((l) => l.includes('"/etc/hostname"'))!;
    for (const filter of [['-e', 'trace=openat'], []]) {
      const ours = traceWith('tsdbg', [...filter, '--rewrite', 'openat:path=/etc/passwd->/etc/hostname', 'cat', '/etc/passwd'], 'rw-line');
      expect(ours.code).toBe(0);
      expect(ours.text.split('\n')).toContain(`${ref} (REWRITTEN from "/etc/passwd")`);
      expect(ours.text).not.toContain('"/etc/passwd",');
    }
  });

  /** tsdbg trace --rewrite of PROG's path argument /etc/passwd: the program's stdout; where the strings went (runTrace, output to a file). */
  function rewriteRun(prog: string, page: boolean, filtered: boolean): { stdout: string; where: string[] } {
    const args = [...(filtered ? ['-e', 'trace=openat'] : []), ...(page ? ['--rewrite-page'] : []), '--rewrite', 'openat:path=/etc/passwd->/etc/hostname', prog, '/etc/passwd'];
    const r = finished(spawnSync('node', [tsdbg, 'trace', '-o', join(dir, 'rw-where'), ...args],
      { env, cwd: dir, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' }), `tsdbg trace ${args.join(' ')}`);
    expect(r.status).toBe(0);
    const hooks = new RewriteHooks();
    hooks.addRewrite('openat:path=/etc/passwd->/etc/hostname');
    if (page) hooks.scratch = 'page';
    const out = openSync(join(dir, 'rw-api'), 'w');
    try {
      const t = runTrace({ path: prog, argv: [prog, '/etc/passwd'], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), cwd: dir,
        trace: filtered ? parseTraceSet('openat') as Set<number> : 'all', follow: false, outFd: out, outIsFile: true, summary: 'only',
        seccomp: true, strsize: 32, hooks });
      expect(t.code).toBe(0);
    } finally {
      closeSync(out);
    }
    return { stdout: r.stdout, where: hooks.placements.map((p) => p.where) };
  }

  it('the rewritten string goes below the stack\'s red zone, or with --rewrite-page to a page mapped for the call and unmapped after it', () => {
    const hostname = readFileSync('/etc/hostname', 'utf8');
    for (const filtered of [true, false]) {
      expect(rewriteRun('/usr/bin/cat', false, filtered)).toEqual({ stdout: hostname, where: ['stack'] });
      expect(rewriteRun('/usr/bin/cat', true, filtered)).toEqual({ stdout: hostname, where: ['page'] });
    }
  });

  it('a call made on a stack in the program\'s data: the string goes to a mapped page, the bytes below the stack are untouched, the page is unmapped', () => {
    const prog = build('tests/integration/rewrite-stack.c', 'rewrite-stack', '-O0');
    const want = `line: ${readFileSync('/etc/hostname', 'utf8').split('\n')[0]}\nguard: intact\nmappings: same\n`;
    for (const filtered of [true, false]) expect(rewriteRun(prog, false, filtered)).toEqual({ stdout: want, where: ['page'] });
  });

  it('--rewrite getpid:ret=->42 changes the result the program sees', () => {
    const r = finished(spawnSync('node', [tsdbg, 'trace', '-e', 'trace=getpid', '--rewrite', 'getpid:ret=->42', loop, '2'],
      { env, cwd: dir, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' }), 'tsdbg trace --rewrite ret');
    expect(r.stderr).toBe('getpid()                                = 42 (INJECTED)\n'.repeat(2) + '+++ exited with 0 +++\n');
  });

  it('-p PID: attaches to a running program and follows it through its exec to its exit', async () => {
    const prog = spawn('sh', ['-c', `read x; exec ${loop} 3`], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    const trace = spawn('node', [tsdbg, 'trace', '-e', 'trace=getpid,execve', '-p', String(prog.pid)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    trace.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const done = new Promise<number | null>((res) => trace.on('exit', (code) => res(code)));
    try {
      await waitFor(() => err.includes(`tsdbg: Process ${prog.pid} attached\n`), 'tsdbg trace -p to attach');
      prog.stdin.end('go\n');
      expect(await done).toBe(0);
      const lines = err.split('\n').filter(Boolean);
      // argv[0] as strace shows a string: its first 32 bytes, then ...
      expect(lines[1]).toMatch(new RegExp(`^execve\\("${loop}", \\["[^"]{1,32}"(\\.\\.\\.)?, "3"\\], 0x[0-9a-f]+ /\\* \\d+ vars \\*/\\) = 0$`));
      expect(lines.slice(2)).toEqual([...Array.from({ length: 3 }, () => `getpid()                                = ${prog.pid}`), '+++ exited with 0 +++']);
    } finally {
      prog.kill('SIGKILL');
      trace.kill('SIGKILL');
    }
  });

  it('bad input: one line each, strace\'s words', () => {
    const bad = (args: string[]) => finished(spawnSync('node', [tsdbg, 'trace', ...args], { env, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL' }), 'bad');
    expect(bad(['-e', 'trace=nosuchcall', 'true']).stderr.split('\n')[0]).toBe("tsdbg trace: invalid system call 'nosuchcall'");
    expect(bad([]).stderr.split('\n')[0]).toBe('tsdbg trace: must have PROG [ARGS] or -p PID');
    expect(bad(['/nonexistent/prog']).stderr).toBe('tsdbg trace: exec: /nonexistent/prog: No such file or directory\n');
    expect(bad(['--rewrite', 'openat:fd=1->2', 'true']).stderr.split('\n')[0]).toMatch(/^tsdbg trace: invalid rewrite 'openat:fd=1->2'/);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
