/**
 * The full-screen UI's own state (what is typed, scroll positions, focus,
 * the console's and the program's text) next to the debugger's published
 * state, as one immutable `UiView` that the components draw. It listens to
 * the core's store (src/debugger/store.ts) and sends console lines to the
 * Debugger; it holds no debugger logic: what a key does is a console line
 * or a structured call.
 */
import { commonPrefix, completionWords } from '../console/complete.js';
import { readFileSync } from 'node:fs';
import type { Debugger, Instruction } from '../debugger/debugger.js';
import type { DebuggerState, Frame } from '../debugger/state.js';
import type { Question } from '../debugger/store.js';
import type { Key } from './keys.js';
import { INFO_PANES, withInfoPane } from './info-pick.js';
import { computeLayout, paneAt, type Layout, type LayoutName, type PaneName } from './layout.js';
import { LocalsTree, type LocalRow } from './locals.js';
import { bytesPerRow, type MemoryView } from './memory-pane.js';
import { appendText, expandTabs, NO_LINES, type Lines } from './text.js';

export const PROMPT = '(tsdbg) ';

export interface SourceFile { readonly path: string; readonly lines: readonly string[] | undefined }

export interface UiView {
  readonly state: DebuggerState;
  readonly console: Lines;
  readonly program: Lines;
  /** The line being typed, and the prompt before it (a question's text while one is open). */
  readonly input: string;
  readonly prompt: string;
  /** A command is running (typed lines wait). */
  readonly busy: boolean;
  readonly layoutName: LayoutName;
  readonly layout: Layout;
  readonly focus: PaneName;
  /** Per pane: lines scrolled (back from the end for console/output, from the top elsewhere, off the pc for src/asm). */
  readonly scroll: Partial<Record<PaneName, number>>;
  /** The whole stack of the selected thread at this stop. */
  readonly frames: readonly Frame[];
  /** Instructions from the selected frame's function start. */
  readonly asm: readonly Instruction[];
  readonly source: SourceFile | undefined;
  /** The selected frame's arguments and locals (./locals.ts), and the locals pane's cursor row. */
  readonly locals: readonly LocalRow[];
  readonly localsCursor: number;
  /** `tui memory EXPR`: the hexdump pane's expression and what was read there at this stop. */
  readonly memory: MemoryView | undefined;
}

/** cgdb's function keys (and ours for checkpoints): the console line each one types. */
export const FUNCTION_KEYS: Record<string, string> = {
  f5: 'run', f6: 'continue', f7: 'finish', f8: 'next', f10: 'step', f9: 'checkpoint', 'shift-f9': 'rewind',
};

/** What the model asks of the program around it (src/ui/start.ts). */
export interface UiHost {
  /** A command (`quit`) ended the session with this exit code. */
  quit(code: number): void;
  /** `tui disable`: back to line mode. */
  leave(): void;
  /** Ctrl-L / `refresh`: draw everything again. */
  refresh(): void;
}

export class UiModel {
  private current: UiView;
  private readonly listeners = new Set<() => void>();
  private readonly queue: string[] = [];
  /** The console's history (src/console/history.ts): the line prompt's, kept across sessions; Up/Down walk it. */
  private historyAt = -1;
  private question: Question | undefined;
  private readonly sources = new Map<string, SourceFile>();
  private ctrlX = false;
  private readonly tree = new LocalsTree();
  private readonly off: Array<() => void> = [];

