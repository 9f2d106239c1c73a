/** strace -c: calls, errors and time per system call, in strace's table. */
import { writeSync } from 'node:fs';
import { isErrorReturn } from './errno.js';
import { syscallName } from './table.js';

interface Row { nr: number; calls: number; errors: number; ns: bigint }

export class SyscallSummary {
  private rows = new Map<number, Row>();

  add(nr: number, rv: bigint, ns: bigint): void {
    let r = this.rows.get(nr);
    if (!r) { r = { nr, calls: 0, errors: 0, ns: 0n }; this.rows.set(nr, r); }
    r.calls++;
    if (isErrorReturn(BigInt.asIntN(64, rv))) r.errors++;
    r.ns += ns;
  }

  /** The table as strace -c prints it: by time, most first. */
  format(): string {
    const rows = [...this.rows.values()].sort((a, b) => (b.ns > a.ns ? 1 : b.ns < a.ns ? -1 : a.nr - b.nr));
    const total = rows.reduce((s, r) => s + r.ns, 0n);
    const calls = rows.reduce((s, r) => s + r.calls, 0);
    const errors = rows.reduce((s, r) => s + r.errors, 0);
    const sep = '------ ----------- ----------- --------- --------- ----------------\n';
    const line = (pct: number, ns: bigint, n: number, err: number, name: string): string =>
      `${pct.toFixed(2).padStart(6)} ${(Number(ns) / 1e9).toFixed(6).padStart(11)} ` +
      `${String(n ? Math.floor(Number(ns) / 1000 / n) : 0).padStart(11)} ${String(n).padStart(9)} ` +
      `${(err ? String(err) : '').padStart(9)} ${name}\n`;
    let s = '% time     seconds  usecs/call     calls    errors syscall\n' + sep;
    for (const r of rows) s += line(total > 0n ? (Number(r.ns) * 100) / Number(total) : 0, r.ns, r.calls, r.errors, syscallName(r.nr));
    return s + sep + line(100, total, calls, errors, 'total');
  }

  print(fd: number): void {
    writeSync(fd, this.format());
  }
}
