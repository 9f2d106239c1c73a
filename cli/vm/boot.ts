/**
 * One QEMU boot of the guest. The three serial lines are unix-socket chardevs
 * that QEMU connects to (ttyS0 the firmware and kernel console, ttyS1 the
 * command's stdout/stdin, ttyS2 its stderr), so the command's output never
 * mixes with SeaBIOS or kernel messages, and the console can be watched for
 * the init's ready marker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { QEMU, type Accel } from './accel.js';
import { VmError } from './paths.js';

export const READY_MARKER = 'tsdbg-vm:ready';

export interface Forward {
  host: number;
  guest: number;
}

export interface BootSpec {
  kernel: string;
  initrd: string;
  accel: Accel;
  /** Host directory exported writable as "tsdbgio" (config, cmd.sh, status). */
  share: string;
  /** The project directory, exported read-only as "tsdbgproj": the init mounts it at
   *  its host path, so a checkout under /tmp or /run (hidden by the guest's own
   *  tmpfs mounts there) is still visible. */
  project: string;
  mode: 'pipe' | 'tty';
  rows?: number;
  cols?: number;
  forwards: Forward[];
  /** Give up when the init has not printed READY_MARKER by then. */
  readyTimeoutMs: number;
  /** Kill QEMU when the whole boot, ready wait included, takes longer (0: never). */
  timeoutMs: number;
  stdout: Writable;
  stderr: Writable;
  /** Called once the guest is ready, before its output flows (the boot spinner ends there). */
  onReady?: () => void;
  /** Forwarded to ttyS1 once the guest is ready (tty mode). */
  stdin?: Readable;
}

export type BootOutcome =
  | { kind: 'exited'; status: number; readyMs: number }
  /** The guest never reached its init: the caller may retry with another accelerator. */
  | { kind: 'not-ready'; reason: string };

/**
 * TCG runs the vCPUs one at a time (thread=single) unless TSDBG_VM_TCG_THREAD=multi. With a
 * host thread per vCPU (QEMU's default, MTTCG), Node in the guest died at random while V8
 * replaced WebAssembly code from its compiler threads (tier-up): "Illegal instruction", a V8
 * fatal "Check failed: maybe_code.has_value()" walking the stack in Runtime_WasmTriggerTierUp,
 * and yoga-layout's "Aborted()" in the UI. A yoga-layout loop (no tsdbg) crashed in 6 of 19 guest
 * runs with a thread per vCPU, in none of 16 one at a time, which was no slower on a loaded host.
 */
function tcgAccel(): string {
  return `tcg,thread=${process.env.TSDBG_VM_TCG_THREAD === 'multi' ? 'multi' : 'single'}`;
}

/** QEMU option values are comma-separated: a literal comma is doubled. */
const qarg = (s: string) => s.replace(/,/g, ',,');

export function qemuArgs(spec: BootSpec, sockDir: string): string[] {
  const append = ['console=ttyS0', 'quiet', 'panic=-1'];
  // e.g. acpi=off for a debug (KASAN, lockdep) kernel whose ACPI interpreter is too slow under TCG
  const extra = process.env.TSDBG_VM_APPEND?.trim();
  if (extra) append.push(...extra.split(/\s+/));
  if (spec.rows && spec.cols) append.push(`tsdbg.rows=${spec.rows}`, `tsdbg.cols=${spec.cols}`);
  const args = [
    '-accel', spec.accel === 'tcg' ? tcgAccel() : spec.accel, ...(spec.accel === 'kvm' ? ['-cpu', process.env.TSDBG_VM_KVM_CPU || 'host'] : []),
    '-m', '1024', '-smp', process.env.TSDBG_VM_CPUS || '2', '-nodefaults', '-nographic', '-no-reboot',
    '-kernel', spec.kernel, '-initrd', spec.initrd, '-append', append.join(' '),
  ];
  // In -serial order: COM1 = ttyS0 = console (SeaBIOS writes there too), ttyS1, ttyS2.
  for (const tty of ['con', 'out', 'err']) {
    args.push('-chardev', `socket,id=${tty},path=${qarg(join(sockDir, tty))}`, '-serial', `chardev:${tty}`);
  }
  args.push(
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${qarg(spec.share)},mount_tag=tsdbgio,security_model=none,multidevs=remap`,
    '-virtfs', `local,path=${qarg(spec.project)},mount_tag=tsdbgproj,security_model=none,readonly=on,multidevs=remap`,
  );
  if (spec.forwards.length > 0) {
    const fwd = spec.forwards.map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`).join(',');
    args.push('-netdev', `user,id=net0,${fwd}`, '-device', 'virtio-net-pci,netdev=net0');
  }
  return args;
}

/** Keeps the last `max` bytes of a stream as text (console log, QEMU's own messages). */
class Tail {
  private text = '';
  constructor(private readonly max = 64 * 1024) {}
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  lines(n: number): string {
    return this.text.replace(/\r/g, '').trimEnd().split('\n').slice(-n).join('\n');
  }
  includes(s: string): boolean {
    return this.text.includes(s);
  }
}

