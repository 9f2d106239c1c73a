/**
 * One RSP connection end: the parser plus the ack discipline, over any byte
 * stream (TCP socket, a child's stdio, our own stdin/stdout). Used by both the
 * client (RemoteTarget) and the server; neither deals with framing or acks.
 *
 * Ack mode: every good packet is answered '+', every corrupt one '-', and a
 * '-' from the peer makes us resend the last packet. After QStartNoAckMode
 * both sides stop acking and corrupt packets are simply dropped (the manual:
 * the transport is assumed reliable). Stray acks are always tolerated.
 */
import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { PacketParser, frame, toHex, type WireEvent } from './packet.js';

export interface WireEvents {
  packet: [Buffer];
  interrupt: [];
  oversized: [number];
  close: [];
  /** Bytes from the event loop were parsed (their packets emitted): see readNow. */
  fed: [];
}

/**
 * gdb sends a stepi's five packets 14-80 µs apart (median 38, p90 81, p99
 * about 500, measured here), and a stub answers as fast: 300 µs of spin
 * catches nearly all, and costs at most that once the peer goes quiet.
 */
export const DEFAULT_SPIN_US = 300;

/** The spin for awaitInput: DEFAULT_SPIN_US, or none on one CPU, where it would hold the peer's CPU. */
export function defaultSpinUs(): number {
  return availableParallelism() > 1 ? DEFAULT_SPIN_US : 0;
}

/**
 * Busy-waits up to spinNs for input on descriptor fd, leaving it unread.
 * The wire has none of its own: the RSP client must load and work without
 * the native shim (a machine where it is not built), so whoever has the
 * shim installs its poll loop here (./native-spin.ts); without one the
 * event loop simply delivers the bytes when they come.
 */
export type InputSpin = (fd: number, spinNs: number) => void;
let inputSpin: InputSpin | undefined;

/** Install (or, with undefined, remove) the spin awaitInput uses. */
export function setInputSpin(spin: InputSpin | undefined): void {
  inputSpin = spin;
}

/** Wait up to spinNs busy then blockNs asleep for bytes on fd, read them into buf: the count, or <= 0 for none. */
export type InputWait = (fd: number, buf: Buffer, spinNs: number, blockNs: number) => number;
let inputWait: InputWait | undefined;

/** Install the blocking read readNow uses (the native shim's readWait, from ./native-spin.ts). */
export function setInputWait(wait: InputWait | undefined): void {
  inputWait = wait;
}

/**
 * Write len bytes of buf to fd, waiting a while for room when the socket is
 * full (the shim's writeWait): the count written, or < 0 for an error the
 * stream then reports as its own. Without one, a plain writeSync.
 */
export type OutputWrite = (fd: number, buf: Buffer, len: number) => number;
let outputWrite: OutputWrite | undefined;

/** `$` hex(data) `#` checksum into out (room for 2 * data.length + 4): the packet's length. */
export type HexFramer = (data: Uint8Array, out: Buffer) => number;
let hexFramer: HexFramer | undefined;

/** Install the native write and hex framing (./native-spin.ts); undefined removes them. */
export function setOutputWrite(write: OutputWrite | undefined, framer: HexFramer | undefined): void {
  outputWrite = write;
  hexFramer = framer;
}

/** A reply that is the hex digits of these bytes (an m packet's), framed without a string in between. */
export class HexReply {
  constructor(readonly data: Uint8Array) {}
}

/** How many times we resend one packet on NAKs before declaring the link dead. */
const MAX_RESENDS = 8;

