/**
 * Text that arrives in pieces (console output, the program's pty) kept as
 * whole lines plus the unfinished last one, bounded, for a pane that shows
 * its end and scrolls back.
 */

/** Lines a scroll-back keeps. */
const KEEP = 2000;

// CSI sequences other than colours (SGR, ending in m), OSC titles, and other escapes: a pane is not a terminal
const NON_SGR = /\x1b\[[0-9;?<>=]*[A-Za-ln-z@`~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78cDEHM]/g;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

export interface Lines {
  readonly lines: readonly string[];
  /** The text after the last newline. */
  readonly pending: string;
}

export const NO_LINES: Lines = { lines: [], pending: '' };

/** `to` with `text` appended (a new value; `to` is not changed). */
export function appendText(to: Lines, text: string): Lines {
  const clean = text.replace(NON_SGR, '').replace(/\r+\n/g, '\n').replace(CONTROL, '');
  const parts = (to.pending + clean).split('\n');
  // a carriage return alone starts the line again (progress bars)
  const tidy = parts.map((p) => expandTabs(p.slice(p.lastIndexOf('\r') + 1)));
  const pending = tidy.pop()!;
  if (!tidy.length) return { lines: to.lines, pending };
  const lines = to.lines.concat(tidy);
  return { lines: lines.length > KEEP ? lines.slice(lines.length - KEEP) : lines, pending };
}

/** Tabs to spaces, to the next multiple of 8 columns (a terminal's tab stops): a pane cannot draw a tab. */
export function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let col = 0;
  let out = '';
  for (const ch of line.replace(/\x1b\[[0-9;]*m/g, (m) => `\0${m}\0`).split('\0')) {
    if (ch.startsWith('\x1b[')) { out += ch; continue; }
    for (const c of ch) {
      if (c === '\t') { const n = 8 - (col % 8); out += ' '.repeat(n); col += n; } else { out += c; col++; }
    }
  }
  return out;
}

/**
 * `line` cut into rows of `width` columns (colour sequences kept, not
 * counted; one column per character, as the panes' text is).
 */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0 || line.length <= width) return [line];
  const rows: string[] = [];
  let row = '';
  let cols = 0;
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) { row += part; continue; }
    for (const c of part) {
      if (cols === width) { rows.push(row); row = ''; cols = 0; }
      row += c;
      cols++;
    }
  }
  rows.push(row);
  return rows;
}

/** The whole lines and the pending one (when there is one), for drawing. */
export function allLines(l: Lines, width?: number): readonly string[] {
  const lines = l.pending ? [...l.lines, l.pending] : l.lines;
  return width === undefined ? lines : lines.flatMap((x) => wrapLine(x, width));
}

/**
 * The `height` lines to show of `lines` scrolled `back` lines up from the
 * end; `back` is clamped to what there is.
 */
export function tail(lines: readonly string[], height: number, back: number): readonly string[] {
  const b = Math.max(0, Math.min(back, lines.length - height));
  const end = lines.length - b;
  return lines.slice(Math.max(0, end - height), end);
}