/** A unix socket that QEMU connects to once; resolves with that connection. */
function listenOnce(path: string): { server: Server; conn: Promise<Socket> } {
  let resolveConn!: (s: Socket) => void;
  const conn = new Promise<Socket>((r) => { resolveConn = r; });
  const server = createServer({ pauseOnConnect: true }, (sock) => {
    server.close();
    // Writes racing with QEMU's exit fail with EPIPE: nothing is lost that matters.
    sock.on('error', () => {});
    resolveConn(sock);
  });
  server.listen(path);
  return { server, conn };
}

export class Boot {
  readonly console = new Tail();
  readonly qemuOutput = new Tail(8 * 1024);
  private child?: ChildProcess;
  private aborted?: VmError;
  private readonly sockDir = mkdtempSync(join(tmpdir(), 'tsdbg-qemu-'));
  private deadline?: NodeJS.Timeout;

  constructor(private readonly spec: BootSpec) {}

  /** Kill QEMU (signal, timeout); run() then rejects with `why`. */
  abort(why: VmError): void {
    this.aborted ??= why;
    this.child?.kill('SIGKILL');
  }

  async run(): Promise<BootOutcome> {
    try {
      return await this.boot();
    } finally {
      clearTimeout(this.deadline);
      this.child?.kill('SIGKILL');
      rmSync(this.sockDir, { recursive: true, force: true });
    }
  }

  private async boot(): Promise<BootOutcome> {
    const { spec } = this;
    const statusFile = join(spec.share, 'status');
    rmSync(statusFile, { force: true });
    const socks = ['con', 'out', 'err'].map((n) => listenOnce(join(this.sockDir, n)));
    await Promise.all(socks.map((s) => new Promise((r) => s.server.once('listening', r))));

    const started = Date.now();
    if (spec.timeoutMs > 0) {
      const secs = Math.round(spec.timeoutMs / 1000);
      this.deadline = setTimeout(() => this.abort(new VmError(
        `the guest run timed out after ${secs} s (TSDBG_VM_TIMEOUT) and was killed`, '', 124)), spec.timeoutMs);
    }
    const child = spawn(QEMU, qemuArgs(spec, this.sockDir), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => this.qemuOutput.add(d));
    child.stderr!.on('data', (d: Buffer) => this.qemuOutput.add(d));
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (e) => {
        this.qemuOutput.add(`${QEMU}: ${e.message}\n`);
        resolve(null);
      });
    });
    // QEMU never connecting means it failed at startup: stop waiting when it exits.
    const connOrExit = (i: number) => Promise.race([socks[i].conn, exited.then(() => undefined)]);
    const [con, out, err] = await Promise.all([connOrExit(0), connOrExit(1), connOrExit(2)]);
    for (const s of socks) s.server.close();

    const closed = [out, err, con].map((s) => (s ? new Promise((r) => s.once('close', r)) : Promise.resolve()));
    let readyAt = 0;
    const ready = new Promise<void>((resolve) => {
      con?.on('data', (d: Buffer) => {
        this.console.add(d);
        if (!readyAt && this.console.includes(READY_MARKER)) {
          readyAt = Date.now();
          resolve();
        }
      });
      con?.resume();
    });

    const readyTimer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), spec.readyTimeoutMs).unref());
    const first = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const), readyTimer]);
    if (this.aborted) throw this.aborted;
    if (first === 'ready') spec.onReady?.();
    if (first !== 'ready') {
      child.kill('SIGKILL');
      await exited;
      const qemuSaid = this.qemuOutput.lines(20).split('\n').find((l) => /error/i.test(l));
      const why = first === 'timeout'
        ? `the guest did not reach its init within ${Math.round(spec.readyTimeoutMs / 1000)} s`
        : `QEMU exited before the guest reached its init${qemuSaid ? ` (${qemuSaid.trim()})` : ''}`;
      return { kind: 'not-ready', reason: why };
    }

    // The guest runs the command now: wire its terminal lines through.
    out?.pipe(spec.stdout, { end: false });
    err?.pipe(spec.stderr, { end: false });
    const input = spec.stdin;
    const forward = (d: Buffer) => out?.write(d);
    input?.on('data', forward).resume();
    await exited;
    input?.off('data', forward).pause();
    // QEMU is gone: its sockets deliver what is left, then close.
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 2000))]);
    if (this.aborted) throw this.aborted;
    if (!existsSync(statusFile)) {
      throw new VmError('the guest stopped without reporting the command\'s exit status', this.diagnostics());
    }
    const status = Number.parseInt(readFileSync(statusFile, 'utf8').trim(), 10);
    if (!Number.isInteger(status)) throw new VmError('the guest wrote a malformed exit status', this.diagnostics());
    return { kind: 'exited', status, readyMs: readyAt - started };
  }

  /** The tails of the guest console and of QEMU's own output, for error reports. */
  diagnostics(): string {
    const parts: string[] = [];
    const con = this.console.lines(30);
    if (con) parts.push(`guest console (last lines):\n${con}`);
    const q = this.qemuOutput.lines(15);
    if (q) parts.push(`QEMU:\n${q}`);
    return parts.join('\n');
  }
}
