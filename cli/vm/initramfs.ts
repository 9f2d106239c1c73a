/**
 * The guest's initramfs: Debian's static busybox plus vm/init, as a gzipped
 * newc cpio archive written directly (device nodes need no root this way).
 * Cached in ~/.cache/tsdbg/vm/ under the hash of its inputs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { VmError, vmCacheDir } from './paths.js';

const BUSYBOX = '/bin/busybox';
/** Bump when the archive layout below changes (it is part of the cache key). */
const LAYOUT_VERSION = '1';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
  rdev?: [number, number];
}

/** One newc record: "070701", 13 hex fields, the NUL-terminated name and the data, each 4-aligned. */
function newcRecord(e: Entry, ino: number): Buffer {
  const data = e.data ?? Buffer.alloc(0);
  const name = Buffer.from(e.name + '\0');
  const [rmaj, rmin] = e.rdev ?? [0, 0];
  const fields = [ino, e.mode, 0, 0, e.mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0, rmaj, rmin, name.length, 0];
  const header = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''));
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  return Buffer.concat([header, name, pad(header.length + name.length), data, pad(data.length)]);
}

export function cpioNewc(entries: Entry[]): Buffer {
  const records = entries.map((e, i) => newcRecord(e, i + 1));
  records.push(newcRecord({ name: 'TRAILER!!!', mode: 0 }, 0));
  return Buffer.concat(records);
}

function entries(init: Buffer, busybox: Buffer): Entry[] {
  const dirs = ['bin', 'dev', 'proc', 'sys', 'io', 'host', 'tmp'];
  return [
    ...dirs.map((name) => ({ name, mode: S_IFDIR | 0o755 })),
    // The kernel opens /dev/console for init before anything is mounted.
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] as [number, number] },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: busybox },
    { name: 'init', mode: S_IFREG | 0o755, data: init },
  ];
}

/** The path of the initramfs for vm/init under `root`, building it when its inputs changed. */
export function initramfs(root: string): string {
  if (!existsSync(BUSYBOX)) {
    throw new VmError(`${BUSYBOX} is missing: install busybox-static (bash scripts/setup-system.sh)`);
  }
  const init = readFileSync(join(root, 'vm', 'init'));
  const busybox = readFileSync(BUSYBOX);
  const key = createHash('sha256').update(LAYOUT_VERSION).update('\0').update(init).update('\0').update(busybox)
    .digest('hex').slice(0, 16);
  const dir = vmCacheDir();
  const out = join(dir, `initramfs-${key}.cpio.gz`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, gzipSync(cpioNewc(entries(init, busybox)), { level: 6 }));
  renameSync(tmp, out);
  for (const f of readdirSync(dir)) {
    if (/^initramfs-[0-9a-f]{16}\.cpio\.gz$/.test(f) && join(dir, f) !== out) unlinkSync(join(dir, f));
  }
  return out;
}
