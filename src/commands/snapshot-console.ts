/**
 * The gdb console's snapshot and checkpoint commands: they call the core
 * (src/debugger/snapshots.ts) and render its values as tsdbg's text.
 */
import type { SnapshotCommand } from './parse.js';
import { CommandError } from './parse.js';
import { addrWithSym, changedRanges, formatDiff, hex, hexdump, humanSize, type Symbolizer } from './format.js';
import { namedLines } from './address-name-text.js';
import type { NamedPiece } from '../debugger/inspect/address-names.js';
import { CheckpointError, limitText, type RewindResult } from '../snapshot/checkpoint.js';
import { engineLabel, type SnapshotPlace, type Snapshots } from '../debugger/snapshots.js';
import type { SnapshotInfo } from '../debugger/state.js';
import { expected } from '../debugger/errors.js';

export interface SnapshotConsoleHost {
  snaps: Snapshots;
  /** An expression's value as an address. */
  evalAddress(expr: string): Promise<bigint>;
  symbolize: Symbolizer;
  /** ANSI color in diffs. */
  color(): boolean;
  out(lines: string[]): void;
  /** What each changed range belongs to (src/debugger/inspect/address-names.ts). */
  names?(ranges: Array<{ start: bigint; length: number }>): Promise<NamedPiece[]>;
}

export class SnapshotConsole {
  constructor(private readonly h: SnapshotConsoleHost) {}

  /** `snapshot ...` */
  async snapshot(c: SnapshotCommand): Promise<void> {
    const s = this.h.snaps;
    switch (c.op) {
      case 'take': {
        const start = await this.h.evalAddress(c.start);
        const len = Number(await this.h.evalAddress(c.length));
        this.taken(await s.take(start, len));
        return;
      }
      case 'heap': case 'stack': this.taken(await s.takeMapping(c.op)); return;
      case 'mapping': this.taken(await s.takeMapping(c.index)); return;
      case 'show': await this.at('show', await this.start(c.addr)); return;
      case 'diff': {
        const start = await this.start(c.addr);
        const { old, now } = await s.compare(start);
        const ranges = changedRanges(old, now).map(([o, l]) => ({ start: start + BigInt(o), length: l }));
        const names = ranges.length && this.h.names ? await this.h.names(ranges).catch(expected([])) : [];
        this.h.out([...formatDiff(start, old, now, this.h.color()), ...namedLines(names)]);
        return;
      }
      case 'drop': await this.at('drop', await this.start(c.addr)); return;
    }
  }

  /** `restore ADDR|heap|stack` */
  async restore(arg: string): Promise<void> {
    await this.at('restore', await this.start(arg));
  }

  /**
   * `snapshot show|drop ADDR`, `restore ADDR` of an address already known
   * (the source-level commands' typed objects), and `snapshot ADDR LEN`.
   */
  async at(op: 'take' | 'show' | 'drop' | 'restore', start: bigint, length = 0): Promise<void> {
    const s = this.h.snaps;
    switch (op) {
      case 'take': this.taken(await s.take(start, length)); return;
      case 'show': this.h.out(collapseHexdump(hexdump(start, await s.read(await s.startOf(start))))); return;
      case 'drop':
        await s.drop(await s.startOf(start));
        this.h.out([`Snapshot at ${hex(start)} dropped.`]);
        return;
      case 'restore': {
        const info = await s.restore(await s.startOf(start));
        this.h.out([`Restored ${info?.length ?? '?'} bytes at ${hex(start)}${info?.region ? ` (${info.region})` : ''}; snapshot dropped.`]);
      }
    }
  }

  /** `snapshots` */
  async list(list: () => readonly SnapshotInfo[]): Promise<void> {
    const u = await this.h.snaps.usage();
    const lines = [`Snapshot engine: ${engineLabel(u.engine)}`];
    const all = list();
    if (!all.length) lines.push('No snapshots.');
    else {
      lines.push('Start               Length      Owner         Region');
      for (const s of all) {
        lines.push(`${hex(s.start).padEnd(20)}${String(s.length).padEnd(12)}${(s.owner ? `ckpt ${s.owner}` : 'user').padEnd(14)}${s.region}`);
      }
    }
    lines.push(`${u.held} bytes held of ${u.maxTotal} (${((u.held / u.maxTotal) * 100).toFixed(1)}%); largest snapshot allowed ${u.maxLen} bytes.`);
    this.h.out(lines);
  }

