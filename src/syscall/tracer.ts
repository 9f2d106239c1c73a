/**
 * The ptrace loop of `tsdbg trace`: every syscall stop of the program (and of
 * its children with -f) decoded in strace's format. With a seccomp filter
 * the program runs under PTRACE_CONT and stops only at the chosen calls
 * (PTRACE_EVENT_SECCOMP, then PTRACE_SYSCALL to its exit); without one every
 * call stops twice (PTRACE_SYSCALL).
 *
 * One FFI call per stop (native.sysResumeWait: resume, waitpid(-1),
 * PTRACE_GET_SYSCALL_INFO), since the cost per stop is what a tracer is
 * judged by.
 */
import { PTRACE, PTRACE_EVENT, PTRACE_O, SYSINFO_REGS, SYSINFO_SIZE, native } from '../target/native.js';
import { TargetError } from '../target/types.js';
import { entryText, exitText, returnText } from './decode.js';
import { errnoText } from './errno.js';
import { TracePrinter } from './printer.js';
import { type MemReader, quoteBytes } from './quote.js';
import { seccompFilter } from './seccomp.js';
import { formatSiginfo, sigName } from './siginfo.js';
import { SyscallSummary } from './summary.js';
import { syscallName } from './table.js';
import type { SyscallHooks } from './rewrite.js';

export interface TraceOptions {
  /** program and its argv (argv[0] included) */
  path: string;
  argv: string[];
  env: string[];
  cwd: string;
  /** attach to this pid instead of starting a program */
  attach?: number;
  trace: Set<number> | 'all';
  follow: boolean;
  /** fd the trace goes to (2: stderr) and whether it is a file of ours (-o: "PID " prefixes) */
  outFd: number;
  outIsFile: boolean;
  /** -c: count instead of printing; -C: both */
  summary: 'off' | 'only' | 'also';
  /** install the seccomp filter when only some calls are traced (default) */
  seccomp: boolean;
  strsize: number;
  hooks?: SyscallHooks;
  /** read calls from the registers, as where the kernel lacks PTRACE_GET_SYSCALL_INFO (tests) */
  registersOnly?: boolean;
}

interface Thread {
  inSyscall: boolean;
  nr: number;
  args: bigint[];
  exitFrom: number;
  traced: boolean;
  start: bigint;
  /** the entry was skipped by an injection: the result to report */
  skipped?: bigint;
}

const SYSGOOD_TRAP = 0x80 | 5;
const SIGTRAP = 5;
const SIGSTOP = 19;

export const SYSCALL_INFO_OP = { ENTRY: 1, EXIT: 2, SECCOMP: 3 } as const;

/** A MemReader over process_vm_readv of tid. */
export function vmReader(tid: number): MemReader {
  return (addr, len) => {
    const b = Buffer.allocUnsafe(len);
    const n = native.vmRead(tid, addr, b);
    return n > 0 ? b.subarray(0, n) : null;
  };
}

export interface TraceResult {
  /** the program's exit code (128+N when killed by signal N) */
  code: number;
  /** how many times a traced process stopped at a system call (entry, exit or seccomp) */
  syscallStops: number;
}

