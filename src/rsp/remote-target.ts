/**
 * RemoteTarget: the Target interface over RSP, to gdbserver, tsdbg serve, or
 * any stub that speaks the protocol (Delve's gdbserial plays the same role).
 *
 * What is exact and what is approximate:
 *  - registers: exact, laid out from the stub's target description (or the
 *    standard amd64 layout when it has none);
 *  - memory map: exact when the stub serves vFile (we read /proc/PID/maps
 *    through it, as `info proc mappings` does); otherwise rebuilt from the
 *    program headers of the loaded objects (auxv + qXfer:libraries-svr4,
 *    image-maps.ts), which misses heap, stack and anonymous mappings;
 *  - snapshots: a tsdbg server's own engine (monitor commands), else the
 *    engine on the memory packets (remote-snapshots.ts), over any stub.
 */
import { EventEmitter } from 'node:events';
import {
  TargetError,
  type Mapping, type Registers, type StopEvent, type Target,
  type TargetCapabilities, type TargetEvents, type TargetState, type ThreadInfo, type WatchKind,
} from '../target/types.js';
import { RspClient } from './client.js';
import { parseTargetDescription, type RegisterInfo } from './tdesc.js';
import { RemoteRegisters } from './remote-registers.js';
import { RemoteMemory, xferRead } from './remote-memory.js';
import { endReason, stopReason, type Resume } from './remote-stops.js';
import { checkWatch, parseHostPort, parseThreadsXml } from './remote-parse.js';
import { parseStopReply, parseThreadId, type ParsedStop } from './stop-reply.js';
import { linuxToGdbSignal } from './signals.js';
import { RemoteSnapshotEngine, memoryEngine, probeMonitor, runMonitor } from './remote-snapshots.js';
import { parseMaps } from './maps.js';
import { mapsFromImages } from './image-maps.js';
import { hexByte } from '../util/hex.js';

export { parseHostPort, parseThreadsXml } from './remote-parse.js';

/** What we tell the stub we understand (gdb's list, minus fork/exec events we do not follow). */
const OUR_FEATURES = ['multiprocess+', 'swbreak+', 'hwbreak+', 'vContSupported+', 'no-resumed+', 'xmlRegisters=i386'];

const Z_TYPE: Record<WatchKind, number> = { write: 2, read: 3, access: 4 };

/** The capabilities object as this back end fills it in (callers see it read-only). */
type Settable<T> = { -readonly [K in keyof T]: T[K] };

export class RemoteTarget extends EventEmitter<TargetEvents> implements Target {
  readonly kind = 'remote';
  /** "remote " and the address as the user gave it (gdb's `info inferiors`). */
  connection = 'remote';
  pid = 0;
  tid = 0;
  state: TargetState = 'stopped';
  exePath = '';
  /** Facets set by setup() from what the stub showed it can do. */
  readonly capabilities: Settable<TargetCapabilities> = { hardwareBreakpoints: false };
  /** True when the stub attached to an existing process (qAttached). */
  attached = false;
  private readonly registers: RemoteRegisters;
  private readonly memory: RemoteMemory;
  private readonly breakpoints = new Set<bigint>();
  /** Breakpoints removed since (a stub may still report hits made before: see resumeLive). */
  private readonly removedBreakpoints = new Set<bigint>();
  private interruptRequested = false;
  /** vCont when the stub has it (gdbserver does), else the legacy c/s/C/S. */
  private useVCont = true;

  private constructor(readonly client: RspClient) {
    super();
    this.registers = new RemoteRegisters(client);
    this.memory = new RemoteMemory(client);
    client.on('output', (b) => this.emit('output', b));
    client.on('close', () => {
      if (this.state !== 'exited') this.state = 'exited';
    });
  }

  /** Connect to `HOST:PORT` (or an already open client) and take over its process. */
  static async connect(where: string | RspClient): Promise<RemoteTarget> {
    const client = typeof where === 'string' ? await RspClient.connectTcp(...parseHostPort(where)) : where;
    const t = new RemoteTarget(client);
    if (typeof where === 'string') t.connection = `remote ${where}`;
    try {
      await t.setup();
    } catch (e) {
      await client.close();
      throw e;
    }
    return t;
  }

