/**
 * Rewriting system calls on the way in and out, and strace's fault
 * injection:
 *
 *   --rewrite 'openat:path=/etc/passwd->/etc/hostname'  a path argument
 *   --rewrite 'getpid:ret=->42'  /  'read:ret=0->-1'     a result at exit
 *   -e inject=openat:error=ENOENT:when=2+                skip the call
 *
 * Every change to the tracee's call goes through applyChange() (./change.ts),
 * the one place a kernel with PTRACE_SET_SYSCALL_INFO could take over from
 * the registers.
 */
import { errnoNumber } from './errno.js';
import { applyChange } from './change.js';
import { placeString, type Placed, type ScratchMode } from './scratch.js';
import { syscallByName } from './table.js';
import { quoteBytes, readCString } from './quote.js';
import { vmReader } from './tracer.js';

export interface SyscallHooks {
  /**
   * At a traced call's entry (sp, pc: the stack pointer and the address after
   * its `syscall` instruction; filtered: the tracee runs under the seccomp
   * filter): a result to skip the call with, or undefined to let it run.
   */
  onEntry(tid: number, nr: number, args: bigint[], sp: bigint, pc: bigint, filtered: boolean): bigint | undefined;
  /** At its exit: the result the program sees, and a note for the trace (` (INJECTED)`). */
  onExit(tid: number, nr: number, args: bigint[], rv: bigint, skipped: boolean): { rv: bigint; note: string };
}

/** The argument that is a path, per call. */
const PATH_ARG: Record<string, number> = {
  open: 0, openat: 1, creat: 0, stat: 0, lstat: 0, newfstatat: 1, statx: 1, access: 0, faccessat: 1, faccessat2: 1,
  execve: 0, unlink: 0, unlinkat: 1, mkdir: 0, mkdirat: 1, rmdir: 0, chdir: 0, readlink: 0, readlinkat: 1,
  truncate: 0, chmod: 0, openat2: 1,
};

/** Which argument of call `name` is a path (0-based), if one is. */
export const pathArgument = (name: string): number | undefined => PATH_ARG[name];

interface PathRewrite { kind: 'path'; nr: number; argIndex: number; from: string; to: string }
interface RetRewrite { kind: 'ret'; nr: number; from?: bigint; to: bigint }
interface Inject { nr: number; rv: bigint; first: number; last: number; step: number }

/** What a call's entry changed, to undo at its exit. */
interface Undo { argIndex: number; arg: bigint; placed: Placed; from: string }

const EXECVE = 59;
const bad = (msg: string): never => { throw new RewriteError(msg); };
export class RewriteError extends Error {}

function callNumber(name: string): number {
  const def = syscallByName(name);
  return def ? def.nr : bad(`invalid system call '${name}'`);
}

function parseInt64(s: string): bigint {
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(s)) bad(`invalid number '${s}'`);
  return s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
}

export class RewriteHooks implements SyscallHooks {
  private rewrites: Array<PathRewrite | RetRewrite> = [];
  private injects: Inject[] = [];
  private counts = new Map<number, number>();
  private undo = new Map<number, Undo[]>();
  private injected = new Set<number>();
  /** where rewritten strings go: below the stack when it is the program's own, else a mapped page ('page': always) */
  scratch: ScratchMode = 'auto';
  /** where each rewritten string went, in order (for tests and a curious caller) */
  readonly placements: Array<{ call: number; where: 'stack' | 'page' }> = [];

  active(): boolean { return this.rewrites.length + this.injects.length > 0; }
  calls(): number[] { return [...this.rewrites.map((r) => r.nr), ...this.injects.map((i) => i.nr)]; }

  /** `NAME:path=OLD->NEW` or `NAME:ret=[OLD]->NEW`. */
  addRewrite(spec: string): void {
    const m = /^([a-z0-9_]+):(path|ret)=(.*?)->(.*)$/.exec(spec);
    if (!m) return bad(`invalid rewrite '${spec}': expected NAME:path=OLD->NEW or NAME:ret=[OLD]->NEW`);
    const [, name, what, from, to] = m as unknown as [string, string, string, string, string];
    const nr = callNumber(name);
    if (what === 'path') {
      const argIndex = PATH_ARG[name];
      if (argIndex === undefined) bad(`${name} has no path argument`);
      if (!from || !to) bad(`invalid rewrite '${spec}': both paths are needed`);
      this.rewrites.push({ kind: 'path', nr, argIndex: argIndex!, from, to });
    } else {
      this.rewrites.push({ kind: 'ret', nr, from: from === '' ? undefined : parseInt64(from), to: parseInt64(to) });
    }
  }

