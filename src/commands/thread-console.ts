/**
 * The gdb console's thread commands (`info threads`, `thread`, `thread
 * apply`) and how a stop names its thread, in gdb's words, over the core's
 * thread selection.
 */
import type { StopEvent, Target, ThreadInfo } from '../target/types.js';
import { CommandError } from './parse.js';
import { formatThreadTable, type ThreadTable } from './threads.js';
import { expected } from '../debugger/errors.js';

export interface ThreadConsoleHost {
  /** The target, live or not (undefined without one). */
  target(): Target | undefined;
  /** gdb's numbers and names of the process's threads. */
  table(): ThreadTable | undefined;
  /** The live target (gdb's "The program is not being run." without one). */
  live(): Target;
  selectThread(tid: number): void;
  /** Run fn with tid selected, then put the selection back. */
  withThread<T>(tid: number, fn: () => Promise<T>): Promise<T>;
  /** The selected thread's innermost frame in one line. */
  frameSummary(): Promise<string>;
  /** Show the newly selected thread's frame 0, as `thread N` does. */
  showFrame(): Promise<void>;
  /** A command line of `thread apply`, in the thread selected for it. */
  run(command: string): Promise<void>;
  out(text: string): void;
  outLines(lines: string[]): void;
  warn(text: string): void;
}

export class ThreadConsole {
  constructor(private readonly h: ThreadConsoleHost) {}

  /** `info threads [ID...]` */
  async info(arg: string): Promise<void> {
    const t = this.h.target();
    const table = this.h.table();
    if (!t || t.state === 'exited' || !table) {
      this.h.out('No threads.');
      return;
    }
    let threads = await t.threads();
    if (arg) {
      const { ids, used } = parseThreadIds(arg.split(/\s+/));
      if (used === 0) throw new CommandError(`Invalid thread ID: ${arg}`);
      const wanted = new Set(ids);
      threads = threads.filter((x) => wanted.has(table.number(x.tid)));
      if (!threads.length) {
        this.h.out(`No threads match '${arg}'.`);
        return;
      }
    }
    const frames = new Map<number, string>();
    if (t.state === 'stopped') {
      for (const th of threads) frames.set(th.tid, await this.h.withThread(th.tid, () => this.h.frameSummary()));
    }
    this.h.outLines(formatThreadTable(table, threads, t.selectedThread, frames));
  }

  /** `thread`: which one is current; `thread N`: switch to it (registers and frames follow), and show its frame. */
  async thread(id: string | undefined): Promise<void> {
    const t = this.h.target();
    const table = this.h.table();
    if (!t || t.state === 'exited' || !table) throw new CommandError('No thread selected');
    const threads = await t.threads();
    const pointer = (tid: number) => threads.find((x) => x.tid === tid)?.threadPointer;
    if (id === undefined) {
      const tid = t.selectedThread;
      this.h.out(`[Current thread is ${table.number(tid)} (${table.targetId(tid, pointer(tid))})]`);
      return;
    }
    const apply = /^apply(?:\s+(.*))?$/s.exec(id);
    if (apply) return this.apply(table, threads, apply[1]?.trim() ?? '');
    if (!/^\d+$/.test(id)) throw new CommandError(`Invalid thread ID: ${id}`);
    const tid = table.tidOf(Number(id));
    if (tid === undefined || !threads.some((x) => x.tid === tid)) throw new CommandError(`Unknown thread ${id}.`);
    this.h.live();
    this.h.selectThread(tid);
    table.lastShown = tid;
    this.h.out(`[Switching to thread ${id} (${table.targetId(tid, pointer(tid))})]`);
    await this.h.showFrame();
  }

  /**
   * `thread apply all|ID... COMMAND`: COMMAND in each thread (all: the
   * newest first, as gdb does) under a `Thread N (...):` heading; the
   * selected thread is put back afterwards.
   */
  private async apply(table: ThreadTable, threads: ThreadInfo[], rest: string): Promise<void> {
    if (!rest) throw new CommandError('Please specify a thread ID list');
    let tids: number[];
    let command: string;
    const all = /^all\b\s*(.*)$/s.exec(rest);
    if (all) {
      command = all[1]!;
      if (!command) throw new CommandError("Please specify a command at the end of 'thread apply all'");
      tids = threads.map((x) => x.tid).sort((a, b) => table.number(b) - table.number(a));
    } else {
      const words = rest.split(/\s+/);
      const { ids, used } = parseThreadIds(words);
      if (used === 0) throw new CommandError(`Invalid thread ID: ${rest}`);
      command = words.slice(used).join(' ');
      if (!command) throw new CommandError('Please specify a command following the thread ID list');
      tids = [];
      for (const n of ids) {
        const tid = table.tidOf(n);
        if (tid === undefined || !threads.some((x) => x.tid === tid)) this.h.warn(`Unknown thread ${n}`);
        else tids.push(tid);
      }
    }
    this.h.live();
    for (const tid of tids) {
      const info = threads.find((x) => x.tid === tid)!;
      this.h.out(`\nThread ${table.number(tid)} (${table.targetId(tid, info.threadPointer)}${info.name ? ` "${info.name}"` : ''}):`);
      await this.h.withThread(tid, () => this.h.run(command));
    }
  }

  /**
   * How a stop names its thread, gdb's way: `Thread 2 "prog" hit ` and
   * `Thread 2 "prog" received` once the program has had several threads
   * (`` and `Program received` before), and "[Switching to Thread ...]"
   * when the stop is in another thread than the one shown last.
   */
  async stopHeads(ev: StopEvent): Promise<{ hit: string; received: string; switching: string }> {
    const table = this.h.table();
    const t = this.h.target();
    // a stop in a thread never announced (a remote target's) makes it known
    if (table && ev.tid > 0) table.number(ev.tid);
    if (!table || !t || !table.multiThreaded) return { hit: '', received: 'Program received', switching: '' };
    const info = (await t.threads().catch(expected([]))).find((x) => x.tid === ev.tid);
    const switching = table.lastShown !== undefined && table.lastShown !== ev.tid
      ? `[Switching to ${table.targetId(ev.tid, info?.threadPointer)}]` : '';
    table.lastShown = ev.tid;
    const name = info?.name ?? '';
    return { hit: table.stopHead(ev.tid, name, 'hit'), received: table.stopHead(ev.tid, name, 'received'), switching };
  }
}

/** Leading thread IDs of gdb's list syntax ("1 3 5-7"): the numbers, and how many words they took. */
function parseThreadIds(words: string[]): { ids: number[]; used: number } {
  const ids: number[] = [];
  let used = 0;
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(w);
    if (!m) break;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let n = lo; n <= hi && n - lo < 10_000; n++) ids.push(n);
    used++;
  }
  return { ids, used };
}
