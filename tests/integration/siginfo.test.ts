/**
 * $_siginfo, gdb's view of the siginfo_t of the last stop, against gdb
 * itself: natively (PTRACE_GETSIGINFO), through `tsdbg connect` to
 * gdbserver (qXfer:siginfo:read), and gdb against `tsdbg serve`, which now
 * serves qXfer:siginfo:read. The type is the one gdb synthesizes for
 * x86-64 Linux (struct siginfo, with its _sifields union).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { example, gdbBatch, ROOT, startListening, type Spawned } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const CRASH = example('crash');
const SIGNALS = example('signals');
const servers: Spawned[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
});

const SCRIPT = [
  'p $_siginfo', 'run', 'p $_siginfo', 'ptype $_siginfo', 'whatis $_siginfo', 'p $_siginfo._sifields._sigfault.si_addr',
  'p $_siginfo.si_signo', 'p $_siginfo.si_code == 1', 'whatis $_siginfo._sifields._kill.si_pid',
  'ptype $_siginfo._sifields._sigfault', 'p sizeof($_siginfo)', 'p &$_siginfo', 'p/x $_siginfo._sifields._sigchld',
];

/** What a debugger printed, without the lines that differ by design (engines, libthread_db, pids). */
function normalize(out: string): string[] {
  return out.split('\n')
    .filter((l) => !/^(Snapshot engine: |\[Thread debugging|Using host libthread_db|Remote debugging using|Reading |warning: |0x[0-9a-f]+ in _start \(\) from)/.test(l))
    .map((l) => l.replace(/process \d+/g, 'process N'));
}

function run(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
  return `${r.stdout}${r.stderr}`;
}

const ex = (commands: string[]) => commands.flatMap((c) => ['-ex', c]);

describe('$_siginfo, as gdb shows it', () => {
  it('natively: void before run; the SIGSEGV fault, its type and its fields', () => {
    const gdb = normalize(run(['gdb', '-nx', '-batch', ...ex(SCRIPT), CRASH]));
    const ours = normalize(run(['node', TSDBG, 'run', '--batch', ...ex(SCRIPT), CRASH]));
    expect(gdb).toContain('$3 = (void *) 0x0');
    expect(ours).toEqual(gdb);
  });

  it('a signal from raise(): SI_TKILL with the sender in _kill, the process itself', () => {
    const script = ['run', 'p $_siginfo.si_signo', 'p $_siginfo.si_code', 'p $_siginfo._sifields._kill', 'kill'];
    const out = run(['node', TSDBG, 'run', '--batch', ...ex(script), SIGNALS]);
    const pid = /\[Inferior 1 \(process (\d+)\) killed\]/.exec(out)?.[1];
    expect(out, out).toMatch(/^\$1 = 10$/m);
    expect(out).toMatch(/^\$2 = -6$/m);
    expect(out).toContain(`$3 = {si_pid = ${pid}, si_uid = ${process.getuid!()}}`);
  });

  it('tsdbg connect to gdbserver reads it with qXfer:siginfo:read', async () => {
    const s = await startListening('gdbserver', ['--once', '127.0.0.1:0', CRASH]);
    servers.push(s);
    const script = ['continue', 'p $_siginfo.si_signo', 'p $_siginfo._sifields._sigfault', 'p $_siginfo.si_code'];
    const out = run(['node', TSDBG, 'connect', '--batch', ...ex(script), `127.0.0.1:${s.port}`, CRASH]);
    expect(out, out).toMatch(/^\$1 = 11$/m);
    expect(out).toContain('$2 = {si_addr = 0x0, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}');
    expect(out).toMatch(/^\$3 = 1$/m);
  });

  it('gdb against tsdbg serve gets the same siginfo as against gdbserver', async () => {
    const script = ['continue', 'p $_siginfo'];
    const outs: string[] = [];
    for (const server of ['tsdbg', 'gdbserver'] as const) {
      const s = server === 'tsdbg'
        ? await startListening('node', [TSDBG, 'serve', '--listen', '127.0.0.1:0', '--once', CRASH])
        : await startListening('gdbserver', ['--once', '127.0.0.1:0', CRASH]);
      servers.push(s);
      const out = await gdbBatch(`target remote 127.0.0.1:${s.port}`, script, CRASH);
      outs.push(/^\$1 = .*$/m.exec(out)?.[0] ?? out);
    }
    expect(outs[0]).toMatch(/^\$1 = \{si_signo = 11, si_errno = 0, si_code = 1, _sifields = /);
    expect(outs[0]).toBe(outs[1]);
  });
});
