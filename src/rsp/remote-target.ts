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
  REGISTER_NAMES, TargetError,
  type Mapping, type RegisterName, type Registers, type StopEvent, type StopReason, type Target,
  type TargetCapabilities, type TargetEvents, type TargetState, type ThreadInfo, type WatchKind,
} from '../target/types.js';
import { RspClient } from './client.js';
import { escapeBinary, fromHex, leHex, toHex, unescapeBinary, fromLeHex, parseHexInt } from './packet.js';
import { AMD64_REGISTERS, parseTargetDescription, type RegisterInfo } from './tdesc.js';
import { FP_REGISTER_NAMES, FXSAVE_SIZE, readFpRegister, writeFpRegister } from '../target/fpregs.js';
import { parseStopReply, parseThreadId, watchAddress, type ParsedStop } from './stop-reply.js';
import { gdbToLinuxSignal, linuxSignalName, linuxToGdbSignal } from './signals.js';
import { RemoteSnapshotEngine, memoryEngine, probeMonitor, runMonitor } from './remote-snapshots.js';
import { parseMaps } from './maps.js';
import { mapsFromImages } from './image-maps.js';
import { hexByte } from '../util/hex.js';

/** What we tell the stub we understand (gdb's list, minus fork/exec events we do not follow). */
const OUR_FEATURES = ['multiprocess+', 'swbreak+', 'hwbreak+', 'vContSupported+', 'no-resumed+', 'xmlRegisters=i386'];

const Z_TYPE: Record<WatchKind, number> = { write: 2, read: 3, access: 4 };
const SIGTRAP = 5;
const SIGINT = 2;

