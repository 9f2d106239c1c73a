/**
 * The DapBackend over the debugger core (src/debugger/): every call is one
 * of the Debugger's structured operations; the console route (`execute`)
 * is used for the `repl` context only, its text being the answer a person
 * reads. Thread ids are the kernel's tids, as in the core's state.
 */
import { EventEmitter } from 'node:events';
import { constants as osConstants } from 'node:os';
import { Debugger, localLauncher, type BreakpointInfo, type DebuggerState, type StopInfo as CoreStop, type OutputChunk } from '../debugger/index.js';
import type { Evaluator } from '../dwarf/evaluator.js';
import type { Value } from '../dwarf/value.js';
import type { Registers } from '../target/types.js';
import { hex } from '../commands/format.js';
import { signalDescription } from '../commands/signals.js';
import { expected, isUserError } from '../debugger/errors.js';
import type {
  BackendEvents, BreakpointResult, Evaluated, BreakpointSpec, DapBackend, FrameInfo, Instruction, LaunchConfig, ModuleEntry, RunEnd,
  SignalStop, StopInfo, StopReason,
} from './backend.js';

const WATCH_ACCESS = { write: 'write', read: 'read', readWrite: 'access' } as const;

export class CoreBackend extends EventEmitter<BackendEvents> implements DapBackend {
  readonly d: Debugger;
  private config: LaunchConfig | undefined;
  /** Console text of the repl command under way (collected as its answer, not sent as output events). */
  private console: string[] | undefined;
  private readonly watchIds = new Set<number>();
  private readonly functionIds = new Set<number>();

  constructor(d?: Debugger) {
    super();
    // Questions (restart? kill?) are answered with gdb's default: a DAP client has no prompt for them.
    this.d = d ?? new Debugger({ launcher: localLauncher(), confirm: async (_q, defaultNo) => !defaultNo });
    this.d.store.on('output', (c: OutputChunk) => this.onOutput(c));
    this.d.store.on('thread', (t) => this.emit('thread', t.kind === 'new' ? 'started' : 'exited', t.tid));
    this.d.store.on('modules', () => this.emit('modules'));
    this.d.store.on('running', (r) => { if (this.console) this.emit('continued', r.thread); });
    let pid: number | undefined;
    let bps = this.d.state.breakpoints;
    this.d.store.on('state', (s) => {
      if (s.breakpoints !== bps) {
        this.breakpointsChanged(bps, s.breakpoints);
        bps = s.breakpoints;
      }
      const p = s.process;
      if (p?.pid === pid) return;
      pid = p?.pid;
      if (p) this.emit('process', { pid: p.pid, name: p.exePath, origin: p.origin });
    });
  }

  /** Breakpoints the client set (this.mine) whose resolution changed without a request: resolved or gone. */
  private readonly mine = new Set<number>();

  private breakpointsChanged(before: readonly BreakpointInfo[], now: readonly BreakpointInfo[]): void {
    for (const b of now) {
      const old = before.find((x) => x.id === b.id);
      if (!this.mine.has(b.id) || !old || (old.verified === b.verified && old.address === b.address && old.line === b.line)) continue;
      this.emit('breakpoint', 'changed', { ...result(b), id: b.id });
    }
    for (const b of before) {
      if (!this.mine.has(b.id) || now.some((x) => x.id === b.id)) continue;
      this.mine.delete(b.id);
      this.emit('breakpoint', 'removed', { id: b.id, verified: false });
    }
  }

  private onOutput(c: OutputChunk): void {
    if (c.stream === 'inferior') {
      this.emit('output', 'stdout', c.text);
      return;
    }
    if (this.console) this.console.push(c.text);
    else this.emit('output', c.stream === 'stderr' ? 'stderr' : 'console', c.text);
  }

  get origin(): 'spawned' | 'attached' | undefined {
    return this.d.state.process?.origin;
  }

  get pid(): number | undefined {
    const p = this.d.state.process;
    return p && p.state !== 'exited' ? p.pid : undefined;
  }

  async load(config: LaunchConfig): Promise<void> {
    this.config = config;
    const env = config.env ? { ...process.env, ...config.env } : undefined;
    await this.d.load(config.program, config.args, config.cwd, env);
    await this.pendingBreakpoints();
  }

  /** An editor's breakpoint in a library not loaded yet waits for it (gdb's pending breakpoints), unverified. */
  private async pendingBreakpoints(): Promise<void> {
    const r = await this.d.execute('set breakpoint pending on');
    if (!r.ok) throw new Error(r.error ?? 'set breakpoint pending on failed');
  }

