/**
 * gdb's view of a process's threads: its numbers (1 for the main thread,
 * then in order of appearance, never reused), the names the target gives
 * them ("Thread 0x... (LWP n)" natively, "Thread p.t" remotely), and the
 * lines it prints when threads come, go, and stop.
 */
import type { ThreadEvent, ThreadInfo } from '../target/types.js';
import { maxOf } from '../arrays.js';

export class ThreadTable {
  private readonly nums = new Map<number, number>();
  private readonly pointers = new Map<number, bigint>();
  private next = 1;
  /** The thread of the last stop shown to the user: a stop in another one says "[Switching to ...]". */
  lastShown: number | undefined;

  /** `name`: the target's Target Id of a thread (see Target.threadTargetId). */
  constructor(readonly pid: number, private readonly name: (tid: number, pointer?: bigint) => string) {
    this.number(pid);
  }

  /** Number threads the target already has (attach: all of them at once, main first). */
  learn(threads: ThreadInfo[]): void {
    for (const t of threads) {
      this.number(t.tid);
      if (t.threadPointer) this.pointers.set(t.tid, t.threadPointer);
    }
  }

  /**
   * A thread event, as gdb prints it: "[New Thread 0x... (LWP n)]" /
   * "[Thread 0x... (LWP n) exited]" natively; '' for an exit only noticed
   * later (pruned), which gdb does not mention.
   */
  onEvent(e: ThreadEvent): string {
    if (e.threadPointer) this.pointers.set(e.tid, e.threadPointer);
    if (e.kind === 'new') {
      this.number(e.tid);
      return `[New ${this.targetId(e.tid)}]`;
    }
    const line = e.pruned ? '' : `[${this.targetId(e.tid)} exited]`;
    this.nums.delete(e.tid);
    return line;
  }

  /** gdb's thread number of tid (a thread we never heard of gets the next one). */
  number(tid: number): number {
    let n = this.nums.get(tid);
    if (n === undefined) {
      n = this.next++;
      this.nums.set(tid, n);
    }
    return n;
  }

  tidOf(num: number): number | undefined {
    for (const [tid, n] of this.nums) if (n === num) return tid;
    return undefined;
  }

  /** gdb names the thread in stop lines once the program has had more than one. */
  get multiThreaded(): boolean {
    return this.next > 2;
  }

  /** The target's name for tid, with the last thread pointer heard of it. */
  targetId(tid: number, pointer?: bigint): string {
    const p = pointer ?? this.pointers.get(tid);
    if (pointer) this.pointers.set(tid, pointer);
    return this.name(tid, p);
  }

  /**
   * The head of a stop line: `Thread 2 "prog" hit ` (or `received`) in a
   * multi-threaded program, '' (or `Program received`) otherwise.
   */
  stopHead(tid: number, name: string, verb: 'hit' | 'received'): string {
    if (!this.multiThreaded) return verb === 'hit' ? '' : 'Program received';
    return `Thread ${this.number(tid)} "${name}" ${verb}${verb === 'hit' ? ' ' : ''}`;
  }
}

/**
 * `info threads` as gdb lays it out: Id, Target Id (the target's name, then
 * "name"), Frame; `*` marks the selected thread. `frames` holds each
 * thread's frame text.
 */
export function formatThreadTable(table: ThreadTable, threads: ThreadInfo[], selected: number,
  frames: Map<number, string>): string[] {
  const rows = threads.map((t) => ({
    mark: t.tid === selected ? '*' : ' ',
    id: String(table.number(t.tid)),
    target: `${table.targetId(t.tid, t.threadPointer)}${t.name ? ` "${t.name}"` : ''}`,
    frame: t.state === 'running' ? '(running)' : (frames.get(t.tid) ?? ''),
  }));
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  const idW = maxOf(4, rows.map((r) => r.id.length + 1));
  const targetW = maxOf(9, rows.map((r) => r.target.length));
  return [
    `  ${'Id'.padEnd(idW)} ${'Target Id'.padEnd(targetW)} Frame `,
    ...rows.map((r) => `${r.mark} ${r.id.padEnd(idW)} ${r.target.padEnd(targetW)} ${r.frame}`),
  ];
}
