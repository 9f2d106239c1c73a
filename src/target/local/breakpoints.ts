/**
 * LocalTarget's software breakpoints: an int3 over the original byte,
 * and the removed ones a thread may still report (gdb's moribund locations).
 */
import { TargetError } from '../types.js';
import { native } from '../native.js';

import { LocalMemory } from './memory.js';

export abstract class LocalBreakpoints extends LocalMemory {
  // ---------------------------------------------------------- breakpoints
  async insertBreakpoint(addr: bigint): Promise<void> {
    this.ensureStopped();
    if (this.breakpoints.has(addr)) return;
    let orig: Buffer;
    try {
      orig = this.readRaw(addr, 1);
      this.writeRaw(addr, Buffer.of(0xcc));
    } catch {
      // the memory error's own address is the breakpoint's: say it once, as gdb does
      throw new TargetError('EIO', `cannot insert breakpoint at 0x${addr.toString(16)}: cannot access memory`);
    }
    this.breakpoints.set(addr, orig[0]!);
    this.removedBreakpoints.delete(addr);
  }

  async removeBreakpoint(addr: bigint): Promise<void> {
    this.ensureStopped();
    const orig = this.breakpoints.get(addr);
    if (orig === undefined) throw new TargetError('ENOENT', `no breakpoint at 0x${addr.toString(16)}`);
    this.writeRaw(addr, Buffer.of(orig));
    this.breakpoints.delete(addr);
    this.removedBreakpoints.add(addr);
  }

  /** The SIGTRAP of an int3 at `at` that we removed since (the program's own int3s stay 0xcc). */
  protected staleTrap(at: bigint, tid: number): boolean {
    if (!this.removedBreakpoints.has(at) || this.breakpoints.has(at)) return false;
    const byte = Buffer.alloc(1);
    return native.vmRead(tid, at, byte) === 1 && byte[0] !== 0xcc;
  }

  // ---------------------------------------------------------- watchpoints
}