  async start(): Promise<RunEnd> {
    if (!this.config) throw new Error('No program loaded.');
    const s = await this.d.launch(this.config.stopOnEntry);
    return this.runEnd(s, this.config.stopOnEntry ? 'entry' : undefined);
  }

  async attach(pid: number): Promise<StopInfo> {
    await this.pendingBreakpoints();
    const s = await this.d.attach(pid);
    if (!s.process) throw new Error(`Cannot attach to process ${pid}.`);
    return { reason: 'pause', threadId: s.stop?.thread ?? s.selectedThread ?? pid };
  }

  /** A stop of the core's as DAP's, or the process's end. */
  private runEnd(s: DebuggerState, forced?: StopReason): RunEnd {
    const stop = s.stop;
    if (!s.process || s.process.state === 'exited' || stop?.reason === 'exited' || stop?.reason === 'killed') {
      return { kind: 'exited', code: exitCodeOf(stop) };
    }
    return { kind: 'stopped', stop: this.stopInfo(stop, s, forced) };
  }

  private stopInfo(stop: CoreStop | undefined, s: DebuggerState, forced?: StopReason): StopInfo {
    const threadId = stop?.thread ?? s.selectedThread ?? s.process?.pid ?? 0;
    const ids = [...(stop?.breakpoints ?? [])];
    let reason: StopReason = forced ?? 'pause';
    let description: string | undefined;
    if (!forced && stop) {
      switch (stop.reason) {
        case 'breakpoint':
          reason = ids.some((id) => this.watchIds.has(id)) ? 'data breakpoint'
            : ids.length && ids.every((id) => this.functionIds.has(id)) ? 'function breakpoint' : 'breakpoint';
          break;
        case 'watchpoint': reason = 'data breakpoint'; break;
        case 'step': case 'finish': reason = 'step'; break;
        case 'entry': reason = 'entry'; break;
        case 'rewind': reason = 'goto'; break;
        case 'signal': reason = 'exception'; description = stop.signal; break;
        default: reason = 'pause';
      }
    }
    const w = stop?.watch ?? [];
    if (w.length) description = w.map((c) => `${c.expression}: ${c.old === undefined ? '' : `${c.old} -> `}${c.new}`).join('; ');
    return { reason, threadId, breakpointIds: ids.length ? ids : undefined, description };
  }

  async setBreakpoint(spec: BreakpointSpec, condition?: string, ignoreCount = 0): Promise<BreakpointResult> {
    if (spec.kind === 'watch') {
      const b = await this.d.setWatchpoint(spec.expression, WATCH_ACCESS[spec.access]);
      this.watchIds.add(b.id);
      this.mine.add(b.id);
      // (the console's answers to these are collected by execute, not shown)
      for (const line of [condition ? `condition ${b.id} ${condition}` : '', ignoreCount ? `ignore ${b.id} ${ignoreCount}` : '']) {
        if (!line) continue;
        const done = await this.execute(line);
        if (!done.ok) {
          await this.deleteBreakpoint(b.id);
          throw new Error(done.error ?? `${line}: failed.`);
        }
      }
      const r: BreakpointResult = { id: b.id, verified: b.verified };
      // as `watch` falls back (no debug register free or trapping, or can-use-hw-watchpoints 0): single-stepping, slow
      if (b.watch?.software) r.message = `Software watchpoint ${b.id}: ${spec.expression} (the program runs one instruction at a time).`;
      return r;
    }
    const at = spec.kind === 'line' ? { file: spec.file, line: spec.line } : { function: spec.name };
    const b = await this.d.setBreakpoint(at, { condition, hitCount: ignoreCount + 1 });
    if (spec.kind === 'function') this.functionIds.add(b.id);
    this.mine.add(b.id);
    return result(b);
  }

  async deleteBreakpoint(id: number): Promise<void> {
    this.mine.delete(id);
    this.watchIds.delete(id);
    this.functionIds.delete(id);
    // a watchpoint of a local is deleted by the core when its frame returns: nothing to delete then
    if (this.d.state.breakpoints.some((b) => b.id === id)) await this.d.deleteBreakpoint(id);
  }

  async resume(_threadId: number): Promise<RunEnd> {
    return this.runEnd(await this.d.resume());
  }

  async next(threadId: number, instruction: boolean): Promise<RunEnd> {
    return this.runEnd(await (instruction ? this.d.stepi(threadId, true) : this.d.next(threadId)), 'step');
  }

  async stepIn(threadId: number, instruction: boolean): Promise<RunEnd> {
    return this.runEnd(await (instruction ? this.d.stepi(threadId, false) : this.d.step(threadId)), 'step');
  }