export class RspWire extends EventEmitter<WireEvents> {
  noAck = false;
  closed = false;
  private lastSent: Buffer | undefined;
  private resends = 0;
  private readonly parser: PacketParser;
  /** Set RSP_TRACE=1 to see every packet on stderr (like `set debug remote 1`). */
  private readonly trace = process.env.TSDBG_RSP_TRACE ? (dir: string, b: Buffer) => {
    process.stderr.write(`[rsp ${dir}] ${b.toString('latin1').slice(0, 200)}\n`);
  } : undefined;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    maxPacket: number,
  ) {
    super();
    this.parser = new PacketParser(maxPacket, (e) => this.onEvent(e));
    input.on('data', (chunk: Buffer) => {
      this.feed(chunk);
      this.emit('fed');
    });
    const onEnd = () => this.markClosed();
    input.on('end', onEnd);
    input.on('close', onEnd);
    input.on('error', onEnd);
    output.on('error', onEnd);
    output.on('close', onEnd);
  }

  /** Frame and send one packet; kept for retransmission until acked. */
  send(payload: Buffer | string | HexReply): void {
    if (payload instanceof HexReply) {
      this.sendHex(payload.data);
      return;
    }
    const pkt = frame(payload);
    this.trace?.('->', pkt);
    if (!this.noAck) {
      this.lastSent = pkt;
      this.resends = 0;
    }
    this.write(pkt);
  }

  /** A reused buffer for hex replies (up to 128 KiB of digits: one allocation, not three a packet). */
  private frameBuf: Buffer | undefined;

  private sendHex(data: Uint8Array): void {
    if (!hexFramer) {
      this.send(toHex(data));
      return;
    }
    const need = 2 * data.length + 4;
    if (!this.frameBuf || this.frameBuf.length < need) this.frameBuf = Buffer.allocUnsafe(Math.max(need, 4096));
    const pkt = this.frameBuf.subarray(0, hexFramer(data, this.frameBuf));
    this.trace?.('->', pkt);
    if (!this.noAck) {
      this.lastSent = Buffer.from(pkt);   // the frame buffer is reused by the next reply
      this.resends = 0;
    }
    // straight to the descriptor, or a copy for the stream (which writes it later)
    const direct = this.output.writableLength === 0 && streamFd(this.output) !== undefined;
    this.write(direct ? pkt : Buffer.from(pkt));
  }

  /**
   * Busy-wait up to spinNs for the peer's next bytes, without reading them
   * (the event loop then finds them at once). A peer in a burst of packets
   * answers within tens of microseconds, and waking a sleeping event loop
   * costs about as much again on a virtual CPU; this is the socket's side of
   * the waitpid spin (LocalTarget). Only on descriptor-backed streams, and
   * only once a spin is installed (setInputSpin).
   */
  awaitInput(spinNs: number): void {
    if (!inputSpin || this.closed) return;
    const fd = streamFd(this.input);
    if (fd !== undefined) inputSpin(fd, spinNs);
  }

  private readBuf: Buffer | undefined;

  /**
   * Read what the peer sent without the event loop (tsdbg serve between a
   * reply and gdb's next packet): wait as the installed InputWait does
   * (the shim's readWait), then parse it here; 'packet' events are emitted before this returns. False when
   * nothing came (or the stream has no descriptor).
   */
  readNow(spinNs: number, blockNs: number): boolean {
    const fd = streamFd(this.input);
    // not from inside a 'packet' listener: the bytes after that packet come first ('fed' says when);
    // nor past bytes the stream read and still holds; nor while our last reply is still
    // queued for the event loop to write: gdb waits for it
    if (!inputWait || fd === undefined || this.closed || this.feeding || this.input.readableLength > 0 || this.output.writableLength > 0) return false;
    this.readBuf ??= Buffer.allocUnsafe(64 * 1024);
    const n = inputWait(fd, this.readBuf, spinNs, blockNs);
    if (n <= 0) return false;
    this.feed(this.readBuf.subarray(0, n));
    return true;
  }

  private feeding = false;

  private feed(chunk: Buffer): void {
    this.feeding = true;
    try {
      this.parser.feed(chunk);
    } finally {
      this.feeding = false;
    }
  }

  /** Raw bytes outside any packet: acks and the 0x03 interrupt. */
  write(bytes: Buffer | string): void {
    if (this.closed) return;
    // straight to the descriptor when nothing is queued before it (a write
    // syscall, not the stream's machinery: gdb's stepi takes five replies);
    // the stream takes what the socket would not take now, in order
    const fd = this.output.writableLength === 0 ? streamFd(this.output) : undefined;
    if (fd !== undefined) {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
      let n = 0;
      if (outputWrite) {
        // (< 0: an error the stream reports as its own when it writes the rest)
        n = Math.max(0, outputWrite(fd, buf, buf.length));
      } else {
        try {
          n = writeSync(fd, buf);
        } catch {
          // EAGAIN (full), or an error the stream reports as its own
        }
      }
      if (n === buf.length) return;
      // a copy: buf may be the reused frame buffer (sendHex), and the stream writes later
      bytes = Buffer.from(buf.subarray(n));
    }
    this.output.write(bytes);
  }

  close(): void {
    if (this.closed) return;
    const sock = this.output as Writable & { destroySoon?: () => void };
    if (typeof sock.end === 'function') sock.end();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  private onEvent(e: WireEvent): void {
    switch (e.type) {
      case 'packet':
        this.trace?.('<-', e.data);
        if (!this.noAck) this.write('+');
        this.emit('packet', e.data);
        break;
      case 'bad-checksum':
        if (!this.noAck) this.write('-');
        break;
      case 'oversized':
        // acked: it arrived intact, it is just too big; the owner answers it
        if (!this.noAck) this.write('+');
        this.emit('oversized', e.length);
        break;
      case 'ack':
        this.lastSent = undefined;
        break;
      case 'nak':
        if (this.lastSent && !this.noAck) {
          if (++this.resends > MAX_RESENDS) {
            this.close();
            return;
          }
          this.write(this.lastSent);
        }
        break;
      case 'interrupt':
        this.emit('interrupt');
        break;
      case 'notification':
        // %Stop etc. only happen in non-stop mode, which we never enable
        break;
    }
  }
}

/** The descriptor under a socket or a file/pipe stream, if it has one. */
function streamFd(s: Readable | Writable): number | undefined {
  const fd = (s as Readable & { _handle?: { fd?: number }; fd?: number })._handle?.fd ?? (s as { fd?: unknown }).fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
