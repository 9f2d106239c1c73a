/**
 * A gdbserver-compatible stub over any Target (GDB manual, Appendix E).
 *
 * One RspSession per connection. Packets are handled strictly in order (a
 * resume holds the queue until its stop reply is sent); only 0x03 bypasses
 * the queue. Every handler failure becomes an error reply: no packet, however
 * malformed, can throw out of the session. When the peer goes away, the
 * process we started is killed and one we attached to is detached, so a
 * tracee is never stranded.
 */
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { StopEvent, Target } from '../target/types.js';
import { RspWire, defaultSpinUs, type HexReply } from './wire.js';
import { RegisterPackets } from './server-registers.js';
import { PacketError, Refused } from './packet-error.js';
import { useNativeInputSpin } from './native-spin.js';
import { readNextPacket } from './serve-wait.js';
import { tuneJitForServe } from './serve-jit.js';
import { fromHex, parseHexBig, parseHexInt, toHex } from './packet.js';
import { gdbToLinuxSignal } from './signals.js';
import { ServerBreakpoints } from './server-breakpoints.js';
import { parseWriteBinary, parseWriteHex, readMemoryPacket } from './server-memory.js';
import { errorReply, stopReplyText } from './server-replies.js';
import { chooseVContAction, threadOf } from './server-threads.js';
import { xferPacket, type XferContext } from './server-xfer.js';
import { Monitor } from './monitor.js';
import { HostIo } from './vfile.js';
import { DEFAULT_POLICY, FileGate, sameProgram, type ServePolicy } from './serve-policy.js';

/**
 * Largest packet we accept, advertised as PacketSize. gdbserver says 0x47ff;
 * gdb sizes its memory reads from it, so a larger one means fewer round
 * trips for big reads (the parser enforces it on what we receive).
 */
export const PACKET_SIZE = 0x20000;
/** Inferior output held while the program is stopped (flushed at the next resume). */
const MAX_HELD_OUTPUT = 1 << 20;

export interface Launcher {
  /** Start a program, stopped at its first instruction (vRun and the initial program). */
  launch?(argv: string[]): Promise<Target>;
  /** Attach to a running process (vAttach, --attach). */
  attach?(pid: number): Promise<Target>;
}

export interface SessionOptions extends Launcher {
  /** The process to debug, if any (absent: extended-remote, gdb will `run`). */
  target?: Target;
  /** True when `target` was attached rather than started (qAttached, cleanup). */
  attached?: boolean;
  /** argv for vRun with an empty program name. */
  defaultArgv?: string[];
  log?: (line: string) => void;
  /** What a client may do beyond debugging its process (default: DEFAULT_POLICY). */
  policy?: ServePolicy;
  /** One line for the server's operator: a refused request ("Already debugging a process"). */
  note?: (line: string) => void;
  /**
   * After a reply, with nothing else to answer, busy-wait this long for
   * gdb's next packet (see RspWire.awaitInput). Default: defaultSpinUs().
   */
  spinUs?: number;
}


type Reply = string | Buffer | HexReply | undefined;
type MaybeAsync<T> = T | Promise<T>;

export class RspSession extends EventEmitter<{ end: [] }> {
  private target: Target | undefined;
  private attached: boolean;
  private extended = false;
  private multiprocess = false;
  private swbreak = false;
  private hwbreak = false;
  private running = false;
  /** What `?` reports: the last stop (undefined: no process ever, W00). */
  private lastEvent: StopEvent | undefined;
  /** g/G/p/P over the stopped process, read once per stop. */
  private readonly regFile = new RegisterPackets(() => this.stopped());
  private heldOutput: Buffer[] = [];
  private heldBytes = 0;
  private readonly breakpoints = new ServerBreakpoints((l) => this.opts.log?.(l));
  private queue: Promise<void> = Promise.resolve();
  /** Packets received and not yet answered (see enqueue). */
  private pending = 0;
  private ended = false;
  /** Monitor state (hand-taken snapshots, checkpoints) belongs to one process. */
  private monitor: Monitor;
  private readonly hostIo: HostIo;
  private readonly policy: ServePolicy;
  private readonly onOutput = (b: Buffer) => this.output(b);
  private readonly onStop = (ev: StopEvent) => this.noteStop(ev);
  private readonly spinNs: number;

