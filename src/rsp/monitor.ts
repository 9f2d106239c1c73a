/**
 * Monitor commands of tsdbg serve (`monitor ...` in gdb, qRcmd on the wire).
 * The text they print is also the protocol RemoteSnapshotEngine parses (see
 * remote-snapshots.ts), so formats here change only together with it.
 *
 * gdb passes monitor arguments verbatim (it evaluates nothing), so addresses
 * are numbers; `eval "monitor snapshot %p %d", &var, sizeof(var)` is the
 * gdb idiom for expressions, and `help` says so.
 */
import type { Target } from '../target/types.js';
import { TargetError } from '../target/types.js';
import { snapshotsOf } from '../target/capabilities.js';
import { SnapshotError } from '../snapshot/types.js';
import { CheckpointError, CheckpointManager } from '../snapshot/checkpoint.js';
import { hexWord } from '../util/hex.js';
import { monitorKstats } from '../target/kstats.js';

const SNAPSHOT_HELP = `tsdbg serve monitor commands:
  snapshot ADDR LEN            copy [ADDR, ADDR+LEN) of the stopped program
  restore ADDR                 write the snapshot starting at ADDR back (and drop it)
  snapshots                    list the snapshots held
  snapshot-diff ADDR           bytes that changed since the snapshot at ADDR
  snapshot-read ADDR OFF LEN   the saved bytes, in hex
  snapshot-discard ADDR        drop a snapshot without restoring it
  snapshot-clear               drop every snapshot
  snapshot-info                engine, limits and bytes held
  checkpoint [NAME]            save registers and all writable memory
  checkpoints                  list checkpoints
  rewind [NAME] [force]        go back to a checkpoint (newest by default)
  kstats [add]                 tracer.ko's counts of the process (add: count it)
  help                         this text
ADDR and LEN are numbers (0x... or decimal): gdb does not evaluate monitor
arguments. For expressions use gdb's eval, e.g.
  eval "monitor snapshot %p %d", &pt, sizeof(pt)
After restore or rewind, gdb still shows its cached view: run
"maintenance flush register-cache" to reread registers and memory.
`;


function parseNumber(s: string | undefined, what: string): bigint {
  if (s === undefined) throw new UsageError(`missing ${what}`);
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(s)) {
    throw new UsageError(`${what} must be a number, not "${s}" (gdb does not evaluate monitor arguments; see "monitor help")`);
  }
  return BigInt(s);
}

function parseLength(s: string | undefined, what = 'LEN'): number {
  const v = parseNumber(s, what);
  if (v > 0x7fffffffn) throw new UsageError(`${what} ${s} is too large`);
  return Number(v);
}

class UsageError extends Error {}

/**
 * Per-connection monitor state: the snapshots the user took by hand (so
 * checkpoints never replace them) and the checkpoint manager.
 */
export class Monitor {
  private checkpoints: CheckpointManager | undefined;

  /** Drop the checkpoints (and the page tracking registered in the process): before a detach or a new process. */
  close(): void {
    this.checkpoints?.forget();
    this.checkpoints = undefined;
  }

  constructor(private readonly target: () => Target | undefined) {}

  /** Run one command line; returns the text to print. Never throws. */
  async run(line: string): Promise<string> {
    const [cmd, ...args] = line.trim().split(/\s+/);
    try {
      return await this.dispatch(cmd ?? '', args);
    } catch (e) {
      const changes = e instanceof CheckpointError && e.changes.length
        ? e.changes.map((c) => `  ${c.text}\n`).join('') + '  ("monitor rewind NAME force" restores what is still mapped)\n'
        : '';
      return `error (${errorCode(e)}): ${(e as Error).message}\n${changes}`;
    }
  }

  private liveTarget(): Target {
    const t = this.target();
    if (!t || t.state === 'exited') throw new TargetError('ESRCH', 'there is no process');
    return t;
  }

  private engine() {
    return snapshotsOf(this.liveTarget());
  }

  private manager(): CheckpointManager {
    if (!this.checkpoints) {
      const engine = this.engine();
      this.checkpoints = new CheckpointManager(this.liveTarget(), engine, () => this.userSnapshots);
    }
    return this.checkpoints;
  }

  /** Snapshots taken by hand, for CheckpointManager. */
  private userSnapshots: Array<{ start: bigint; length: number }> = [];

  private async dispatch(cmd: string, args: string[]): Promise<string> {
    switch (cmd) {
      case '':
      case 'help':
        return this.help();
      case 'snapshot':
        return this.snapshot(parseNumber(args[0], 'ADDR'), parseLength(args[1]));
      case 'restore':
        return this.restore(parseNumber(args[0], 'ADDR'));
      case 'snapshots':
        return this.list();
      case 'snapshot-diff':
        return this.diff(parseNumber(args[0], 'ADDR'));
      case 'snapshot-read':
        return this.read(parseNumber(args[0], 'ADDR'), parseLength(args[1], 'OFF'), parseLength(args[2]));
      case 'snapshot-discard': {
        const start = parseNumber(args[0], 'ADDR');
        await this.engine().discard(start);
        this.forget(start);
        return `discarded the snapshot at ${hexWord(start)}\n`;
      }
      case 'snapshot-clear':
        await this.engine().clear();
        this.userSnapshots = [];
        this.close();
        return 'all snapshots dropped\n';
      case 'snapshot-info': {
        const e = this.engine();
        const [limits, held] = await Promise.all([e.limits(), e.held()]);
        return `engine=${e.name} max-len=${limits.maxLen} max-total=${limits.maxTotal} held=${held}\n`;
      }
      case 'checkpoint':
        return this.checkpoint(args[0]);
      case 'checkpoints':
        return this.listCheckpoints();
      case 'kstats':
        return monitorKstats(this.liveTarget().pid, args);
      case 'rewind':
        return this.rewind(args.filter((a) => a !== 'force')[0], args.includes('force'));
      default:
        throw new UsageError(`unknown monitor command "${cmd}" (try "monitor help")`);
    }
  }

