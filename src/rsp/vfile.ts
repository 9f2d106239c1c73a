/**
 * Host I/O packets (GDB manual, "Host I/O Packets"): vFile:open/pread/close/
 * fstat/readlink/setfs, read-only. With them gdb reads the executable, the
 * shared libraries and /proc/PID/maps from the machine the program runs on
 * (a QEMU guest, another host) instead of assuming its own filesystem.
 *
 * Errors use gdb's fileio errno numbers, which are not Linux's for every
 * value (ENAMETOOLONG is 91); flags are gdb's fileio flags (O_RDONLY = 0).
 */
import { constants } from 'node:fs';
import { open, readlink, type FileHandle } from 'node:fs/promises';
import { escapeBinary, fromHex, parseHexInt } from './packet.js';
import type { FileGate } from './serve-policy.js';

const FILEIO_ERRNO: Record<string, number> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EBADF: 9, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, EFBIG: 27, ENOSPC: 28, ESPIPE: 29,
  EROFS: 30, ENAMETOOLONG: 91,
};
const EUNKNOWN = 9999;
const MAX_OPEN = 64;

function fail(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return `F-1,${(FILEIO_ERRNO[code] ?? EUNKNOWN).toString(16)}`;
}

export class HostIo {
  private readonly files = new Map<number, FileHandle>();
  private nextFd = 3;

  /** `gate` decides which paths may be opened or read as links (none: every one). */
  constructor(private readonly gate?: FileGate) {}

  /** Handle one vFile packet; `maxData` bounds pread replies (escaped). */
  async handle(packet: string, maxData: number): Promise<string | Buffer> {
    const colon = packet.indexOf(':', 6);
    const op = packet.slice(6, colon < 0 ? undefined : colon);
    const args = colon < 0 ? [] : packet.slice(colon + 1).split(',');
    try {
      switch (op) {
        case 'setfs': return 'F0'; // one filesystem: ours
        case 'open': return await this.open(args);
        case 'pread': return await this.pread(args, maxData);
        case 'close': return await this.close(args);
        case 'fstat': return await this.fstat(args);
        case 'readlink': return await this.readlink(args);
        default: return '';
      }
    } catch (e) {
      if (e instanceof RangeError) return `F-1,${FILEIO_ERRNO.EINVAL.toString(16)}`;
      return fail(e);
    }
  }

  async closeAll(): Promise<void> {
    // (closing on the way out: a handle the stub already forgot has nothing to close)
    for (const f of this.files.values()) await f.close().catch(() => undefined);
    this.files.clear();
  }

  private file(fdHex: string | undefined): FileHandle {
    const f = this.files.get(parseHexInt(fdHex ?? ''));
    if (!f) throw Object.assign(new Error('bad fd'), { code: 'EBADF' });
    return f;
  }

  private async open(args: string[]): Promise<string> {
    const path = fromHex(args[0] ?? '').toString('utf8');
    const flags = parseHexInt(args[1] ?? '0');
    if (flags !== 0) return `F-1,${FILEIO_ERRNO.EROFS.toString(16)}`; // read-only service
    if (this.files.size >= MAX_OPEN) return `F-1,${FILEIO_ERRNO.EMFILE.toString(16)}`;
    // the path as checked (links resolved), so a link swapped meanwhile cannot lead elsewhere
    const checked = this.gate ? await this.gate.open(path) : path;
    // non-blocking: a FIFO or a terminal must not hang the whole session
    const handle = await open(checked, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = this.nextFd++;
    this.files.set(fd, handle);
    return `F${fd.toString(16)}`;
  }

  private async pread(args: string[], maxData: number): Promise<Buffer> {
    const f = this.file(args[0]);
    // escaping can double the data: ask for at most half of what fits
    const count = Math.min(parseHexInt(args[1] ?? ''), Math.floor(maxData / 2));
    const offset = parseHexInt(args[2] ?? '');
    const buf = Buffer.alloc(count);
    const { bytesRead } = await f.read(buf, 0, count, offset);
    return Buffer.concat([Buffer.from(`F${bytesRead.toString(16)};`), escapeBinary(buf.subarray(0, bytesRead))]);
  }

  private async close(args: string[]): Promise<string> {
    const fd = parseHexInt(args[0] ?? '');
    const f = this.file(args[0]);
    this.files.delete(fd);
    await f.close();
    return 'F0';
  }

  /** gdb's struct fio_stat: big-endian, 64 bytes. */
  private async fstat(args: string[]): Promise<Buffer> {
    const st = await this.file(args[0]).stat();
    const b = Buffer.alloc(64);
    b.writeUInt32BE(st.dev >>> 0, 0);
    b.writeUInt32BE(st.ino >>> 0, 4);
    b.writeUInt32BE(st.mode >>> 0, 8);
    b.writeUInt32BE(st.nlink >>> 0, 12);
    b.writeUInt32BE(st.uid >>> 0, 16);
    b.writeUInt32BE(st.gid >>> 0, 20);
    b.writeUInt32BE(st.rdev >>> 0, 24);
    b.writeBigUInt64BE(BigInt(st.size), 28);
    b.writeBigUInt64BE(BigInt(st.blksize), 36);
    b.writeBigUInt64BE(BigInt(st.blocks), 44);
    b.writeUInt32BE(Math.floor(st.atimeMs / 1000) >>> 0, 52);
    b.writeUInt32BE(Math.floor(st.mtimeMs / 1000) >>> 0, 56);
    b.writeUInt32BE(Math.floor(st.ctimeMs / 1000) >>> 0, 60);
    return Buffer.concat([Buffer.from('F40;'), escapeBinary(b)]);
  }

  private async readlink(args: string[]): Promise<Buffer> {
    const path = fromHex(args[0] ?? '').toString('utf8');
    await this.gate?.readlink(path);
    const target = Buffer.from(await readlink(path));
    return Buffer.concat([Buffer.from(`F${target.length.toString(16)};`), escapeBinary(target)]);
  }
}
