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
 *
 * Over `tsdbg connect` the counts come from the machine the program runs on:
 * tsdbg serve answers `monitor kstats` (and `monitor kstats add`) with
 * /proc/tracer's line for its process (monitorKstats, below); any other stub
 * gets one clear line saying it cannot.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Target } from '../target/types.js';
import { CommandError } from './parse.js';
import { expected } from '../debugger/errors.js';

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

/** Where tracer.ko's counts come from: this machine's files, or a tsdbg server's monitor. */
export interface KstatsSource {
  /** The counts of `pid`; undefined when the module does not count it. Throws CommandError when it is not loaded. */
  read(pid: number): Promise<Kstats | undefined>;
  /** Asks the module to count `pid` (TRACER_ADD_PROCESS). */
  add(pid: number): Promise<void>;
}

const notLoaded = (proc: string) =>
  `The kernel tracer is not loaded (no ${proc}): load kernel-patch/tracer's tracer.ko to count kernel operations.`;

/** A Node file error's reason alone: "no such file or directory". */
const osReason = (e: unknown): string => (e as Error).message.replace(/^[A-Z]+: /, '').replace(/, (open|read)\b.*$/, '');

/** tracer.ko on this machine. */
export function localKstats(files: KstatsFiles = DEFAULT_FILES): KstatsSource {
  const read = (pid: number): Kstats | undefined => {
    if (!existsSync(files.proc)) throw new CommandError(notLoaded(files.proc));
    let text: string;
    try {
      text = readFileSync(files.proc, 'utf8');
    } catch (e) {
      // (unloaded since the check above, or unreadable: said, as a failed open of the device is)
      throw new CommandError(`Cannot read ${files.proc}: ${osReason(e)}.`);
    }
    return parseTracer(text, pid);
  };
  return {
    read: async (pid) => read(pid),
    add: async (pid) => {
      let fd: number;
      try {
        fd = openSync(files.dev, 'r');
      } catch (e) {
        throw new CommandError(`Cannot open ${files.dev}: ${osReason(e)}.`);
      }
      try {
        // EEXIST: someone else (another debugger, tracer tests) already counts it; fine.
        if (ioctl(fd, TRACER_ADD_PROCESS, pid) !== 0 && read(pid) === undefined) {
          throw new CommandError(`The kernel tracer refused to count process ${pid}.`);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

const LOCAL = localKstats();

/** What tsdbg serve's `monitor kstats` prints when tracer.ko does not count its process. */
export const KSTATS_NOT_COUNTED = 'not counted';

/**
 * The server side of `monitor kstats [add]` (src/rsp/monitor.ts): /proc/tracer's line for
 * `pid` ("PID kmalloc ... unlock"), or KSTATS_NOT_COUNTED; `add` first asks the module to
 * count it. Errors are CommandErrors with the local words.
 */
export async function monitorKstats(pid: number, args: string[], source = localKstats()): Promise<string> {
  if (args[0] === 'add') await source.add(pid);
  else if (args.length) throw new CommandError(`usage: kstats [add]`);
  const k = await source.read(pid);
  return k ? `${pid} ${KSTATS_COLUMNS.map((c) => k[c].toString()).join(' ')}\n` : `${KSTATS_NOT_COUNTED}\n`;
}

const NO_REMOTE_KSTATS = 'The remote stub cannot count kernel operations: info kstats needs tsdbg serve on the remote side.';

/** tracer.ko on the machine of a remote stub, through its monitor (tsdbg serve only). */
export function remoteKstats(run: (command: string) => Promise<string>): KstatsSource {
  const ask = async (command: string): Promise<string> => {
    // gdbserver answers an unknown monitor command with an error packet
    const out = (await run(command).catch(() => { throw new CommandError(NO_REMOTE_KSTATS); })).trim();
    const err = /^error \([A-Z0-9]+\): (.*)$/m.exec(out);
    if (err) throw new CommandError(`${err[1]!.replace(/\.$/, '')} (on the remote machine).`);
    if (out !== KSTATS_NOT_COUNTED && !/^\d+( \d+){9}$/.test(out)) throw new CommandError(NO_REMOTE_KSTATS);
    return out;
  };
  return {
    read: async () => {
      const out = await ask('kstats');
      return out === KSTATS_NOT_COUNTED ? undefined : parseTracer(out, Number(out.split(' ')[0]));
    },
    add: async () => { await ask('kstats add'); },
  };
}

/** Where `info kstats` reads for `target`: this machine, or the remote stub's (tsdbg serve's) monitor. */
export function kstatsSourceFor(target: Target | undefined): KstatsSource {
  if (target?.kind !== 'remote') return LOCAL;
  const monitor = target.capabilities.monitor;
  if (!monitor) {
    const no = async (): Promise<never> => { throw new CommandError(NO_REMOTE_KSTATS); };
    return { read: no, add: no };
  }
  return remoteKstats((command) => monitor.run(command));
}

export class KernelStats {
  /** The process the module was asked to count. */
  private pid: number | undefined;
  /** Counts read at the last stop, and at the stop before it (a read in flight, for a remote source). */
  private atStop: Promise<Kstats | undefined> | undefined;
  private beforeStop: Promise<Kstats | undefined> | undefined;

  /** `sourceFor`: where the counts of the current target are (kstatsSourceFor). */
  constructor(private readonly sourceFor: () => KstatsSource = () => LOCAL) {}

  private get source(): KstatsSource {
    return this.sourceFor();
  }

  private read(pid: number): Promise<Kstats | undefined> {
    // (counts that do not read at a stop are none: `info kstats` reads again, and says why)
    return this.source.read(pid).catch(expected(undefined));
  }

  /** The program stopped: remember its counts (only once `info kstats` asked for them). */
  onStop(pid: number | undefined): void {
    if (pid === undefined || pid !== this.pid) return;
    this.beforeStop = this.atStop;
    this.atStop = this.read(pid);
  }

  /** `info kstats` for the process `pid` (undefined: no process). */
  async info(pid: number | undefined): Promise<string[]> {
    if (pid === undefined) throw new CommandError('The program is not being run.');
    if (this.pid !== pid) {
      this.pid = pid;
      this.atStop = undefined;
      this.beforeStop = undefined;
    }
    let now = await this.source.read(pid);
    const lines: string[] = [];
    if (!now) {
      await this.source.add(pid);
      now = await this.source.read(pid);
      if (!now) throw new CommandError(`The kernel tracer does not list process ${pid}.`);
      lines.push(`Counting the kernel operations of process ${pid} from now on.`);
    }
    this.atStop ??= Promise.resolve(now);
    const prev = await this.beforeStop;
    const cur = now;
    lines.push(`Kernel operations of process ${pid} (tracer.ko)${prev ? ', and their change since the previous stop' : ''}:`);
    const width = Math.max(...KSTATS_COLUMNS.map((c) => String(cur[c]).length));
    for (const c of KSTATS_COLUMNS) {
      const v = String(cur[c]).padStart(width);
      lines.push(`${c.padEnd(12)}${v}${prev ? `  ${cur[c] >= prev[c] ? '+' : '-'}${(cur[c] >= prev[c] ? cur[c] - prev[c] : prev[c] - cur[c]).toString()}` : ''}`);
    }
    return lines;
  }
}
