/**
 * Arguments and results of system calls in strace's words. A call's
 * arguments are printed at its entry up to the first one the kernel fills
 * (read's buffer, fstat's struct): those and the rest at its exit, so the
 * line can be split into `<unfinished ...>` / `<... read resumed>` as
 * strace splits it.
 */
import { errnoName, errnoText, isErrorReturn } from './errno.js';
import {
  ARCH_PRCTL, SEEK, SOCK_FAMILY, accessMode, atFlags, constName, dirfd, flagNames, mmapFlags, octal, openFlags,
  openHasMode, protFlags, sockType, statMode,
} from './flags.js';
import { DEFAULT_STRSIZE, type MemReader, hex0x, printBuffer, printCString, ptr, quoteBytes, readCString } from './quote.js';
import { syscallName } from './table.js';
import { linuxSignalName } from '../rsp/signals.js';

export interface ArgCtx {
  args: readonly bigint[];
  read: MemReader;
  /** at exit: the return value (undefined at entry) */
  rv?: bigint;
  strsize: number;
}
/** One argument: its text, or null to leave it out (open's mode without O_CREAT). */
type Fmt = (v: bigint, c: ArgCtx) => string | null;
interface Arg { fmt: Fmt; exit?: boolean }
interface Sig { args: Arg[]; ret?: 'hex' | 'none' }

const ok = (c: ArgCtx): boolean => c.rv !== undefined && !isErrorReturn(c.rv);
const int: Fmt = (v) => BigInt.asIntN(32, v).toString();
const long: Fmt = (v) => BigInt.asIntN(64, v).toString();
const ulong: Fmt = (v) => v.toString();
const hex: Fmt = (v) => hex0x(v);
const pointer: Fmt = (v) => ptr(v);
const path: Fmt = (v, c) => printCString(c.read, v);
const str: Fmt = (v, c) => {
  if (v === 0n) return 'NULL';
  const b = readCString(c.read, v, c.strsize + 1);
  if (!b) return hex0x(v);
  return b.length > c.strsize ? quoteBytes(b.subarray(0, c.strsize)) + '...' : quoteBytes(b);
};
/** A buffer the program passes in, `lenArg` bytes long. */
const inBuf = (lenArg: number): Fmt => (v, c) => printBuffer(c.read, v, Number(c.args[lenArg]!), c.strsize);
/** A buffer the kernel fills: as many bytes as the call returned. */
const outBuf = (hexOnly = false): Fmt => (v, c) => (ok(c) ? printBuffer(c.read, v, Number(c.rv!), c.strsize, hexOnly) : hex0x(v));
const e = (fmt: Fmt): Arg => ({ fmt, exit: true });
const a = (fmt: Fmt): Arg => ({ fmt });

/** struct stat (x86-64): {st_mode=S_IFREG|0644, st_size=N, ...}; st_rdev for devices. */
const stat: Fmt = (v, c) => {
  if (!ok(c) || v === 0n) return ptr(v);
  const b = c.read(v, 144);
  if (!b || b.length < 144) return hex0x(v);
  const mode = BigInt(b.readUInt32LE(24));
  const type = mode & 0o170000n;
  if (type === 0o20000n || type === 0o60000n) {
    const rdev = b.readBigUInt64LE(40);
    const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
    const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
    return `{st_mode=${statMode(mode)}, st_rdev=makedev(${hex0x(major)}, ${hex0x(minor)}), ...}`;
  }
  return `{st_mode=${statMode(mode)}, st_size=${b.readBigInt64LE(48)}, ...}`;
};

