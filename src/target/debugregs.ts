/**
 * Whether this machine's x86 debug registers really trap. Some hypervisors
 * (seen on AMD EPYC guests) accept PTRACE_POKEUSER of DR0-DR7 but never
 * deliver the debug exception, so a hardware watchpoint is silently never
 * hit. The shim's probe forks a child that writes a variable under a DR0
 * write watchpoint (bounded wait, the child always killed); the answer is
 * asked once per process and kept.
 *
 * TSDBG_DEBUG_REGS=notrap (or =trap) forces the answer. It is for testing
 * the software-watchpoint path on a machine whose debug registers work.
 */
import { native } from './native.js';

export interface WatchRange { addr: bigint; length: number }

const PROBE_TIMEOUT_MS = 2000;
let answer: boolean | undefined;

export function debugRegistersTrap(): boolean {
  const forced = process.env.TSDBG_DEBUG_REGS;
  if (forced === 'notrap') return false;
  if (forced === 'trap') return true;
  if (answer === undefined) {
    try {
      answer = native.probeDebugregs(PROBE_TIMEOUT_MS) === 1;
    } catch {
      answer = false;     // no shim, no ptrace: no hardware watchpoints either
    }
  }
  return answer;
}

/**
 * gdb's x86_handle_nonaligned_watchpoint: a range as the aligned pieces one
 * debug register each can watch (the largest power of two, up to 8, that both
 * fits what is left and divides the address).
 */
export function chunksOf(r: WatchRange): WatchRange[] {
  const out: WatchRange[] = [];
  let addr = r.addr;
  let left = r.length;
  while (left > 0) {
    let size = 8;
    while (size > left || addr % BigInt(size) !== 0n) size >>= 1;
    out.push({ addr, length: size });
    addr += BigInt(size);
    left -= size;
  }
  return out;
}
