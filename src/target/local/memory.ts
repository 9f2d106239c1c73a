/**
 * LocalTarget's memory: process_vm_readv/writev, with PEEK/POKEDATA
 * (and /proc/PID/mem) for what they refuse; breakpoints hidden from reads;
 * the memory map and auxv from /proc.
 */
import { closeSync, openSync, writeSync, readFileSync } from 'node:fs';
import { TargetError, type Mapping } from '../types.js';
import { describeErrno, native } from '../native.js';
import { parseMaps, parseAuxv } from '../procfs.js';
import { checkRange } from './shared.js';
import { LocalRegisters } from './registers.js';

export abstract class LocalMemory extends LocalRegisters {
  // --------------------------------------------------------------- memory
  async readMemory(addr: bigint, len: number): Promise<Buffer> {
    return this.readMemoryNow(addr, len);
  }

  /** readMemory without the promise (tsdbg serve answers an m packet in the tick it came: src/rsp/sync-reads.ts). */
  readMemoryNow(addr: bigint, len: number): Buffer {
    this.ensureStopped();
    checkRange(addr, len);
    const buf = this.readRaw(addr, len);
    for (const [bp, orig] of this.breakpoints) {
      if (bp >= addr && bp < addr + BigInt(len)) buf[Number(bp - addr)] = orig;
    }
    return buf;
  }

  /** Bytes as they are in the tracee (int3s included). */
  protected readRaw(addr: bigint, len: number): Buffer {
    const buf = Buffer.alloc(len);
    if (len === 0) return buf;
    let done = native.vmRead(this.selTid, addr, buf);
    if (done < 0) done = 0;
    if (done < len) {
      // process_vm_readv refuses PROT_NONE pages; PEEKDATA (FOLL_FORCE) does not.
      const rest = buf.subarray(done);
      const r = native.peekRead(this.selTid, addr + BigInt(done), rest);
      if (r < rest.length) {
        const at = addr + BigInt(done + Math.max(r, 0));
        throw new TargetError('EIO', `cannot access memory at address 0x${at.toString(16)}`);
      }
    }
    return buf;
  }

  async writeMemory(addr: bigint, data: Buffer): Promise<void> {
    this.ensureStopped();
    checkRange(addr, data.length);
    if (data.length === 0) return;
    const out = Buffer.from(data);
    // Writes over a breakpoint change the saved byte; the int3 stays.
    for (const [bp] of this.breakpoints) {
      if (bp >= addr && bp < addr + BigInt(out.length)) {
        const i = Number(bp - addr);
        this.breakpoints.set(bp, out[i]!);
        out[i] = 0xcc;
      }
    }
    this.writeRaw(addr, out);
  }

  protected writeRaw(addr: bigint, data: Buffer): void {
    let done = native.vmWrite(this.selTid, addr, data);
    if (done < 0) done = 0;
    if (done < data.length) {
      // Read-only text (breakpoints, patching code): POKEDATA writes through,
      // through a stopped thread; /proc/PID/mem when none is (see releaseOthers).
      const rest = data.subarray(done);
      const via = this.stoppedTid();
      const r = via !== undefined ? native.pokeWrite(via, addr + BigInt(done), rest) : this.procMemWrite(addr + BigInt(done), rest);
      if (r < rest.length) {
        const at = addr + BigInt(done + Math.max(r, 0));
        throw new TargetError('EIO', `cannot access memory at address 0x${at.toString(16)}`);
      }
    }
  }

  /** A thread in a ptrace stop (the selected one first), for the requests that need one. */
  protected stoppedTid(): number | undefined {
    const sel = this.threadMap.get(this.selTid);
    if (sel && !sel.running && !sel.zombie) return sel.tid;
    return this.liveThreads().find((t) => !t.running)?.tid;
  }

  /** Write through /proc/PID/mem (forced, like POKEDATA, but with every thread running): bytes written, or -1. */
  protected procMemWrite(addr: bigint, data: Buffer): number {
    try {
      const fd = openSync(`/proc/${this.pid}/mem`, 'r+');
      try {
        return writeSync(fd, data, 0, data.length, Number(addr));
      } finally {
        closeSync(fd);
      }
    } catch {
      // the caller turns -1 into gdb's "cannot access memory at address ..."
      return -1;
    }
  }

  // ------------------------------------------------------------ /proc
  async memoryMap(): Promise<Mapping[]> {
    this.ensureAlive();
    return parseMaps(this.readProc('maps'));
  }

  async auxv(): Promise<Array<[bigint, bigint]>> {
    this.ensureAlive();
    return parseAuxv(Buffer.from(this.readProc('auxv', null)));
  }

  protected readProc(file: string, enc: BufferEncoding | null = 'latin1'): string {
    try {
      // Through the selected thread: the leader's files are empty once it exited before the others.
      return readFileSync(`/proc/${this.pid}/task/${this.selTid}/${file}`, enc === null ? undefined : enc) as unknown as string;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new TargetError(code === 'ENOENT' ? 'ESRCH' : code, `cannot read /proc/${this.pid}/${file}: ${describeErrno(code)}`);
    }
  }
}