  private async setup(): Promise<void> {
    await this.client.handshake(OUR_FEATURES);
    // `?` first, like gdb: gdbserver only knows its target description once
    // it has a process to describe
    const stop = parseStopReply(await this.client.text('?'));
    if (stop.kind !== 'signal') throw new TargetError('ESRCH', 'the remote has no live process (start one with gdb\'s "run" in extended-remote mode)');
    await this.adoptThread(stop);
    if (this.client.supports('qXfer:features:read')) {
      const xml = await this.xferRead('features', 'target.xml');
      this.registers.layout = await parseTargetDescription(xml.toString('utf8'), async (a) => (await this.xferRead('features', a)).toString('utf8'));
    }
    this.attached = (await this.client.text(`qAttached:${this.pid.toString(16)}`)) === '1';
    this.exePath = await this.readExecFile();
    const vcont = await this.client.text('vCont?');
    this.useVCont = /;c/.test(vcont) && /;s/.test(vcont) && /;C/.test(vcont) && /;S/.test(vcont);
    const monitor = await probeMonitor(this.client);
    this.capabilities.snapshots = monitor.snapshots ? new RemoteSnapshotEngine(this.client) : memoryEngine(this);
    if (monitor.available) this.capabilities.monitor = { run: (command) => this.monitor(command) };
    this.capabilities.hardwareBreakpoints = await this.probeZ2();
    if (this.describes(() => this.registers.fpRegisterInfos())) {
      this.capabilities.fpRegisters = { get: () => this.getFpRegisters(), set: (area) => this.setFpRegisters(area) };
    }
    if (this.describes(() => this.registers.ymmInfos())) {
      this.capabilities.ymmUpper = { get: () => this.getYmmUpper(), set: (upper) => this.setYmmUpper(upper) };
    }
    if (this.client.supports('qXfer:siginfo:read')) this.capabilities.siginfo = { get: () => this.getSiginfo() };
    await this.noteThreads();               // the threads there already are not news
  }

  /**
   * Whether the stub takes hardware write watchpoints: a Z2 on the stack
   * pointer's word, taken straight out again (gdbserver answers OK where it
   * can program the debug registers, "" where it has none).
   */
  private async probeZ2(): Promise<boolean> {
    const at = (await this.getRegisters()).rsp & ~7n;
    const reply = await this.client.text(`Z2,${at.toString(16)},8`);
    if (reply !== 'OK') return false;
    await this.zPacket('z', 2, at, 8, 'watchpoint');
    return true;
  }

  /** Whether the stub's target description has the registers `infos` looks up (it throws ENOTSUP when not). */
  private describes(infos: () => RegisterInfo[]): boolean {
    try {
      infos();
      return true;
    } catch (e) {
      if ((e as TargetError).code === 'ENOTSUP') return false;
      throw e;
    }
  }

  private async adoptThread(stop: ParsedStop): Promise<void> {
    if (stop.tid !== undefined && stop.tid > 0) {
      this.tid = stop.tid;
      this.pid = stop.pid ?? stop.tid;
      return;
    }
    const qc = await this.client.text('qC');
    const m = /^QC(p([0-9a-f]+)\.)?([0-9a-f]+)/i.exec(qc);
    if (!m) throw new TargetError('EIO', `remote did not say which process it debugs (qC: "${qc}")`);
    this.tid = parseInt(m[3], 16);
    this.pid = m[2] ? parseInt(m[2], 16) : this.tid;
  }

  private async readExecFile(): Promise<string> {
    if (!this.client.supports('qXfer:exec-file:read')) return '';
    try {
      return (await this.xferRead('exec-file', this.pid.toString(16))).toString('utf8');
    } catch {
      // a stub that will not name the file: "" lets the session take the file the user gave
      return '';
    }
  }

  /** qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH until the `l` (last) chunk. */
  xferRead(object: string, annex: string): Promise<Buffer> {
    return xferRead(this.client, object, annex);
  }

  /* ---------------- execution ---------------- */

  /**
   * The signal each thread last stopped with (Linux numbering), delivered by
   * a cont()/step() that names none, as the Target contract says (gdb's
   * `continue` after "Program received signal ...").
   */
  private readonly stopSignals = new Map<number, number>();