type Resume = 'cont' | 'step';
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
  private regs: RegisterInfo[] = AMD64_REGISTERS;
  private regCache: Registers | undefined;
  /** The x87/SSE state of this stop, rebuilt as an FXSAVE area from the stub's registers. */
  private fpCache: Buffer | undefined;
  /** ymm0h..ymm15h of this stop, when the stub describes AVX. */
  private ymmCache: Buffer | undefined;
  private readonly breakpoints = new Set<bigint>();
  /** Breakpoints removed since (a stub may still report hits made before: see resumeLive). */
  private readonly removedBreakpoints = new Set<bigint>();
  private interruptRequested = false;
  private useX: boolean | undefined;
  private usePacketP = true;
  /** vCont when the stub has it (gdbserver does), else the legacy c/s/C/S. */
  private useVCont = true;

  private constructor(readonly client: RspClient) {
    super();
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
      this.regs = await parseTargetDescription(xml.toString('utf8'), async (a) => (await this.xferRead('features', a)).toString('utf8'));
    }
    this.attached = (await this.client.text(`qAttached:${this.pid.toString(16)}`)) === '1';
    this.exePath = await this.readExecFile();
    const vcont = await this.client.text('vCont?');
    this.useVCont = /;c/.test(vcont) && /;s/.test(vcont) && /;C/.test(vcont) && /;S/.test(vcont);
    const monitor = await probeMonitor(this.client);
    this.capabilities.snapshots = monitor.snapshots ? new RemoteSnapshotEngine(this.client) : memoryEngine(this);
    if (monitor.available) this.capabilities.monitor = { run: (command) => this.monitor(command) };
    this.capabilities.hardwareBreakpoints = await this.probeZ2();
    if (this.describes(() => this.fpRegisterInfos())) {
      this.capabilities.fpRegisters = { get: () => this.getFpRegisters(), set: (area) => this.setFpRegisters(area) };
    }
    if (this.describes(() => this.ymmInfos())) {
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
  async xferRead(object: string, annex: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let offset = 0;
    const len = Math.max(256, this.client.packetSize - 64);
    for (;;) {
      const reply = await this.client.request(`qXfer:${object}:read:${annex}:${offset.toString(16)},${len.toString(16)}`);
      const kind = reply[0];
      if (reply.length === 0) throw new TargetError('ENOTSUP', `the remote does not serve qXfer:${object}`);
      if (kind === 0x45 /* E */) throw new TargetError('EIO', `the remote could not read ${object} ${annex} (${reply.toString('latin1')})`);
      const data = unescapeBinary(reply.subarray(1));
      chunks.push(data);
      offset += data.length;
      if (kind === 0x6c /* l */ || data.length === 0) break;
    }
    return Buffer.concat(chunks);
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
    this.regCache = undefined;
    this.stopPc = undefined;
    this.fpCache = undefined;
    this.ymmCache = undefined;
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
      const reason: StopReason = stop.kind === 'exited'
        ? { kind: 'exited', code: stop.value }
        : { kind: 'killed', signal: gdbToLinuxSignal(stop.value) ?? stop.value, signame: linuxSignalName(gdbToLinuxSignal(stop.value) ?? 0) };
      return { pid, tid: this.tid, reason };
    }
    this.state = 'stopped';
    if (stop.tid !== undefined && stop.tid > 0) this.tid = stop.tid;
    const ripNum = this.regs.find((r) => r.name === 'rip')?.regnum ?? 16;
    const pc = stop.registers.get(ripNum) ?? (await this.getRegisters()).rip;
    this.stopPc = { tid: this.tid, pc };
    const reason = await this.classify(stop, how, pc);
    if (reason.kind === 'signal') this.stopSignals.set(this.tid, reason.signal);
    else this.stopSignals.delete(this.tid);
    return { pid, tid: this.tid, reason };
  }

  private async classify(stop: ParsedStop, how: Resume, pc: bigint): Promise<StopReason> {
    const linux = gdbToLinuxSignal(stop.value) ?? stop.value;
    if (stop.value === SIGTRAP) {
      switch (stop.reason) {
        case 'swbreak':
        case 'hwbreak':
          return { kind: 'breakpoint', pc };
        case 'watch':
          return { kind: 'watchpoint', pc, address: watchAddress(stop), access: 'write' };
        case 'rwatch':
          return { kind: 'watchpoint', pc, address: watchAddress(stop), access: 'read' };
        case 'awatch':
          return { kind: 'watchpoint', pc, address: watchAddress(stop), access: 'access' };
        case 'exec':
          return { kind: 'exec', pc, path: stop.reasonValue ? fromHex(stop.reasonValue).toString('utf8') : '' };
      }
      if (how === 'step') return { kind: 'step', pc };
      // stubs without swbreak report a plain SIGTRAP, pc already backed up
      if (this.breakpoints.has(pc)) return { kind: 'breakpoint', pc };
    }
    if (stop.value === SIGINT && this.interruptRequested) return { kind: 'interrupted', pc };
    const fault = linux === 11 || linux === 7 ? await this.faultAddress() : undefined;
    return { kind: 'signal', pc, signal: linux, signame: linuxSignalName(linux), ...(fault !== undefined ? { fault } : {}) };
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
    this.regCache = undefined;
    this.fpCache = undefined;
    this.ymmCache = undefined;
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
    if (this.regCache) return { ...this.regCache };
    const g = await this.readG();
    const regs = {} as Registers;
    for (const name of REGISTER_NAMES) {
      const info = this.regs.find((r) => r.name === name);
      regs[name] = info ? await this.registerValue(g, info) : 0n;
    }
    this.regCache = regs;
    return { ...regs };
  }

  /** The `g` packet's hex, checked. */
  private async readG(): Promise<string> {
    const g = await this.client.text('g');
    if (g.startsWith('E') || g.length % 2 !== 0) throw new TargetError('EIO', `the remote could not read registers (${g.slice(0, 8)})`);
    return g;
  }

  /** A register from the g packet, or through `p` when the g packet stops short. */
  private async registerValue(g: string, info: RegisterInfo): Promise<bigint> {
    const start = info.offset * 2;
    const end = start + info.bitsize / 4;
    let text = end <= g.length ? g.slice(start, end) : await this.client.text(`p${info.regnum.toString(16)}`);
    if (text.startsWith('E') || text === '') throw new TargetError('EIO', `the remote could not read ${info.name}`);
    if (text.includes('x')) text = text.replace(/x/g, '0'); // unavailable: report 0
    return fromLeHex(text);
  }

  async setRegisters(values: Partial<Registers>): Promise<void> {
    this.stopPc = undefined;
    this.requireStopped();
    await this.sendSelect();
    const entries = Object.entries(values) as Array<[RegisterName, bigint]>;
    for (const [name, value] of entries) {
      const info = this.regs.find((r) => r.name === name);
      if (!info) throw new TargetError('EINVAL', `the remote has no register ${name}`);
      const data = leHex(value, info.bitsize / 8);
      let ok = false;
      if (this.usePacketP) {
        const reply = await this.client.text(`P${info.regnum.toString(16)}=${data}`);
        if (reply === '') this.usePacketP = false;
        else if (reply !== 'OK') throw new TargetError('EIO', `the remote could not write ${name} (${reply})`);
        else ok = true;
      }
      if (!ok) await this.writeViaG(info, data);
    }
    this.regCache = undefined;
  }

  /**
   * The FXSAVE area, from the registers the stub's target description
   * names (gdbserver's amd64 ones: st0-7, fctrl..fop, xmm0-15, mxcsr),
   * read from one `g` packet (or `p` for those beyond it).
   */
  async getFpRegisters(): Promise<Buffer> {
    this.requireStopped();
    await this.sendSelect();
    if (!this.fpCache) {
      const infos = this.fpRegisterInfos();
      const g = await this.readG();
      let area: Buffer = Buffer.alloc(FXSAVE_SIZE);
      for (const info of infos) {
        const v = await this.registerValue(g, info);
        area = writeFpRegister(area, info.name, Buffer.from(leHex(v, info.bitsize / 8), 'hex'));
      }
      this.fpCache = area;
    }
    return Buffer.from(this.fpCache);
  }

  /** Write back the registers of `area` that differ from the stub's (P, else G). */
  async setFpRegisters(area: Buffer): Promise<void> {
    this.requireStopped();
    await this.sendSelect();
    if (area.length !== FXSAVE_SIZE) throw new TargetError('EINVAL', `the FP/SSE area is ${FXSAVE_SIZE} bytes, not ${area.length}`);
    const now = await this.getFpRegisters();
    for (const info of this.fpRegisterInfos()) {
      const want = readFpRegister(area, info.name);
      if (want.equals(readFpRegister(now, info.name))) continue;
      this.fpCache = undefined;
      await this.writeRegisterHex(info, want.toString('hex'));
    }
    this.fpCache = undefined;
  }

  /** ymm0h..ymm15h, when the stub's target description has the AVX feature (gdbserver's does on AVX machines). */
  async getYmmUpper(): Promise<Buffer> {
    this.requireStopped();
    await this.sendSelect();
    if (!this.ymmCache) {
      const infos = this.ymmInfos();
      const g = await this.readG();
      const parts: Buffer[] = [];
      for (const info of infos) parts.push(Buffer.from(leHex(await this.registerValue(g, info), 16), 'hex'));
      this.ymmCache = Buffer.concat(parts);
    }
    return Buffer.from(this.ymmCache);
  }

  async setYmmUpper(upper: Buffer): Promise<void> {
    this.requireStopped();
    await this.sendSelect();
    if (upper.length !== 256) throw new TargetError('EINVAL', `ymm0h-ymm15h are 256 bytes, not ${upper.length}`);
    const now = await this.getYmmUpper();
    const infos = this.ymmInfos();
    for (let i = 0; i < 16; i++) {
      const want = upper.subarray(i * 16, i * 16 + 16);
      if (want.equals(now.subarray(i * 16, i * 16 + 16))) continue;
      this.ymmCache = undefined;
      await this.writeRegisterHex(infos[i]!, want.toString('hex'));
    }
    this.ymmCache = undefined;
  }

  private ymmInfos(): RegisterInfo[] {
    const infos = Array.from({ length: 16 }, (_, i) => this.regs.find((r) => r.name === `ymm${i}h` && r.bitsize === 128));
    if (infos.some((i) => !i)) throw new TargetError('ENOTSUP', 'the remote stub does not describe the AVX registers');
    return infos as RegisterInfo[];
  }

  private fpRegisterInfos(): RegisterInfo[] {
    const infos = FP_REGISTER_NAMES.map((name) => this.regs.find((r) => r.name === name));
    if (infos.some((i) => !i)) throw new TargetError('ENOTSUP', 'the remote stub does not describe the floating-point and SSE registers');
    return infos as RegisterInfo[];
  }

  /** One register from its little-endian hex bytes: `P`, or a whole `G` when the stub lacks `P`. */
  private async writeRegisterHex(info: RegisterInfo, data: string): Promise<void> {
    if (this.usePacketP) {
      const reply = await this.client.text(`P${info.regnum.toString(16)}=${data}`);
      if (reply === 'OK') return;
      if (reply !== '') throw new TargetError('EIO', `the remote could not write ${info.name} (${reply})`);
      this.usePacketP = false;
    }
    await this.writeViaG(info, data);
  }

  private async writeViaG(info: RegisterInfo, data: string): Promise<void> {
    const g = await this.client.text('g');
    const start = info.offset * 2;
    if (g.length < start + data.length) throw new TargetError('EIO', `cannot write ${info.name}: not in the g packet`);
    const reply = await this.client.text(`G${g.slice(0, start)}${data}${g.slice(start + data.length)}`);
    if (reply !== 'OK') throw new TargetError('EIO', `the remote could not write ${info.name} (${reply})`);
  }

  /* ---------------- memory ---------------- */

  async readMemory(addr: bigint, len: number): Promise<Buffer> {
    this.requireStopped();
    const out = Buffer.alloc(len);
    const chunk = Math.max(16, Math.floor((this.client.packetSize - 8) / 2));
    let done = 0;
    while (done < len) {
      const want = Math.min(chunk, len - done);
      const at = addr + BigInt(done);
      const reply = await this.client.text(`m${at.toString(16)},${want.toString(16)}`);
      if (reply === '' || reply.startsWith('E') || reply.length % 2 !== 0) {
        throw new TargetError('EFAULT', `cannot access memory at 0x${at.toString(16)}`);
      }
      const data = fromHex(reply);
      data.copy(out, done);
      done += data.length;
    }
    return out;
  }

  async writeMemory(addr: bigint, data: Buffer): Promise<void> {
    this.requireStopped();
    // worst case every byte escapes to two
    const chunk = Math.max(16, Math.floor((this.client.packetSize - 40) / 2));
    for (let done = 0; done < data.length || (done === 0 && data.length === 0); done += chunk) {
      if (data.length === 0) return;
      const at = addr + BigInt(done);
      const part = data.subarray(done, done + chunk);
      const reply = await this.writeChunk(at, part);
      if (reply !== 'OK') throw new TargetError('EFAULT', `cannot write memory at 0x${at.toString(16)}`);
    }
  }

  private async writeChunk(at: bigint, part: Buffer): Promise<string> {
    const head = `${at.toString(16)},${part.length.toString(16)}`;
    if (this.useX !== false) {
      const reply = await this.client.text(Buffer.concat([Buffer.from(`X${head}:`), escapeBinary(part)]));
      if (reply !== '') {
        this.useX = true;
        return reply;
      }
      this.useX = false;
    }
    return this.client.text(`M${head}:${toHex(part)}`);
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
  async readRemoteFile(path: string): Promise<Buffer | undefined> {
    const open = await this.client.text(`vFile:open:${toHex(Buffer.from(path))},0,0`);
    if (open === '') return undefined;
    const fd = parseFResult(open, path);
    const parts: Buffer[] = [];
    try {
      const want = Math.max(256, Math.floor(this.client.packetSize / 2) - 32);
      for (let offset = 0; ;) {
        const reply = await this.client.request(`vFile:pread:${fd.toString(16)},${want.toString(16)},${offset.toString(16)}`);
        const semi = reply.indexOf(0x3b);
        const n = parseFResult(reply.subarray(0, semi < 0 ? reply.length : semi).toString('latin1'), path);
        if (n === 0) break;
        const data = unescapeBinary(reply.subarray(semi + 1));
        parts.push(data);
        offset += data.length;
      }
    } finally {
      // the read's result (or its error) is what counts; a failed close costs the stub one descriptor
      await this.client.text(`vFile:close:${fd.toString(16)}`).catch(() => undefined);
    }
    return Buffer.concat(parts);
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

function checkWatch(addr: bigint, len: number): void {
  if (![1, 2, 4, 8].includes(len)) throw new TargetError('EINVAL', `watchpoint length must be 1, 2, 4 or 8 (not ${len})`);
  if (addr % BigInt(len) !== 0n) throw new TargetError('EINVAL', `watchpoint address 0x${addr.toString(16)} is not ${len}-byte aligned`);
}

/** `F<result>[,errno]`: the result, or a TargetError for -1. */
function parseFResult(reply: string, path: string): number {
  const m = /^F(-?[0-9a-fA-F]+)(?:,([0-9a-fA-F]+))?/.exec(reply);
  if (!m) throw new TargetError('EIO', `bad vFile reply "${reply.slice(0, 20)}"`);
  if (m[1].startsWith('-')) throw new TargetError('EIO', `the remote cannot read ${path} (errno ${m[2] ? parseHexInt(m[2]) : '?'})`);
  return parseHexInt(m[1]);
}

/** HOST:PORT, [V6HOST]:PORT or :PORT; port 0 only when listening (any free port). */
export function parseHostPort(spec: string, listening = false): [string, number] {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(spec);
  if (!m) throw new TargetError('EINVAL', `expected HOST:PORT, got "${spec}"`);
  const port = Number(m[3]);
  if (port < (listening ? 0 : 1) || port > 65535) throw new TargetError('EINVAL', `bad port ${m[3]}`);
  return [m[1] ?? (m[2] || 'localhost'), port];
}

/** The <threads> document of qXfer:threads:read: tid, name, and the pthread_t from `handle` (target-order bytes). */
export function parseThreadsXml(xml: string): Array<{ tid: number; name: string; threadPointer?: bigint }> {
  const out: Array<{ tid: number; name: string; threadPointer?: bigint }> = [];
  for (const m of xml.matchAll(/<thread\b([^>]*?)\/?>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
    const id = attr('id');
    if (!id) continue;
    const handle = attr('handle');
    const entry: { tid: number; name: string; threadPointer?: bigint } = {
      tid: parseThreadId(id).tid ?? -1, name: xmlUnescape(attr('name') ?? ''),
    };
    if (handle && /^[0-9a-f]{2,16}$/i.test(handle) && handle.length % 2 === 0) entry.threadPointer = fromLeHex(handle);
    out.push(entry);
  }
  return out;
}

function xmlUnescape(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
    if (e[0] === '#') return String.fromCharCode(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return named[e] ?? all;
  });
}