  constructor(private readonly wire: RspWire, private readonly opts: SessionOptions) {
    super();
    this.attached = opts.attached ?? false;
    this.spinNs = (opts.spinUs ?? defaultSpinUs()) * 1000;
    useNativeInputSpin();
    tuneJitForServe();
    this.monitor = new Monitor(() => this.target);
    this.policy = opts.policy ?? DEFAULT_POLICY;
    const programs = opts.defaultArgv?.length ? [opts.defaultArgv[0]!] : [];
    this.hostIo = new HostIo(new FileGate(this.policy.fileRoots, () => this.target, programs, (l) => this.note(l)));
    if (opts.target) this.adopt(opts.target, this.attached);
    wire.on('packet', (p) => this.enqueue(p));
    wire.on('fed', () => { if (this.pending === 0 && !this.running) this.pump(); });
    wire.on('oversized', (n) => this.enqueue(undefined, n));
    wire.on('interrupt', () => this.interrupt());
    wire.on('close', () => void this.end());
  }

  /** Resolves once the connection is gone and the process is cleaned up. */
  done(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((r) => this.once('end', r));
  }

  /** The process currently debugged (for the listener's cleanup and tests). */
  get currentTarget(): Target | undefined {
    return this.target;
  }

  private adopt(t: Target, attached: boolean): void {
    this.target?.off('output', this.onOutput);
    this.target?.off('stop', this.onStop);
    this.target = t;
    this.attached = attached;
    this.regFile.invalidate();
    this.breakpoints.clear();
    this.monitor?.close();
    this.monitor = new Monitor(() => this.target);
    t.on('output', this.onOutput);
    t.on('stop', this.onStop);
    // a new process stands at its first instruction, stopped by the exec's SIGTRAP
    this.lastEvent = t.state === 'exited' ? undefined : { pid: t.pid, tid: t.pid, reason: { kind: 'signal', pc: 0n, signal: 5, signame: 'SIGTRAP' } };
  }

  /* ---------------- plumbing ---------------- */

  /**
   * Packets are answered one at a time, in order. When nothing is pending,
   * the packet is handled at once, and a handler that needs no wait (most
   * packets between two stops: breakpoint re-insertions, thread and register
   * queries) replies in the same tick it arrived: gdb sends about nine
   * packets per `stepi`, so each saved event-loop hop counts.
   */
  private enqueue(packet: Buffer | undefined, oversized?: number): void {
    if (this.pending === 0) {
      const done = this.answer(packet, oversized);
      if (!done) return;
      this.pending++;
      this.queue = done.finally(() => this.settled());
      return;
    }
    this.pending++;
    this.queue = this.queue.then(() => this.answer(packet, oversized)).finally(() => this.settled());
  }

  /** A reply that waited went out: with nothing else pending, gdb's next packet is due. */
  private settled(): void {
    if (--this.pending === 0) this.pump();
  }

  private pumping = false;

  /**
   * After a reply, gdb's next packet is due within microseconds: read it
   * here (serve-wait.ts: a spin while a CPU is free, then a short sleep in
   * ppoll) and answer it, as long as each is answered at once; the event
   * loop takes over when one must wait (a resume) or none comes.
   */
  private pump(): void {
    if (this.pumping) return;           // an answer inside the loop below: it reads on
    this.pumping = true;
    try {
      while (!this.ended && !this.running && this.pending === 0 && readNextPacket(this.wire, this.spinNs)) { /* answered inside */ }
    } finally {
      this.pumping = false;
    }
  }

  /** Handle one packet and send its reply; a promise when the handler waits. Never rejects. */
  private answer(packet: Buffer | undefined, oversized?: number): Promise<void> | undefined {
    if (this.ended) return undefined;
    if (packet === undefined) {
      this.wire.send(`E.packet of ${oversized} bytes exceeds PacketSize ${PACKET_SIZE.toString(16)}`);
      return undefined;
    }
    let reply: MaybeAsync<Reply>;
    try {
      reply = this.handle(packet);
    } catch (e) {
      reply = this.failed(packet, e);
    }
    if (!(reply instanceof Promise)) {
      this.send(reply);
      return undefined;
    }
    return reply.then((r) => this.send(r), (e: unknown) => this.send(this.failed(packet, e)));
  }