  /** strace's `SET:error=ERRNO|retval=N[:when=N|N+|N..M|N+S]`. */
  addInject(spec: string): void {
    const [names, ...parts] = spec.split(':');
    let rv: bigint | undefined;
    let first = 1, last = Infinity, step = 1;
    let whenSeen = false;
    for (const p of parts) {
      const [k, v = ''] = p.split('=', 2) as [string, string?];
      if (k === 'error') {
        const n = errnoNumber(v);
        if (n === undefined) bad(`invalid inject error '${v}'`);
        rv = -BigInt(n!);
      } else if (k === 'retval') rv = parseInt64(v);
      else if (k === 'when') {
        const w = /^(\d+)(?:(\+)(\d+)?|\.\.(\d+))?$/.exec(v);
        if (!w || Number(w[1]) < 1) bad(`invalid inject when '${v}'`);
        first = Number(w![1]);
        if (w![2]) step = w![3] ? Number(w![3]) : 1;
        else if (w![4]) last = Number(w![4]);
        else last = first;
        whenSeen = true;
      } else bad(`invalid inject option '${p}'`);
    }
    void whenSeen;
    if (rv === undefined) bad(`invalid inject '${spec}': error= or retval= is needed`);
    for (const name of (names ?? '').split(',')) this.injects.push({ nr: callNumber(name), rv: rv!, first, last, step });
  }

  onEntry(tid: number, nr: number, args: bigint[], sp: bigint, pc: bigint, filtered: boolean): bigint | undefined {
    const n = (this.counts.get(nr) ?? 0) + 1;
    this.counts.set(nr, n);
    for (const i of this.injects) {
      if (i.nr !== nr || n < i.first || n > i.last || (n - i.first) % i.step !== 0) continue;
      applyChange(tid, { nr: -1 });   // the kernel skips a call numbered -1
      this.injected.add(tid);
      return i.rv;
    }
    const undo: Undo[] = [];
    for (const r of this.rewrites) {
      if (r.kind !== 'path' || r.nr !== nr) continue;
      const cur = readCString(vmReader(tid), args[r.argIndex]!, 4096);
      if (!cur || cur.toString() !== r.from) continue;
      const placed = placeString(tid, tid, sp, pc, nr, r.to, this.scratch, filtered);
      this.placements.push({ call: nr, where: placed.where });
      applyChange(tid, { args: new Map([[r.argIndex, placed.addr]]) });
      undo.push({ argIndex: r.argIndex, arg: args[r.argIndex]!, placed, from: r.from });
      args[r.argIndex] = placed.addr;
    }
    if (undo.length) this.undo.set(tid, undo);
    return undefined;
  }

  onExit(tid: number, nr: number, args: bigint[], rv: bigint, skipped: boolean): { rv: bigint; note: string } {
    let note = '';
    if (skipped && this.injected.delete(tid)) {
      applyChange(tid, { rv });
      note = ' (INJECTED)';
    }
    const undo = this.undo.get(tid);
    if (undo) {
      this.undo.delete(tid);
      // a successful execve replaced the memory and the registers: nothing of ours is left
      const gone = nr === EXECVE && BigInt.asIntN(64, rv) === 0n;
      for (const u of undo.reverse()) {
        u.placed.undo(tid, gone);
        if (!gone) applyChange(tid, { args: new Map([[u.argIndex, u.arg]]) });
        args[u.argIndex] = u.arg;
      }
      note = ` (REWRITTEN from ${undo.map((u) => quoteBytes(Buffer.from(u.from))).join(', ')})`;
    }
    for (const r of this.rewrites) {
      if (r.kind !== 'ret' || r.nr !== nr || (r.from !== undefined && BigInt.asIntN(64, rv) !== r.from)) continue;
      rv = BigInt.asUintN(64, r.to);
      applyChange(tid, { rv });
      note = ' (INJECTED)';
    }
    return { rv, note };
  }
}
