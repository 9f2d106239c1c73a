/**
 * What a RemoteTarget's stop reply means: the StopReason of a parsed stop.
 */
import type { StopReason } from '../target/types.js';
import { fromHex } from './packet.js';
import { gdbToLinuxSignal, linuxSignalName } from './signals.js';
import { watchAddress, type ParsedStop } from './stop-reply.js';

export type Resume = 'cont' | 'step';

const SIGTRAP = 5;
const SIGINT = 2;

/** What the reason of a stop depends on beyond its reply. */
export interface StopContext {
  /** The resume the stop ends. */
  how: Resume;
  /** True when an interrupt (0x03) was sent during the resume. */
  interruptRequested: boolean;
  /** True for an address with one of our breakpoints. */
  atBreakpoint(pc: bigint): boolean;
  /** si_addr of the stop's signal, when the stub can tell. */
  faultAddress(): Promise<bigint | undefined>;
}

/** The end of the process (W, X or N). */
export function endReason(stop: ParsedStop): StopReason {
  return stop.kind === 'exited'
    ? { kind: 'exited', code: stop.value }
    : { kind: 'killed', signal: gdbToLinuxSignal(stop.value) ?? stop.value, signame: linuxSignalName(gdbToLinuxSignal(stop.value) ?? 0) };
}

/** A stop of a live process (S or T) at `pc`. */
export async function stopReason(stop: ParsedStop, pc: bigint, c: StopContext): Promise<StopReason> {
  const linux = gdbToLinuxSignal(stop.value) ?? stop.value;
  if (stop.value === SIGTRAP) {
    switch (stop.reason) {
      case 'swbreak':
      case 'hwbreak':
        return { kind: 'breakpoint', pc };
      case 'watch':
        return { kind: 'watchpoint', pc, address: watchAddress(stop), access: 'write' };
      case 'rwatch':
        return { kind: 'watchpoint', pc, address: watchAddress(stop), access: 'read' };
      case 'awatch':
        return { kind: 'watchpoint', pc, address: watchAddress(stop), access: 'access' };
      case 'exec':
        return { kind: 'exec', pc, path: stop.reasonValue ? fromHex(stop.reasonValue).toString('utf8') : '' };
    }
    if (c.how === 'step') return { kind: 'step', pc };
    // stubs without swbreak report a plain SIGTRAP, pc already backed up
    if (c.atBreakpoint(pc)) return { kind: 'breakpoint', pc };
  }
  if (stop.value === SIGINT && c.interruptRequested) return { kind: 'interrupted', pc };
  const fault = linux === 11 || linux === 7 ? await c.faultAddress() : undefined;
  return { kind: 'signal', pc, signal: linux, signame: linuxSignalName(linux), ...(fault !== undefined ? { fault } : {}) };
}
