/**
 * The full-screen UI inside the guest, on the kernel engine, on a terminal
 * like the serial console of `tsdbg vm shell` (a pty that says 0x0, so the
 * UI falls back to 24x80): the heap-bug walkthrough of the host's test
 * (tests/integration/ui-heap-bug.ts), then quit and SIGTERM leaving the
 * terminal as found (`stty -a` before and after) and no tracee behind.
 * Runs inside the guest only (vitest project `in-guest`).
 *
 * The walkthrough was out of this suite for a while: tsdbg died at random in it
 * here (yoga-layout's WebAssembly "Aborted()"), never on the host. Node itself
 * crashed at random under QEMU's multi-threaded TCG while V8 tiered WebAssembly
 * up; cli/vm/boot.ts now runs TCG's vCPUs one at a time (tcgAccel).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../integration/rsp-util.js';
import { alive, descendants, TSDBG } from '../integration/pty-util.js';
import { closeScreens, screen, type Screen } from '../integration/ui-util.js';
import { debugHeapBug, uiReady } from '../integration/ui-heap-bug.js';
import { waitFor } from '../setup/wait.js';

afterEach(closeScreens);

const heldSystemWide = (): number => Number(readFileSync('/proc/sys/kernel/ptrace_snapshot_bytes', 'latin1'));

/** tsdbg run PROG on a terminal of no size, under a shell that saves `stty -a` before and after it. */
function serialConsole(dir: string, prog: string): Screen {
  const script = `stty rows 0 cols 0; stty -a > ${dir}/before; ${process.execPath} ${TSDBG} run ${prog}; stty -a > ${dir}/after; echo done-$?`;
  return screen(['/bin/sh', '-c', script], { cols: 80, rows: 24, waitMs: GUEST_WAIT_MS });
}

/** Node under TCG: tsdbg's UI takes about 70 s to draw its first frame in the guest (under half a second on the host). */
const GUEST_WAIT_MS = 240_000;
const GUEST_TEST_MS = 900_000;

describe('the UI in the guest, kernel engine, serial-console terminal', () => {
  it('debugs the heap bug through the panes in 24x80; quit leaves stty -a as it was', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-ui-guest-'));
    const held = heldSystemWide();
    try {
      const s = serialConsole(dir, example('heap_bug'));
      await debugHeapBug(s, 'kernel');
      s.type('quit');
      await s.waitRow(/^done-0/);
      expect(s.term.buffer.active.type).toBe('normal');
      expect(s.text()).toMatch(/^tsdbg: no process/m);
      expect(readFileSync(`${dir}/before`, 'utf8')).toMatch(/rows 0; columns 0/);
      expect(readFileSync(`${dir}/after`, 'utf8')).toBe(readFileSync(`${dir}/before`, 'utf8'));
      expect(heldSystemWide()).toBe(held);             // the kernel's snapshots went with the tracee
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, GUEST_TEST_MS);

  it('SIGTERM at a stop: stty -a as it was, no tracee left, no snapshot held', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-ui-guest-'));
    const held = heldSystemWide();
    try {
      const s = serialConsole(dir, example('heap_bug'));
      await uiReady(s);
      s.type('break total');                           // the list built: the heap exists
      await s.waitRow(/1  b\+ total at heap_bug\.c:\d+/);
      s.type('run');
      await s.waitRow(/^process \d+ \| stopped: breakpoint 1 in total .*\| engine kernel/);
      s.type('snapshot heap');
      await s.waitRow(/^Snapshot of \d+ bytes at 0x[0-9a-f]+ /);
      const tracee = Number(/^process (\d+)/.exec(s.rows()[23]!)![1]);
      const node = descendants(s.pty.pid).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('tsdbg.js'))!;
      process.kill(node, 'SIGTERM');
      await s.waitRow(/^done-\d+/);
      await waitFor(() => !alive(tracee), `tracee ${tracee} gone`, GUEST_WAIT_MS);
      expect(s.term.buffer.active.type).toBe('normal');
      expect(readFileSync(`${dir}/after`, 'utf8')).toBe(readFileSync(`${dir}/before`, 'utf8'));
      await waitFor(() => heldSystemWide() === held, 'the kernel engine holding no more than before', GUEST_WAIT_MS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, GUEST_TEST_MS);
});