  private send(reply: Reply): void {
    if (reply === undefined || this.ended) return;
    this.wire.send(reply);
    // answered at once (a waiting answer pumps once settled): the next packet is due soon
    if (this.pending === 0 && !this.running) this.pump();
  }

  private note(line: string): void {
    this.opts.note?.(line);
  }

  private failed(packet: Buffer, e: unknown): string {
    if (!(e instanceof Refused)) this.opts.log?.(`${packet.toString('latin1', 0, 40)}: ${(e as Error).message}`);
    return errorReply(e);
  }

  private interrupt(): void {
    if (this.running && this.target) this.target.interrupt();
  }

  private output(b: Buffer): void {
    this.heldOutput.push(b);
    this.heldBytes += b.length;
    while (this.heldBytes > MAX_HELD_OUTPUT && this.heldOutput.length > 1) this.heldBytes -= this.heldOutput.shift()!.length;
    if (this.running) this.flushOutput();
  }

  /** O packets are only legal while the program runs (before its stop reply). */
  private flushOutput(): void {
    if (!this.heldOutput.length) return;
    const all = Buffer.concat(this.heldOutput);
    this.heldOutput = [];
    this.heldBytes = 0;
    const chunk = Math.floor((PACKET_SIZE - 1) / 2);
    for (let i = 0; i < all.length; i += chunk) this.wire.send('O' + toHex(all.subarray(i, i + chunk)));
  }

  private noteStop(ev: StopEvent): void {
    this.regFile.invalidate();
    this.lastEvent = ev;
  }

  /** Connection gone: never strand the tracee. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const t = this.target;
    if (t && t.state !== 'exited') {
      try {
        if (!this.attached) {
          await t.kill(); // safe in any state, running included
        } else {
          if (t.state === 'running') {
            const stopped = new Promise((r) => t.once('stop', r));
            t.interrupt();
            await Promise.race([stopped, new Promise((r) => setTimeout(r, 1000))]);
          }
          await this.breakpoints.flushRemovals(t);
          this.monitor.close();
          await t.detach();
        }
      } catch {
        // detaching failed: kill rather than strand a stopped tracee; a process already gone has nothing left to kill
        await t.kill().catch(() => undefined);
      }
    }
    await this.hostIo.closeAll();
    this.wire.close();
    this.emit('end');
  }

  /* ---------------- dispatch ---------------- */

  private handle(p: Buffer): MaybeAsync<Reply> {
    const s = p.toString('latin1');
    switch (s[0]) {
      case '?': return this.stopReply();
      case 'g': return this.regFile.readAll();
      case 'G': return this.regFile.writeAll(s.slice(1));
      case 'p': return this.regFile.read(parseHexInt(s.slice(1)));
      case 'P': return this.regFile.write(s.slice(1));
      case 'm': return readMemoryPacket(this.stopped(), s.slice(1), Math.floor((PACKET_SIZE - 4) / 2));
      case 'M': return this.write(parseWriteHex(s.slice(1)));
      case 'X': return this.write(parseWriteBinary(p));
      case 'Z': case 'z': return this.breakpoints.packet(this.stopped(), s);
      case 'c': return this.resume('c', s.slice(1));
      case 'C': return this.resume('C', s.slice(1));
      case 's': return this.resume('s', s.slice(1));
      case 'S': return this.resume('S', s.slice(1));
      case 'H': return this.setThread(s[1], s.slice(2));
      case 'T': return this.threadAlive(s.slice(1));
      case 'k': return this.kill(false);
      case 'D': return this.detach();
      case '!': this.extended = true; return 'OK';
      case 'q': return this.query(s);
      case 'Q': return this.setting(s);
      case 'v': return this.vPacket(s);
      default: return '';
    }
  }

  private live(): Target {
    const t = this.target;
    if (!t || t.state === 'exited') throw new PacketError(3, 'no process');
    return t;
  }