  /** `checkpoint [NAME]` */
  async checkpoint(name: string | undefined): Promise<void> {
    const s = this.h.snaps;
    const c = await s.checkpoint(name);
    const inEngine = c.regions.filter((r) => !r.buffer).length;
    const where = c.delta
      ? `; ${humanSize(c.copiedBytes)} copied, written pages found by ${s.methodInUse()}.`
      : ` (${inEngine} held by the ${s.engine().name} engine, ${c.regions.length - inEngine} in tsdbg).`;
    this.h.out([`Checkpoint ${c.id} "${c.name}" at ${addrWithSym(c.regs.rip, this.h.symbolize)}: ${c.regions.length} regions, ${humanSize(s.bytesOf(c))}${where}`]);
  }

  /** `show checkpoint-method`: the setting, and the method the checkpoints use once one was taken. */
  showMethod(name: string): string | undefined {
    if (name !== 'checkpoint-method') return undefined;
    const used = this.h.snaps.methodInUse();
    return `How checkpoints find the pages the program wrote is "${this.h.snaps.methodChoice}".${used ? ` In use: ${used}.` : ''}`;
  }

  async deleteCheckpoint(name: string): Promise<void> {
    const c = await this.h.snaps.deleteCheckpoint(name);
    this.h.out([`Checkpoint "${c.name}" deleted.`]);
  }

  /** `checkpoints` */
  checkpoints(): void {
    const s = this.h.snaps;
    const list = s.list();
    if (!list.length) { this.h.out(['No checkpoints.']); return; }
    const lines = ['Id  Name          Regions  Size        Held by            Where'];
    list.forEach((c, i) => {
      const where = i < list.length - 1 ? 'tsdbg buffers' : c.delta ? 'tsdbg copy' : `${s.engine().name} engine`;
      lines.push(`${String(c.id).padEnd(4)}${c.name.padEnd(14)}${String(c.regions.length).padEnd(9)}${humanSize(s.bytesOf(c)).padEnd(12)}${where.padEnd(19)}${addrWithSym(c.regs.rip, this.h.symbolize)}`);
    });
    lines.push(`tsdbg buffers hold ${humanSize(s.bufferedBytes())}; limit ${limitText(s.bufferLimit)} (set checkpoint-limit).`);
    lines.push(`Written pages found by ${s.methodInUse()} (set checkpoint-method).`);
    this.h.out(lines);
  }

  /** `rewind [-f] [NAME]`: the rewind, its warnings and its summary (the caller shows the frame). */
  async rewind(name: string | undefined, force: boolean): Promise<RewindResult> {
    const s = this.h.snaps;
    let r: RewindResult;
    try {
      r = await s.rewind(name, force);
    } catch (e) {
      if (e instanceof CheckpointError && e.changes.length) {
        const cname = s.nameOf(name);
        throw new CommandError([e.message, ...e.changes.map((c) => `  ${c.text}`),
          `Rewind refused; "rewind -f ${cname}" restores the memory that is still mapped${e.changes.some((c) => c.kind.startsWith('thread')) ? ' and the threads that still exist' : ''}, and leaves these as they are.`].join('\n'));
      }
      throw e;
    }
    const of = r.restoredThreads > 1 ? ` of ${r.restoredThreads} threads` : '';
    this.h.out([...r.skipped.map((c) => `warning: not undone: ${c.text}`),
      `Rewound to checkpoint "${r.checkpoint.name}": ${humanSize(r.restoredBytes)} of memory and all registers${of} restored.`]);
    return r;
  }

  /** A snapshot's start from the user's words: `heap`, `stack` or an expression. */
  private async start(arg: string): Promise<bigint> {
    const place: SnapshotPlace = arg === 'heap' || arg === 'stack' ? arg : await this.h.evalAddress(arg);
    return this.h.snaps.startOf(place);
  }

  private taken(s: SnapshotInfo): void {
    this.h.out([`Snapshot of ${s.length} bytes at ${hex(s.start)}${s.region ? ` (${s.region})` : ''} taken by the ${this.h.snaps.engine().name} engine.`]);
  }
}

/** Like `hexdump -C`, repeated lines become one `*`. */
function collapseHexdump(lines: string[]): string[] {
  const out: string[] = [];
  let prevBody = '';
  let starred = false;
  for (const l of lines) {
    const body = l.slice(l.indexOf(':'));
    if (body === prevBody) {
      if (!starred) out.push('*');
      starred = true;
      continue;
    }
    starred = false;
    prevBody = body;
    out.push(l);
  }
  return out;
}
