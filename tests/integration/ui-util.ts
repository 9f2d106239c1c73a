/**
 * tsdbg's full-screen UI on a real pty, with @xterm/headless as the screen:
 * what a person sees, row by row and cell by cell (colours, reverse video).
 * CI is unset for the child (Ink draws only the last frame under CI), and
 * TSDBG_TUI too (pty-util's line-mode sessions set it off).
 */
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { descendants, testHome } from './pty-util.js';
import { ROOT } from './rsp-util.js';
import { waitFor } from '../setup/wait.js';

const open: pty.IPty[] = [];

export interface Screen {
  pty: pty.IPty;
  term: xterm.Terminal;
  /** The rows shown now. */
  rows(): string[];
  text(): string;
  /** Wait until a row matches. Returns the row's index. */
  waitRow(re: RegExp): Promise<number>;
  /** Wait until `cond` holds of the screen. */
  waitUntil(cond: () => boolean, what: string): Promise<void>;
  /** The cell of `text`'s first character on row `row`, for its attributes. */
  cellOf(row: number, text: string): xterm.IBufferCell | undefined;
  send(keys: string): void;
  /** Type a console line (Enter included). */
  type(line: string): void;
  resize(cols: number, rows: number): void;
  exited: Promise<{ exitCode: number; signal?: number }>;
}

/**
 * `argv` (default: node bin/tsdbg.js ...) on a pty of cols x rows shown by a headless xterm;
 * `waitMs` bounds each wait (WAIT_MS by default; more in the guest, where Node runs under TCG).
 */
export function screen(argv: string[], opts: { cols?: number; rows?: number; home?: string; env?: Record<string, string | undefined>; waitMs?: number } = {}): Screen {
  const cols = opts.cols ?? 80;
  const rows = opts.rows ?? 24;
  // HOME: the history and init files of tests never touch the real ones
  const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm-256color', TSDBG_DEBUG: '', HOME: opts.home ?? testHome() };
  delete env.CI;
  delete env.TSDBG_TUI;
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k]; else env[k] = v;
  const p = pty.spawn(argv[0]!, argv.slice(1), { name: env.TERM ?? 'xterm-256color', cols, rows, cwd: ROOT, env });
  open.push(p);
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  p.onData((d) => term.write(d));
  const exited = new Promise<{ exitCode: number; signal?: number }>((r) => p.onExit((e) => r(e)));
  const shown = (): string[] => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < term.rows; i++) out.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
    return out;
  };
  const s: Screen = {
    pty: p, term, rows: shown, text: () => shown().join('\n'),
    async waitRow(re) {
      let at = -1;
      await waitFor(() => { at = shown().findIndex((r) => re.test(r)); return at >= 0; }, () => `a row matching ${re} on the screen:\n${shown().join('\n')}`, opts.waitMs);
      return at;
    },
    async waitUntil(cond, what) {
      await waitFor(cond, () => `${what}; the screen:\n${shown().join('\n')}`, opts.waitMs);
    },
    cellOf(row, text) {
      const line = term.buffer.active.getLine(term.buffer.active.viewportY + row);
      const col = line?.translateToString(true).indexOf(text) ?? -1;
      return col < 0 ? undefined : line?.getCell(col);
    },
    send: (keys) => p.write(keys),
    type: (line) => p.write(`${line}\r`),
    resize: (c, r) => { p.resize(c, r); term.resize(c, r); },
    exited,
  };
  return s;
}

/** Kill every screen's session and all below it (afterEach). */
export function closeScreens(): void {
  for (const p of open.splice(0)) {
    for (const pid of descendants(p.pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
}

/** The UI is up (it reads keys raw from then on: what is typed earlier would be echoed by the terminal). */
export async function uiReady(s: Screen): Promise<void> {
  await s.waitRow(/^─ Console/);
  await s.waitRow(/^\(tsdbg\) /);
}

/** Up, a breakpoint (number 1) at `fn`, and `run` to it: the stop is on the status line. */
export async function uiStopAt(s: Screen, fn: string): Promise<void> {
  await uiReady(s);
  s.type(`break ${fn}`);
  await s.waitRow(new RegExp(`1\\s+b\\+ ${fn}`));
  s.type('run');
  await s.waitRow(new RegExp(`stopped: breakpoint 1 in ${fn}`));
}
