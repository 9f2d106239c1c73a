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
import type { Target } from '../target/types.js';
import { CommandError } from './parse.js';
import { KSTATS_COLUMNS, KSTATS_NOT_COUNTED, LOCAL_KSTATS, parseTracer, type Kstats, type KstatsSource } from '../target/kstats.js';
import { expected } from '../debugger/errors.js';

export { KSTATS_COLUMNS, type Kstats, type KstatsSource } from '../target/kstats.js';

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
  if (target?.kind !== 'remote') return LOCAL_KSTATS;
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
  constructor(private readonly sourceFor: () => KstatsSource = () => LOCAL_KSTATS) {}

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
