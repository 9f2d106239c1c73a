/**
 * catch syscall / tcatch syscall at the prompt against gdb 13 on a real
 * program (tests/integration/catch-syscall.c): the texts when set, listed,
 * hit at entry and return, conditions, a temporary one, disable; and the
 * stop as DebuggerState publishes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Debugger } from '../../src/debugger/index.js';
import { localLauncher } from '../../src/debugger/local-launcher.js';
import { ownerEnv } from '../setup/leaks.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, compareWithGdb, mergedLines } from './gdb-compare.js';
import { ROOT } from './rsp-util.js';
import { syscallInfoOptions } from '../../src/syscall/info.js';

const PROG = build('tests/integration/catch-syscall.c', 'catch-syscall', '-O0');
const PROGRAM_OUTPUT = /^done$/;

let open: Debugger | undefined;
afterEach(async () => {
  await open?.shutdown();
  open = undefined;
});

describe('catch syscall against gdb', () => {
  it('set, listed, hit at entry and return, with a condition, a tcatch and disable, as gdb prints them', () => {
    const lines = compareWithGdb(PROG, PROGRAM_OUTPUT, [
      'break main', 'run',
      'catch syscall openat close', 'tcatch syscall write', 'catch syscall read', 'condition 4 $rdi == 3',
      'info breakpoints', 'continue', 'continue', 'continue', 'continue', 'info breakpoints',
      'disable 2', 'continue', 'continue', 'info breakpoints',
    ]);
    expect(lines).toContain("Catchpoint 2 (syscalls 'openat' [257] 'close' [3])");
    expect(lines.some((l) => l.startsWith('Catchpoint 2 (call to syscall openat), '))).toBe(true);
    expect(lines.some((l) => l.startsWith('Temporary catchpoint 3 (call to syscall write), '))).toBe(true);
    expect(lines).toContain('2       catchpoint     keep n                      syscalls "openat, close" ');
  });

  it('next over a call that makes a caught system call stops there, as gdb does; deleted, next goes on', () => {
    const lines = compareWithGdb(PROG, PROGRAM_OUTPUT, [
      'break main', 'run', 'catch syscall openat', 'next', 'next', 'next', 'delete 2', 'next', 'next', 'info breakpoints',
    ]);
    expect(lines.some((l) => l.startsWith('Catchpoint 2 (call to syscall openat), '))).toBe(true);
  });

  it('set before run, it catches the dynamic loader\'s calls before main, as gdb does; break main still hits after them', () => {
    const lines = compareWithGdb(PROG, PROGRAM_OUTPUT, [
      'catch syscall openat', 'break main', 'run', 'continue', 'continue', 'continue', 'continue', 'continue', 'info breakpoints',
    ]);
    expect(lines.filter((l) => l.startsWith('Catchpoint 1 (call to syscall openat), ')).length).toBe(3);
    expect(lines.some((l) => l.includes('"/etc/ld.so.cache"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Breakpoint 2, main () at '))).toBe(true);
  });

  it('any syscall, group:, numbers and bad names, as gdb says them', () => {
    const lines = compareWithGdb(PROG, PROGRAM_OUTPUT, [
      'catch syscall', 'catch syscall group:memory', 'catch syscall 3 9999', 'catch syscall nosuch', 'catch syscall group:nosuch',
      'catch nosuch', 'info breakpoints',
    ]);
    expect(lines).toContain('Catchpoint 1 (any syscall)');
    expect(lines).toContain("Unknown syscall name 'nosuch'.");
  });
});

/** `script` run by `tsdbg run --batch -x` and `gdb -batch -x` on PROG: the same lines, expected equal; ours. */
function scriptAgainstGdb(script: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-catch-'));
  try {
    const file = join(dir, 'script.gdb');
    writeFileSync(file, [...script, ''].join('\n'));
    const norm = (ls: string[]) => ls.map((l) => l.replace(/\(process \d+\)/, '(process N)'));
    const ours = norm(mergedLines(['node', join(ROOT, 'bin', 'tsdbg.js'), 'run', '--batch', '-x', file, PROG]));
    const gdb = norm(mergedLines(['gdb', '-nx', '-batch', '-ex', 'set debuginfod enabled off', '-x', file, PROG]));
    expect(ours).toEqual(gdb);
    return ours;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('catch syscall with commands', () => {
  it('a catchpoint\'s commands (silent, print, continue) run as gdb runs them', () => {
    const ours = scriptAgainstGdb(['break main', 'run', 'catch syscall close', 'commands', 'silent', 'print $rdi', 'continue', 'end', 'continue']);
    expect(ours).toContain('$4 = 99');
  });
});

describe('catch syscall conditions on the call, and commands listed', () => {
  it('a condition on $orig_rax and $rdi, commands on a breakpoint and a catchpoint, listed by info breakpoints as gdb lists them', () => {
    const ours = scriptAgainstGdb([
      'break main', 'commands 1', 'silent', 'print $orig_rax', 'end',
      'catch syscall close', 'condition 2 $orig_rax == 3 && $rdi == 99', 'commands 2', 'print $rdi', 'print $orig_rax', 'end',
      'run', 'info breakpoints', 'continue', 'info registers orig_rax', 'continue', 'info breakpoints',
    ]);
    expect(ours).toContain('$2 = 99');
    expect(ours).toContain('        print $orig_rax');
    expect(ours).toContain('orig_rax       0x3                 3');
  });

  it('a condition on the path with $_streq, set before run: only the program\'s own open stops, as in gdb', () => {
    const ours = scriptAgainstGdb([
      'catch syscall openat', 'condition 1 $_streq((char *)$rsi, "/etc/hostname")', 'commands 1', 'silent', 'print (char *)$rsi', 'end',
      'tcatch syscall close', 'condition 2 $rdi == 99', 'run', 'info breakpoints', 'continue', 'print $_strlen((char *)$rsi)',
      'print $_memeq((char *)$rsi, "/etc/host", 9)', 'print $_regex((char *)$rsi, "^/etc/h.*e$")', 'continue',
    ]);
    expect(ours.filter((l) => / = 0x[0-9a-f]+ "\/etc\/hostname"$/.test(l)).length).toBe(2);
    expect(ours.some((l) => l.startsWith('Temporary catchpoint 2 (call to syscall close), '))).toBe(true);
  });
});

describe('catch syscall in the debugger core', () => {
  it('DebuggerState.stop says syscall, the call, entry with its arguments, return with its result', closeStops);

  it('the same from the registers, as on a kernel without PTRACE_GET_SYSCALL_INFO', async () => {
    syscallInfoOptions.registersOnly = true;
    try {
      await closeStops();
    } finally {
      syscallInfoOptions.registersOnly = false;
    }
  });
});

/** catch syscall close from main: close(fd) and close(99), entry and return, as DebuggerState publishes them. */
async function closeStops(): Promise<void> {
  const d = new Debugger({ launcher: localLauncher(), launch: { aslr: false, env: { ...ownerEnv(), PATH: process.env.PATH ?? '' } } });
  open = d;
  await d.load(PROG, []);
  await d.setBreakpoint({ function: 'main' });
  await d.launch(false);
  const r = await d.execute('catch syscall close');
  expect(r.ok).toBe(true);
  let s = await d.resume();
  expect(s.stop?.reason).toBe('syscall');
  expect(s.stop?.syscall).toMatchObject({ name: 'close', number: 3, entry: true, ret: undefined });
  const fd = s.stop!.syscall!.args[0]!;
  expect(fd).toBeGreaterThanOrEqual(3n);
  expect(s.stop?.breakpoints).toEqual([2]);
  s = await d.resume();
  expect(s.stop?.syscall).toMatchObject({ name: 'close', entry: false, ret: 0n });
  s = await d.resume();
  // close(99): EBADF
  expect(s.stop?.syscall).toMatchObject({ name: 'close', entry: true });
  expect(s.stop!.syscall!.args[0]).toBe(99n);
  s = await d.resume();
  expect(s.stop?.syscall).toMatchObject({ name: 'close', entry: false, ret: -9n });
  expect(s.breakpoints.find((b) => b.id === 2)).toMatchObject({ type: 'catchpoint', hits: 4 });
}
