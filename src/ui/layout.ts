/**
 * Where each pane goes on a terminal of `rows` x `cols`: computed once per
 * size and layout, used by the components (their sizes) and by the mouse
 * (which pane a wheel event is over). Every height counts its title line.
 *
 *   +-------------------------------------------+
 *   | main: source / asm / split / regs+source   |
 *   +--------------+--------------+-------------+
 *   | stack        | locals       | breakpoints |   the info row (more from 100 columns)
 *   +--------------+--------------+-------------+
 *   | console (prompt last)     | program output |
 *   +---------------------------+----------------+
 *   | status line                                |
 *   (one row left empty under it: Ink keeps its cursor there, see app.tsx)
 */

/** gdb's four layouts, and tsdbg's own: the source over the syscalls pane or the kernel stats. */
export type LayoutName = 'src' | 'asm' | 'split' | 'regs' | 'syscalls' | 'kstats';
export const LAYOUTS: readonly LayoutName[] = ['src', 'asm', 'split', 'regs', 'syscalls', 'kstats'];

export type PaneName = 'src' | 'asm' | 'regs' | 'memory' | 'diff' | 'stack' | 'locals' | 'watch' | 'breakpoints' | 'threads' | 'checkpoints' | 'cmd' | 'output'
  | 'syscalls' | 'kstats';

export interface Rect { top: number; left: number; width: number; height: number }

export interface Layout {
  rows: number;
  cols: number;
  /** The panes shown, with their rectangles (title line included). */
  panes: Partial<Record<PaneName, Rect>>;
}

/** The smallest terminal the UI draws in (gdb's TUI wants about as much). */
export const MIN_ROWS = 12;
export const MIN_COLS = 40;

/** The optional panes: `checkpoints` once there are some; `memory`, a hexdump under the main panes (`tui memory EXPR`);
 * `diff`, the snapshot diff pane under those (`tui diff ADDR`, or the last `snapshot diff`); `watch`, the watch pane next to the locals. */
export interface LayoutOptions { checkpoints?: boolean; memory?: boolean; diff?: boolean; watch?: boolean }

export function computeLayout(rows: number, cols: number, name: LayoutName, opts: LayoutOptions = {}): Layout {
  const { checkpoints: hasCheckpoints = false, memory = false, diff = false, watch = false } = opts;
  const r = Math.max(rows, MIN_ROWS);
  const c = Math.max(cols, MIN_COLS);
  const usable = r;
  const status = 1;
  const bottom = Math.max(5, Math.floor(usable * 0.3));
  const info = Math.max(4, Math.floor(usable * 0.22));
  const all = usable - status - bottom - info;
  const memRows = memory ? Math.max(3, Math.floor(all / (diff ? 4 : 3))) : 0;
  const diffRows = diff ? Math.max(3, Math.floor(all / (memory ? 4 : 3))) : 0;
  const main = all - memRows - diffRows;
  const panes: Layout['panes'] = {};
  if (memory) panes.memory = { top: main, left: 0, width: c, height: memRows };
  if (diff) panes.diff = { top: main + memRows, left: 0, width: c, height: diffRows };
  // main area
  if (name === 'src' || name === 'asm') panes[name] = { top: 0, left: 0, width: c, height: main };
  else {
    const first = Math.floor(main / 2);
    const [upper, lower]: PaneName[] = name === 'split' ? ['src', 'asm'] : name === 'regs' ? ['regs', 'src'] : ['src', name];
    panes[upper!] = { top: 0, left: 0, width: c, height: first };
    panes[lower!] = { top: first, left: 0, width: c, height: main - first };
  }
  // the info row: three columns in 80 (checkpoints once there are some, else breakpoints), four from 100, five from 140
  const infoPanes: PaneName[] = c >= 140 ? ['stack', 'locals', 'breakpoints', 'threads', 'checkpoints']
    : c >= 100 ? ['stack', 'locals', 'breakpoints', hasCheckpoints ? 'checkpoints' : 'threads']
    : ['stack', 'locals', hasCheckpoints ? 'checkpoints' : 'breakpoints'];
  // the watch pane after the locals, in the place of the last one
  if (watch) { infoPanes.splice(2, 0, 'watch'); infoPanes.pop(); }
  split(infoPanes, all, info, c, panes);
  // console and program output side by side
  const consoleWidth = Math.floor(c * 0.55);
  panes.cmd = { top: all + info, left: 0, width: consoleWidth, height: bottom };
  panes.output = { top: all + info, left: consoleWidth, width: c - consoleWidth, height: bottom };
  return { rows: r, cols: c, panes };
}

function split(names: PaneName[], top: number, height: number, cols: number, into: Layout['panes']): void {
  let left = 0;
  names.forEach((n, i) => {
    const width = i === names.length - 1 ? cols - left : Math.floor(cols / names.length);
    into[n] = { top, left, width, height };
    left += width;
  });
}

/** The pane at a cell (0-based row and column), for the mouse. */
export function paneAt(layout: Layout, row: number, col: number): PaneName | undefined {
  for (const [name, rect] of Object.entries(layout.panes) as [PaneName, Rect][]) {
    if (row >= rect.top && row < rect.top + rect.height && col >= rect.left && col < rect.left + rect.width) return name;
  }
  return undefined;
}