  async stepOut(threadId: number): Promise<RunEnd> {
    return this.runEnd(await this.d.stepOut(threadId), 'step');
  }

  pause(): void {
    this.d.pause();
  }

  async threads(): Promise<Array<{ id: number; name: string }>> {
    const s = this.d.state;
    if (s.threads.length) return s.threads.map((t) => ({ id: t.tid, name: t.name || t.targetId }));
    return s.process ? [{ id: s.process.pid, name: s.process.exePath.split('/').pop() ?? 'main' }] : [];
  }

  async frames(threadId: number): Promise<FrameInfo[]> {
    const frames = await this.d.frames(threadId);
    return frames.map((f) => ({ level: f.level, pc: f.pc, function: f.function, file: f.file, path: f.path, line: f.line }));
  }

  private async inThread<T>(threadId: number | undefined, fn: () => Promise<T>): Promise<T> {
    if (threadId !== undefined && threadId !== this.d.state.selectedThread && this.d.state.threads.some((t) => t.tid === threadId)) {
      await this.d.selectThread(threadId);
    }
    return fn();
  }

  /**
   * The frame's DWARF evaluator. The core hands one out with each DWARF value
   * it evaluates; a constant is the cheapest such value.
   */
  async evaluator(threadId: number, level: number): Promise<Evaluator | undefined> {
    // (no frame at that level, or one without DWARF: no evaluator, the scope is empty)
    return this.inThread(threadId, async () => (await this.d.evaluate('0', level).catch(expected(undefined)))?.evaluator);
  }

  async evaluate(expression: string, threadId: number | undefined, level: number): Promise<Evaluated> {
    return this.inThread(threadId, async () => {
      const r = await this.d.evaluate(expression, level);
      return { value: r.value, evaluator: r.evaluator, text: r.text, type: r.type };
    });
  }

  async registers(threadId: number, level: number): Promise<Registers> {
    return this.inThread(threadId, async () => {
      if (level === 0) return { ...(await this.d.registers()).values };
      // an outer frame's registers: the ones its unwinding recovered ($pc, $sp, callee-saved), as gdb shows
      const regs = { ...(await this.d.registers()).values };
      for (const name of Object.keys(regs) as Array<keyof Registers>) {
        // (a register the unwinding did not recover: the frame's own value stays, as gdb shows it)
        const v = await this.d.evaluate(`$${name}`, level).catch(expected(undefined));
        const n = await v?.value.bigint().catch(expected(undefined));
        if (n !== undefined) regs[name] = BigInt.asUintN(64, n);
      }
      return regs;
    });
  }

  symbolize(addr: bigint): string | undefined {
    return this.d.symbolize(addr);
  }

  async execute(line: string): Promise<{ ok: boolean; output: string; error?: string; end?: RunEnd }> {
    const before = this.d.state;
    const mine: string[] = [];
    this.console = mine;
    let r;
    try {
      r = await this.d.execute(line);
    } finally {
      this.console = undefined;
    }
    const after = this.d.state;
    // the command ended the process (kill, detach, a continue to the end), or left it stopped somewhere new
    let end: RunEnd | undefined;
    if (before.process && !after.process) end = { kind: 'exited', code: exitCodeOf(after.stop) };
    else if (after.process && after.stop && after.stop !== before.stop) end = this.runEnd(after);
    return { ok: r.ok, output: mine.join(''), error: r.error, end };
  }

