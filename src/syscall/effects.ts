/**
 * System calls whose effects live outside the process's memory (a write to
 * a file or a socket, an unlink, a signal sent): a checkpoint's rewind
 * restores memory and registers, never those. While checkpoints exist the
 * session stops at these calls' returns (catch syscall's machinery) and
 * logs them, and a rewind says which happened since its checkpoint: the
 * honest limit of an in-process rewind.
 */
import { callText } from './decode.js';
import { isErrorReturn } from './errno.js';
import type { MemReader } from './quote.js';
import { syscallByName } from './table.js';

const NAMES = [
  'write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'sendto', 'sendmsg', 'sendmmsg', 'sendfile', 'splice', 'tee',
  'copy_file_range', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat',
  'symlink', 'symlinkat', 'truncate', 'ftruncate', 'fallocate', 'creat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown',
  'lchown', 'fchownat', 'kill', 'tkill', 'tgkill', 'open', 'openat', 'connect', 'shutdown', 'msync',
];
/** Numbers of the calls with effects outside memory. */
export const EFFECT_CALLS: ReadonlySet<number> = new Set(NAMES.map((n) => syscallByName(n)!.nr));
const OPEN = syscallByName('open')!.nr;
const OPENAT = syscallByName('openat')!.nr;
const O_CREAT = 0o100n;
const O_TRUNC = 0o1000n;

/** Whether this call, with these arguments, changed something a rewind cannot undo. */
function hasEffect(nr: number, args: readonly bigint[], ret: bigint): boolean {
  if (!EFFECT_CALLS.has(nr) || isErrorReturn(BigInt.asIntN(64, ret))) return false;
  // an open only when it may create or truncate a file
  if (nr === OPEN) return (args[1]! & (O_CREAT | O_TRUNC)) !== 0n;
  if (nr === OPENAT) return (args[2]! & (O_CREAT | O_TRUNC)) !== 0n;
  return true;
}

/** The calls a stop set must include: the catchpoints' and, while checkpoints exist, these. */
export function withEffects(calls: ReadonlySet<number> | 'any' | undefined, checkpoints: boolean): ReadonlySet<number> | 'any' | undefined {
  if (!checkpoints || calls === 'any') return calls;
  return new Set([...(calls ?? []), ...EFFECT_CALLS]);
}

interface Entry { seq: number; text: string }

export class EffectLog {
  private seq = 0;
  private entries: Entry[] = [];
  /** checkpoint name -> the log's sequence number when it was taken */
  private marks = new Map<string, number>();

  /** A checkpoint was taken. */
  mark(name: string): void {
    this.marks.set(name, this.seq);
  }

  /** A call's return (while checkpoints exist): logged, in strace's words, when it has effects outside memory. */
  observe(nr: number, args: readonly bigint[], ret: bigint, read: MemReader): void {
    if (!this.marks.size || !hasEffect(nr, args, ret)) return;
    this.entries.push({ seq: ++this.seq, text: callText(nr, args, read, ret) });
  }

  /**
   * A rewind to checkpoint `name`: the calls since it, as lines to print
   * (none: nothing), and the log starts again from it.
   */
  rewound(name: string): string[] {
    const from = this.marks.get(name);
    if (from === undefined) return [];
    const since = this.entries.filter((e) => e.seq > from);
    this.entries = this.entries.filter((e) => e.seq <= from);
    // later checkpoints were taken in the timeline the rewind left
    for (const [n, s] of this.marks) if (s > from) this.marks.set(n, from);
    if (!since.length) return [];
    const n = since.length;
    return [`warning: not undone: ${n} system call${n === 1 ? '' : 's'} since checkpoint "${name}" with effects outside memory:`,
      ...since.map((e) => `  ${e.text}`)];
  }

  /** The checkpoints are gone (deleted, or the process). */
  forget(name?: string): void {
    if (name === undefined) { this.marks.clear(); this.entries = []; return; }
    this.marks.delete(name);
    if (!this.marks.size) this.entries = [];
  }
}
