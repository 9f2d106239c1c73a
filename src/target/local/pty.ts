/**
 * The program's terminal: the master side of the pty a started program runs
 * on (Delve's native proc leaves the terminal to the caller; gdb's
 * inflow.c keeps it like this). Its output is passed on as it comes, and
 * drained synchronously at each stop so every listener sees it before the
 * stop (gdb's order); keyboard input and the window size go the other way.
 */
import { spawn } from 'node:child_process';
import { closeSync, write as fsWrite } from 'node:fs';
import { ReadStream } from 'node:tty';
import { native } from '../native.js';
import { TargetError } from '../types.js';

/** Reads of the pty at a stop: its buffers hold ~70 KiB at most (n_tty + flip buffers). */
const PTY_DRAIN_CHUNK = 64 * 1024;
let drainBuf: Buffer | undefined;
const PTY_DRAIN_MAX_READS = 16;
/**
 * The keeper of a detached program's terminal (handOff): copies the pty master (its stdin, non-blocking:
 * libuv made it so) to our stdout until the program's end (EIO), polling when there is nothing to read;
 * with argument 1 (our stdout is no terminal) \r\n as \n, as the console writes the program's output.
 */
const KEEPER = `const fs=require('fs'),b=Buffer.alloc(65536),plain=process.argv[1]==='1';let cr=false;
function out(d){if(plain){let t=(cr?'\\r':'')+d.toString('latin1');cr=t.endsWith('\\r');if(cr)t=t.slice(0,-1);d=Buffer.from(t.replace(/\\r\\n/g,'\\n'),'latin1')}fs.writeSync(1,d)}
(function r(){for(;;){let n;try{n=fs.readSync(0,b,0,b.length,null)}catch(e){if(e.code==='EAGAIN')return setTimeout(r,50);return}if(n<=0)return;try{out(b.subarray(0,n))}catch(e){if(e.code!=='EAGAIN')return}}})()`;

export class ProgramPty {
  /** Where a detached program's output goes (handOff): our stdout, or stderr when stdout carries a protocol (serve --stdio). */
  static detachedOutput: 1 | 2 = 1;
  private stream: ReadStream | undefined;

  /**
   * `fd`: the pty master (-1 without a pty), ours until release();
   * `reader`: libuv's own descriptor for it (see open()), or -1.
   */
  constructor(private fd: number, reader: number, private readonly onOutput: (chunk: Buffer) => void) {
    if (reader >= 0) this.open(reader);
  }

  /** The pty master fd (-1 without a pty, or once released). */
  get master(): number { return this.fd; }

  /**
   * Read the program's output as it comes, through `reader`, libuv's own copy
   * of the pty master: libuv (1.46, Node 20) takes a hangup after a short
   * read for the end of the stream although the pty may still hold output
   * (libuv#4992: when the program writes and exits at once, its last lines
   * are still on their way to the master), and Node then closes the
   * descriptor. The rest is still there through `fd`, ours until the
   * process is gone: drain() reads it at the exit, ahead of the exit report.
   */
  private open(reader: number): void {
    const stream = new ReadStream(reader);
    stream.on('data', (chunk: Buffer) => this.onOutput(chunk));
    // EIO once the last slave fd closes (the program exited): the normal end of the stream, not an error
    stream.on('error', () => undefined);
    stream.on('close', () => { this.stream = undefined; });
    this.stream = stream;
  }

  /**
   * Pass on everything the program wrote before the stop being collected,
   * so every listener sees it ahead of the 'stop' (gdb prints a program's
   * output before "Breakpoint 1, ..."). No event-loop turn is needed: chunks
   * libuv already read but the stream still buffers go first (read() emits
   * them as 'data'), then what the kernel still holds is read here
   * synchronously. libuv and this read take bytes off the same queue, on
   * this one thread, so nothing is reordered or read twice. Bounded: a
   * grandchild that shares the pty may write without end.
   */
  drain(): void {
    if (this.fd < 0) return;
    const stream = this.stream;
    // chunks libuv read that the stream still holds go first
    if (stream && !stream.destroyed) while (stream.read() !== null) { /* each chunk went out through the 'data' listener */ }
    // one buffer for every stop: a stepi's drain finds nothing, and 64 KiB per stop kept the GC busy
    const buf = (drainBuf ??= Buffer.allocUnsafe(PTY_DRAIN_CHUNK));
    for (let i = 0; i < PTY_DRAIN_MAX_READS; i++) {
      const n = native.ptyReadReady(this.fd, buf);
      if (n <= 0) return;
      this.onOutput(Buffer.from(buf.subarray(0, n)));
    }
  }

  /** The last keyboard write queued: each waits for the one before. */
  private writing: Promise<void> = Promise.resolve();

  /**
   * Keyboard input for the program, in the order typed: fs.write runs on
   * libuv's thread pool, where two writes in flight may land in either order
   * ("hello" reached cat as "helol"), so each starts when the last is done.
   */
  write(data: Buffer | string): Promise<void> {
    if (this.fd < 0) return Promise.reject(new TargetError('ENOTTY', 'the program has no pty'));
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const next = this.writing.then(() => new Promise<void>((res, rej) => {
      if (this.fd < 0) { rej(new TargetError('ENOTTY', 'the program has no pty')); return; }
      fsWrite(this.fd, buf, (err) => (err ? rej(err) : res()));
    }));
    // (a failed write is the caller's to report; the next one still goes)
    this.writing = next.catch(() => undefined);
    return next;
  }

  resize(rows: number, cols: number): void {
    if (this.fd >= 0) native.ptyResize(this.fd, rows, cols);
  }

  /**
   * A started program is let go (detach) and runs on: its terminal must outlive us, as gdb's
   * inferior keeps gdb's terminal (closing the last master fd hangs the program up: SIGHUP). A
   * keeper process takes the master and passes the program's output on to our stdout until it ends.
   */
  handOff(): void {
    if (this.fd < 0) return;
    this.drain();
    try {
      const to = ProgramPty.detachedOutput;
      const plain = !(to === 1 ? process.stdout : process.stderr).isTTY;
      spawn(process.execPath, ['-e', KEEPER, plain ? '1' : '0'], { stdio: [this.fd, to === 1 ? 'inherit' : process.stderr, 'ignore'], detached: true }).unref();
    } catch { /* no keeper: the program gets the hangup when we exit */ }
    // the keeper reads now: our copies close
    this.stream?.destroy();
    this.stream = undefined;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** The process is gone or let go: close our master (libuv's copy reads on, unreferenced, until its end). */
  release(): void {
    this.stream?.unref();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
