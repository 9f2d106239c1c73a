/**
 * Full screen or line mode, and the switch between them at the prompt
 * (`tui enable`, `tui disable`, C-x a): `tsdbg run` and `tsdbg connect`
 * drive their prompt through `UiSwitch.drive`, which alternates the UI and
 * the line prompt until a command quits.
 */
import { Debugger } from '../debugger/debugger.js';
import type { Session } from '../commands/session.js';
import { TO_TUI, uiCommands, type UiControl } from './commands.js';
import type { LayoutName, PaneName } from './layout.js';
import type { TuiScreen } from './start.js';
import type { UiModel } from './model.js';
import type { RegGroup } from './reg-groups.js';


export { TO_TUI };

export class UiSwitch implements UiControl {
  private screen: TuiScreen | undefined;
  private wanted = false;
  /** Set before the screen exists (`layout regs` typed in line mode): applied when it starts. */
  private firstLayout: LayoutName | 'next' | 'prev' | undefined;
  private firstFocus: PaneName | 'next' | 'prev' | undefined;
  private firstMemory: string | undefined;
  private firstDiff: string | undefined;
  private readonly debugger: Debugger;

  /** `possible`: stdin and stdout are terminals. */
  constructor(private readonly session: Session, readonly possible: boolean) {
    this.debugger = new Debugger({ session });
    session.frontEnd = uiCommands(this, (t) => session.store.write('stdout', t));
  }

  active(): boolean { return this.screen !== undefined; }
  /** `tui enable` typed in line mode: runInteractive ends, the UI starts. */
  get enableWanted(): boolean { return this.wanted; }
  enable(): void { if (!this.screen) this.wanted = true; }
  disable(): void { this.screen?.leave(); }
  layout(name: LayoutName | 'next' | 'prev'): void { if (this.screen) this.screen.layout(name); else this.firstLayout = name; }
  focus(name: PaneName | 'next' | 'prev'): void { if (this.screen) this.screen.focus(name); else this.firstFocus = name; }
  refresh(): void { this.screen?.refresh(); }
  memory(expression: string | undefined): void { if (this.screen) void this.screen.model.setMemory(expression); else this.firstMemory = expression; }
  regGroup(group: RegGroup | 'next' | 'prev'): void { this.first.push((m) => m.setRegGroup(group)); this.applyFirst(); }
  watch(expression: string): void { this.first.push((m) => m.addWatch(expression)); this.applyFirst(); }
  unwatch(expression: string | undefined): boolean { return this.screen ? this.screen.model.removeWatch(expression) : false; }
  /** What `tui reg` / `tui watch` typed in line mode do once the UI is up. */
  private readonly first: Array<(m: UiModel) => Promise<unknown>> = [];
  private applyFirst(): void { if (this.screen) for (const f of this.first.splice(0)) void f(this.screen.model); }
  diff(expression: string | undefined): void { if (this.screen) void this.screen.model.setDiff(expression); else this.firstDiff = expression; }

  /**
   * The prompt until a quit: the UI first when `full`, else `linePrompt`
   * (which returns TO_TUI when `tui enable` asked for the UI). `commands`:
   * -ex lines, typed into the UI's console at its start. `mute`: the line
   * console's writer, off while the UI draws.
   */
  async drive(full: boolean, linePrompt: () => Promise<number>, mute: (on: boolean) => void, commands: string[] = []): Promise<number> {
    for (;;) {
      if (!full) {
        const r = await linePrompt();
        if (r !== TO_TUI) return r;
      }
      this.wanted = false;
      full = false;
      mute(true);
      // Ink and React load only when the UI first starts: line mode at a terminal never pays for them
      const { TuiScreen, yogaReady } = await import('./start.js');
      await yogaReady;
      const screen = new TuiScreen(this.debugger);
      this.screen = screen;
      if (this.firstLayout) screen.layout(this.firstLayout);
      if (this.firstFocus) screen.focus(this.firstFocus);
      if (this.firstMemory !== undefined) void screen.model.setMemory(this.firstMemory);
      if (this.firstDiff !== undefined) void screen.model.setDiff(this.firstDiff);
      this.firstLayout = this.firstFocus = this.firstMemory = this.firstDiff = undefined;
      this.applyFirst();
      for (const c of commands.splice(0)) screen.model.submit(c);
      let end;
      try {
        end = await screen.run();
      } finally {
        this.screen = undefined;
        mute(false);
      }
      if ('quit' in end) return end.quit;
    }
  }
}
