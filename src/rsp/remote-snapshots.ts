/**
 * Snapshots over the remote protocol. Two engines:
 *  - any stub (gdbserver, QEMU's gdbstub): RspMemoryEngine (src/snapshot/rsp-memory.ts)
 *    on the memory packets, with the map from vFile or qXfer:memory-map (memoryEngine below);
 *  - a tsdbg server: its own engine, in the server's process (RemoteSnapshotEngine).
 *
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
import { RspMemoryEngine } from '../snapshot/rsp-memory.js';
import { TargetError, type Mapping } from '../target/types.js';
import type { RspClient } from './client.js';
import type { RemoteTarget } from './remote-target.js';
import { parseMaps } from './maps.js';
import { fromHex, toHex, unescapeBinary } from './packet.js';
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

/**
 * The engine on the memory packets for a stub without ours. What is writable
 * comes from the process's /proc/PID/maps through vFile (gdbserver), else
 * from qXfer:memory-map's RAM regions; a stub with neither (QEMU's gdbstub)
 * takes snapshots of any range it can read.
 */
export function memoryEngine(t: RemoteTarget): RspMemoryEngine {
  const mem = new ProcMem(t);
  t.on('stop', (ev) => { if (ev.reason.kind === 'exited' || ev.reason.kind === 'killed' || ev.reason.kind === 'exec') mem.forget(); });
  return new RspMemoryEngine(t, {
    writableMaps: () => remoteWritableMaps(t),
    read: async (addr, len) => (await mem.read(addr, len)) ?? t.readMemory(addr, len),
  });
}

/**
 * The process's /proc/PID/mem read through vFile:pread: binary data (escaped,
 * about one byte per byte) in packets of the stub's size, where `m` sends two
 * hex digits per byte. Undefined when the stub has no vFile or the read fails
 * (then `m` reads it, and says where it cannot).
 */
class ProcMem {
  private fd: number | undefined | false;

  constructor(private readonly t: RemoteTarget) {}

  /** The process is gone or exec'd: its old mem file reads nothing. */
  forget(): void {
    const fd = this.fd;
    this.fd = undefined;
    // (a close the stub refuses or never answers: the handle died with the process anyway)
    if (typeof fd === 'number' && !this.t.client.closed) void this.t.client.text(`vFile:close:${fd.toString(16)}`).catch(() => undefined);
  }

  async read(addr: bigint, len: number): Promise<Buffer | undefined> {
    const fd = await this.open();
    if (fd === undefined) return undefined;
    const out = Buffer.allocUnsafe(len);
    const want = Math.max(256, this.t.client.packetSize - 64);
    for (let done = 0; done < len;) {
      const n = Math.min(want, len - done);
      const reply = await this.t.client.request(`vFile:pread:${fd.toString(16)},${n.toString(16)},${(addr + BigInt(done)).toString(16)}`);
      const semi = reply.indexOf(0x3b);
      const head = /^F([0-9a-f]+)$/i.exec(reply.subarray(0, semi < 0 ? reply.length : semi).toString('latin1'));
      if (!head || semi < 0) return undefined;
      const data = unescapeBinary(reply.subarray(semi + 1));
      if (data.length === 0 || data.length !== parseInt(head[1]!, 16) || data.length > len - done) return undefined;
      data.copy(out, done);
      done += data.length;
    }
    return out;
  }

  private async open(): Promise<number | undefined> {
    if (this.fd === false) return undefined;
    if (this.fd !== undefined) return this.fd;
    // (no vFile on this stub, or no such file: '' is no fd, and reads go by packets)
    const reply = await this.t.client.text(`vFile:open:${toHex(Buffer.from(`/proc/${this.t.pid}/mem`))},0,0`).catch(() => '');
    const m = /^F([0-9a-f]+)$/i.exec(reply);
    this.fd = m ? parseInt(m[1]!, 16) : false;
    return this.fd === false ? undefined : this.fd;
  }
}

async function remoteWritableMaps(t: RemoteTarget): Promise<Mapping[] | undefined> {
  // (no remote /proc, as on a non-Linux stub: the memory map below, if the stub has one)
  const maps = await t.readRemoteFile(`/proc/${t.pid}/maps`).catch(() => undefined);
  if (maps !== undefined && maps.length > 0) return parseMaps(maps.toString('latin1')).filter((m) => m.perms[1] === 'w');
  if (!t.client.supports('qXfer:memory-map:read')) return undefined;
  return parseMemoryMap((await t.xferRead('memory-map', '')).toString('utf8'));
}

/** gdb's memory-map document: its `ram` regions, as writable mappings (sorted). */
export function parseMemoryMap(xml: string): Mapping[] {
  const out: Mapping[] = [];
  for (const m of xml.matchAll(/<memory\b([^>]*)>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
    const start = attr('start');
    const length = attr('length');
    if (attr('type') !== 'ram' || !start || !length) continue;
    try {
      const s = BigInt(start);
      out.push({ start: s, end: s + BigInt(length), perms: 'rw-p', offset: 0n, dev: '00:00', inode: 0, path: '' });
    } catch {
      // a malformed number: not a region we can use
    }
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}