  /**
   * Snapshot commands are listed only when the process can snapshot: a
   * RemoteTarget decides from this text whether to offer the power at all.
   */
  private help(): string {
    const t = this.target();
    if (!t || t.capabilities.snapshots) return SNAPSHOT_HELP;
    return `tsdbg serve monitor commands:\n  kstats [add]                 tracer.ko's counts of the process (add: count it)\n` +
      `  help                         this text\n` +
      `(no snapshot commands: this ${t.kind} target cannot take snapshots)\n`;
  }

  private async snapshot(start: bigint, length: number): Promise<string> {
    // a hand-taken snapshot over a checkpoint region moves that region out first
    await this.checkpoints?.evictOverlapping(start, length);
    const engine = this.engine();
    await engine.snapshot(start, length);
    this.userSnapshots = this.userSnapshots.filter((s) => s.start + BigInt(s.length) <= start || s.start >= start + BigInt(length));
    this.userSnapshots.push({ start, length });
    return `snapshot of ${length} bytes at ${hexWord(start)} taken (${await engine.held()} bytes held)\n`;
  }

  private async restore(start: bigint): Promise<string> {
    const engine = this.engine();
    const snap = (await engine.list()).find((s) => s.start === start);
    await engine.restore(start);
    this.forget(start);
    return `restored ${snap?.length ?? 0} bytes at ${hexWord(start)}\n`;
  }

  private forget(start: bigint): void {
    this.userSnapshots = this.userSnapshots.filter((s) => s.start !== start);
  }

  private async list(): Promise<string> {
    const snaps = await this.engine().list();
    if (snaps.length === 0) return 'no snapshots\n';
    const owner = (start: bigint) => this.checkpoints?.ownerOf(start);
    return 'start               length\n' + snaps.map((s) => {
      const c = owner(s.start);
      return `${hexWord(s.start).padEnd(18)}  ${s.length}${c ? `  (checkpoint ${c.name})` : ''}`;
    }).join('\n') + '\n';
  }

  private async read(start: bigint, offset: number, length: number): Promise<string> {
    const data = await this.engine().read(start);
    if (offset > data.length) throw new SnapshotError('EINVAL', `offset ${offset} is past the end of the snapshot (${data.length} bytes)`);
    return data.subarray(offset, offset + length).toString('hex') + '\n';
  }

  private async diff(start: bigint): Promise<string> {
    const saved = await this.engine().read(start);
    const now = await this.liveTarget().readMemory(start, saved.length);
    const lines: string[] = [];
    for (let i = 0; i < saved.length && lines.length < 64; i++) {
      if (saved[i] === now[i]) continue;
      let j = i;
      while (j < saved.length && saved[j] !== now[j] && j - i < 16) j++;
      lines.push(`${hexWord(start + BigInt(i))}  was ${saved.subarray(i, j).toString('hex')}  now ${now.subarray(i, j).toString('hex')}`);
      i = j - 1;
    }
    return lines.length ? lines.join('\n') + '\n' : `no changes in the ${saved.length} bytes at ${hexWord(start)}\n`;
  }

  private async checkpoint(name: string | undefined): Promise<string> {
    const c = await this.manager().take(name);
    return `checkpoint ${c.id} "${c.name}": ${c.regions.length} regions, ${this.manager().bytesOf(c)} bytes\n`;
  }

  private listCheckpoints(): string {
    const list = this.checkpoints?.checkpoints ?? [];
    if (list.length === 0) return 'no checkpoints\n';
    return list.map((c) => `${c.id}  ${c.name}  pc=${hexWord(c.regs.rip)}  ${this.checkpoints!.bytesOf(c)} bytes`).join('\n') + '\n';
  }

  private async rewind(name: string | undefined, force: boolean): Promise<string> {
    const r = await this.manager().rewind(name, force);
    const skipped = r.skipped.length ? `; left as they are: ${r.skipped.map((s) => s.text).join(', ')}` : '';
    return `rewound to checkpoint ${r.checkpoint.id} "${r.checkpoint.name}" (${r.restoredBytes} bytes, pc=${hexWord(r.checkpoint.regs.rip)})${skipped}\n`;
  }
}

function errorCode(e: unknown): string {
  if (e instanceof SnapshotError || e instanceof TargetError) return e.code;
  if (e instanceof UsageError) return 'EINVAL';
  if (e instanceof CheckpointError) return 'EINVAL';
  return 'EIO';
}