  async readMemory(addr: bigint, len: number): Promise<Buffer> {
    try {
      return await this.d.readMemory(addr, len);
    } catch (e) {
      if (!isUserError(e)) throw e;
      // the readable prefix: halve until a read succeeds, then grow back (unmapped pages end it)
      let ok: Buffer = Buffer.alloc(0);
      let lo = 0;
      let hi = len;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        // (unreadable: the prefix is shorter)
        const b = await this.d.readMemory(addr, mid).catch(expected(undefined));
        if (b) { ok = b; lo = mid; } else hi = mid - 1;
      }
      return ok;
    }
  }

  writeMemory(addr: bigint, data: Buffer): Promise<void> {
    return this.d.writeMemory(addr, data);
  }

  async disassemble(addr: bigint, count: number): Promise<Instruction[]> {
    const list = await this.d.disassemble(addr, count);
    return list.map((i) => ({ address: i.address, bytes: i.bytes, text: i.text, symbol: i.symbol, path: i.path ?? i.file, line: i.line }));
  }

  checkpoints(): string[] {
    return this.d.state.checkpoints.map((c) => c.name);
  }

  async checkpoint(name?: string): Promise<unknown> {
    return jsonable(await this.d.checkpoint(name));
  }

  async rewind(name?: string): Promise<StopInfo> {
    const s = await this.d.rewind(name);
    return this.stopInfo(s.stop, s, 'goto');
  }

  /** A region by name (`heap`, `stack`: the mapping) or an address expression, with its length. */
  private async region(spec: string, length?: number): Promise<{ start: bigint; length: number }> {
    if (spec === 'heap' || spec === 'stack') {
      const maps = await this.d.memoryMap();
      const m = maps.find((x) => x.path === `[${spec}]`);
      if (!m) throw new Error(`No [${spec}] mapping in the process.`);
      return { start: m.start, length: Number(m.end - m.start) };
    }
    const v = await this.d.evaluate(spec);
    const start = v.value.address ?? await v.value.bigint();
    if (start === undefined) throw new Error(`"${spec}" is not an address.`);
    return { start: BigInt.asUintN(64, start), length: length ?? 0 };
  }

  /** An existing snapshot's start for a region spec (its start address, or the mapping's). */
  private async snapshotStart(spec: string): Promise<bigint> {
    const r = await this.region(spec);
    const s = this.d.state.snapshots.find((x) => x.start === r.start)
      ?? this.d.state.snapshots.find((x) => x.start <= r.start && r.start < x.start + BigInt(x.length));
    if (!s) throw new Error(`No snapshot at 0x${r.start.toString(16)}.`);
    return s.start;
  }

  async snapshot(spec: string, length?: number): Promise<unknown> {
    if (spec === 'heap' || spec === 'stack') return jsonable(await this.d.snapshotMapping(spec));
    const r = await this.region(spec, length);
    if (r.length <= 0) throw new Error('"length" is required for an address.');
    return jsonable(await this.d.snapshot(r.start, r.length));
  }

  async diff(spec: string): Promise<unknown> {
    const d = await this.d.diff(await this.snapshotStart(spec));
    return {
      start: hex(d.start), length: d.length,
      bytesChanged: d.changes.reduce((n, c) => n + c.old.length, 0),
      changes: d.changes.map((c) => ({ address: hex(d.start + BigInt(c.offset)), old: c.old.toString('hex'), now: c.now.toString('hex') })),
    };
  }

  async restore(spec: string): Promise<unknown> {
    const start = await this.snapshotStart(spec);
    await this.d.restore(start);
    return { start: hex(start) };
  }

  async assign(expression: string, value: string, threadId: number | undefined, level: number): Promise<Evaluated> {
    if (typeof value !== 'string' || value.trim() === '') throw new Error('Argument required (expression to compute).');
    await this.evaluate(`${expression} = ${value}`, threadId, level);
    return this.evaluate(expression, threadId, level);
  }

  complete(line: string, cursor: number): Promise<{ candidates: string[]; replaceFrom: number }> {
    return this.d.complete(line, cursor);
  }

  async modules(): Promise<ModuleEntry[]> {
    return this.pid === undefined ? [] : this.d.modules();
  }

  sources(): Promise<string[]> {
    return this.d.sources();
  }

  signalStop(): SignalStop | undefined {
    const s = this.d.state.stop;
    if (!this.pid || s?.reason !== 'signal' || !s.signal) return undefined;
    return {
      signal: s.signal, description: `Program received signal ${s.signal}, ${signalDescription(s.signal)}.`,
      function: s.function, path: s.path ?? s.file, line: s.line,
    };
  }

  async restart(config?: LaunchConfig): Promise<RunEnd> {
    if (this.pid !== undefined) await this.d.kill();
    if (config) await this.load(config);
    return this.start();
  }

  async end(kill = true): Promise<void> {
    const p = this.d.state.process;
    if (p && p.state !== 'exited') {
      if (kill) await this.d.kill();
      else await this.d.detach();
    }
    await this.d.shutdown();
  }
}

/** The exit code, or for a process a signal ended, the shell's 128 + its number. */
function exitCodeOf(stop: CoreStop | undefined): number | undefined {
  if (stop?.exitCode !== undefined) return stop.exitCode;
  const n = stop?.signal ? osConstants.signals[stop.signal as NodeJS.Signals] : undefined;
  return n === undefined ? undefined : 128 + n;
}

function result(b: BreakpointInfo): BreakpointResult {
  const r: BreakpointResult = { id: b.id, verified: b.verified, line: b.line, path: b.path, address: b.address };
  if (!b.verified) r.message = `Breakpoint ${b.id} (${b.spec}) pending.`;
  return r;
}

/** A structured value for a JSON body: bigints as hex strings. */
function jsonable(v: unknown): unknown {
  if (typeof v === 'bigint') return hex(v);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

export function coreBackend(): DapBackend {
  return new CoreBackend();
}
