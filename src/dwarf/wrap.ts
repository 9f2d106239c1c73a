/**
 * gdb's line wrapping on a terminal (utils.c pager_file::puts/wrap_here):
 * text carries wrap hints where gdb calls wrap_here(INDENT) (between a frame
 * line's arguments, before its ` at FILE:LINE`...). When a line reaches the
 * terminal's width, it is broken at the last hint on it, and the rest goes on
 * the next line after INDENT blanks; a line with no hint is left to the
 * terminal. Without a width (batch mode, `set width 0`) hints are dropped.
 */

const BASE = 0xe000;
const HINTS = /[\ue000-\ue0ff]/g;

/** The mark of a wrap_here(indent) in output text. */
export function wrapHint(indent: number): string {
  return String.fromCharCode(BASE + indent);
}

export function hasWrapHints(text: string): boolean {
  return /[\ue000-\ue0ff]/.test(text);
}

export function stripWrapHints(text: string): string {
  return text.replace(HINTS, '');
}

/** One output stream's column state, as gdb keeps it for its stdout. */
export class LinePager {
  private chars = 0;
  private wrapColumn = 0;
  private wrapIndent = 0;
  private buf = '';

  /** `width`: characters per line, or a getter of the current one (undefined: no wrapping, as `set width 0`). */
  constructor(private readonly widthOf: number | (() => number | undefined)) {}

  /** The width this write() wraps at (asked once per write: `set width` changes it between commands). */
  private width = Infinity;

  /** The text to write for `text` (hints included), keeping the column across calls. */
  write(text: string): string {
    const w = typeof this.widthOf === 'number' ? this.widthOf : this.widthOf();
    this.width = w === undefined || w <= 0 ? Infinity : w;
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      const code = c.charCodeAt(0);
      if (code >= BASE && code <= BASE + 0xff) {
        out += this.wrapHere(code - BASE);
        continue;
      }
      if (c === '\n') {
        out += this.buf + '\n';
        this.buf = '';
        this.chars = 0;
        this.wrapColumn = 0;
        continue;
      }
      if (c === '\x1b') { // a style escape takes no column
        const m = /^\x1b\[[0-9;]*m/.exec(text.slice(i));
        if (m) { this.buf += m[0]; i += m[0].length - 1; continue; }
      }
      this.buf += c;
      this.chars = c === '\t' ? ((this.chars >> 3) + 1) << 3 : c === '\r' ? 0 : this.chars + 1;
      if (this.chars >= this.width) {
        const save = this.chars;
        this.chars = 0;
        if (this.wrapColumn) {
          out += '\n' + ' '.repeat(this.wrapIndent);
          this.chars = this.wrapIndent + (save - this.wrapColumn);
          this.wrapColumn = 0;
        } else {
          out += this.buf;
          this.buf = '';
        }
      }
    }
    // gdb flushes its wrap buffer before waiting for input; a later write still wraps at the hint.
    return out + this.flushKeepingHint();
  }

  private flushKeepingHint(): string {
    const b = this.buf;
    this.buf = '';
    // The text after the hint is out: a later wrap can no longer move it.
    if (this.wrapColumn) this.wrapColumn = 0;
    return b;
  }

  private wrapHere(indent: number): string {
    const out = this.buf;
    this.buf = '';
    if (this.chars >= this.width) {
      this.chars = indent;
      this.wrapColumn = 0;
      return `${out}\n${' '.repeat(indent)}`;
    }
    this.wrapColumn = this.chars;
    this.wrapIndent = indent;
    return out;
  }
}
