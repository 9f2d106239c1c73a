/**
 * A one-line progress indicator for long work at a terminal (`tsdbg vm`
 * booting the guest, `tsdbg run` loading a large program's debug info):
 * `⠋ Booting the guest (KVM)... 3 s`, redrawn in place and erased when the
 * work ends. Never in a pipe or on TERM=dumb: there it writes nothing.
 */
import { writeSync } from 'node:fs';

const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

export interface SpinnerStream { isTTY?: boolean; fd?: number }

/** Whether a spinner draws on `stream` (a terminal, not a dumb one). */
export function spinnerShows(stream: SpinnerStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly started = Date.now();
  private readonly fd: number;
  private readonly shows: boolean;

  /** Draws at once (synchronous work shows its line too), then every 100 ms while the event loop turns. */
  constructor(private readonly text: string, stream: SpinnerStream = process.stderr, env: NodeJS.ProcessEnv = process.env) {
    this.fd = stream.fd ?? 2;
    this.shows = spinnerShows(stream, env);
    if (!this.shows) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  private draw(): void {
    const secs = Math.floor((Date.now() - this.started) / 1000);
    const ch = FRAMES[this.frame++ % FRAMES.length];
    this.write(`\r${ch} ${this.text}${secs > 0 ? ` ${secs} s` : ''}\x1b[K`);
  }

  private write(s: string): void {
    try { writeSync(this.fd, s); } catch { /* the terminal went away */ }
  }

  /** Erase the line (the cursor back at its start). */
  stop(): void {
    if (!this.shows || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.write('\r\x1b[K');
  }
}