/** Trace until every traced process is gone. */
export function runTrace(o: TraceOptions): TraceResult {
  const useSeccomp = o.seccomp && o.trace !== 'all' && o.attach === undefined;
  const filter = useSeccomp ? seccompFilter(o.trace as Set<number>) : null;
  const filtered = filter !== null;
  let options = PTRACE_O.TRACESYSGOOD | PTRACE_O.TRACEEXEC | PTRACE_O.EXITKILL;
  if (filtered) options |= PTRACE_O.TRACESECCOMP;
  if (o.follow) options |= PTRACE_O.TRACEFORK | PTRACE_O.TRACEVFORK | PTRACE_O.TRACECLONE;
  const wants = (nr: number): boolean => o.trace === 'all' || o.trace.has(nr);

  const threads = new Map<number, Thread>();
  const printer = new TracePrinter(o.outFd, o.outIsFile && o.follow, () => threads.size > 1);
  const summary = o.summary !== 'off' ? new SyscallSummary() : undefined;
  const print = o.summary !== 'only';
  const newThread = (): Thread => ({ inSyscall: false, nr: -1, args: [], exitFrom: 0, traced: false, start: 0n });

  let main: number;
  let req: number = filtered ? PTRACE.CONT : PTRACE.SYSCALL;
  if (o.attach !== undefined) {
    main = o.attach;
    const r = native.ptrace(PTRACE.SEIZE, main, 0, options);
    if (r < 0) throw new TargetError('EPERM', `attach: ptrace(PTRACE_SEIZE, ${main}): ${r === -1 ? 'Operation not permitted' : 'No such process'}`);
    native.ptrace(PTRACE.INTERRUPT, main);
    printer.note(`tsdbg: Process ${main} attached`);
    threads.set(main, newThread());
  } else {
    const s = native.spawnTraced(o.path, o.argv, o.env, o.cwd, options, filter);
    if (s.pid < 0) throw new TargetError('ENOENT', `exec: ${o.path}: ${errnoMessage(-s.pid)}`);
    main = s.pid;
    const t = newThread();
    threads.set(main, t);
    // stopped at the exec event, inside the execve that started it
    t.inSyscall = true; t.nr = 59; t.exitFrom = 3; t.start = 0n;
    if (wants(59)) {
      // its entry came before we could read memory: printed from what we gave it
      const argv = o.argv.map((a) => quoteArg(a, o.strsize)).join(', ');
      t.traced = true;
      if (print) printer.entry(main, `execve(${quoteBytes(Buffer.from(o.path))}, [${argv}], 0x${s.envpAddr.toString(16)} /* ${o.env.length} vars */`);
      req = PTRACE.SYSCALL;
    }
  }

  const out = new Int32Array(5);
  // without a filter, the calls not traced are passed over in the shim (no FFI call for them)
  let traced: Buffer | null = null;
  if (!filtered && o.trace !== 'all' && !o.registersOnly) {
    traced = Buffer.alloc(64);
    for (const nr of o.trace) if (nr < 512) traced[nr >> 3]! |= 1 << (nr & 7);
  }
  const info = Buffer.alloc(SYSINFO_SIZE);
  const siginfo = Buffer.alloc(128);
  let resumeTid = o.attach !== undefined ? 0 : main;
  let sig = 0;
  let exitCode = 0;
  let syscallStops = 0;

  for (;;) {
    const r = native.sysResumeWait(req, resumeTid, sig, out, info, traced, { times: summary !== undefined, registersOnly: o.registersOnly });
    if (r < 0) break;   // ECHILD: nothing left to trace
    const tid = out[0]!;
    const st = out[1]!;
    const stime = BigInt(out[2]!) * 1_000_000_000n + BigInt(out[3]!) * 1000n;
    sig = 0;
    resumeTid = tid;
    let t = threads.get(tid);
    if (!t) { t = newThread(); threads.set(tid, t); }
    const low = st & 0x7f;
    if (low !== 0x7f) {
      // exited or killed
      if (printer.pending(tid) && print) printer.exit(tid, syscallName(t.nr), ')', '= ?');
      const text = low === 0 ? `+++ exited with ${(st >> 8) & 0xff} +++`
        : `+++ killed by ${sigName(low)}${st & 0x80 ? ' (core dumped)' : ''} +++`;
      if (print) printer.line(tid, text);
      if (tid === main) exitCode = low === 0 ? (st >> 8) & 0xff : 128 + low;
      threads.delete(tid);
      resumeTid = 0;
      if (!o.follow && tid === main) break;
      continue;
    }
    const stopSig = (st >> 8) & 0xff;
    const event = (st >> 16) & 0xff;
    req = filtered && !t.inSyscall ? PTRACE.CONT : PTRACE.SYSCALL;
    if (stopSig === SYSGOOD_TRAP || event === PTRACE_EVENT.SECCOMP) {
      syscallStops++;
      const op = info[0]!;
      // a seccomp stop is always an entry; from registers only our own count tells entry from exit
      const entry = event === PTRACE_EVENT.SECCOMP || op === SYSCALL_INFO_OP.ENTRY || (op === SYSINFO_REGS && !t.inSyscall);
      if (entry) {
        t.inSyscall = true;
        t.nr = Number(info.readBigUInt64LE(24));
        t.args = [0, 1, 2, 3, 4, 5].map((i) => info.readBigUInt64LE(32 + 8 * i));
        t.traced = wants(t.nr);
        t.skipped = undefined;
        if (t.traced) {
          t.start = stime;
          const read = vmReader(tid);
          // a rewrite first: the line shows what the kernel sees (the original is noted at the exit)
          if (o.hooks) t.skipped = o.hooks.onEntry(tid, t.nr, t.args, info.readBigUInt64LE(16), info.readBigUInt64LE(8), filtered);
          if (print) {
            const e = entryText(t.nr, t.args, read, o.strsize);
            t.exitFrom = e.exitFrom;
            printer.entry(tid, e.text);
          }
        }
        req = PTRACE.SYSCALL;   // to its exit, in seccomp mode too
      } else {
        t.inSyscall = false;
        let rv = op === SYSINFO_REGS ? info.readBigInt64LE(80) : info.readBigInt64LE(24);
        if (t.traced) {
          let note = '';
          if (t.skipped !== undefined) rv = t.skipped;
          if (o.hooks) ({ rv, note } = o.hooks.onExit(tid, t.nr, t.args, rv, t.skipped !== undefined));
          summary?.add(t.nr, rv, stime - t.start);
          if (print) {
            const rest = exitText(t.nr, t.args, rv, vmReader(tid), t.exitFrom, o.strsize);
            printer.exit(tid, syscallName(t.nr), rest, returnText(t.nr, rv) + note);
          }
        }
        req = filtered ? PTRACE.CONT : PTRACE.SYSCALL;
      }
      continue;
    }
    if (stopSig === SIGTRAP && event !== 0) {
      if (event === PTRACE_EVENT.FORK || event === PTRACE_EVENT.VFORK || event === PTRACE_EVENT.CLONE) {
        const msg = Buffer.alloc(8);
        native.ptracePtr(PTRACE.GETEVENTMSG, tid, 0n, msg);
        const child = Number(msg.readBigUInt64LE(0));
        if (!threads.has(child)) threads.set(child, newThread());
        printer.note(`tsdbg: Process ${child} attached`);
      }
      // the exec event of a traced execve comes between its entry and exit
      continue;
    }
    if (event === PTRACE_EVENT.STOP) {
      // a new child's first stop, the stop after PTRACE_INTERRUPT, or a group-stop
      if (stopSig === SIGSTOP || stopSig === SIGTRAP || stopSig === 0) {
        if (t.nr === -1 && !t.inSyscall) { t.nr = -2; continue; }
      }
      if (print) printer.line(tid, `--- stopped by ${sigName(stopSig)} ---`);
      req = PTRACE.LISTEN;
      continue;
    }
    // a signal on its way to the program
    native.ptracePtr(PTRACE.GETSIGINFO, tid, 0n, siginfo);
    if (print) printer.line(tid, `--- ${sigName(stopSig)} ${formatSiginfo(siginfo)} ---`);
    sig = stopSig;
  }
  printer.flush();
  if (summary) { printer.flush(); summary.print(o.outFd); }
  return { code: exitCode, syscallStops: syscallStops + out[4]! };
}

function quoteArg(s: string, max: number): string {
  const b = Buffer.from(s);
  return b.length > max ? quoteBytes(b.subarray(0, max)) + '...' : quoteBytes(b);
}

const errnoMessage = (n: number): string => errnoText(n);
