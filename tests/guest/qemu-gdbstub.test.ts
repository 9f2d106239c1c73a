/**
 * `tsdbg connect` against QEMU's own gdbstub (qemu -S -gdb), where it makes
 * sense: a stub with no process and no executable, stopped at the reset
 * vector of the patched kernel's machine. The same script goes to gdb
 * against a second QEMU started the same way: same registers, same memory,
 * same step. The kernel's System.map (kernel-patch/build.sh keeps it next to
 * bzImage) says where start_kernel is.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, freePort } from './vm-run.js';

const stubs: ChildProcess[] = [];
afterEach(() => {
  for (const q of stubs.splice(0)) q.kill('SIGKILL');
});

function kernel(): { image: string; startKernel: string } {
  const r = spawnSync('bash', [join(ROOT, 'kernel-patch', 'build.sh'), '--path'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('the kernel is not built: run `npm run kernel` (kernel-patch/build.sh)');
  const image = r.stdout.trim().split('\n').pop()!;
  const map = readFileSync(join(dirname(image), 'System.map'), 'latin1');
  const m = /^([0-9a-f]{16}) T start_kernel$/m.exec(map);
  if (!m) throw new Error('start_kernel is not in System.map');
  return { image, startKernel: m[1]!.replace(/^0+/, '') };
}

/** QEMU with the CPU held at reset and its gdbstub on a free port (TCG: always there, never hangs). */
async function qemu(image: string): Promise<number> {
  const port = await freePort();
  const q = spawn('qemu-system-x86_64', [
    '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-kernel', image, '-append', 'console=ttyS0 panic=-1',
    '-m', '256', '-display', 'none', '-serial', 'null', '-monitor', 'none', '-no-reboot', '-accel', 'tcg',
  ], { stdio: 'ignore' });
  stubs.push(q);
  return port;
}

function run(cmd: string, args: string[]): string {
  // gdb says some things on stderr: both streams, in order
  const r = spawnSync('sh', ['-c', 'exec "$@" 2>&1', 'sh', cmd, ...args], { encoding: 'utf8', timeout: 120_000, cwd: ROOT });
  return r.stdout;
}

describe('tsdbg connect to QEMU\'s gdbstub (no process, no executable)', () => {
  it('reads registers and memory, breaks at start_kernel, steps, and passes monitor commands, as gdb does', async () => {
    const { image, startKernel } = kernel();
    const script = [
      'info registers rip', `break *0x${startKernel}`, 'continue', 'info registers rip',
      'x/8xb $pc', 'info registers', 'stepi', 'info registers rip', 'monitor info status',
    ];
    const ours = run('node', [join(ROOT, 'bin', 'tsdbg.js'), 'connect', '--batch',
      ...script.flatMap((c) => ['-ex', c]), `127.0.0.1:${await qemu(image)}`]);
    const gdb = run('gdb', ['-batch', '-nx', '-ex', `target remote 127.0.0.1:${await qemu(image)}`,
      ...script.flatMap((c) => ['-ex', c])]);

    expect(ours).toContain('warning: No executable has been specified');
    // every register we show at start_kernel, as gdb shows it (QEMU's description comments some out)
    const regLines = (out: string) => new Map([...out.matchAll(/^([a-z0-9_]+) +(0x[0-9a-f]+ .*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const theirs = regLines(gdb);
    // (eflags: gdb prints the fields in the order of QEMU's own flags type, `[ IOPL=0 ZF PF ]`;
    // we print amd64's, `[ PF ZF ]`)
    const shown = [...regLines(ours)].filter(([name]) => name !== 'rip' && name !== 'eflags');
    expect(shown.map(([name]) => name)).toEqual(expect.arrayContaining(['rax', 'r15', 'cs', 'gs', 'fs_base', 'gs_base']));
    for (const [name, text] of shown) expect(`${name} ${text}`).toBe(`${name} ${theirs.get(name)}`);
    const rips = (out: string) => [...out.matchAll(/^rip +(0x[0-9a-f]+) /gm)].map((m) => BigInt(m[1]!));
    const [reset, atBreak, inFull, stepped] = rips(ours);
    expect(inFull).toBe(atBreak);
    expect(reset).toBe(0xfff0n);
    expect(atBreak).toBe(BigInt(`0x${startKernel}`));
    expect(stepped! - atBreak!).toBeGreaterThan(0n);
    expect(stepped! - atBreak!).toBeLessThan(16n);
    expect(rips(ours)).toEqual(rips(gdb));
    expect(ours).toContain(`Breakpoint 1, 0x${startKernel.padStart(16, '0')} in ?? ()`);
    // the same bytes at start_kernel
    const bytes = (out: string) => /^0x[0-9a-f]+:((?:\t0x[0-9a-f]{2}){8})$/m.exec(out)?.[1];
    expect(bytes(ours)).toBeDefined();
    expect(bytes(ours)).toBe(bytes(gdb));
    // QEMU's own monitor, through qRcmd
    expect(ours).toMatch(/^VM status: paused \(debug\)\r?$/m);
  });
});
