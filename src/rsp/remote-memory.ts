/**
 * The memory packets of a RemoteTarget (m, and X or M: whichever the stub
 * takes, learnt at the first write), host files read through vFile, and
 * qXfer objects.
 *
 * The caller checks the process is stopped.
 */
import { TargetError } from '../target/types.js';
import type { RspClient } from './client.js';
import { escapeBinary, fromHex, parseHexInt, toHex, unescapeBinary } from './packet.js';

export class RemoteMemory {
  private useX: boolean | undefined;

  constructor(private readonly client: RspClient) {}

  async read(addr: bigint, len: number): Promise<Buffer> {
    const out = Buffer.alloc(len);
    const chunk = Math.max(16, Math.floor((this.client.packetSize - 8) / 2));
    let done = 0;
    while (done < len) {
      const want = Math.min(chunk, len - done);
      const at = addr + BigInt(done);
      const reply = await this.client.text(`m${at.toString(16)},${want.toString(16)}`);
      if (reply === '' || reply.startsWith('E') || reply.length % 2 !== 0) {
        throw new TargetError('EFAULT', `cannot access memory at 0x${at.toString(16)}`);
      }
      const data = fromHex(reply);
      data.copy(out, done);
      done += data.length;
    }
    return out;
  }

  async write(addr: bigint, data: Buffer): Promise<void> {
    // worst case every byte escapes to two
    const chunk = Math.max(16, Math.floor((this.client.packetSize - 40) / 2));
    for (let done = 0; done < data.length || (done === 0 && data.length === 0); done += chunk) {
      if (data.length === 0) return;
      const at = addr + BigInt(done);
      const part = data.subarray(done, done + chunk);
      const reply = await this.writeChunk(at, part);
      if (reply !== 'OK') throw new TargetError('EFAULT', `cannot write memory at 0x${at.toString(16)}`);
    }
  }

  private async writeChunk(at: bigint, part: Buffer): Promise<string> {
    const head = `${at.toString(16)},${part.length.toString(16)}`;
    if (this.useX !== false) {
      const reply = await this.client.text(Buffer.concat([Buffer.from(`X${head}:`), escapeBinary(part)]));
      if (reply !== '') {
        this.useX = true;
        return reply;
      }
      this.useX = false;
    }
    return this.client.text(`M${head}:${toHex(part)}`);
  }

  /** Read a file on the remote side through vFile; undefined if unsupported. */
  async readFile(path: string): Promise<Buffer | undefined> {
    const open = await this.client.text(`vFile:open:${toHex(Buffer.from(path))},0,0`);
    if (open === '') return undefined;
    const fd = parseFResult(open, path);
    const parts: Buffer[] = [];
    try {
      const want = Math.max(256, Math.floor(this.client.packetSize / 2) - 32);
      for (let offset = 0; ;) {
        const reply = await this.client.request(`vFile:pread:${fd.toString(16)},${want.toString(16)},${offset.toString(16)}`);
        const semi = reply.indexOf(0x3b);
        const n = parseFResult(reply.subarray(0, semi < 0 ? reply.length : semi).toString('latin1'), path);
        if (n === 0) break;
        const data = unescapeBinary(reply.subarray(semi + 1));
        parts.push(data);
        offset += data.length;
      }
    } finally {
      // the read's result (or its error) is what counts; a failed close costs the stub one descriptor
      await this.client.text(`vFile:close:${fd.toString(16)}`).catch(() => undefined);
    }
    return Buffer.concat(parts);
  }
}

/** `F<result>[,errno]`: the result, or a TargetError for -1. */
function parseFResult(reply: string, path: string): number {
  const m = /^F(-?[0-9a-fA-F]+)(?:,([0-9a-fA-F]+))?/.exec(reply);
  if (!m) throw new TargetError('EIO', `bad vFile reply "${reply.slice(0, 20)}"`);
  if (m[1].startsWith('-')) throw new TargetError('EIO', `the remote cannot read ${path} (errno ${m[2] ? parseHexInt(m[2]) : '?'})`);
  return parseHexInt(m[1]);
}

/** qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH until the `l` (last) chunk. */
export async function xferRead(client: RspClient, object: string, annex: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let offset = 0;
  const len = Math.max(256, client.packetSize - 64);
  for (;;) {
    const reply = await client.request(`qXfer:${object}:read:${annex}:${offset.toString(16)},${len.toString(16)}`);
    const kind = reply[0];
    if (reply.length === 0) throw new TargetError('ENOTSUP', `the remote does not serve qXfer:${object}`);
    if (kind === 0x45 /* E */) throw new TargetError('EIO', `the remote could not read ${object} ${annex} (${reply.toString('latin1')})`);
    const data = unescapeBinary(reply.subarray(1));
    chunks.push(data);
    offset += data.length;
    if (kind === 0x6c /* l */ || data.length === 0) break;
  }
  return Buffer.concat(chunks);
}
