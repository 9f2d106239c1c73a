/**
 * gdb's TUI commands at the console: `tui enable|disable`, `layout
 * src|asm|split|regs|next|prev`, `focus NAME|next|prev` (`fs`), `refresh`,
 * and their `tui ...` spellings. The session hands them here first
 * (Session.frontEnd); this module says what the UI does, ./start.ts does it.
 */
import { CommandError } from '../commands/parse.js';
import { LAYOUTS, type LayoutName, type PaneName } from './layout.js';

/** What the commands act on: the UI when it is up, the switch to start it otherwise. */
export interface UiControl {
  /** Full screen can be had (stdin and stdout are terminals). */
  readonly possible: boolean;
  /** The UI is up. */
  active(): boolean;
  /** Start it (from the prompt, after the command ends) / leave it for line mode. */
  enable(): void;
  disable(): void;
  layout(name: LayoutName | 'next' | 'prev'): void;
  focus(name: PaneName | 'next' | 'prev'): void;
  refresh(): void;
  /** `tui memory EXPR`: a hexdump of the memory there, read at each stop; without EXPR, no such pane. */
  memory(expression: string | undefined): void;
}

const WINDOWS: Record<string, PaneName> = {
  src: 'src', asm: 'asm', regs: 'regs', memory: 'memory', cmd: 'cmd', stack: 'stack', locals: 'locals', breakpoints: 'breakpoints',
  threads: 'threads', checkpoints: 'checkpoints', output: 'output',
};

const NOT_A_TERMINAL = 'Cannot enable the TUI when output is not a terminal';

/** Session.frontEnd: true when the line was one of ours (done, or its error thrown). */
export function uiCommands(ui: UiControl): (line: string) => Promise<boolean> {
  return async (line) => {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'tui' && words.length > 1 && ['layout', 'focus', 'fs', 'refresh'].includes(words[1]!)) words.shift();
    const [cmd, arg, extra] = words;
    switch (cmd) {
      case 'tui':
        if (arg === 'enable') { need(ui); ui.enable(); return true; }
        if (arg === 'disable') { if (ui.active()) ui.disable(); return true; }
        if (arg === 'memory') {
          need(ui);
          const expr = line.trim().replace(/^tui\s+memory\s*/, '');
          ui.enable();
          ui.memory(expr === '' ? undefined : expr);
          return true;
        }
        return false;   // the rest of `tui`: the console's own answer (help, errors)
      case 'layout': {
        if (arg === undefined) return false;
        if (!(LAYOUTS as readonly string[]).includes(arg) && arg !== 'next' && arg !== 'prev') {
          throw new CommandError(`Undefined tui layout command: "${words.slice(1).join(' ')}".  Try "help tui layout".`);
        }
        need(ui);
        ui.enable();
        ui.layout(arg as LayoutName);
        return true;
      }
      case 'focus': case 'fs': {
        need(ui);
        if (arg === undefined) throw new CommandError('Argument required (name of window to focus).');
        const pane = arg === 'next' || arg === 'prev' ? arg : WINDOWS[arg];
        if (!pane || extra !== undefined) throw new CommandError(`Unrecognized window name "${words.slice(1).join(' ')}"`);
        if (!ui.active()) ui.enable();
        ui.focus(pane);
        return true;
      }
      case 'refresh':
        need(ui);
        if (ui.active()) ui.refresh(); else ui.enable();
        return true;
      default:
        return false;
    }
  };
}

function need(ui: UiControl): void {
  if (!ui.possible) throw new CommandError(NOT_A_TERMINAL);
}

/** runInteractive's answer when it ended for `tui enable` rather than a quit. */
export const TO_TUI = -1;
