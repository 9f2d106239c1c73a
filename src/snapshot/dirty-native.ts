/**
 * The shim's dirty-page functions (native-shim/dirty.c) through koffi. Like
 * ../target/native.ts every call returns -errno on failure.
 */
import { loadShim } from '../target/native.js';

let lib: ReturnType<typeof bind> | undefined;

function bind() {
  const so = loadShim();
  return {
    injectSyscall: so.func('long tsdbg_inject_syscall(int tid, uint64_t insn, long nr, const uint64_t *args, _Out_ int64_t *ret)'),
    pidfdGetfd: so.func('long tsdbg_pidfd_getfd(int pid, int fd)'),
    closeFd: so.func('int tsdbg_close_fd(int fd)'),
    uffdApi: so.func('long tsdbg_uffd_api_wp_async(int uffd, _Out_ uint64_t *got)'),
    uffdRegisterWp: so.func('long tsdbg_uffd_register_wp(int uffd, uint64_t start, uint64_t len)'),
    uffdProtect: so.func('long tsdbg_uffd_protect(int uffd, uint64_t start, uint64_t len)'),
    uffdUnregister: so.func('long tsdbg_uffd_unregister(int uffd, uint64_t start, uint64_t len)'),
    pagemapScan: so.func('long tsdbg_pagemap_scan(int fd, uint64_t start, uint64_t end, uint64_t flags, uint64_t category_mask, '
      + 'uint64_t category_anyof_mask, uint64_t return_mask, void *vec, uint64_t vec_len, _Out_ uint64_t *walk_end)'),
    vmReadRuns: so.func('long tsdbg_vm_read_runs(int pid, const uint64_t *runs, uint64_t n, void *buf)'),
    vmWriteRuns: so.func('long tsdbg_vm_write_runs(int pid, const uint64_t *runs, uint64_t n, const void *buf)'),
    uffdProtectRuns: so.func('long tsdbg_uffd_protect_runs(int uffd, const uint64_t *runs, uint64_t n)'),
    prefault: so.func('long tsdbg_prefault(void *buf, uint64_t len)'),
    pagesDiffer: so.func('long tsdbg_pages_differ(const void *a, const void *b, uint64_t pages, void *flags)'),
  };
}

const so = () => (lib ??= bind());

export const UFFD_USER_MODE_ONLY = 1;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const UFFD_FEATURE_WP_UNPOPULATED = 1n << 13n;
export const UFFD_FEATURE_WP_ASYNC = 1n << 15n;
export const PM_SCAN_WP_MATCHING = 1n;
export const PM_SCAN_CHECK_WPASYNC = 2n;
export const PAGE_IS_WRITTEN = 2n;
/** A buffer to be filled at once: above this size it is prefaulted (dirtyNative.prefault). */
export const PREFAULT_MIN = 2 << 20;

/** Buffer.allocUnsafeSlow, prefaulted when large. */
export function bigBuffer(length: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(length);
  if (length >= PREFAULT_MIN) dirtyNative.prefault(buf);
  return buf;
}

export const SYS = { close: 3, userfaultfd: 323 } as const;

export const dirtyNative = {
  /** The system call's own result (-errno on its failure) in `ret`; r < 0 when it could not be run. */
  injectSyscall(tid: number, insn: bigint, nr: number, args: bigint[]): { r: number; ret: bigint } {
    const a = new BigUint64Array(6);
    args.forEach((v, i) => { a[i] = BigInt.asUintN(64, v); });
    const out = [0n];
    const r = Number(so().injectSyscall(tid, insn, nr, a, out));
    return { r, ret: BigInt(out[0] as bigint | number) };
  },
  pidfdGetfd: (pid: number, fd: number): number => Number(so().pidfdGetfd(pid, fd)),
  closeFd: (fd: number): number => Number(so().closeFd(fd)),
  uffdApi(fd: number): { r: number; features: bigint } {
    const out = [0n];
    const r = Number(so().uffdApi(fd, out));
    return { r, features: BigInt(out[0] as bigint | number) };
  },
  uffdRegisterWp: (fd: number, start: number, len: number): number => Number(so().uffdRegisterWp(fd, BigInt(start), BigInt(len))),
  uffdProtect: (fd: number, start: number, len: number): number => Number(so().uffdProtect(fd, BigInt(start), BigInt(len))),
  uffdUnregister: (fd: number, start: number, len: number): number => Number(so().uffdUnregister(fd, BigInt(start), BigInt(len))),
  /**
   * Copy page runs (start, end pairs, sorted) from or to the tracee, their
   * bytes one after another in `buf`: one process_vm_readv/writev per
   * IOV_MAX runs. The bytes moved (short: a run failed there), or -errno.
   */
  vmReadRuns: (pid: number, runs: BigUint64Array, buf: Buffer): number => Number(so().vmReadRuns(pid, runs, BigInt(runs.length / 2), buf)),
  vmWriteRuns: (pid: number, runs: BigUint64Array, buf: Buffer): number => Number(so().vmWriteRuns(pid, runs, BigInt(runs.length / 2), buf)),
  /** Write-protect the runs again; 0, or the first failure's -errno. */
  uffdProtectRuns: (fd: number, runs: BigUint64Array): number => Number(so().uffdProtectRuns(fd, runs, BigInt(runs.length / 2))),
  /** Back buf with memory now (huge pages where THP allows): one call, not a fault per page while it is filled. */
  prefault: (buf: Buffer): number => Number(so().prefault(buf, BigInt(buf.length))),
  /** flags[i] = 1 where 4 KiB page i of a and b differ (memcmp in C); how many do. */
  pagesDiffer: (a: Buffer, b: Buffer, flags: Uint8Array): number => Number(so().pagesDiffer(a, b, BigInt(Math.min(a.length, b.length) >> 12), flags)),
  /** Regions found (start, end, categories triples in `vec`), and where the walk stopped. */
  pagemapScan(fd: number, start: number, end: number, flags: bigint, mask: bigint, vec: BigUint64Array): { n: number; walkEnd: number } {
    const out = [0n];
    const n = Number(so().pagemapScan(fd, BigInt(start), BigInt(end), flags, mask, 0n, mask, vec, BigInt(vec.length / 3), out));
    return { n, walkEnd: Number(out[0] as bigint | number) };
  },
};