/** struct sockaddr of `lenArg` bytes. */
const sockaddr = (lenArg: number): Fmt => (v, c) => {
  const len = Number(c.args[lenArg]!);
  const b = v === 0n ? null : c.read(v, Math.min(len, 128));
  if (!b || b.length < 2) return ptr(v);
  const fam = b.readUInt16LE(0);
  const famName = constName(BigInt(fam), SOCK_FAMILY);
  if (fam === 2 && b.length >= 8) {
    return `{sa_family=AF_INET, sin_port=htons(${b.readUInt16BE(2)}), sin_addr=inet_addr("${b[4]}.${b[5]}.${b[6]}.${b[7]}")}`;
  }
  if (fam === 1) {
    const p = b.subarray(2);
    const nul = p.indexOf(0);
    return `{sa_family=AF_UNIX, sun_path=${quoteBytes(nul >= 0 ? p.subarray(0, nul) : p)}}`;
  }
  return `{sa_family=${famName}, sa_data=${quoteBytes(b.subarray(2))}}`;
};

/** execve's argv: ["cat", "/etc/hostname"]. */
const strArray: Fmt = (v, c) => {
  if (v === 0n) return 'NULL';
  const items: string[] = [];
  for (let i = 0; i < 1024; i++) {
    const w = c.read(v + BigInt(i * 8), 8);
    if (!w || w.length < 8) return hex0x(v);
    const p = w.readBigUInt64LE(0);
    if (p === 0n) break;
    items.push(str(p, c) ?? '');
  }
  return `[${items.join(', ')}]`;
};
/** execve's envp: 0x7ffc... followed by how many variables. */
const envArray: Fmt = (v, c) => {
  if (v === 0n) return 'NULL';
  let n = 0;
  for (; n < 65536; n++) {
    const w = c.read(v + BigInt(n * 8), 8);
    if (!w || w.length < 8) return hex0x(v);
    if (w.readBigUInt64LE(0) === 0n) break;
  }
  return `${hex0x(v)} /* ${n} vars */`;
};

