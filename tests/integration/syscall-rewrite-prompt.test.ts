/**
 * The prompt's `syscall rewrite` and `syscall skip` at catch syscall stops,
 * on real `cat`: a path rewritten at the call's entry makes `cat /etc/passwd`
 * print /etc/hostname; a skipped call's chosen errno is what cat reports; a
 * result changed at the return is what cat sees; info syscall shows the call
 * as changed; each misuse gets one clear line and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';
import { ownerEnv } from '../setup/leaks.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const AT_PASSWD = ['catch syscall openat', 'condition 1 $_streq((char *)$rsi, "/etc/passwd")', 'run'];

function tsdbg(commands: string[], args = ['/bin/cat', '/etc/passwd']) {
  const r = spawnSync(process.execPath, [TSDBG, 'run', '--batch', ...commands.flatMap((c) => ['-ex', c]), ...args],
    { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', env: { ...process.env, ...ownerEnv() } });
  return { out: r.stdout, err: r.stderr };
}

describe('syscall rewrite / syscall skip at the prompt', () => {
  it('a path rewritten at the entry: cat /etc/passwd prints /etc/hostname', () => {
    const r = tsdbg([...AT_PASSWD, 'syscall rewrite path /etc/hostname', 'info syscall', 'continue']);
    expect(r.out).toContain('openat\'s path is now "/etc/hostname".');
    expect(r.out).toContain('Call to syscall openat [257]: openat(AT_FDCWD, "/etc/hostname", O_RDONLY)');
    expect(r.out).toContain(readFileSync('/etc/hostname', 'utf8'));
    expect(r.out).not.toContain('root:x:0:0');
    expect(r.out).toMatch(/\[Inferior 1 \(process \d+\) exited normally\]/);
  });

  it('a skipped call returns the chosen errno; a result changed at the return is what the program sees', () => {
    const skip = tsdbg([...AT_PASSWD, 'syscall skip ENOENT', 'continue', 'info syscall', 'continue']);
    expect(skip.out).toContain('openat will be skipped; the program sees -2.');
    expect(skip.out).toMatch(/Returned from syscall openat \[257\]: .* = -1 ENOENT/);
    expect(skip.out).toContain('cat: /etc/passwd: No such file or directory');   // (the program's terminal is tsdbg's stdout)
    // with the catchpoint gone before the return, the result is still the chosen one
    const gone = tsdbg([...AT_PASSWD, 'syscall skip EISDIR', 'delete', 'continue']);
    expect(gone.out).toContain('cat: /etc/passwd: Is a directory');
    const ret = tsdbg([...AT_PASSWD, 'continue', 'syscall rewrite ret -EACCES', 'delete', 'continue']);
    expect(ret.out).toContain('openat returns -13.');
    expect(ret.out).toContain('cat: /etc/passwd: Permission denied');
    expect(ret.out).not.toContain('root:x:0:0');
  });

  it('misuse: one clear line each, and the program runs on unchanged', () => {
    const r = tsdbg(['syscall rewrite path /x', ...AT_PASSWD, 'syscall rewrite ret 0', 'syscall rewrite path', 'syscall frob',
      'syscall rewrite arg9 1', 'syscall skip EWHAT', 'delete', 'continue']);
    // (libc's source file is not on this machine: gdb's line about it is left out)
    expect(r.err.split('\n').filter((l) => l !== '' && !l.startsWith('warning: ') && !/^\d+\t/.test(l))).toEqual([
      'The program is not stopped at a system call (a catch syscall stop).',
      'openat has not run yet: change its result at its return stop (or syscall skip it).',
      'Usage: syscall rewrite path NEWPATH | syscall rewrite argN EXPR | syscall rewrite ret VALUE | syscall skip [VALUE]',
      'Undefined syscall command: "frob".  Usage: syscall rewrite path NEWPATH | syscall rewrite argN EXPR | syscall rewrite ret VALUE | syscall skip [VALUE]',
      'Usage: syscall rewrite path NEWPATH | syscall rewrite argN EXPR | syscall rewrite ret VALUE | syscall skip [VALUE]',
      'Unknown errno name "EWHAT".',
    ]);
    expect(r.out).toContain('root:x:0:0');
  });
});
