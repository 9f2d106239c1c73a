/**
 * The terminal as Ink sees it: Ink (in its debug mode) hands over each whole
 * frame; this writes only the rows that differ from what the screen shows,
 * each in place (cursor to the row, the row's text, erase to its end),
 * at most once per turn of the event loop. A step that moves the current
 * line rewrites a few rows, not the screen.
 */
import { EventEmitter } from 'node:events';
import { uiSize } from './size.js';

export class FrameWriter extends EventEmitter {
  readonly isTTY = true;
  private shown: string[] = [];
  private next: string | undefined;
  private scheduled = false;
  private closed = false;
  private readonly onResize = () => { this.shown = []; this.emit('resize'); };

  constructor(private readonly out: NodeJS.WriteStream) {
    super();
    out.on('resize', this.onResize);
  }

  get columns(): number { return uiSize(this.out).cols; }
  get rows(): number { return uiSize(this.out).rows; }

  /** Ink's frame (the whole screen, rows joined by newlines). */
  write(frame: string): boolean {
    if (this.closed) return true;   // Ink's last frame at unmount: the screen is the user's again
    this.next = frame;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** Draw every row again at the next frame (Ctrl-L, `refresh`). */
  invalidate(): void {
    this.shown = [];
    this.out.write('\x1b[H\x1b[2J');
  }

  /** The frame now, not at the next turn (before leaving). */
  flush(): void {
    this.scheduled = false;
    const frame = this.next;
    if (frame === undefined || this.closed) return;
    this.next = undefined;
    const rows = frame.split('\n').slice(0, this.rows);
    let out = '';
    for (let i = 0; i < Math.max(rows.length, this.shown.length); i++) {
      const row = rows[i] ?? '';
      if (row === this.shown[i]) continue;
      out += `\x1b[${i + 1};1H${row}\x1b[0m\x1b[K`;
    }
    this.shown = rows;
    // synchronized output (terminals without it ignore the mode)
    if (out) this.out.write(`\x1b[?2026h${out}\x1b[?2026l`);
  }

  dispose(): void {
    this.closed = true;
    this.out.off('resize', this.onResize);
  }
}
