/**
 * Hardware watchpoints at the Target level exist only where the debug
 * registers trap (src/target/debugregs.ts; watch.test.ts holds the probe
 * against gdb). Elsewhere a target must refuse them with ENOTSUP, never
 * accept one that cannot fire (the session then sets a software watchpoint,
 * which watch.test.ts runs on every machine).
 */
import { expect } from 'vitest';
import { debugRegistersTrap } from '../../src/target/debugregs.js';
import type { StopEvent, Target, WatchKind } from '../../src/target/types.js';
import { SoftwareWatcher } from '../../src/commands/watch-soft.js';

/** Insert a hardware watchpoint: true, or false once the target's refusal on this machine is checked. */
export async function insertHardwareWatch(t: Target, addr: bigint, len: number, kind: WatchKind): Promise<boolean> {
  if (debugRegistersTrap()) {
    await t.insertWatchpoint(addr, len, kind);
    return true;
  }
  await expect(t.insertWatchpoint(addr, len, kind)).rejects.toMatchObject({ code: 'ENOTSUP' });
  return false;
}

export interface WriteWatch {
  /** Whether the debug registers carry it (else the software watcher of watch-soft.ts). */
  hardware: boolean;
  /** Run to the next write (or other stop). */
  cont(): Promise<StopEvent>;
  remove(): Promise<void>;
}

/**
 * A write watchpoint at the Target level that fires on every machine: in the
 * debug registers where they trap, else single-stepped by the session's
 * software watcher (after checking that the target refused the hardware one;
 * `foreignStub`: gdbserver accepts Z2 whether or not its machine traps).
 */
export async function writeWatch(t: Target, addr: bigint, len: number, opts: { foreignStub?: boolean } = {}): Promise<WriteWatch> {
  if (debugRegistersTrap()) {
    await t.insertWatchpoint(addr, len, 'write');
    return { hardware: true, cont: () => t.cont(), remove: () => t.removeWatchpoint(addr, len, 'write') };
  }
  if (!opts.foreignStub) await expect(t.insertWatchpoint(addr, len, 'write')).rejects.toMatchObject({ code: 'ENOTSUP' });
  const soft = new SoftwareWatcher();
  return {
    hardware: false,
    cont: () => soft.resume(t, { step: false, signal: 0, watches: [{ addr, length: len }], stopsAt: () => false }),
    remove: async () => {},
  };
}
