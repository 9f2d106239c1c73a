/**
 * `info kstats`: the kernel operations of the debugged process as tracer.ko
 * (kernel-patch/tracer) counts them: calls of __kmalloc and kfree and their
 * bytes, schedule, up, down_interruptible, mutex_lock and mutex_unlock, with
 * the change since the previous stop.
 *
 * The first `info kstats` asks the module to count the process
 * (TRACER_ADD_PROCESS on /dev/tracer); from then on the counts are read at
 * every stop, so the next `info kstats` shows what the last run of the
 * program did in the kernel. Without the module it says so, in one line.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CommandError } from './parse.js';

const require = createRequire(import.meta.url);

/** The columns of /proc/tracer after PID, in its order. */
export const KSTATS_COLUMNS = ['kmalloc', 'kfree', 'kmalloc_mem', 'kfree_mem', 'sched', 'up', 'down', 'lock', 'unlock'] as const;
export type Kstats = Record<(typeof KSTATS_COLUMNS)[number], bigint>;

/** kernel-patch/tracer/tracer.h: _IOW(_IOC_WRITE, 42, pid_t). */
const TRACER_ADD_PROCESS = 0x4004012a;

export interface KstatsFiles {
  proc: string;
  dev: string;
}

const DEFAULT_FILES: KstatsFiles = { proc: '/proc/tracer', dev: '/dev/tracer' };

/** /proc/tracer's line for `pid`, or undefined when it is not listed. */
export function parseTracer(text: string, pid: number): Kstats | undefined {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== KSTATS_COLUMNS.length + 1 || f[0] !== String(pid) || !f.every((x) => /^\d+$/.test(x))) continue;
    return Object.fromEntries(KSTATS_COLUMNS.map((c, i) => [c, BigInt(f[i + 1]!)])) as Kstats;
  }
  return undefined;
}

type Ioctl = (fd: number, request: number, ...args: unknown[]) => number;
let ioctlFn: Ioctl | undefined;

/** libc's ioctl(2) through koffi (the native shim has none; an int argument, not a pointer). */
function ioctl(fd: number, request: number, arg: number): number {
  if (!ioctlFn) {
    const koffi = require('koffi') as { load(path: string): { func(decl: string): Ioctl } };
    ioctlFn = koffi.load('libc.so.6').func('int ioctl(int fd, unsigned long request, ...)');
  }
  return ioctlFn(fd, request, 'long', arg);
}

export class KernelStats {
  /** The process the module was asked to count. */
  private pid: number | undefined;
  /** Counts read at the last stop, and at the stop before it. */
  private atStop: Kstats | undefined;
  private beforeStop: Kstats | undefined;

  constructor(private readonly files: KstatsFiles = DEFAULT_FILES) {}

  private read(pid: number): Kstats | undefined {
    try {
      return parseTracer(readFileSync(this.files.proc, 'utf8'), pid);
    } catch {
      return undefined;
    }
  }

  /** The program stopped: remember its counts (only once `info kstats` asked for them). */
  onStop(pid: number | undefined): void {
    if (pid === undefined || pid !== this.pid) return;
    this.beforeStop = this.atStop;
    this.atStop = this.read(pid);
  }

  private register(pid: number): void {
    let fd: number;
    try {
      fd = openSync(this.files.dev, 'r');
    } catch (e) {
      throw new CommandError(`Cannot open ${this.files.dev}: ${(e as Error).message.replace(/^[A-Z]+: /, '').replace(/, open .*$/, '')}.`);
    }
    try {
      // EEXIST: someone else (another debugger, tracer tests) already counts it; fine.
      if (ioctl(fd, TRACER_ADD_PROCESS, pid) !== 0 && this.read(pid) === undefined) {
        throw new CommandError(`The kernel tracer refused to count process ${pid}.`);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** `info kstats` for the process `pid` (undefined: no process). */
  info(pid: number | undefined): string[] {
    if (pid === undefined) throw new CommandError('The program is not being run.');
    if (!existsSync(this.files.proc)) {
      throw new CommandError(`The kernel tracer is not loaded (no ${this.files.proc}): load kernel-patch/tracer's tracer.ko to count kernel operations.`);
    }
    if (this.pid !== pid) {
      this.pid = pid;
      this.atStop = undefined;
      this.beforeStop = undefined;
    }
    let now = this.read(pid);
    const lines: string[] = [];
    if (!now) {
      this.register(pid);
      now = this.read(pid);
      if (!now) throw new CommandError(`The kernel tracer does not list process ${pid}.`);
      lines.push(`Counting the kernel operations of process ${pid} from now on.`);
    }
    this.atStop ??= now;
    const prev = this.beforeStop;
    lines.push(`Kernel operations of process ${pid} (tracer.ko)${prev ? ', and their change since the previous stop' : ''}:`);
    const width = Math.max(...KSTATS_COLUMNS.map((c) => String(now![c]).length));
    for (const c of KSTATS_COLUMNS) {
      const v = String(now[c]).padStart(width);
      lines.push(`${c.padEnd(12)}${v}${prev ? `  ${now[c] >= prev[c] ? '+' : '-'}${(now[c] >= prev[c] ? now[c] - prev[c] : prev[c] - now[c]).toString()}` : ''}`);
    }
    return lines;
  }
}
