/**
 * Where a rewritten string goes while the kernel reads it: somewhere the
 * program cannot see.
 *
 *  - below the stack's red zone (change.ts scratchString), when the stack
 *    pointer is in a stack: the main thread's `[stack]`, or an anonymous
 *    mapping with a guard page right below it (a pthread stack). The bytes
 *    there are saved and put back at the call's exit;
 *  - otherwise (a stack in the program's data or heap, where other threads
 *    may use the bytes below it; no room below the stack pointer), a page
 *    mapped for the call with an mmap run in the tracee, unmapped at the
 *    call's exit (`page` forces this).
 *
 * The call is stopped at its entry: its `syscall` instruction (at pc - 2)
 * runs the mmap (native-shim/dirty.c, tsdbg_inject_syscall), which skips the
 * call, so it is then made again, stopping at its entry once more (reenter).
 */
import { readFileSync } from 'node:fs';
import { PTRACE, PTRACE_EVENT, check, native } from '../target/native.js';
import { parseMaps } from '../util/maps.js';
import { TargetError } from '../target/types.js';
import { dirtyNative } from '../snapshot/dirty-native.js';
import { syscallInfo } from './info.js';
import { scratchString } from './change.js';

export type ScratchMode = 'auto' | 'page';

/** A string placed for a call, and how to take it back at the call's exit. */
export interface Placed {
  addr: bigint;
  where: 'stack' | 'page';
  /** `gone`: the process image was replaced (execve): nothing of ours is left to undo */
  undo(tid: number, gone: boolean): void;
}

const BELOW_SP = 256n;
const PAGE = 4096n;
const SYS_MMAP = 9;
const SYS_MUNMAP = 11;
const PROT_RW = 3n;
const MAP_PRIVATE_ANON = 0x22n;
const SYSGOOD_TRAP = 0x80 | 5;

/** Whether [addr, sp) lies in a stack of the program's own (see above). */
export function inOwnStack(pid: number, addr: bigint, sp: bigint): boolean {
  let maps;
  try { maps = parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1')); } catch { return false; }
  const i = maps.findIndex((m) => m.start <= sp - 1n && sp - 1n < m.end);
  const m = maps[i];
  if (!m || addr < m.start || m.perms[0] !== 'r' || m.perms[1] !== 'w') return false;
  if (m.path === '[stack]') return true;
  const below = maps[i - 1];
  return m.path === '' && m.inode === 0 && below !== undefined && below.end === m.start && below.perms.startsWith('---');
}

/**
 * Put `s` where the kernel can read it for the call tid is stopped at the
 * entry of (sp, pc: its registers; nr: its number; filtered: the tracee runs
 * under our seccomp filter, so the call's entry comes as a seccomp stop).
 */
export function placeString(pid: number, tid: number, sp: bigint, pc: bigint, nr: number, s: string, mode: ScratchMode, filtered: boolean): Placed {
  const bytes = Buffer.byteLength(s) + 1;
  const low = (sp - BELOW_SP - BigInt(bytes)) & ~15n;
  if (mode === 'auto' && inOwnStack(pid, low, sp)) {
    try {
      const placed = scratchString(tid, sp, s);
      return {
        addr: placed.addr, where: 'stack',
        undo: (t, gone) => { if (!gone) scratchString.restore(t, placed.addr, placed.saved); },
      };
    } catch {
      // no room after all: a page
    }
  }
  if (bytes > Number(PAGE)) throw new TargetError('EIO', `the rewritten string is longer than a page (${bytes} bytes)`);
  const page = runCall(tid, pc, SYS_MMAP, [0n, PAGE, PROT_RW, MAP_PRIVATE_ANON, BigInt.asUintN(64, -1n), 0n]);
  if (page < 0n || page >= 0xfffffffffffff000n) throw new TargetError('EIO', `cannot map a page in the program for the rewritten string: mmap returned ${page}`);
  reenter(tid, pc, nr, filtered);
  const str = Buffer.concat([Buffer.from(s), Buffer.from([0])]);
  if (native.pokeWrite(tid, page, str) !== str.length) throw new TargetError('EIO', `cannot write the rewritten string at 0x${page.toString(16)}`);
  return {
    addr: page, where: 'page',
    undo: (t, gone) => { if (!gone) runCall(t, pc, SYS_MUNMAP, [page, PAGE]); },
  };
}

/** Run call nr in tid with the `syscall` instruction that ends at pc; its result. Every register is put back. */
function runCall(tid: number, pc: bigint, nr: number, args: bigint[]): bigint {
  const r = dirtyNative.injectSyscall(tid, pc - 2n, nr, args);
  if (r.r < 0) throw new TargetError('EIO', `cannot run system call ${nr} in the program (${r.r})`);
  return r.ret;
}

/**
 * The injection skipped the call tid was entering: make it again (pc back on
 * its `syscall` instruction, rax its number) and run to its entry stop, so
 * the tracer goes on from where it was. Signals met on the way are delivered
 * (the handler returns to the `syscall` instruction, as after a restart);
 * the calls a handler makes are let through.
 */
function reenter(tid: number, pc: bigint, nr: number, filtered: boolean): void {
  const regs = Buffer.alloc(27 * 8);
  check(native.ptracePtr(PTRACE.GETREGS, tid, 0n, regs), 'cannot read registers');
  regs.writeBigUInt64LE(pc - 2n, 128);        // rip
  regs.writeBigUInt64LE(BigInt(nr), 80);      // rax
  regs.writeBigInt64LE(-1n, 120);             // orig_rax: no restart on the way out
  check(native.ptracePtr(PTRACE.SETREGS, tid, 0n, regs), 'cannot write registers');
  // under our filter the call's entry is a seccomp stop (PTRACE_CONT: no other syscall stop comes first)
  const req = filtered ? PTRACE.CONT : PTRACE.SYSCALL;
  let sig = 0;
  let inCall = false;
  for (let n = 0; n < 100000; n++) {
    check(native.ptrace(req, tid, 0n, BigInt(sig)), 'cannot resume the program');
    sig = 0;
    const st = native.waitBlocking(tid);
    if (st < 0 || (st & 0x7f) !== 0x7f) throw new TargetError('EIO', 'the program ended while its system call was rewritten');
    const stopSig = (st >> 8) & 0xff;
    const event = (st >> 16) & 0xff;
    if (stopSig === SYSGOOD_TRAP || event === PTRACE_EVENT.SECCOMP) {
      const info = syscallInfo(tid, inCall);
      if (info.op === 'entry' && info.nr === nr && info.pc === pc) return;
      inCall = !filtered && info.op === 'entry';
      continue;
    }
    if (event !== 0) continue;   // PTRACE_EVENT_STOP and the like: on
    sig = stopSig;               // a signal: delivered
  }
  throw new TargetError('EIO', 'the program did not make its system call again');
}
