/**
 * Which kind of watchpoint `watch` sets, as gdb decides it: a hardware one
 * (debug registers, or the stub's Z2-Z4) when `can-use-hw-watchpoints` is
 * not 0, the target's debug registers really trap (src/target/debugregs.ts)
 * and the insert is accepted; otherwise a software one (./watch-soft.ts),
 * which only write watchpoints can be.
 */
import type { Target } from '../target/types.js';
import { TargetError } from '../target/types.js';
import type { Breakpoint } from './store.js';
import { CommandError } from './parse.js';

type Watch = NonNullable<Breakpoint['watch']>;

/** Insert the hardware watchpoint if it can be one: true, or false for a software one. */
export async function armHardwareWatch(t: Target, addr: bigint, w: Watch, canUseHw: number): Promise<boolean> {
  if (canUseHw === 0 || t.capabilities.hardwareBreakpoints !== true) {
    if (w.kind !== 'write') throw new CommandError("Can't set read/access watchpoint when hardware watchpoints are disabled.");
    return false;
  }
  try {
    await t.insertWatchpoint(addr, w.length, w.kind);
    return true;
  } catch (e) {
    if (!(e instanceof TargetError) || e.code !== 'ENOTSUP') throw e;
    if (w.kind !== 'write') throw new CommandError('Target does not support this type of hardware watchpoint.');
    return false;
  }
}

/** `set can-use-hw-watchpoints N`: gdb's zinteger setting. */
export async function canUseHwValue(value: string, evaluate: (expr: string) => Promise<{ value: bigint }>): Promise<number> {
  if (!value) throw new CommandError('Argument required (integer to set it to).');
  return Number((await evaluate(value)).value);
}

export function showWatchSetting(name: string, canUseHw: number): string | undefined {
  return name === 'can-use-hw-watchpoints' ? `Debugger's willingness to use watchpoint hardware is ${canUseHw}.` : undefined;
}

/** gdb's words when a watched local's frame returns (the watchpoint is deleted). */
export function scopeExitText(ids: number[]): string {
  return ids.map((id) => `Watchpoint ${id} deleted because the program has left the block in\nwhich its expression is valid.`).join('\n');
}