  constructor(private readonly d: Debugger, private readonly host: UiHost, size: { rows: number; cols: number }) {
    const store = d.store;
    let out: Lines = NO_LINES;
    for (const c of store.output.slice(-200)) if (c.stream === 'inferior') out = appendText(out, c.text);
    this.current = {
      state: store.state, console: NO_LINES, program: out, input: '', prompt: PROMPT, busy: false,
      layoutName: 'src', layout: computeLayout(size.rows, size.cols, 'src', store.state.checkpoints.length > 0),
      focus: 'cmd', scroll: {}, frames: store.state.frames, asm: [], source: undefined, locals: [], localsCursor: 0, memory: undefined,
    };
    this.current = { ...this.current, source: this.sourceOf(store.state, store.state.frames) };
    const on = <E extends 'state' | 'output' | 'stop' | 'question' | 'exited'>(e: E, fn: (...a: never[]) => void) => {
      store.on(e, fn as never);
      this.off.push(() => store.off(e, fn as never));
    };
    on('state', (s: DebuggerState) => this.onState(s));
    on('output', (c: { stream: string; text: string }) => {
      if (c.stream === 'inferior') this.set({ program: appendText(this.current.program, c.text) });
      else this.set({ console: appendText(this.current.console, c.text) });
    });
    on('stop', () => { void this.followStop(); });
    on('exited', () => { this.tree.clear(); this.set({ frames: [], asm: [], locals: [], localsCursor: 0 }); });
    on('question', (q: Question) => this.ask(q));
    if (store.state.process && !store.state.running) void this.followStop();
  }

