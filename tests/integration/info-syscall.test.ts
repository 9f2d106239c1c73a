/**
 * `info syscall` (tsdbg's own; gdb has no such command): at a catch syscall
 * stop, the call as strace prints it (compared with strace's line for the
 * same call of the same program); with names or numbers, what the calls are.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, merged, mergedLines } from './gdb-compare.js';
import { ROOT } from './rsp-util.js';

const PROG = build('tests/integration/catch-syscall.c', 'catch-syscall', '-O0');
const tsdbg = (commands: string[]): string[] =>
  mergedLines(['node', join(ROOT, 'bin', 'tsdbg.js'), 'run', '--batch', ...commands.flatMap((c) => ['-ex', c]), PROG]);

/** strace's lines for `calls` of PROG. */
function straceLines(calls: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-infosys-'));
  try {
    merged(['strace', '-o', join(dir, 'out'), '-e', `trace=${calls}`, PROG]);
    return readFileSync(join(dir, 'out'), 'utf8').split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('info syscall', () => {
  it('at a catch syscall stop: the call at its entry, and at its return with the result, as strace prints it', () => {
    const lines = tsdbg([
      'info syscall', 'break main', 'run', 'info syscall', 'catch syscall openat read',
      'continue', 'info syscall', 'continue', 'info syscall', 'continue', 'info syscall', 'continue', 'info syscall',
      'delete', 'continue', 'info syscall',
    ]);
    const ours = lines.filter((l) => /^(Call to|Returned from) syscall /.test(l));
    const strace = straceLines('openat,read');
    // strace pads the call to column 40 before ` = `
    const open = strace.find((l) => l.includes('"/etc/hostname"'))!.replace(/\s+= /, ' = ');
    const read = strace[strace.indexOf(strace.find((l) => l.includes('"/etc/hostname"'))!) + 1]!.replace(/\s+= /, ' = ');
    expect(read).toMatch(/^read\(3, "vm/);
    // at the entry, the buffer the kernel fills is its address (strace's -e raw=read would print it so)
    const buf = /^Call to syscall read \[0\]: read\(3, (0x[0-9a-f]+), /.exec(ours[2] ?? '')?.[1];
    expect(buf).toBeDefined();
    expect(ours).toEqual([
      `Call to syscall openat [257]: ${open.replace(/ = \d+$/, '')}`,
      `Returned from syscall openat [257]: ${open}`,
      `Call to syscall read [0]: ${read.replace(/^read\(3, "[^"]*"/, `read(3, ${buf}`).replace(/ = \d+$/, '')}`,
      `Returned from syscall read [0]: ${read}`,
    ]);
    expect(lines.filter((l) => l === 'The program is not being run.').length).toBe(2);
    expect(lines).toContain('The program is not stopped at a system call.');
  });

  it('with names, numbers and groups: number, name, groups and the kernel\'s declaration; bad ones in catch syscall\'s words', () => {
    const lines = tsdbg(['info syscall openat 3', 'info syscall group:ipc', 'info syscall tuxcall', 'info syscall nosuch', 'info syscall 9999']);
    expect(lines.slice(0, 4)).toEqual([
      'Syscall 257: openat (groups: descriptor, file)',
      '  long openat(int dfd, const char *filename, int flags, umode_t mode);',
      'Syscall 3: close (groups: descriptor)',
      '  long close(unsigned int fd);',
    ]);
    expect(lines).toContain('Syscall 69: msgsnd (groups: ipc)');
    expect(lines).toContain('  long msgsnd(int msqid, struct msgbuf *msgp, size_t msgsz, int msgflg);');
    expect(lines).toContain('Syscall 184: tuxcall (groups: none)');
    expect(lines).toContain('  not implemented by Linux on x86-64');
    expect(lines).toContain("Unknown syscall name 'nosuch'.");
    expect(lines).toContain("Unknown syscall number '9999'.");
  });

  it('complete: catch syscall and tcatch syscall to the calls\' names and groups as gdb does, info syscall the same', () => {
    const asked = ['complete catch syscall opena', 'complete catch syscall group:m', 'complete catch syscall g:p', 'complete tcatch syscall exit', 'complete catch sys'];
    const gdb = mergedLines(['gdb', '-nx', '-batch', ...asked.flatMap((c) => ['-ex', c])]);
    expect(gdb).toContain('catch syscall openat2');
    expect(tsdbg(asked)).toEqual(gdb);
    expect(tsdbg(['complete info syscall getpp'])).toEqual(['info syscall getppid', '']);
  });

  it('info sy is still info symbol (gdb\'s only info command that starts so), info sys is info syscall', () => {
    const lines = tsdbg(['info sy main', 'info symbol main', 'info sys 60']);
    expect(lines[0]).toMatch(/^main in section \.text/);
    expect(lines[1]).toBe(lines[0]);
    expect(lines[2]).toBe('Syscall 60: exit (groups: process)');
  });
});