/** wait4's status word: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
const wstatus: Fmt = (v, c) => {
  if (v === 0n) return 'NULL';
  if (!ok(c) || c.rv === 0n) return hex0x(v);
  const b = c.read(v, 4);
  if (!b || b.length < 4) return hex0x(v);
  const st = b.readInt32LE(0);
  const sig = st & 0x7f;
  if (sig === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(st >> 8) & 0xff}}]`;
  if (sig === 0x7f) return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${linuxSignalName((st >> 8) & 0xff)}}]`;
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${linuxSignalName(sig)}${st & 0x80 ? ' && WCOREDUMP(s)' : ''}}]`;
};
const WAIT_FLAGS = [[1, 'WNOHANG'], [2, 'WUNTRACED'], [8, 'WCONTINUED'], [0x40000000, '__WALL'], [0x80000000, '__WCLONE']] as const;

const signal: Fmt = (v) => (v === 0n ? '0' : linuxSignalName(Number(v)));
const seek: Fmt = (v) => constName(v, SEEK);

const SIGS: Record<string, Sig> = {
  read: { args: [a(int), e(outBuf()), a(ulong)] },
  write: { args: [a(int), a(inBuf(2)), a(ulong)] },
  pread64: { args: [a(int), e(outBuf()), a(ulong), a(long)] },
  pwrite64: { args: [a(int), a(inBuf(2)), a(ulong), a(long)] },
  open: { args: [a(path), a((v) => openFlags(v)), a((v, c) => (openHasMode(c.args[1]!) ? octal(v) : null))] },
  openat: { args: [a(dirfd), a(path), a((v) => openFlags(v)), a((v, c) => (openHasMode(c.args[2]!) ? octal(v) : null))] },
  creat: { args: [a(path), a(octal)] },
  close: { args: [a(int)] },
  stat: { args: [a(path), e(stat)] },
  lstat: { args: [a(path), e(stat)] },
  fstat: { args: [a(int), e(stat)] },
  newfstatat: { args: [a(dirfd), a(path), e(stat), a((v) => atFlags(v))] },
  lseek: { args: [a(int), a(long), a(seek)] },
  mmap: { args: [a(pointer), a(ulong), a((v) => protFlags(v)), a((v) => mmapFlags(v)), a(int), a((v) => (v === 0n ? '0' : hex0x(v)))], ret: 'hex' },
  mprotect: { args: [a(pointer), a(ulong), a((v) => protFlags(v))] },
  munmap: { args: [a(pointer), a(ulong)] },
  brk: { args: [a(pointer)], ret: 'hex' },
  access: { args: [a(path), a((v) => accessMode(v))] },
  faccessat: { args: [a(dirfd), a(path), a((v) => accessMode(v))] },
  faccessat2: { args: [a(dirfd), a(path), a((v) => accessMode(v)), a((v) => atFlags(v))] },
  exit: { args: [a(int)], ret: 'none' },
  exit_group: { args: [a(int)], ret: 'none' },
  dup: { args: [a(int)] },
  dup2: { args: [a(int), a(int)] },
  dup3: { args: [a(int), a(int), a((v) => flagNames(v, [[0o2000000, 'O_CLOEXEC']]))] },
  unlink: { args: [a(path)] },
  unlinkat: { args: [a(dirfd), a(path), a((v) => atFlags(v))] },
  rmdir: { args: [a(path)] },
  mkdir: { args: [a(path), a(octal)] },
  mkdirat: { args: [a(dirfd), a(path), a(octal)] },
  chdir: { args: [a(path)] },
  rename: { args: [a(path), a(path)] },
  renameat: { args: [a(dirfd), a(path), a(dirfd), a(path)] },
  readlink: { args: [a(path), e(outBuf()), a(ulong)] },
  readlinkat: { args: [a(dirfd), a(path), e(outBuf()), a(ulong)] },
  chmod: { args: [a(path), a(octal)] },
  truncate: { args: [a(path), a(long)] },
  ftruncate: { args: [a(int), a(long)] },
  kill: { args: [a(int), a(signal)] },
  tgkill: { args: [a(int), a(int), a(signal)] },
  tkill: { args: [a(int), a(signal)] },
  wait4: { args: [a(int), e(wstatus), a((v) => flagNames(v, WAIT_FLAGS)), a(pointer)] },
  execve: { args: [a(path), a(strArray), a(envArray)] },
  arch_prctl: { args: [a((v) => constName(v, ARCH_PRCTL, hex0x)), a(hex)] },
  set_tid_address: { args: [a(hex)] },
  set_robust_list: { args: [a(hex), a(ulong)] },
  socket: { args: [a((v) => constName(v, SOCK_FAMILY)), a((v) => sockType(v)), a(int)] },
  connect: { args: [a(int), a(sockaddr(2)), a(ulong)] },
  bind: { args: [a(int), a(sockaddr(2)), a(ulong)] },
  getrandom: { args: [e(outBuf(true)), a(ulong), a((v) => flagNames(v, [[1, 'GRND_NONBLOCK'], [2, 'GRND_RANDOM'], [4, 'GRND_INSECURE']]))] },
  getpid: { args: [] }, getppid: { args: [] }, gettid: { args: [] }, getuid: { args: [] }, geteuid: { args: [] },
  getgid: { args: [] }, getegid: { args: [] }, sync: { args: [] }, sched_yield: { args: [] }, fork: { args: [] }, vfork: { args: [] },
  pause: { args: [] },
};

/** Argument counts of calls decoded generically (numbers, hex past 0xffff), else 6. */
const NARGS: Record<string, number> = {
  ioctl: 3, fcntl: 3, getdents64: 3, futex: 6, prlimit64: 4, rseq: 4, rt_sigaction: 4, rt_sigprocmask: 4,
  sysinfo: 1, clone: 5, clone3: 2, getcwd: 2, statfs: 2, fstatfs: 2, fadvise64: 4, copy_file_range: 6,
  sigaltstack: 2, uname: 1, poll: 3, select: 5, pipe: 1, pipe2: 2, madvise: 3, getdents: 3, sendto: 6, recvfrom: 6,
  listen: 2, accept: 3, accept4: 4, setsockopt: 5, getsockopt: 5, statx: 5, rt_sigreturn: 0, nanosleep: 2,
  clock_nanosleep: 4, clock_gettime: 2, epoll_create1: 1, epoll_ctl: 4, epoll_wait: 4, eventfd2: 2, umask: 1,
  getrusage: 2, times: 1, sched_getaffinity: 3, getxattr: 4, lgetxattr: 4, prctl: 5, mremap: 5, writev: 3, readv: 3,
};
const generic: Fmt = (v) => (v > 0xffffn && v < 0xffffffffffff0000n ? hex0x(v) : BigInt.asIntN(64, v).toString());
function signature(name: string): Sig {
  return SIGS[name] ?? { args: Array.from({ length: NARGS[name] ?? 6 }, () => a(generic)) };
}