  get view(): UiView { return this.current; }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  };

  getView = (): UiView => this.current;

  dispose(): void {
    for (const f of this.off.splice(0)) f();
    this.question?.answer(!this.question.defaultNo);
    this.listeners.clear();
  }

  /** Changes within one turn of the event loop make one new frame (a stop changes state, output, frames...). */
  private set(patch: Partial<UiView>): void {
    this.current = { ...this.current, ...patch, ...(patch.layout ? { layout: withInfoPane(patch.layout, this.picked) } : {}) };
    if (this.notifying) return;
    this.notifying = true;
    setImmediate(() => {
      this.notifying = false;
      for (const l of this.listeners) l();
    });
  }
  private notifying = false;

  // ---- the debugger's side -----------------------------------------------------------------

  private onState(s: DebuggerState): void {
    const hadCheckpoints = this.current.state.checkpoints.length > 0;
    const patch: { -readonly [K in keyof UiView]?: UiView[K] } = { state: s };
    if (hadCheckpoints !== s.checkpoints.length > 0) {
      patch.layout = computeLayout(this.current.layout.rows, this.current.layout.cols, this.current.layoutName, s.checkpoints.length > 0, this.current.memory !== undefined);
    }
    const frames = this.current.frames.length > s.frames.length ? this.current.frames : s.frames;
    const frameChanged = s.selectedFrame !== this.current.state.selectedFrame;
    if (frameChanged || !this.current.source) patch.source = this.sourceOf(s, frames);
    this.set(patch);
    if (frameChanged && s.process && !s.running) void this.loadLocals(s.selectedFrame);
  }

  /** After a stop: the whole stack, and the instructions around the pc. */
  private async followStop(): Promise<void> {
    this.set({ scroll: { ...this.current.scroll, src: 0, asm: 0, stack: 0 } });
    let frames: readonly Frame[] = this.current.state.frames;
    try {
      // as many frames as the stack pane shows (a deep stack costs its unwinding)
      const shown = (this.current.layout.panes.stack?.height ?? 1) - 1 + (this.current.scroll.stack ?? 0);
      frames = await this.d.frames(undefined, Math.max(shown, this.current.state.selectedFrame + 1, 1));
    } catch { /* the program went away meanwhile */ }
    const s = this.d.state;
    this.set({ frames, source: this.sourceOf(s, frames) });
    if (this.wantsAsm()) await this.loadAsm(frames[s.selectedFrame] ?? frames[0]);
    else this.set({ asm: [] });
    await this.loadLocals(s.selectedFrame);
    await this.loadMemory();
  }

  /** Show a hexdump of the memory at `expression` (read now and at every stop), or none. */
  async setMemory(expression: string | undefined): Promise<void> {
    this.set({ memory: expression === undefined ? undefined : { expression } });
    this.relayout({});
    await this.loadMemory();
  }

  private async loadMemory(): Promise<void> {
    const m = this.current.memory;
    const rect = this.current.layout.panes.memory;
    if (!m || !rect || !this.current.state.process) return;
    const length = bytesPerRow(rect.width) * Math.max(1, rect.height - 1 + (this.current.scroll.memory ?? 0));
    try {
      // the value as an address, as `x EXPR` takes it
      const r = await this.d.evaluate(`(unsigned long)(${m.expression})`);
      const address = BigInt(r.text);
      const bytes = await this.d.readMemory(address, length);
      const before = m.address === address ? m.bytes : undefined;
      this.set({ memory: { expression: m.expression, address, bytes, before } });
    } catch (e) {
      this.set({ memory: { expression: m.expression, error: (e as Error).message.split('\n')[0]! } });
    }
  }

  private async loadLocals(level: number): Promise<void> {
    if (!this.current.layout.panes.locals) return;
    await this.tree.load(this.d, level).catch(() => this.tree.clear());
    const locals = this.tree.rows();
    this.set({ locals, localsCursor: Math.min(this.current.localsCursor, Math.max(0, locals.length - 1)) });
  }

  /** Enter or Right/Left on the locals pane's cursor row: expand or collapse it. */
  private async toggleLocal(open: boolean | undefined): Promise<void> {
    const row = this.current.locals[this.current.localsCursor];
    if (!row || !row.expandable || (open !== undefined && row.expanded === open)) return;
    await this.tree.toggle(row.key).catch(() => undefined);
    this.set({ locals: this.tree.rows() });
  }

  /** Disassembly is read only for a pane that shows it: the asm pane, or the source pane without source. */
  private wantsAsm(): boolean {
    const v = this.current;
    return v.layout.panes.asm !== undefined || !v.source?.lines;
  }

  private async loadAsm(f: Frame | undefined): Promise<void> {
    if (!f) { this.set({ asm: [] }); return; }
    const sym = this.d.symbolize(f.pc);
    const off = sym && /\+(\d+)$/.exec(sym);
    const start = off && Number(off[1]) < 4096 ? f.pc - BigInt(off[1]!) : f.pc;
    try {
      this.set({ asm: await this.d.disassemble(start, Math.max(64, this.current.layout.rows)) });
    } catch {
      this.set({ asm: [] });
    }
  }

  private sourceOf(s: DebuggerState, frames: readonly Frame[]): SourceFile | undefined {
    const f = frames[s.selectedFrame] ?? (s.selectedFrame === 0 ? s.stop : undefined);
    const path = f?.path ?? f?.file;
    if (!path) return undefined;
    let file = this.sources.get(path);
    if (!file) {
      let lines: string[] | undefined;
      try { lines = readFileSync(path, 'utf8').split('\n').map(expandTabs); } catch { lines = undefined; }
      file = { path, lines };
      this.sources.set(path, file);
    }
    return file;
  }

  /** A question of the core: asked at the prompt, answered by the next line typed. */
  private ask(q: Question): void {
    const lines = q.text.split('\n');
    const last = lines.pop()!;
    if (lines.length) this.print(`${lines.join('\n')}\n`);
    this.question = q;
    this.set({ prompt: `${last} ` });
  }

  private print(text: string): void {
    this.set({ console: appendText(this.current.console, text) });
  }

  // ---- the user's side ---------------------------------------------------------------------

  resize(rows: number, cols: number): void {
    this.relayout({ rows, cols });
  }

  private relayout(o: { rows?: number; cols?: number; name?: LayoutName }): void {
    const v = this.current;
    const layout = computeLayout(o.rows ?? v.layout.rows, o.cols ?? v.layout.cols, o.name ?? v.layoutName, v.state.checkpoints.length > 0, v.memory !== undefined);
    this.set({ layout, layoutName: o.name ?? v.layoutName });
  }

  setLayout(name: LayoutName): void {
    const v = this.current;
    const focus = v.focus === 'src' || v.focus === 'asm' || v.focus === 'regs' ? firstMain(name) : v.focus;
    this.set({ focus });
    this.relayout({ name });
    if (this.wantsAsm() && !v.asm.length && v.state.process && !v.state.running) {
      void this.loadAsm(v.frames[v.state.selectedFrame] ?? v.frames[0]);
    }
  }

  setFocus(p: PaneName): void {
    const picked = this.picked;
    this.picked = INFO_PANES.includes(p) && (p === picked || !this.current.layout.panes[p]) ? p : undefined;
    this.set({ focus: p });
    if (this.picked !== picked) this.relayout({});
  }
  /** An info pane shown (./info-pick.ts) while it has the focus. */
  private picked: PaneName | undefined;

  /** A line typed at the prompt (Enter): the open question's answer, or the next command. */
  submit(line: string): void {
    const q = this.question;
    this.set({ input: '' });
    if (q) {
      const a = line.trim().toLowerCase();
      this.print(`${this.current.prompt}${line}\n`);
      if (!/^(y|yes|n|no)$/.test(a)) { this.print('Please answer y or n.\n'); return; }
      this.question = undefined;
      this.set({ prompt: PROMPT });
      q.answer(a.startsWith('y'));
      return;
    }
    if (line.trim()) { this.d.session.console.history.add(line); this.historyAt = -1; }
    this.queue.push(line);
    if (!this.current.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.set({ busy: true });
    while (this.queue.length) {
      const line = this.queue.shift()!;
      this.print(`${PROMPT}${line}\n`);
      const r = await this.d.execute(line);
      if (r.quit !== undefined) { this.host.quit(r.quit); return; }
    }
    this.set({ busy: false, prompt: this.d.session.collectingCommands ? '>' : PROMPT });
  }

  /** The program runs and takes input: keys go to it as typed. */
  private programTakesKeys(): boolean {
    return this.current.state.running && this.d.session.takesInput && !this.question;
  }

  key(k: Key): void {
    if (k.name === 'ctrl' && k.text === 'c') { this.interrupt(); return; }
    if (this.programTakesKeys()) { void this.d.sendInput(k.bytes).catch(() => undefined); return; }
    if (this.ctrlX) { this.ctrlX = false; this.ctrlXKey(k); return; }
    const v = this.current;
    if (v.focus === 'locals' && this.localsKey(k)) return;
    const fkey = FUNCTION_KEYS[`${k.shift ? 'shift-' : ''}${k.name}`];
    if (fkey && !this.question) { this.submit(fkey); return; }
    switch (k.name) {
      case 'char': this.set({ input: v.input + k.text }); return;
      case 'backspace': this.set({ input: v.input.slice(0, -1) }); return;
      case 'enter': this.submit(v.input); return;
      case 'tab': void this.complete(); return;
      case 'pageup': this.scrollBy(v.focus, -this.page(v.focus)); return;
      case 'pagedown': this.scrollBy(v.focus, this.page(v.focus)); return;
      case 'up': if (v.focus === 'cmd') this.recall(1); else this.scrollBy(v.focus, -1); return;
      case 'down': if (v.focus === 'cmd') this.recall(-1); else this.scrollBy(v.focus, 1); return;
      case 'wheelup': case 'wheeldown': {
        const p = paneAt(v.layout, (k.y ?? 1) - 1, (k.x ?? 1) - 1);
        if (p) this.scrollBy(p, k.name === 'wheelup' ? -3 : 3);
        return;
      }
      case 'ctrl': this.ctrlKey(k.text); return;
      default: return;
    }
  }

  /** The locals pane's own keys: Up/Down move its cursor, Enter toggles, Right expands, Left collapses. */
  private localsKey(k: Key): boolean {
    const v = this.current;
    if (v.input !== '' && k.name === 'enter') return false;   // a typed command goes to the console
    const last = Math.max(0, v.locals.length - 1);
    switch (k.name) {
      case 'up': this.set({ localsCursor: Math.max(0, v.localsCursor - 1) }); return true;
      case 'down': this.set({ localsCursor: Math.min(last, v.localsCursor + 1) }); return true;
      case 'enter': void this.toggleLocal(undefined); return true;
      case 'right': void this.toggleLocal(true); return true;
      case 'left': void this.toggleLocal(false); return true;
      default: return false;
    }
  }

  private ctrlKey(c: string): void {
    const v = this.current;
    if (c === 'd' && v.input === '' && !this.question) { this.submit('quit'); return; }
    if (c === 'u') this.set({ input: '' });
    else if (c === 'l') this.host.refresh();
    else if (c === 'p') this.recall(1);
    else if (c === 'n') this.recall(-1);
    else if (c === 'x') this.ctrlX = true;
  }

  /** gdb's TUI keys after C-x: `o` next pane, `a` leave the TUI, `1`/`2` layouts, `s`... */
  private ctrlXKey(k: Key): void {
    if (k.text === 'o') this.setFocus(nextPane(this.current, 1));
    else if (k.text === 'a' || (k.name === 'ctrl' && k.text === 'a')) this.host.leave();
    else if (k.text === '1') this.setLayout('src');
    else if (k.text === '2') this.setLayout(this.current.layoutName === 'split' ? 'regs' : 'split');
  }

  /** Ctrl-C: stops the running program (or the command), never tsdbg; at the prompt, gdb's `Quit`. */
  private interrupt(): void {
    if (this.question) { this.print(`${this.current.prompt}^C\n`); this.submit('n'); return; }
    if (this.current.busy && this.d.session.interrupt()) return;
    this.print(`${this.current.prompt}${this.current.input}^C\nQuit\n`);
    this.set({ input: '' });
  }

  private recall(dir: 1 | -1): void {
    const history = this.d.session.console.history.load();
    if (!history.length) return;
    const at = Math.max(-1, Math.min(history.length - 1, this.historyAt + dir));
    this.historyAt = at;
    this.set({ input: at < 0 ? '' : history[history.length - 1 - at]! });
  }

  /**
   * Tab: the console's completion (the line prompt's, src/console/complete.ts). One
   * completion goes in; several put in what they share, or are listed in the console
   * when they share no more than is typed, as readline does.
   */
  private async complete(): Promise<void> {
    const line = this.current.input;
    // a completion that fails (an expression that does not evaluate) completes nothing, as at the line prompt
    const c = await this.d.session.console.complete(line).catch(() => undefined);
    if (!c || this.current.input !== line) return;   // typed on meanwhile: that line is not this one
    const words = completionWords(c.candidates);
    if (!words.length) return;
    const typed = line.length - c.replaceFrom;
    const common = words.length === 1 ? words[0]! : commonPrefix(words);
    if (common.length > typed) { this.set({ input: line.slice(0, c.replaceFrom) + common }); return; }
    this.print(`${this.current.prompt}${line}\n${words.join('  ')}\n`);
  }

  private page(p: PaneName): number {
    return Math.max(1, (this.current.layout.panes[p]?.height ?? 3) - 2);
  }

  /** Scroll pane `p` by `n` lines (negative: towards the start / older lines). */
  scrollBy(p: PaneName, n: number): void {
    const back = p === 'cmd' || p === 'output';
    const now = this.current.scroll[p] ?? 0;
    const next = back ? Math.max(0, now - n) : (p === 'src' || p === 'asm' ? now + n : Math.max(0, now + n));
    this.set({ scroll: { ...this.current.scroll, [p]: next } });
    if (p === 'stack') void this.moreFrames();
  }

  /** The stack pane scrolled past the frames read at the stop: read as many as it shows now. */
  private async moreFrames(): Promise<void> {
    const v = this.current;
    const want = (v.layout.panes.stack?.height ?? 1) - 1 + (v.scroll.stack ?? 0);
    if (v.frames.length >= want || !v.state.process || v.state.running || v.busy) return;
    const frames = await this.d.frames(undefined, want).catch(() => undefined);
    if (frames && frames.length > this.current.frames.length) this.set({ frames });
  }
}

function firstMain(l: LayoutName): PaneName {
  return l === 'asm' ? 'asm' : l === 'regs' ? 'regs' : 'src';
}

/** The pane after (or before) the focused one, in layout order. */
export function nextPane(v: UiView, dir: 1 | -1): PaneName {
  const names = Object.keys(v.layout.panes) as PaneName[];
  const i = names.indexOf(v.focus);
  return names[(i + dir + names.length) % names.length]!;
}