  private stopped(): Target {
    const t = this.live();
    if (t.state === 'running') throw new PacketError(16, 'the process is running');
    return t;
  }

  /** What qXfer reads from the session. */
  private readonly xferContext: XferContext = {
    current: () => this.target,
    live: () => this.live(),
    stopped: () => this.stopped(),
    threadId: (pid, tid) => this.threadId(pid, tid),
  };

  private threadId(pid: number, tid: number): string {
    return this.multiprocess ? `p${pid.toString(16)}.${tid.toString(16)}` : tid.toString(16);
  }

  /* ---------------- memory ---------------- */

  private async write({ addr, data }: { addr: bigint; data: Buffer }): Promise<string> {
    if (data.length === 0) return 'OK'; // gdb's probe for X support
    await this.stopped().writeMemory(addr, data);
    this.regFile.invalidate();
    return 'OK';
  }

  /* ---------------- execution ---------------- */

  /** c/C/s/S [sig][;addr]: the legacy resume packets. */
  private async resume(op: 'c' | 'C' | 's' | 'S', arg: string): Promise<string> {
    let sig = 0;
    let rest = arg;
    if (op === 'C' || op === 'S') {
      const [s, a] = arg.split(';');
      sig = parseHexInt(s ?? '');
      rest = a ?? '';
    }
    if (rest) await this.stopped().setRegisters({ rip: parseHexBig(rest) });
    return this.run(op === 'c' || op === 'C' ? 'cont' : 'step', sig);
  }

  private async run(how: 'cont' | 'step', gdbSignal: number): Promise<string> {
    const t = this.stopped();
    if (this.breakpoints.pendingRemovals) await this.breakpoints.flushRemovals(t);
    const signal = gdbSignal ? gdbToLinuxSignal(gdbSignal) : 0;
    if (signal === undefined) throw new PacketError(22, `signal ${gdbSignal} does not exist on Linux`);
    this.regFile.invalidate();
    this.running = true;
    this.flushOutput();
    let ev: StopEvent;
    try {
      // always explicit: 0 means "no signal" (gdb sends C/S to deliver one);
      // undefined would let the target redeliver the signal it stopped with
      ev = how === 'cont' ? await t.cont(signal) : await t.step(signal);
    } finally {
      // the target emitted the program's output up to the stop before
      // resolving: it all goes out as O packets ahead of the stop reply
      this.flushOutput();
      this.running = false;
    }
    this.lastEvent = ev;
    // like gdbserver without --multi: once the process is gone, report it
    // and hang up (the reply is flushed before the connection closes)
    if ((ev.reason.kind === 'exited' || ev.reason.kind === 'killed') && !this.extended) setImmediate(() => void this.end());
    return this.stopReply();
  }

  /**
   * The stop reply for the last event, expediting rbp, rsp and rip like
   * gdbserver (gdb needs exactly these to identify the frame without a `g`).
   */
  private async stopReply(): Promise<string> {
    const ev = this.lastEvent;
    const gone = !ev || ev.reason.kind === 'exited' || ev.reason.kind === 'killed';
    const regs = !gone && this.target?.state === 'stopped' ? await this.regFile.registers() : undefined;
    return stopReplyText(ev, {
      multiprocess: this.multiprocess, swbreak: this.swbreak, hwbreak: this.hwbreak,
      isHardware: (pc) => this.breakpoints.isHardware(pc),
      threadId: (pid, tid) => this.threadId(pid, tid),
    }, regs);
  }

  private async kill(reply: boolean): Promise<string | undefined> {
    const t = this.target;
    if (t && t.state !== 'exited') {
      if (t.state === 'running') t.interrupt();
      await t.kill();
    }
    if (t) this.lastEvent = { pid: t.pid, tid: t.pid, reason: { kind: 'killed', signal: 9, signame: 'SIGKILL' } };
    // gdbserver (not extended) ends the session on k; the reply is optional
    if (!this.extended && !reply) setImmediate(() => void this.end());
    return reply ? 'OK' : undefined;
  }