/** Whether the call's arguments are decoded (not printed as raw numbers). */
export const isDecoded = (nr: number): boolean => syscallName(nr) in SIGS;

/** Text printed at the call's entry: `read(3, `, or the whole `close(3)`; `exitFrom` the first argument left for the exit. */
export function entryText(nr: number, args: readonly bigint[], read: MemReader, strsize = DEFAULT_STRSIZE): { text: string; exitFrom: number } {
  const name = syscallName(nr);
  const sig = signature(name);
  const c: ArgCtx = { args, read, strsize };
  let text = name + '(';
  let first = true;
  for (let i = 0; i < sig.args.length; i++) {
    const arg = sig.args[i]!;
    if (arg.exit) return { text, exitFrom: i };
    const s = arg.fmt(args[i] ?? 0n, c);
    if (s === null) continue;
    text += (first ? '' : ', ') + s;
    first = false;
    if (i < sig.args.length - 1 && sig.args[i + 1]!.exit) { text += ', '; first = true; }
  }
  return { text, exitFrom: sig.args.length };
}

/** The arguments from exitFrom on and the closing parenthesis (rv undefined: at the entry, kernel-filled ones as addresses). */
export function exitText(nr: number, args: readonly bigint[], rv: bigint | undefined, read: MemReader, exitFrom: number, strsize = DEFAULT_STRSIZE): string {
  const sig = signature(syscallName(nr));
  const c: ArgCtx = { args, read, strsize, rv };
  const parts: string[] = [];
  for (let i = exitFrom; i < sig.args.length; i++) {
    const s = sig.args[i]!.fmt(args[i] ?? 0n, c);
    if (s !== null) parts.push(s);
  }
  return parts.join(', ') + ')';
}

/**
 * The whole call on one line, as strace would print it: at its entry the
 * arguments the kernel fills are addresses; with `rv` (at its exit) they are
 * decoded and the result follows (`= 3`, `= -1 ENOENT (...)`).
 */
export function callText(nr: number, args: readonly bigint[], read: MemReader, rv?: bigint, strsize = DEFAULT_STRSIZE): string {
  const { text, exitFrom } = entryText(nr, args, read, strsize);
  const call = text + exitText(nr, args, rv, read, exitFrom, strsize);
  return rv === undefined ? call : `${call} ${returnText(nr, rv)}`;
}

/** `= 3`, `= 0x7f...`, `= -1 ENOENT (No such file or directory)`, `= ?` (no return). */
export function returnText(nr: number, rv: bigint | undefined): string {
  const sig = signature(syscallName(nr));
  if (rv === undefined || sig.ret === 'none') return '= ?';
  const sv = BigInt.asIntN(64, rv);
  if (isErrorReturn(sv)) {
    const err = Number(-sv);
    // the kernel's restart codes never reach the program: strace prints `?`
    return `= ${err >= 512 ? '?' : '-1'} ${errnoName(err)} (${errnoText(err)})`;
  }
  if (sig.ret === 'hex') return `= ${hex0x(BigInt.asUintN(64, rv))}`;
  return `= ${sv}`;
}