  /** cont()/step()'s signal: the one given, else the one the selected thread stopped with. */
  private signalToDeliver(signal: number | undefined): number {
    if (signal === undefined) return this.stopSignals.get(this.tid) ?? 0;
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) throw new TargetError('EINVAL', `invalid signal ${signal}`);
    return signal;
  }

  cont(signal?: number): Promise<StopEvent> {
    const linux = this.signalToDeliver(signal);
    const sig = linux ? linuxToGdbSignal(linux) : 0;
    if (!this.useVCont) return this.resume('cont', sig ? `C${hexByte(sig)}` : 'c');
    return this.resume('cont', sig ? `vCont;C${hexByte(sig)}` : 'vCont;c');
  }

  step(signal?: number): Promise<StopEvent> {
    return this.resume('step', this.stepPacket(this.signalToDeliver(signal)));
  }

  private stepPacket(signal?: number): string {
    const sig = signal ? linuxToGdbSignal(signal) : 0;
    if (!this.useVCont) return sig ? `S${hexByte(sig)}` : 's';
    const thread = this.threadId();
    return sig ? `vCont;S${hexByte(sig)}:${thread}` : `vCont;s:${thread}`;
  }

  interrupt(): void {
    if (this.state !== 'running') return;
    this.interruptRequested = true;
    this.client.interrupt();
  }

  private threadId(): string {
    return this.client.supports('multiprocess') ? `p${this.pid.toString(16)}.${this.tid.toString(16)}` : this.tid.toString(16);
  }

  /**
   * Threads that reported a breakpoint, and where: on the next continue each
   * one still standing there executes its instruction first (gdb's step
   * over), or the stub would report the same hit again. The selected thread
   * is stepped off whenever it stands on a breakpoint.
   */
  private readonly atBreakpoint = new Map<number, bigint>();

  private async resume(how: Resume, packet: string): Promise<StopEvent> {
    this.requireStopped();
    const sel = this.tid;
    if (how === 'cont') {
      for (const [tid, at] of [...this.atBreakpoint]) {
        if (tid === sel) continue;
        this.atBreakpoint.delete(tid);
        if (!this.breakpoints.has(at)) continue;
        this.selectThread(tid);
        const pc = await this.getRegisters().then((r) => r.rip, () => undefined);   // gone meanwhile: nothing to do
        if (pc !== at) continue;
        const stepped = await this.stepOff(pc, this.stepPacket());
        if (stepped.reason.kind !== 'step') return this.announce(stepped);
      }
      if (this.tid !== sel) this.selectThread(sel);
    }
    this.atBreakpoint.delete(sel);
    this.stopSignals.delete(sel);              // given to it now (or dropped: signal 0)
    // the pc the stop reply gave saves a 'g' per step (software watchpoints step thousands of times)
    const pc = this.stopPc?.tid === this.tid ? this.stopPc.pc : (await this.getRegisters()).rip;
    if (this.breakpoints.has(pc)) {
      const stepped = await this.stepOff(pc, how === 'step' ? packet : this.stepPacket());
      if (how === 'step' || stepped.reason.kind !== 'step') return this.announce(stepped);
    }
    return this.announce(await this.resumeLive(how, packet));
  }

  /** Step the selected thread (packet) over the breakpoint at pc, which is out meanwhile. */
  private async stepOff(pc: bigint, packet: string): Promise<StopEvent> {
    await this.zPacket('z', 0, pc, 1, 'breakpoint');
    try {
      return await this.resumeLive('step', packet);
    } finally {
      if (this.state === 'stopped') await this.zPacket('Z', 0, pc, 1, 'breakpoint');
    }
  }

  /** The threads of the last stop, tid to pthread_t: what the next stop's list is compared with. */
  private known: Map<number, bigint | undefined> | undefined;

  /**
   * Threads that came and went since the last stop, as 'thread' events. The
   * stub cannot say while the program runs (all-stop), so, like gdb over a
   * remote, we compare thread lists at each stop: a thread born and gone in
   * between is never seen. An exit of the whole process ends every thread
   * silently, as locally.
   */
  private async noteThreads(): Promise<void> {
    if (this.state !== 'stopped') return;
    const before = this.known;
    let now: ThreadInfo[];
    try {
      now = await this.threads();
    } catch {
      return;                                // a stub that cannot list threads: no events
    }
    this.known = new Map(now.map((x) => [x.tid, x.threadPointer]));
    if (!before) return;
    for (const x of now) {
      if (!before.has(x.tid)) this.emit('thread', { kind: 'new', pid: this.pid, tid: x.tid, threadPointer: x.threadPointer });
    }
    for (const [tid, threadPointer] of before) {
      if (!this.known.has(tid)) this.emit('thread', { kind: 'exited', pid: this.pid, tid, threadPointer, pruned: true });
    }
  }

  /**
   * Resume until a stop that is not a breakpoint removed since: a stub
   * reports a hit another thread made before the removal (gdbserver keeps
   * such events pending), which gdb ignores (a moribund location). The
   * stub has moved that thread's pc back, so it runs the instruction.
   */
  private async resumeLive(how: Resume, packet: string): Promise<StopEvent> {
    const tid = this.tid;
    for (;;) {
      const ev = await this.resumeOnce(how, packet);
      const r = ev.reason;
      if (r.kind !== 'breakpoint' || this.breakpoints.has(r.pc) || !this.removedBreakpoints.has(r.pc)) return ev;
      this.selectThread(tid);
    }
  }

  private async announce(event: StopEvent): Promise<StopEvent> {
    if (event.reason.kind === 'breakpoint') this.atBreakpoint.set(event.tid, event.reason.pc);
    // a completed step of a known thread: its threads are compared at the next other stop
    // (a software watchpoint steps thousands of instructions; gdb lists no threads between them either)
    if (event.reason.kind !== 'step' || !this.known?.has(event.tid)) await this.noteThreads();
    this.emit('stop', event);
    return event;
  }

  /** One resume packet and its stop reply. */
  private async resumeOnce(how: Resume, packet: string): Promise<StopEvent> {
    this.registers.invalidate();
    this.stopPc = undefined;
    this.interruptRequested = false;
    this.state = 'running';
    this.emit('running');
    let reply: string;
    try {
      reply = await this.client.text(packet, { timeoutMs: 0, consoleOutput: true });
    } catch (e) {
      this.state = 'exited';
      throw e;
    }
    if (reply.startsWith('E') || reply === '') {
      this.state = 'stopped';
      throw new TargetError('EIO', `the remote refused to resume (${reply || 'packet not supported'})`);
    }
    return this.toStopEvent(parseStopReply(reply), how);
  }

  /** The selected thread's pc as its last stop reply said, until registers are written. */
  private stopPc: { tid: number; pc: bigint } | undefined;

  private async toStopEvent(stop: ParsedStop, how: Resume): Promise<StopEvent> {
    const pid = stop.pid ?? this.pid;
    if (stop.kind === 'exited' || stop.kind === 'killed' || stop.kind === 'no-resumed') {
      this.state = 'exited';
      return { pid, tid: this.tid, reason: endReason(stop) };
    }
    this.state = 'stopped';
    if (stop.tid !== undefined && stop.tid > 0) this.tid = stop.tid;
    const ripNum = this.registers.regnum('rip') ?? 16;
    const pc = stop.registers.get(ripNum) ?? (await this.getRegisters()).rip;
    this.stopPc = { tid: this.tid, pc };
    const reason = await stopReason(stop, pc, {
      how, interruptRequested: this.interruptRequested,
      atBreakpoint: (at) => this.breakpoints.has(at), faultAddress: () => this.faultAddress(),
    });
    if (reason.kind === 'signal') this.stopSignals.set(this.tid, reason.signal);
    else this.stopSignals.delete(this.tid);
    return { pid, tid: this.tid, reason };
  }

  /** si_addr (offset 16 in the x86-64 siginfo_t). */
  private async faultAddress(): Promise<bigint | undefined> {
    if (!this.client.supports('qXfer:siginfo:read')) return undefined;
    try {
      const si = await this.getSiginfo();
      return si.length >= 24 ? si.readBigUInt64LE(16) : undefined;
    } catch {
      // the stub has no siginfo for this stop: the signal is reported without its address, as gdb does
      return undefined;
    }
  }

  /** qXfer:siginfo:read, for the selected thread (Hg). */
  async getSiginfo(): Promise<Buffer> {
    this.requireStopped();
    if (!this.client.supports('qXfer:siginfo:read')) throw new TargetError('ENOTSUP', 'the remote does not send siginfo');
    await this.sendSelect();
    return this.xferRead('siginfo', '');
  }

  async kill(): Promise<void> {
    if (this.client.closed) {
      this.state = 'exited';
      return;
    }
    if (this.state === 'running') {
      this.interrupt();
      // the stop the interrupt asked for; a stub that ignores it is killed all the same below
      await this.client.request('?', { timeoutMs: 2000 }).catch(() => undefined);
    }
    if (this.state !== 'exited') {
      const packet = this.client.supports('multiprocess') ? `vKill;${this.pid.toString(16)}` : 'k';
      // plain `k` has no reply in all-stop mode: do not wait long for one
      // no reply is the normal end for `k`, and a stub gone already has nothing left to kill
      await this.client.request(packet, { timeoutMs: packet === 'k' ? 500 : 5000 }).catch(() => undefined);
    }
    this.state = 'exited';
    await this.client.close();
  }

  async detach(): Promise<void> {
    if (this.state === 'exited') return this.client.close();
    this.requireStopped();
    // gdbserver takes its own breakpoints out on D as well: a refused z0 here still leaves none behind
    for (const bp of [...this.breakpoints]) await this.removeBreakpoint(bp).catch(() => undefined);
    const packet = this.client.supports('multiprocess') ? `D;${this.pid.toString(16)}` : 'D';
    const reply = await this.client.text(packet);
    if (reply !== 'OK') throw new TargetError('EIO', `the remote refused to detach (${reply})`);
    this.state = 'exited';
    await this.client.close();
  }

  /** Close the connection without touching the process (gdb's `disconnect`). */
  async disconnect(): Promise<void> {
    await this.client.close();
  }

  /* ---------------- threads ---------------- */

  /**
   * The stub's threads: qXfer:threads (names, pthread handles) when it
   * offers it, else qfThreadInfo/qsThreadInfo. While the program runs
   * (all-stop) the stub cannot be asked: the last thread it reported.
   */
  async threads(): Promise<ThreadInfo[]> {
    if (this.state === 'exited') throw new TargetError('ESRCH', 'the program is not being run');
    if (this.state === 'running') return [{ tid: this.tid, name: '', state: 'running' }];
    const list = this.client.supports('qXfer:threads:read')
      ? parseThreadsXml((await this.xferRead('threads', '')).toString('utf8'))
      : (await this.threadIds()).map((tid) => ({ tid, name: '' }));
    const out = list.filter((x) => x.tid > 0).map((x) => ({ ...x, state: 'stopped' as const }));
    this.listed = new Set(out.map((x) => x.tid));
    return out;
  }

  /** The tids the last threads() listed (selectThread() takes only a thread known to be there). */
  private listed = new Set<number>();

  private async threadIds(): Promise<number[]> {
    const tids: number[] = [];
    for (let reply = await this.client.text('qfThreadInfo'); reply.startsWith('m'); reply = await this.client.text('qsThreadInfo')) {
      for (const id of reply.slice(1).split(',')) tids.push(parseThreadId(id).tid ?? -1);
    }
    return tids;
  }

  /** As gdb names a remote thread: "Thread PID.TID" with the multiprocess extensions, else "Thread TID". */
  threadTargetId(tid: number): string {
    return this.client.supports('multiprocess') ? `Thread ${this.pid}.${tid}` : `Thread ${tid}`;
  }

  get selectedThread(): number { return this.tid; }

  /** Hg: registers (and the thread we step) become tid's. */
  selectThread(tid: number): void {
    this.requireStopped();
    if (tid === this.tid) return;
    // a thread of the last stop's list or the last threads(): the stub itself would take any id (Hg) and fail later
    if (!this.known?.has(tid) && !this.listed.has(tid)) throw new TargetError('ESRCH', `no thread with LWP ${tid}`);
    this.pendingSelect = tid;
    this.tid = tid;
    this.registers.invalidate();
  }

  /** A selectThread() not yet sent (selectThread is synchronous; packets are not). */
  private pendingSelect: number | undefined;

  private async sendSelect(): Promise<void> {
    const tid = this.pendingSelect;
    if (tid === undefined) return;
    this.pendingSelect = undefined;
    const reply = await this.client.text(`Hg${this.threadId()}`);
    if (reply !== 'OK') throw new TargetError('ESRCH', `the remote has no thread ${tid}`);
  }

  /* ---------------- registers ---------------- */

  async getRegisters(): Promise<Registers> {
    this.requireStopped();
    await this.sendSelect();
    return this.registers.general();
  }

  async setRegisters(values: Partial<Registers>): Promise<void> {
    this.stopPc = undefined;
    this.requireStopped();
    await this.sendSelect();
    await this.registers.setGeneral(values);
  }

  /**
   * The FXSAVE area, from the registers the stub's target description
   * names (gdbserver's amd64 ones: st0-7, fctrl..fop, xmm0-15, mxcsr).
   */
  async getFpRegisters(): Promise<Buffer> {
    this.requireStopped();
    await this.sendSelect();
    return this.registers.fp();
  }

  /** Write back the registers of `area` that differ from the stub's (P, else G). */
  async setFpRegisters(area: Buffer): Promise<void> {
    this.requireStopped();
    await this.sendSelect();
    await this.registers.setFp(area);
  }

  /** ymm0h..ymm15h, when the stub's target description has the AVX feature (gdbserver's does on AVX machines). */
  async getYmmUpper(): Promise<Buffer> {
    this.requireStopped();
    await this.sendSelect();
    return this.registers.ymm();
  }

  async setYmmUpper(upper: Buffer): Promise<void> {
    this.requireStopped();
    await this.sendSelect();
    await this.registers.setYmm(upper);
  }

  /* ---------------- memory ---------------- */

  async readMemory(addr: bigint, len: number): Promise<Buffer> {
    this.requireStopped();
    return this.memory.read(addr, len);
  }

  async writeMemory(addr: bigint, data: Buffer): Promise<void> {
    this.requireStopped();
    await this.memory.write(addr, data);
  }

  /* ---------------- breakpoints ---------------- */

  async insertBreakpoint(addr: bigint): Promise<void> {
    this.requireStopped();
    await this.zPacket('Z', 0, addr, 1, 'breakpoint');
    this.breakpoints.add(addr);
    this.removedBreakpoints.delete(addr);
  }

  async removeBreakpoint(addr: bigint): Promise<void> {
    this.requireStopped();
    await this.zPacket('z', 0, addr, 1, 'breakpoint');
    this.breakpoints.delete(addr);
    this.removedBreakpoints.add(addr);
  }

  async insertWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.requireStopped();
    checkWatch(addr, len);
    await this.zPacket('Z', Z_TYPE[kind], addr, len, 'watchpoint');
  }

  async removeWatchpoint(addr: bigint, len: number, kind: WatchKind): Promise<void> {
    this.requireStopped();
    await this.zPacket('z', Z_TYPE[kind], addr, len, 'watchpoint');
  }

  private async zPacket(op: 'Z' | 'z', type: number, addr: bigint, kind: number, what: string): Promise<void> {
    const reply = await this.client.text(`${op}${type},${addr.toString(16)},${kind.toString(16)}`);
    if (reply === 'OK') return;
    if (reply === '') throw new TargetError('ENOTSUP', `the remote does not support this ${what} type`);
    const verb = op === 'Z' ? 'insert' : 'remove';
    // a failed watchpoint insert is almost always "all 4 debug registers in use"
    const code = op === 'Z' && type >= 2 ? 'ENOSPC' : 'EIO';
    throw new TargetError(code, `cannot ${verb} ${what} at 0x${addr.toString(16)} (${reply})`);
  }

  /* ---------------- process information ---------------- */

  async memoryMap(): Promise<Mapping[]> {
    // no vFile (or no /proc there): the map rebuilt from the loaded objects instead
    const maps = await this.readRemoteFile(`/proc/${this.pid}/maps`).catch(() => undefined);
    if (maps !== undefined) return parseMaps(maps.toString('utf8'));
    return this.approximateMemoryMap();
  }

  /** The loaded objects' segments only (see image-maps.ts): for stubs without vFile. */
  async approximateMemoryMap(): Promise<Mapping[]> {
    const libraries = this.client.supports('qXfer:libraries-svr4:read')
      ? (await this.xferRead('libraries-svr4', '')).toString('utf8')
      : '';
    return mapsFromImages(this, this.exePath, libraries);
  }

  async auxv(): Promise<Array<[bigint, bigint]>> {
    const raw = await this.xferRead('auxv', '');
    const out: Array<[bigint, bigint]> = [];
    for (let i = 0; i + 16 <= raw.length; i += 16) {
      const type = raw.readBigUInt64LE(i);
      out.push([type, raw.readBigUInt64LE(i + 8)]);
      if (type === 0n) break;
    }
    return out;
  }

  /** Read a file on the remote side through vFile; undefined if unsupported. */
  readRemoteFile(path: string): Promise<Buffer | undefined> {
    return this.memory.readFile(path);
  }

  /** Send a monitor command; returns what it printed. */
  async monitor(command: string): Promise<string> {
    return runMonitor(this.client, command);
  }

  private requireStopped(): void {
    if (this.state === 'exited') throw new TargetError('ESRCH', 'the process has exited');
    if (this.state === 'running') throw new TargetError('EBUSY', 'the process is running');
  }
}