  private async detach(): Promise<string> {
    const t = this.live();
    if (t.state === 'running') throw new PacketError(16, 'the process is running');
    await this.breakpoints.flushRemovals(t);
    this.monitor.close();
    await t.detach();
    this.lastEvent = undefined;
    if (!this.extended) setImmediate(() => void this.end());
    return 'OK';
  }

  private async threadAlive(arg: string): Promise<string> {
    const t = this.live();
    return (await threadOf(t, arg)) !== undefined ? 'OK' : 'E01';
  }

  /**
   * Hg (registers, memory) / Hc (legacy c and s) select a thread: with one
   * selected thread in the target both select it (gdb sends Hg before g
   * and Hc before s in all-stop alike).
   */
  private async setThread(op: string | undefined, id: string): Promise<string> {
    if (op !== 'g' && op !== 'c') return '';
    const t = this.target;
    if (!t || t.state === 'exited') return id === '0' || id === '-1' || id === 'p0.0' ? 'OK' : 'E01';
    const tid = await threadOf(t, id);
    if (tid === undefined) return 'E01';
    if (tid !== 'any' && t.state === 'stopped' && tid !== t.selectedThread) {
      t.selectThread(tid);
      this.regFile.invalidate();
    }
    return 'OK';
  }

  /* ---------------- queries ---------------- */

  private query(s: string): MaybeAsync<string | Buffer> {
    if (s.startsWith('qSupported')) return this.supported(s);
    if (s === 'qAttached' || s.startsWith('qAttached:')) return this.attached ? '1' : '0';
    if (s === 'qC') {
      const t = this.live();
      return `QC${this.threadId(t.pid, t.selectedThread)}`;
    }
    if (s === 'qfThreadInfo') {
      // all of them in the first reply: a list of a few thousand fits a packet
      const t = this.target;
      if (!t || t.state === 'exited') return 'l';
      return t.threads().then((list) => `m${list.map((x) => this.threadId(t.pid, x.tid)).join(',')}`);
    }
    if (s === 'qsThreadInfo') return 'l';
    if (s.startsWith('qXfer:')) return xferPacket(this.xferContext, s);
    if (s.startsWith('qRcmd,')) return this.rcmd(s.slice(6));
    if (s === 'qSymbol::') return 'OK';
    return '';
  }

  private supported(s: string): string {
    const theirs = new Set(s.slice('qSupported:'.length).split(';'));
    this.multiprocess = theirs.has('multiprocess+');
    this.swbreak = theirs.has('swbreak+');
    this.hwbreak = theirs.has('hwbreak+');
    const ours = [
      `PacketSize=${PACKET_SIZE.toString(16)}`, 'QStartNoAckMode+', 'qXfer:features:read+', 'qXfer:auxv:read+',
      'qXfer:exec-file:read+', 'qXfer:libraries-svr4:read+', 'qXfer:threads:read+', 'qXfer:siginfo:read+', 'swbreak+', 'hwbreak+', 'vContSupported+',
    ];
    if (this.multiprocess) ours.push('multiprocess+');
    return ours.join(';');
  }

  private setting(s: string): string {
    if (s === 'QStartNoAckMode') {
      // the OK still travels (and is acked) in ack mode; then acks stop
      setImmediate(() => { this.wire.noAck = true; });
      return 'OK';
    }
    return '';
  }

