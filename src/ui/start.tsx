/**
 * The full-screen UI on the user's terminal, from start to end: the
 * alternate screen, keys read raw (./keys.ts) and given to the model, Ink
 * drawing the model's view, and the terminal left as it was found on every
 * way out (a quit, `tui disable`, an error, a signal: the exit hook).
 */
import { writeSync } from 'node:fs';
import React from 'react';
import { render, type Instance } from 'ink';
import type { Debugger } from '../debugger/debugger.js';
import { App } from './app.js';
import { parseKeys } from './keys.js';
import { FrameWriter } from './frame.js';
import { CommandError } from '../commands/parse.js';
import { UiModel } from './model.js';
import { rereadSize, uiSize } from './size.js';
import { INFO_PANES } from './info-pick.js';
import { statusText } from './status-line.js';
import { LAYOUTS, type LayoutName, type PaneName } from './layout.js';
export { yogaReady } from './yoga-ready.js';

/** How the UI ended: a command quit (its exit code), or `tui disable` (line mode goes on). */
export type TuiEnd = { quit: number } | { leave: true };

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?1000h\x1b[?1006h\x1b[H\x1b[2J';
const LEAVE = '\x1b[?1000l\x1b[?1006l\x1b[?25h\x1b[?1049l';

export class TuiScreen {
  readonly model: UiModel;
  private ink: Instance | undefined;
  private redraws = 0;
  private restored = false;
  private readonly ended: Promise<TuiEnd>;
  private end!: (e: TuiEnd) => void;
  private readonly onData = (d: Buffer | string) => { for (const k of parseKeys(d.toString())) this.model.key(k); };
  private readonly onResize = () => { const { rows, cols } = uiSize(this.out); this.model.resize(rows, cols); };
  private readonly onExit = () => this.restore();
  private readonly frames: FrameWriter;

  constructor(d: Debugger, private readonly input: NodeJS.ReadStream = process.stdin, private readonly out: NodeJS.WriteStream = process.stdout) {
    this.frames = new FrameWriter(out);
    this.ended = new Promise((resolve) => { this.end = resolve; });
    this.model = new UiModel(d, {
      quit: (code) => this.end({ quit: code }),
      leave: () => this.end({ leave: true }),
      refresh: () => this.refresh(),
    }, uiSize(out));
  }

  /** Draw until a quit or `tui disable`; the terminal is restored when this resolves. */
  async run(): Promise<TuiEnd> {
    this.out.write(ENTER);
    // the exit path of a signal (tsdbg run's exit handlers end by process.exit) restores the terminal too
    process.on('exit', this.onExit);
    this.input.setRawMode?.(true);
    this.input.on('data', this.onData);
    this.input.resume();
    this.out.on('resize', this.onResize);
    // Ink's debug mode hands each whole frame to the FrameWriter, which writes the rows that changed
    this.ink = render(<App model={this.model} />, {
      stdout: this.frames as unknown as NodeJS.WriteStream, stdin: this.input, exitOnCtrlC: false, patchConsole: false, debug: true,
    });
    try {
      const end = await this.ended;
      this.restore('quit' in end);   // `tui disable`: the line prompt follows, no summary
      return end;
    } finally {
      this.restore();
    }
  }

  layout(name: LayoutName | 'next' | 'prev'): void {
    const i = LAYOUTS.indexOf(this.model.view.layoutName);
    const n = LAYOUTS.length;
    this.model.setLayout(name === 'next' ? LAYOUTS[(i + 1) % n]! : name === 'prev' ? LAYOUTS[(i + n - 1) % n]! : name);
  }

  focus(name: PaneName | 'next' | 'prev'): void {
    const panes = Object.keys(this.model.view.layout.panes) as PaneName[];
    const i = panes.indexOf(this.model.view.focus);
    const next = name === 'next' ? panes[(i + 1) % panes.length]! : name === 'prev' ? panes[(i + panes.length - 1) % panes.length]! : name;
    if (!panes.includes(next) && !INFO_PANES.includes(next)) throw new CommandError(`Unrecognized window name "${name}"`);
    this.model.setFocus(next);
  }

  leave(): void { this.end({ leave: true }); }

  refresh(): void {
    if (!this.ink) return;
    rereadSize(this.out);   // no SIGWINCH on a serial line: the size as `stty size` says it now
    this.frames.invalidate();
    this.ink.rerender(<App key={++this.redraws} model={this.model} />);
  }

  /** The terminal as it was: Ink gone, the main screen back, cooked mode, the cursor shown; one line saying where things are. */
  private restore(summarize = true): void {
    if (this.restored) return;
    this.restored = true;
    process.off('exit', this.onExit);
    this.out.off('resize', this.onResize);
    this.input.off('data', this.onData);
    this.frames.dispose();
    try { this.ink?.unmount(); } catch { /* a terminal gone */ }
    this.input.setRawMode?.(false);
    this.input.pause();
    const summary = summarize ? `tsdbg: ${statusText(this.model.view.state)}\n` : '';
    this.model.dispose();
    try { writeSync((this.out as unknown as { fd?: number }).fd ?? 1, LEAVE + summary); } catch { /* no terminal left */ }
  }
}
