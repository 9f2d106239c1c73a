/**
 * The stub's replies that are pure formatting: stop replies (T, W, X) and
 * error replies (Enn).
 */
import { TargetError, type Registers, type StopEvent, type WatchKind } from '../target/types.js';
import { hexByte } from '../util/hex.js';
import { PacketError } from './packet-error.js';
import { leHex } from './packet.js';
import { linuxToGdbSignal } from './signals.js';

const WATCH_REASON: Record<WatchKind, string> = { write: 'watch', read: 'rwatch', access: 'awatch' };

/** errno-style code to the two hex digits of an `Enn` reply. */
const ERRNO: Record<string, number> = { EPERM: 1, ESRCH: 3, EIO: 5, EBADF: 9, ENOMEM: 12, EFAULT: 14, EBUSY: 16, EINVAL: 22, ENOSPC: 28, ENOTSUP: 95 };

/** What the connection agreed on, and what a stop reply needs from the session. */
export interface StopReplyContext {
  multiprocess: boolean;
  swbreak: boolean;
  hwbreak: boolean;
  /** True for a breakpoint stop at a Z1 (hardware) breakpoint. */
  isHardware(pc: bigint): boolean;
  /** The thread-id as the connection spells it ([pPID.]TID). */
  threadId(pid: number, tid: number): string;
}

/**
 * The stop reply for `ev` (undefined: no process ever, W00), expediting
 * rbp, rsp and rip like gdbserver when `regs` are given (gdb needs exactly
 * these to identify the frame without a `g`).
 */
export function stopReplyText(ev: StopEvent | undefined, c: StopReplyContext, regs: Registers | undefined): string {
  if (!ev) return 'W00';
  const r = ev.reason;
  const proc = c.multiprocess ? `;process:${ev.pid.toString(16)}` : '';
  if (r.kind === 'exited') return `W${hexByte(r.code & 0xff)}${proc}`;
  if (r.kind === 'killed') return `X${hexByte(linuxToGdbSignal(r.signal))}${proc}`;
  let sig = 5;
  let reason = '';
  switch (r.kind) {
    case 'breakpoint':
      if (c.isHardware(r.pc)) reason = c.hwbreak ? 'hwbreak:;' : '';
      else reason = c.swbreak ? 'swbreak:;' : '';
      break;
    case 'watchpoint':
      reason = `${WATCH_REASON[r.access]}:${r.address.toString(16)};`;
      break;
    case 'signal':
      sig = linuxToGdbSignal(r.signal);
      break;
    case 'interrupted':
      sig = 2;
      break;
  }
  const expedited = regs ? `06:${leHex(regs.rbp, 8)};07:${leHex(regs.rsp, 8)};10:${leHex(regs.rip, 8)};` : '';
  return `T${hexByte(sig)}${expedited}${reason}thread:${c.threadId(ev.pid, ev.tid)};`;
}

/** The `Enn` reply for a handler's failure. */
export function errorReply(e: unknown): string {
  if (e instanceof PacketError) return `E${hexByte(e.errno)}`;
  if (e instanceof TargetError) return `E${hexByte(ERRNO[e.code] ?? 5)}`;
  if (e instanceof RangeError) return 'E16'; // malformed number, hex or escape: EINVAL (0x16)
  return 'E05';
}
