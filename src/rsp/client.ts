/**
 * The client half of RSP: connects to a stub (TCP or a child's stdio, like
 * gdb's `target remote | gdbserver - prog`), negotiates features and sends
 * requests strictly one at a time, as the protocol requires in all-stop mode.
 *
 * Console output (`O` packets) can arrive while the target runs and while a
 * `qRcmd` executes; those requests collect it, everything else gets the reply.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { TargetError } from '../target/types.js';
import { RspWire, defaultSpinUs } from './wire.js';
import { fromHex, parseHexInt } from './packet.js';

/** What we can take in one packet before the stub tells us its PacketSize. */
const DEFAULT_PACKET = 0x4000;
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * After a request, busy-wait for the reply before sleeping in the event loop
 * (see RspWire.awaitInput): a stub answers most requests in tens of
 * microseconds. stepi + g + m against gdbserver: 290 µs instead of 380.
 */
const REPLY_SPIN_NS = defaultSpinUs() * 1000;

export interface RequestOptions {
  /** 0 = wait forever (resume requests: the target may run for hours). */
  timeoutMs?: number;
  /** Treat `O` packets as console output and keep waiting for the real reply. */
  consoleOutput?: boolean;
  /** Where that output goes instead of the 'output' event (monitor command text). */
  onOutput?: (text: Buffer) => void;
}

interface Waiter {
  resolve: (reply: Buffer) => void;
  reject: (e: Error) => void;
  consoleOutput: boolean;
  onOutput?: (text: Buffer) => void;
}

export class RspClient extends EventEmitter<{ output: [Buffer]; close: [] }> {
  /** Features from the stub's qSupported reply: name -> value, or true for `name+`. */
  readonly features = new Map<string, string | boolean>();
  packetSize = DEFAULT_PACKET;
  private readonly wire: RspWire;
  private chain: Promise<unknown> = Promise.resolve();
  private waiter: Waiter | undefined;
  private child: ChildProcess | undefined;

  private constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, child?: ChildProcess) {
    super();
    // replies can be large (g with AVX, big m reads); bound it generously
    this.wire = new RspWire(input as never, output as never, 1 << 20);
    this.child = child;
    this.wire.on('packet', (p) => this.onPacket(p));
    this.wire.on('close', () => {
      const w = this.waiter;
      this.waiter = undefined;
      w?.reject(new TargetError('EIO', 'remote connection closed'));
      this.emit('close');
    });
  }

  get closed(): boolean {
    return this.wire.closed;
  }

  /** Connect to HOST:PORT, retrying briefly while the server starts listening. */
  static async connectTcp(host: string, port: number, timeoutMs = 2000): Promise<RspClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host, port }, () => resolve(s));
          s.once('error', reject);
        });
        sock.setNoDelay(true);
        return new RspClient(sock, sock);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED' || Date.now() > deadline) {
          throw new TargetError(code ?? 'EIO', `cannot connect to ${host}:${port}: ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /**
   * Run a stub with the protocol on its stdin/stdout (`gdbserver - prog`).
   * Its stderr (where gdbserver puts the inferior's output) is inherited
   * unless the caller wants to read it.
   */
  static spawnStdio(command: string, args: string[], stderr: 'inherit' | 'pipe' | 'ignore' = 'inherit'): RspClient {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', stderr] });
    return new RspClient(child.stdout!, child.stdin!, child);
  }

  /** The stub process when we started it over stdio. */
  get process(): ChildProcess | undefined {
    return this.child;
  }

  /** Send one request and wait for its reply (queued behind earlier ones). */
  request(payload: string | Buffer, opts: RequestOptions = {}): Promise<Buffer> {
    const run = () => this.exchange(payload, opts);
    const p = this.chain.then(run, run);
    // (the next exchange runs after a failed one; the failure reaches this one's caller through p)
    this.chain = p.catch(() => undefined);
    return p;
  }

  async text(payload: string | Buffer, opts?: RequestOptions): Promise<string> {
    return (await this.request(payload, opts)).toString('latin1');
  }

  /** Ctrl-C: a raw 0x03 outside any packet. */
  interrupt(): void {
    this.wire.write(Buffer.from([0x03]));
  }

  /** qSupported + QStartNoAckMode: the handshake gdb does. */
  async handshake(ourFeatures: string[]): Promise<void> {
    const reply = await this.text(`qSupported:${ourFeatures.join(';')}`);
    for (const item of reply.split(';')) {
      if (!item) continue;
      const eq = item.indexOf('=');
      if (eq >= 0) this.features.set(item.slice(0, eq), item.slice(eq + 1));
      else if (item.endsWith('+')) this.features.set(item.slice(0, -1), true);
      else if (item.endsWith('-')) this.features.set(item.slice(0, -1), false);
    }
    const size = this.features.get('PacketSize');
    if (typeof size === 'string') this.packetSize = parseHexInt(size);
    if (this.features.get('QStartNoAckMode') === true) {
      const ok = await this.text('QStartNoAckMode');
      if (ok === 'OK') this.wire.noAck = true;
    }
  }

  supports(feature: string): boolean {
    return this.features.get(feature) === true;
  }

  /** Close the link (and reap a stdio child). */
  async close(): Promise<void> {
    this.wire.close();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // gdbserver reopens stdio forever when its input ends: stop it (it
      // kills the processes it started through PTRACE_O_EXITKILL)
      await new Promise<void>((resolve) => {
        const term = setTimeout(() => child.kill('SIGTERM'), 200);
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => { clearTimeout(term); clearTimeout(kill); resolve(); });
      });
    }
  }

  private exchange(payload: string | Buffer, opts: RequestOptions): Promise<Buffer> {
    if (this.wire.closed) return Promise.reject(new TargetError('EIO', 'remote connection closed'));
    return new Promise<Buffer>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const done = () => { if (timer) clearTimeout(timer); this.waiter = undefined; };
      this.waiter = {
        resolve: (r) => { done(); resolve(r); },
        reject: (e) => { done(); reject(e); },
        consoleOutput: opts.consoleOutput ?? false,
        onOutput: opts.onOutput,
      };
      if (timeoutMs > 0) {
        const name = (typeof payload === 'string' ? payload : payload.toString('latin1')).slice(0, 24);
        timer = setTimeout(() => {
          this.waiter?.reject(new TargetError('ETIMEDOUT', `remote did not answer "${name}" within ${timeoutMs / 1000}s`));
        }, timeoutMs);
      }
      this.wire.send(payload);
      // only while a CPU is free for the stub: with none, the spin takes the CPU it needs to answer
      if (REPLY_SPIN_NS > 0) this.wire.awaitInput(REPLY_SPIN_NS);
    });
  }

  private onPacket(p: Buffer): void {
    const w = this.waiter;
    if (isConsoleOutput(p) && (!w || w.consoleOutput)) {
      try {
        const text = fromHex(p.subarray(1).toString('latin1'));
        if (w?.onOutput) w.onOutput(text);
        else this.emit('output', text);
      } catch {
        // malformed O packet: nothing sensible to print
      }
      return;
    }
    // a reply nobody waits for (e.g. after a timeout) is stale: drop it
    w?.resolve(p);
  }
}

/** `O` + hex is console output; `OK` is a reply. */
function isConsoleOutput(p: Buffer): boolean {
  return p.length >= 3 && p[0] === 0x4f && p.length % 2 === 1;
}
