/**
 * tracer.ko (kernel-patch/tracer) on this machine: /proc/tracer's counts of a
 * process and TRACER_ADD_PROCESS on /dev/tracer. Below the console and the
 * RSP server, which both read it: `info kstats` (src/commands/kstats.ts) and
 * tsdbg serve's `monitor kstats` (src/rsp/monitor.ts). Its errors are
 * TargetErrors with the words the user sees.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TargetError } from './types.js';

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
  /** The counts of `pid`; undefined when the module does not count it. Throws a one-line error when it is not loaded. */
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
    if (!existsSync(files.proc)) throw new TargetError('ENOENT', notLoaded(files.proc));
    let text: string;
    try {
      text = readFileSync(files.proc, 'utf8');
    } catch (e) {
      // (unloaded since the check above, or unreadable: said, as a failed open of the device is)
      throw new TargetError('EIO', `Cannot read ${files.proc}: ${osReason(e)}.`);
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
        throw new TargetError('EIO', `Cannot open ${files.dev}: ${osReason(e)}.`);
      }
      try {
        // EEXIST: someone else (another debugger, tracer tests) already counts it; fine.
        if (ioctl(fd, TRACER_ADD_PROCESS, pid) !== 0 && read(pid) === undefined) {
          throw new TargetError('EPERM', `The kernel tracer refused to count process ${pid}.`);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** tracer.ko on this machine, at its usual files. */
export const LOCAL_KSTATS = localKstats();

/** What tsdbg serve's `monitor kstats` prints when tracer.ko does not count its process. */
export const KSTATS_NOT_COUNTED = 'not counted';

/**
 * The server side of `monitor kstats [add]` (src/rsp/monitor.ts): /proc/tracer's line for
 * `pid` ("PID kmalloc ... unlock"), or KSTATS_NOT_COUNTED; `add` first asks the module to
 * count it. Errors are TargetErrors with the local words.
 */
export async function monitorKstats(pid: number, args: string[], source = localKstats()): Promise<string> {
  if (args[0] === 'add') await source.add(pid);
  else if (args.length) throw new TargetError('EINVAL', `usage: kstats [add]`);
  const k = await source.read(pid);
  return k ? `${pid} ${KSTATS_COLUMNS.map((c) => k[c].toString()).join(' ')}\n` : `${KSTATS_NOT_COUNTED}\n`;
}

