/**
 * What the core publishes about the program after each operation: the stop
 * (why, where, which breakpoints), the registers and which changed since the
 * previous stop, the top frame, the threads, `running`; and the exit.
 * Each update is a new DebuggerState (./store.ts).
 */
import type { Registers, StopEvent, Target } from '../target/types.js';
import type { ThreadTable } from '../commands/threads.js';
import type { DebuggerStore } from './store.js';
import { changedRegisters, type DisplayInfo, type StopInfo, type StopKind, type SyscallStop, type ThreadState, type WatchChange } from './state.js';
import { NOWHERE, type Place } from './publish.js';
import { expected } from './errors.js';

export interface PublisherHost {
  store: DebuggerStore;
  /** The live target, or undefined without a process. */
  target(): Target | undefined;
  program(): string | undefined;
  displays(): DisplayInfo[];
  checkpointBufferLimit(): number;
  registers(): Promise<Registers>;
  place(pc: bigint): Place;
  threadTable(): ThreadTable | undefined;
  /** Publish the process (its state changed). */
  publishProcess(): void;
}

/** Why the program stopped, as the stop's report found it. */
export interface StopDetail {
  reason: StopKind;
  breakpoints: number[];
  watch: WatchChange[];
  signal?: string;
  syscall?: SyscallStop;
}

export class StatePublisher {
  /** The last reported stop's detail, published when the operation ends. */
  detail: StopDetail | undefined;
  /** The registers of the last stop, what `changed` is measured against. */
  private stopRegisters: Registers | undefined;

  constructor(private readonly h: PublisherHost) {}

  /** After an operation: its stop (if it resumed, started, attached or rewound the program), then the rest. */
  async afterOperation(resumed: boolean): Promise<void> {
    await this.publishStop(resumed);
    this.sync();
  }

  /** Registers read now (frame 0's): published, with the changed set still against the last stop's. */
  publishRegisters(regs: Registers): void {
    const cur = this.h.store.state.registers;
    if (cur && Object.keys(regs).every((k) => cur.values[k as keyof Registers] === regs[k as keyof Registers])) return;
    this.h.store.update({ registers: { values: { ...regs }, changed: changedRegisters(this.stopRegisters, regs) } });
  }

  /** The process ended (exit or a fatal signal): the stop says how, and `exited` goes out. */
  exit(ev: StopEvent): void {
    const r = ev.reason;
    const exitCode = r.kind === 'exited' ? r.code : undefined;
    const signal = r.kind === 'killed' ? r.signame : undefined;
    this.stopRegisters = undefined;
    this.h.store.update({
      running: false, threads: [], selectedThread: undefined, registers: undefined, frames: [],
      stop: {
        reason: r.kind === 'killed' ? 'killed' : 'exited', thread: ev.tid, pc: undefined, function: undefined,
        file: undefined, path: undefined, line: undefined, breakpoints: [], watch: [], signal, exitCode,
      },
    });
    this.h.store.emit('exited', { pid: ev.pid, exitCode, signal });
  }

  /** The process is gone (killed, detached): nothing to compare the next one's registers with. */
  forget(): void {
    this.stopRegisters = undefined;
  }

  /** What an operation may have changed that has no event of its own. */
  private sync(): void {
    const store = this.h.store;
    const live = this.h.target();
    const displays = this.h.displays();
    const same = displays.length === store.state.displays.length
      && displays.every((d, i) => JSON.stringify(d) === JSON.stringify(store.state.displays[i]));
    const limit = this.h.checkpointBufferLimit();
    store.update({
      program: this.h.program(),
      selectedThread: live?.selectedThread,
      running: live?.state === 'running',
      limits: store.state.limits.checkpointBuffer === limit ? store.state.limits : { checkpointBuffer: limit },
      ...(same ? {} : { displays }),
    });
    if (live && store.state.process?.state !== live.state) this.h.publishProcess();
  }

  /** The threads of the live program as front ends see them. */
  private async threadStates(t: Target): Promise<ThreadState[]> {
    const table = this.h.threadTable();
    // (a thread list the target cannot give now leaves the published one as it was)
    const threads = await t.threads().catch(expected(undefined));
    if (!threads || !table) return [...this.h.store.state.threads];
    return threads.map((th) => ({ tid: th.tid, id: table.number(th.tid), name: th.name, targetId: table.targetId(th.tid, th.threadPointer) }));
  }

  /**
   * Where the program stands after an operation that resumed it (or
   * started, attached or rewound it): the stop, its registers and which of
   * them changed, the top frame and the threads; `running` false.
   */
  private async publishStop(resumed: boolean): Promise<void> {
    const detail = this.detail;
    this.detail = undefined;
    const store = this.h.store;
    const t = this.h.target();
    if (!t) {
      if (store.state.running) store.update({ running: false });
      return;
    }
    if (!resumed && !detail) return;
    // (registers a target cannot give now leave the stop without them: it is published anyway)
    const regs = await this.h.registers().catch(expected(undefined));
    const pc = regs?.rip;
    const at = pc !== undefined ? this.h.place(pc) : NOWHERE;
    const stop: StopInfo = {
      reason: detail?.reason ?? 'step', thread: t.selectedThread, pc,
      function: at.function, file: at.file, path: at.path, line: at.line,
      breakpoints: detail?.breakpoints ?? [], watch: detail?.watch ?? [],
      signal: detail?.signal, exitCode: undefined,
      ...(detail?.syscall ? { syscall: detail.syscall } : {}),
    };
    const before = this.stopRegisters;
    this.stopRegisters = regs;
    store.update({
      running: false,
      stop,
      selectedThread: t.selectedThread,
      threads: await this.threadStates(t),
      registers: regs ? { values: { ...regs }, changed: changedRegisters(before, regs) } : undefined,
      frames: pc !== undefined ? [{ level: 0, pc, ...at }] : [],
    });
    this.h.publishProcess();
    store.emit('stop', store.state.stop!);
  }
}
