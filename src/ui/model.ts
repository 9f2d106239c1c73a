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
import type { DebuggerState, Frame, StopInfo } from '../debugger/state.js';
import type { Question } from '../debugger/store.js';
import type { Key } from './keys.js';
import { INFO_PANES, withInfoPane } from './info-pick.js';
import { computeLayout, paneAt, type Layout, type LayoutName, type PaneName } from './layout.js';
import { LocalsTree, type LocalRow } from './locals.js';
import { bytesPerRow, type MemoryView } from './memory-pane.js';
import { appendText, expandTabs, NO_LINES, type Lines } from './text.js';
import { WatchList } from './watch.js';
import { fpRows, REG_GROUPS, type FpRow, type RegGroup } from './reg-groups.js';
import { SyscallLog, type SyscallRow } from './syscalls.js';
import type { KstatsView } from './kstats-pane.js';
import { KernelStats, kstatsSourceFor } from '../commands/kstats.js';
import { loadDiff, type DiffView } from './diff.js';
import { reported } from '../debugger/errors.js';

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
  /** The watch list (./watch.ts) as a tree, and its pane's cursor row. */
  readonly watch: readonly LocalRow[];
  readonly watchCursor: number;
  /** `tui reg GROUP`: the registers pane's group, its x87/SSE/AVX lines and those that changed since the previous stop. */
  readonly regGroup: RegGroup;
  readonly fpRegs: readonly FpRow[];
  readonly fpChanged: readonly string[];
  /** The last calls `catch syscall` stopped at (./syscalls.ts). */
  readonly syscalls: readonly SyscallRow[];
  /** `info kstats` at this stop, while the kstats pane is shown. */
  readonly kstats: KstatsView | undefined;
  /** Colours (`set style enabled`; off with NO_COLOR or TERM=dumb): the source pane's syntax colour. */
  readonly colour: boolean;
  /** `tui diff ADDR` / the last `snapshot diff ADDR`: the diff pane's snapshot diff, at this stop. */
  readonly diff: DiffView | undefined;
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
  private readonly watchList = new WatchList();
  private readonly calls = new SyscallLog();
  /** The kstats pane's own counts (its stops are the UI's), read where the session's target is (local, or tsdbg serve). */
  private readonly kernel = new KernelStats(() => kstatsSourceFor(this.d.session.target));
  private readonly off: Array<() => void> = [];

  constructor(private readonly d: Debugger, private readonly host: UiHost, size: { rows: number; cols: number }) {
    const store = d.store;
    let out: Lines = NO_LINES;
    for (const c of store.output.slice(-200)) if (c.stream === 'inferior') out = appendText(out, c.text);
    this.current = {
      state: store.state, console: NO_LINES, program: out, input: '', prompt: PROMPT, busy: false,
      layoutName: 'src', layout: computeLayout(size.rows, size.cols, 'src', { checkpoints: store.state.checkpoints.length > 0 }),
      focus: 'cmd', scroll: {}, frames: store.state.frames, asm: [], source: undefined, locals: [], localsCursor: 0, memory: undefined, diff: undefined,
      watch: [], watchCursor: 0, regGroup: 'general', fpRegs: [], fpChanged: [], syscalls: [], kstats: undefined,
      colour: d.session.console.style.enabled,
    };
    if (store.state.displays.length) this.current = { ...this.current, layout: this.layoutFor({}) };
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
    on('stop', (stop: StopInfo) => { void this.followStop(stop); });
    on('exited', () => {
      this.tree.clear();
      this.watchList.clear(this.current.state.displays);
      this.set({ frames: [], asm: [], locals: [], localsCursor: 0, watch: this.watchList.rows(), fpRegs: [], fpChanged: [] });
      void this.loadKstats();
    });
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
    const displaysChanged = s.displays !== this.current.state.displays;
    if (hadCheckpoints !== s.checkpoints.length > 0 || displaysChanged) patch.layout = this.layoutFor({}, s);
    const frames = this.current.frames.length > s.frames.length ? this.current.frames : s.frames;
    const frameChanged = s.selectedFrame !== this.current.state.selectedFrame;
    if (frameChanged || !this.current.source) patch.source = this.sourceOf(s, frames);
    this.set(patch);
    if (frameChanged && s.process && !s.running) void this.loadLocals(s.selectedFrame);
    if ((frameChanged || displaysChanged) && s.process && !s.running) void this.loadWatch();
    else if (displaysChanged && !s.process) { this.watchList.clear(s.displays); this.set({ watch: this.watchList.rows() }); }
  }

  /** After a stop: the whole stack, and the instructions around the pc. */
  private async followStop(stop?: StopInfo): Promise<void> {
    this.set({ scroll: { ...this.current.scroll, src: 0, asm: 0, stack: 0, syscalls: 0 } });
    if (stop?.reason === 'syscall' && stop.syscall) {
      // (a call whose arguments do not read is listed without them; a bug is said in the console)
      await this.calls.add(this.d, stop.thread, stop.syscall).catch(reported(undefined, this.say));
      this.set({ syscalls: this.calls.list() });
    }
    let frames: readonly Frame[] = this.current.state.frames;
    try {
      // as many frames as the stack pane shows (a deep stack costs its unwinding)
      const shown = (this.current.layout.panes.stack?.height ?? 1) - 1 + (this.current.scroll.stack ?? 0);
      frames = await this.d.frames(undefined, Math.max(shown, this.current.state.selectedFrame + 1, 1));
    } catch (e) { reported(undefined, this.say)(e); /* the program went away meanwhile */ }
    const s = this.d.state;
    this.set({ frames, source: this.sourceOf(s, frames) });
    if (this.wantsAsm()) await this.loadAsm(frames[s.selectedFrame] ?? frames[0]);
    else this.set({ asm: [] });
    await this.loadLocals(s.selectedFrame);
    await this.loadWatch();
    await this.loadFp();
    await this.loadMemory();
    await this.loadDiff();
    await this.loadKstats(stop !== undefined);
  }

  private async loadWatch(): Promise<void> {
    const s = this.current.state;
    if (s.process && !s.running) await this.watchList.load(this.d, s.selectedFrame, s.displays).catch(reported(undefined, this.say));
    else this.watchList.clear(s.displays);
    const watch = this.watchList.rows();
    this.set({ watch, watchCursor: Math.min(this.current.watchCursor, Math.max(0, watch.length - 1)) });
  }

  /** The registers pane's x87/SSE/AVX lines, read only while such a group is shown. */
  private async loadFp(): Promise<void> {
    const v = this.current;
    if (!v.layout.panes.regs || !v.state.process) { this.set({ fpRegs: [], fpChanged: [] }); return; }
    const rows = await fpRows(this.d, v.regGroup);
    const before = new Map(this.current.fpRegs.map((r) => [r.name, r.text]));
    const fpChanged = rows.filter((r) => before.has(r.name) && before.get(r.name) !== r.text).map((r) => r.name);
    this.set({ fpRegs: rows, fpChanged });
  }

  /** The kernel stats pane: `info kstats`'s lines at this stop (`stopped`: a new stop, its counts read), or why there are none. */
  private async loadKstats(stopped = false): Promise<void> {
    if (!this.current.layout.panes.kstats) return;
    const s = this.current.state;
    const pid = s.process && s.stop?.reason !== 'exited' && s.stop?.reason !== 'killed' ? s.process.pid : undefined;
    if (stopped) this.kernel.onStop(pid);
    try {
      this.set({ kstats: { lines: await this.kernel.info(pid) } });
    } catch (e) {
      this.set({ kstats: { error: (e as Error).message.split('\n')[0]! } });
    }
  }

  /** `tui reg GROUP` (next/prev: gdb's cycle); shows the registers pane (gdb's `layout regs`) when it is not. */
  async setRegGroup(g: RegGroup | 'next' | 'prev'): Promise<void> {
    const i = REG_GROUPS.indexOf(this.current.regGroup);
    const n = REG_GROUPS.length;
    const regGroup = g === 'next' ? REG_GROUPS[(i + 1) % n]! : g === 'prev' ? REG_GROUPS[(i + n - 1) % n]! : g;
    this.set({ regGroup, fpRegs: [], fpChanged: [] });
    if (!this.current.layout.panes.regs) this.setLayout('regs');
    if (this.current.state.process && !this.current.state.running) await this.loadFp();
  }

  /** `tui watch EXPR`: add it to the watch list (its pane appears next to the locals). */
  async addWatch(expr: string): Promise<void> {
    this.watchList.add(expr);
    this.relayout({});
    await this.loadWatch();
  }

  /** `tui unwatch [EXPR]`: remove it (false: not in the list), or all of `tui watch`'s. */
  removeWatch(expr: string | undefined): boolean {
    const had = this.watchList.remove(expr);
    this.relayout({});
    // read after the command (it runs in the core's queue, as the evaluations do)
    void this.loadWatch();
    return had;
  }

  /** Show the snapshot diff of `expression` (heap, stack, an address or object in a snapshot), read at every stop; or none. */
  async setDiff(expression: string | undefined): Promise<void> {
    this.set({ diff: expression === undefined ? undefined : { expression } });
    this.relayout({});
    await this.loadDiff();
  }

  private async loadDiff(): Promise<void> {
    const v = this.current.diff;
    if (!v || !this.current.state.process) return;
    const next = await loadDiff(this.d, v.expression);
    if (this.current.diff?.expression === v.expression) this.set({ diff: next });
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
    await this.tree.load(this.d, level).catch((e: unknown) => { this.tree.clear(); reported(undefined, this.say)(e); });
    const locals = this.tree.rows();
    this.set({ locals, localsCursor: Math.min(this.current.localsCursor, Math.max(0, locals.length - 1)) });
  }

  /** Enter or Right/Left on the locals (or watch) pane's cursor row: expand or collapse it. */
  private async toggleLocal(open: boolean | undefined, watch = false): Promise<void> {
    const row = watch ? this.current.watch[this.current.watchCursor] : this.current.locals[this.current.localsCursor];
    if (!row || !row.expandable || (open !== undefined && row.expanded === open)) return;
    const tree = watch ? this.watchList : this.tree;
    await tree.toggle(row.key).catch(reported(undefined, this.say));
    this.set(watch ? { watch: this.watchList.rows() } : { locals: this.tree.rows() });
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
    } catch (e) {
      // (no code readable there: an empty pane; a bug is said in the console)
      reported(undefined, this.say)(e);
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
      // (a source file not on this machine: the pane shows the code instead, as gdb's TUI does)
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

  /** What a pane could not show, and why (reported()): one line in the console, once, as gdb says a Dwarf Error. */
  private readonly said = new Set<string>();
  private readonly say = (line: string): void => {
    if (this.said.has(line)) return;
    this.said.add(line);
    this.print(`${line}\n`);
  };

  // ---- the user's side ---------------------------------------------------------------------

  resize(rows: number, cols: number): void {
    this.relayout({ rows, cols });
  }

  private relayout(o: { rows?: number; cols?: number; name?: LayoutName }): void {
    this.set({ layout: this.layoutFor(o), layoutName: o.name ?? this.current.layoutName });
  }

  private layoutFor(o: { rows?: number; cols?: number; name?: LayoutName }, s = this.current.state): Layout {
    const v = this.current;
    const watch = this.watchList.expressions(s.displays).length > 0;
    return computeLayout(o.rows ?? v.layout.rows, o.cols ?? v.layout.cols, o.name ?? v.layoutName,
      { checkpoints: s.checkpoints.length > 0, memory: v.memory !== undefined, diff: v.diff !== undefined, watch });
  }

  setLayout(name: LayoutName): void {
    const v = this.current;
    const main = ['src', 'asm', 'regs', 'syscalls', 'kstats'];
    const focus = main.includes(v.focus) ? firstMain(name) : v.focus;
    this.set({ focus });
    this.relayout({ name });
    const stopped = v.state.process && !v.state.running;
    if (this.wantsAsm() && !v.asm.length && stopped) {
      void this.loadAsm(v.frames[v.state.selectedFrame] ?? v.frames[0]);
    }
    if (name === 'regs' && stopped) void this.loadFp();
    if (name === 'kstats') void this.loadKstats();
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
      if (this.d.session.console.style.enabled !== this.current.colour) this.set({ colour: this.d.session.console.style.enabled });
      if (r.quit !== undefined) { this.host.quit(r.quit); return; }
      // `snapshot diff X` typed: the diff pane shows it too, in colour and with names
      const diff = r.ok ? /^snapshot\s+diff\s+(\S.*)$/.exec(line.trim()) : null;
      if (diff) await this.setDiff(diff[1]!.trim());
    }
    this.set({ busy: false, prompt: this.d.session.collectingCommands ? '>' : PROMPT });
  }

  /** The program runs and takes input: keys go to it as typed. */
  private programTakesKeys(): boolean {
    return this.current.state.running && this.d.session.takesInput && !this.question;
  }

  key(k: Key): void {
    if (k.name === 'ctrl' && k.text === 'c') { this.interrupt(); return; }
    if (this.programTakesKeys()) { void this.d.sendInput(k.bytes).catch(reported(undefined, this.say)); return; }
    if (this.ctrlX) { this.ctrlX = false; this.ctrlXKey(k); return; }
    const v = this.current;
    if ((v.focus === 'locals' || v.focus === 'watch') && this.localsKey(k, v.focus === 'watch')) return;
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

  /** The locals (and watch) pane's own keys: Up/Down move its cursor, Enter toggles, Right expands, Left collapses. */
  private localsKey(k: Key, watch: boolean): boolean {
    const v = this.current;
    if (v.input !== '' && k.name === 'enter') return false;   // a typed command goes to the console
    const rows = watch ? v.watch : v.locals;
    const at = watch ? v.watchCursor : v.localsCursor;
    const move = (n: number) => {
      const c = Math.max(0, Math.min(rows.length - 1, at + n));
      this.set(watch ? { watchCursor: c } : { localsCursor: c });
    };
    switch (k.name) {
      case 'up': move(-1); return true;
      case 'down': move(1); return true;
      case 'enter': void this.toggleLocal(undefined, watch); return true;
      case 'right': void this.toggleLocal(true, watch); return true;
      case 'left': void this.toggleLocal(false, watch); return true;
      case 'insert': this.watchSelected(); return true;
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
    else if (k.text === 'w') this.watchSelected();
  }

  /** C-x w (or Insert) at the locals pane: its cursor row's expression to the watch pane, as `tui watch EXPR` typed. */
  private watchSelected(): void {
    const v = this.current;
    const expr = v.focus === 'locals' ? v.locals[v.localsCursor]?.expression : undefined;
    if (expr && v.input === '' && !this.question) this.submit(`tui watch ${expr}`);
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
    const c = await this.d.session.console.complete(line).catch(reported(undefined, this.say));
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
    const back = p === 'cmd' || p === 'output' || p === 'syscalls';
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
    // (the program went away meanwhile: the frames read at the stop stay)
    const frames = await this.d.frames(undefined, want).catch(reported(undefined, this.say));
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
