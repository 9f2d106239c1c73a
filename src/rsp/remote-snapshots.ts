/**
 * Snapshots of a remote process, through the monitor commands a tsdbg server
 * offers (qRcmd, GDB manual "General Query Packets"). The same commands a gdb
 * user types (`monitor snapshot ADDR LEN`) drive this engine, so the text they
 * print is the protocol: see src/rsp/monitor.ts for the server side.
 *
 *   snapshot ADDR LEN            take one          snapshots         list them
 *   restore ADDR                 put it back       snapshot-info     engine, limits, bytes held
 *   snapshot-read ADDR OFF LEN   saved bytes (hex) snapshot-discard ADDR / snapshot-clear
 * Failures print `error (ECODE): message`.
 */
import { SnapshotError, type SnapshotEngine, type SnapshotErrorCode, type SnapshotInfo, type SnapshotLimits } from '../snapshot/types.js';
import { TargetError } from '../target/types.js';
import type { RspClient } from './client.js';
import { fromHex, toHex } from './packet.js';
import { hexWord } from '../util/hex.js';

const ERROR_LINE = /^error \((E[A-Z]+)\): (.*)$/m;
/** Bytes of snapshot data fetched per monitor command (sent back as hex in O packets). */
const READ_CHUNK = 0x8000;

/** Run `monitor CMD` and return its output. Throws ENOTSUP if the stub has no qRcmd. */
export async function runMonitor(client: RspClient, command: string): Promise<string> {
  const parts: Buffer[] = [];
  const reply = await client.text(`qRcmd,${toHex(Buffer.from(command))}`, {
    consoleOutput: true,
    onOutput: (b) => parts.push(b),
  });
  if (reply === '') throw new TargetError('ENOTSUP', 'the remote has no monitor commands');
  if (/^E[0-9a-fA-F]{2}$/.test(reply)) throw new TargetError('EIO', `the remote refused the monitor command "${command}" (${reply})`);
  if (reply.startsWith('E.')) throw new TargetError('EIO', reply.slice(2));
  if (reply !== 'OK') {
    // output may also come back hex-encoded in the reply itself
    try {
      parts.push(fromHex(reply));
    } catch {
      throw new TargetError('EIO', `bad monitor reply "${reply.slice(0, 20)}"`);
    }
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Ask `monitor help` what the stub can do: any monitor at all, and ours. Any failure means "nothing". */
export async function probeMonitor(client: RspClient): Promise<{ available: boolean; snapshots: boolean }> {
  try {
    const help = await runMonitor(client, 'help');
    return { available: true, snapshots: /^\s*snapshot-read\b/m.test(help) && /^\s*snapshot\s+ADDR/m.test(help) };
  } catch {
    // (a stub without qRcmd or our monitor: no remote snapshots, as reported)
    return { available: false, snapshots: false };
  }
}

export class RemoteSnapshotEngine implements SnapshotEngine {
  readonly name = 'remote' as const;

  constructor(private readonly client: RspClient) {}

  private async run(command: string): Promise<string> {
    let out: string;
    try {
      out = await runMonitor(this.client, command);
    } catch (e) {
      throw new SnapshotError('EIO', (e as Error).message);
    }
    const err = ERROR_LINE.exec(out);
    if (err) throw new SnapshotError(err[1] as SnapshotErrorCode, err[2]);
    return out;
  }

  private async info(): Promise<Record<string, string>> {
    const out = await this.run('snapshot-info');
    return Object.fromEntries([...out.matchAll(/([\w-]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  }

  async limits(): Promise<SnapshotLimits> {
    const i = await this.info();
    return { maxLen: Number(i['max-len']), maxTotal: Number(i['max-total']) };
  }

  async held(): Promise<number> {
    return Number((await this.info()).held);
  }

  async snapshot(start: bigint, length: number): Promise<void> {
    await this.run(`snapshot ${hexWord(start)} ${length}`);
  }

  async restore(start: bigint): Promise<void> {
    await this.run(`restore ${hexWord(start)}`);
  }

  async list(): Promise<SnapshotInfo[]> {
    const out = await this.run('snapshots');
    return [...out.matchAll(/^0x([0-9a-f]+)\s+(\d+)/gm)].map((m) => ({ start: BigInt('0x' + m[1]), length: Number(m[2]) }));
  }

  async read(start: bigint): Promise<Buffer> {
    const snap = (await this.list()).find((s) => s.start === start);
    if (!snap) throw new SnapshotError('ENOENT', `no snapshot starts at ${hexWord(start)}`);
    const parts: Buffer[] = [];
    for (let off = 0; off < snap.length; off += READ_CHUNK) {
      const len = Math.min(READ_CHUNK, snap.length - off);
      const hex = (await this.run(`snapshot-read ${hexWord(start)} ${off} ${len}`)).trim();
      parts.push(fromHex(hex));
    }
    return Buffer.concat(parts);
  }

  async discard(start: bigint): Promise<void> {
    await this.run(`snapshot-discard ${hexWord(start)}`);
  }

  async clear(): Promise<void> {
    await this.run('snapshot-clear');
  }
}
