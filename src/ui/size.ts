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