  private async rcmd(hexCommand: string): Promise<string> {
    const command = fromHex(hexCommand).toString('utf8');
    const text = await this.monitor.run(command);
    // output goes out as O packets (as gdbserver does), then OK
    const chunk = Math.floor((PACKET_SIZE - 1) / 2);
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunk) this.wire.send('O' + toHex(bytes.subarray(i, i + chunk)));
    this.regFile.invalidate(); // restore/rewind may have changed registers
    return 'OK';
  }

  /* ---------------- v packets ---------------- */

  private async vPacket(s: string): Promise<string | Buffer | undefined> {
    if (s === 'vCont?') return 'vCont;c;C;s;S;t';
    if (s.startsWith('vCont;')) return this.vCont(s.slice(6));
    if (s === 'vMustReplyEmpty') return '';
    if (s.startsWith('vKill;')) {
      await this.kill(true);
      return 'OK';
    }
    if (s.startsWith('vRun;')) return this.vRun(s.slice(5));
    if (s.startsWith('vAttach;')) return this.vAttach(parseHexInt(s.slice(8)));
    if (s.startsWith('vFile:')) return this.hostIo.handle(s, PACKET_SIZE - 16);
    return '';
  }

  /**
   * vCont;action[:thread]... in all-stop. A step names its thread
   * (`vCont;s:p1.2;c`): that thread steps alone while the others stay
   * stopped (gdb's scheduler-locking step), so the step is deterministic; a
   * thread-specific continue with a signal selects the thread the signal
   * goes to; everything else continues every thread.
   */
  private async vCont(arg: string): Promise<string> {
    const t = this.stopped();
    const { action: chosen, tid: chosenTid } = await chooseVContAction(t, arg);
    if (chosenTid !== undefined && chosenTid !== t.selectedThread) {
      t.selectThread(chosenTid);
      this.regFile.invalidate();
    }
    const op = chosen[0];
    const sig = chosen.length > 1 ? parseHexInt(chosen.slice(1, 3)) : 0;
    if (op === 'c' || op === 'C') return this.run('cont', op === 'C' ? sig : 0);
    if (op === 's' || op === 'S') return this.run('step', op === 'S' ? sig : 0);
    if (op === 't') return this.stopReply(); // all-stop: the thread is already stopped
    throw new PacketError(22, `unsupported vCont action "${chosen}"`);
  }
  /**
   * gdbserver's rule for vRun and vAttach: a second process only in extended
   * mode with the multiprocess extensions; else E01 and a line on stderr.
   */
  private refuseIfDebugging(): void {
    const t = this.target;
    if ((!this.extended || !this.multiprocess) && t && t.state !== 'exited') {
      this.note('Already debugging a process');
      throw new Refused(1, 'already debugging a process');
    }
  }

  private async vRun(arg: string): Promise<string> {
    if (!this.opts.launch) throw new PacketError(1, 'this server cannot start programs');
    this.refuseIfDebugging();
    const parts = arg.split(';').map((h) => fromHex(h).toString('utf8'));
    const argv = parts[0] ? parts : [...(this.opts.defaultArgv ?? [])];
    if (argv.length === 0) throw new PacketError(22, 'no program to run');
    if (parts[0] && !this.policy.allowRun && !(await sameProgram(parts[0], this.opts.defaultArgv?.[0]))) {
      this.note(`tsdbg serve: refused to run ${parts[0]}: only ${this.opts.defaultArgv?.[0] ?? 'the served program'} may run (see --allow-run)`);
      throw new Refused(1, `running ${parts[0]} is not allowed`);
    }
    if (!parts[0] && parts.length > 1) argv.splice(1, argv.length - 1, ...parts.slice(1));
    const old = this.target;
    if (old && old.state !== 'exited') {
      if (this.attached) await old.detach();
      else await old.kill();
    }
    this.adopt(await this.opts.launch(argv), false);
    return this.stopReply();
  }

  private async vAttach(pid: number): Promise<string> {
    if (!this.opts.attach) throw new PacketError(1, 'this server cannot attach');
    this.refuseIfDebugging();
    if (!this.policy.allowAttach) {
      this.note(`tsdbg serve: refused to attach to process ${pid} (see --allow-attach)`);
      throw new Refused(1, 'attaching is not allowed');
    }
    const old = this.target;
    if (old && old.state !== 'exited') throw new PacketError(16, 'already debugging a process');
    const t = await this.opts.attach(pid);
    this.adopt(t, true);
    // attaching stops the process with SIGSTOP
    this.lastEvent = { pid: t.pid, tid: t.pid, reason: { kind: 'signal', pc: 0n, signal: 19, signame: 'SIGSTOP' } };
    return this.stopReply();
  }
}

/* ---------------- listeners ---------------- */

/** Serve one connection over a pair of streams (stdio, a socket). */
export function serveStreams(input: Readable, output: Writable, opts: SessionOptions): RspSession {
  const wire = new RspWire(input, output, PACKET_SIZE);
  return new RspSession(wire, opts);
}

export { listenTcp, type TcpServer } from './server-tcp.js';
