/**
 * strace's output discipline: a call's entry text is printed at once, its
 * exit text later; when another process prints in between, the open line is
 * closed with ` <unfinished ...>` and the exit starts `<... read resumed>`.
 * The result goes at column 40 (`= 3`), one space past a longer line.
 */
import { writeSync } from 'node:fs';

export class TracePrinter {
  private open: number | undefined;   // tid whose line is unfinished
  private col = 0;
  private unfinished = new Set<number>();
  private buf = '';

  /**
   * prefix: `-o FILE -f` -> "PID " always; stderr -> "[pid N] " while more
   * than one process is traced (`multi()`).
   */
  constructor(private fd: number, private pidColumn: boolean, private multi: () => boolean) {}

  private write(s: string): void {
    this.buf += s;
    const nl = s.lastIndexOf('\n');
    this.col = nl >= 0 ? s.length - nl - 1 : this.col + s.length;
    if (this.buf.length > 8192 || this.fd === 2) this.flush();
  }

  flush(): void {
    if (this.buf) { writeSync(this.fd, this.buf); this.buf = ''; }
  }

  private prefix(tid: number): string {
    if (this.pidColumn) return `${String(tid).padEnd(5)} `;
    return this.multi() ? `[pid ${String(tid).padStart(5)}] ` : '';
  }

  /** Close another process's open line before tid prints. */
  private claim(tid: number): void {
    if (this.open !== undefined && this.open !== tid) {
      this.write(' <unfinished ...>\n');
      this.unfinished.add(this.open);
      this.open = undefined;
    }
  }

  /** The entry part of a call: `read(3, `. */
  entry(tid: number, text: string): void {
    this.claim(tid);
    if (this.open === tid) this.write('\n');
    this.write(this.prefix(tid) + text);
    this.open = tid;
  }

  /** The rest of tid's call (name for `<... name resumed>`) and its result. */
  exit(tid: number, name: string, rest: string, ret: string): void {
    this.claim(tid);
    if (this.open !== tid) this.write(this.prefix(tid) + `<... ${name} resumed>`);
    this.unfinished.delete(tid);
    this.write(rest);
    this.write(this.col >= 40 ? ' ' + ret + '\n' : ' '.repeat(40 - this.col) + ret + '\n');
    this.open = undefined;
  }

  /** Whether tid has an entry printed and no exit yet. */
  pending(tid: number): boolean {
    return this.open === tid || this.unfinished.has(tid);
  }

  /** A whole line of tid's (`--- SIGCHLD {...} ---`, `+++ exited with 0 +++`). */
  line(tid: number, text: string): void {
    this.claim(tid);
    if (this.open === tid) { this.write('\n'); this.open = undefined; }
    this.write(this.prefix(tid) + text + '\n');
  }

  /** A message of the tracer's own (`tsdbg: Process N attached`), on stderr as strace's. */
  note(text: string): void {
    this.flush();
    writeSync(2, text + '\n');
  }
}
