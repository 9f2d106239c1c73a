/**
 * The rows and columns the UI draws in. A serial console (the guest's
 * `tsdbg vm shell` when the host gave no size) reports 0x0, as `stty size`
 * shows, and never sends SIGWINCH: then $LINES and $COLUMNS, else 24x80.
 */
export function uiSize(out: { rows?: number; columns?: number }, env: NodeJS.ProcessEnv = process.env): { rows: number; cols: number } {
  const pick = (n: number | undefined, v: string | undefined, dflt: number) =>
    n !== undefined && n > 0 ? n : Number(v) >= 1 ? Math.floor(Number(v)) : dflt;
  return { rows: pick(out.rows, env.LINES, 24), cols: pick(out.columns, env.COLUMNS, 80) };
}

/**
 * `tui refresh`, C-l: the terminal's size asked again (TIOCGWINSZ, what `stty size` says),
 * not Node's copy from the last SIGWINCH: a serial line sends none, and after
 * `stty rows R cols C` at another shell of the same line neither does anything else.
 * When it changed, the stream takes it and tells its 'resize' listeners (the layout, Ink).
 */
export function rereadSize(out: NodeJS.WriteStream): void {
  // Node's getWindowSize() answers its copy; its TTY handle's asks the kernel (as its own SIGWINCH handler does)
  const handle = (out as unknown as { _handle?: { getWindowSize?: (size: number[]) => number } })._handle;
  const live: number[] = [];
  try { if (handle?.getWindowSize?.(live) !== 0) return; } catch { return; }   // not a terminal (any more): the size stays
  const [cols, rows] = live;
  if (cols === undefined || rows === undefined || (cols === out.columns && rows === out.rows)) return;
  out.columns = cols;
  out.rows = rows;
  out.emit('resize');
}
