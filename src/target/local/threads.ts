/**
 * LocalTarget's threads (Delve's pkg/proc/native/threads.go): the
 * thread list, names, thread pointers, selection, and threads coming and
 * going (announced as 'thread' events).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TargetError, type StopEvent, type StopReason, type ThreadInfo } from '../types.js';
import { PTRACE, native } from '../native.js';
import { FS_BASE_OFFSET, type Thread } from './shared.js';
import { LocalProcess } from './base.js';

export abstract class LocalThreads extends LocalProcess {
  /** Program a thread's debug registers (./watchpoints.ts). */
  protected abstract armThread(tid: number, strict: boolean): void;
  /** The process ended (./stops.ts). */
  protected abstract markExited(reason: StopReason): StopEvent;

  // ------------------------------------------------------------- threads
  async threads(): Promise<ThreadInfo[]> {
    return this.threadsNow();
  }

  /** threads() without the promise (tsdbg serve: src/rsp/sync-reads.ts). */
  threadsNow(): ThreadInfo[] {
    this.ensureAlive();
    const running = this._state === 'running';
    return this.liveThreads().map((t) => {
      if (!running) t.threadPointer ??= this.threadPointerOf(t.tid);
      return {
        tid: t.tid, name: this.threadName(t), state: running ? 'running' : 'stopped',
        threadPointer: t.threadPointer,
      };
    });
  }

  get selectedThread(): number { return this.selTid; }

  selectThread(tid: number): void {
    this.ensureStopped();
    const t = this.threadMap.get(tid);
    if (!t || t.zombie) throw new TargetError('ESRCH', `no thread with LWP ${tid}`);
    this.select(tid);
  }

  /** Threads that can run, stop and be inspected (not the zombie leader). */
  threadTargetId(tid: number, threadPointer?: bigint): string {
    return threadPointer ? `Thread 0x${threadPointer.toString(16)} (LWP ${tid})` : `LWP ${tid}`;
  }

  protected threadName(t: Thread): string {
    try {
      t.commFd ??= openSync(`/proc/${this.pid}/task/${t.tid}/comm`, 'r');
      const n = readSync(t.commFd, this.nameBuf, 0, this.nameBuf.length, 0);
      return this.nameBuf.toString('latin1', 0, n).replace(/\n$/, '');
    } catch {
      // the thread exited under us: it has no name any more ("" is what gdb shows for none)
      return '';
    }
  }

  protected readonly nameBuf = Buffer.alloc(64);

  /** Threads gone from our view: close what we hold open for them. */
  protected forgetThreads(threads: Iterable<Thread>): void {
    for (const t of threads) {
      if (t.commFd !== undefined) closeSync(t.commFd);
      t.commFd = undefined;
    }
  }

  /** fs_base: glibc's pthread_t (the TCB address) on x86-64. */
  protected threadPointerOf(tid: number): bigint | undefined {
    const v = native.peek(PTRACE.PEEKUSER, tid, BigInt(FS_BASE_OFFSET));
    return typeof v === 'bigint' && v !== 0n ? v : undefined;
  }

  /** A thread event, after the output the program wrote before it (as for stops). */
  protected emitThread(kind: 'new' | 'exited', t: Thread): void {
    this.pty.drain();
    this.emit('thread', { kind, pid: this.pid, tid: t.tid, threadPointer: t.threadPointer });
  }

  /** The first stop of a new thread: give it the watchpoints and announce it. */
  protected onThreadStart(t: Thread): void {
    t.fresh = false;
    this.armThread(t.tid, false);
    t.threadPointer = this.threadPointerOf(t.tid);
    this.emitThread('new', t);
  }

  /** A thread left: forget it. The leader goes last, with the process. */
  protected threadGone(t: Thread, reason: StopReason): StopEvent | undefined {
    if (t.tid === this.pid) return this.markExited(reason);
    this.threadMap.delete(t.tid);
    this.forgetThreads([t]);
    if (!t.fresh) this.emitThread('exited', t);
    if (this.selTid === t.tid) {
      this.selTid = this.liveThreads()[0]?.tid ?? this.pid;
      this.regsCache = undefined;
    }
    return undefined;
  }
}
