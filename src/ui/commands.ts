/**
 * gdb's TUI commands at the console: `tui enable|disable`, `layout
 * src|asm|split|regs|next|prev`, `focus NAME|next|prev` (`fs`), `refresh`,
 * and their `tui ...` spellings. The session hands them here first
 * (Session.frontEnd); this module says what the UI does, ./start.ts does it.
 */
import { CommandError } from '../commands/parse.js';
import { LAYOUTS, type LayoutName, type PaneName } from './layout.js';
import { REG_GROUPS, type RegGroup } from './reg-groups.js';

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
  /** `tui diff ADDR|heap|stack`: the snapshot diff there, with names, read at each stop; without ADDR, no such pane. */
  diff(expression: string | undefined): void;
  /** `tui reg GROUP|next|prev`: the registers pane's group (the pane shown). */
  regGroup(group: RegGroup | 'next' | 'prev'): void;
  /** `tui watch EXPR` / `tui unwatch [EXPR]`: the watch pane's own expressions (the `display` ones are there too). */
  watch(expression: string): void;
  unwatch(expression: string | undefined): boolean;
}

const WINDOWS: Record<string, PaneName> = {
  src: 'src', asm: 'asm', regs: 'regs', memory: 'memory', diff: 'diff', cmd: 'cmd', stack: 'stack', locals: 'locals', breakpoints: 'breakpoints',
  threads: 'threads', checkpoints: 'checkpoints', output: 'output', watch: 'watch', syscalls: 'syscalls', kstats: 'kstats',
};

const NOT_A_TERMINAL = 'Cannot enable the TUI when output is not a terminal';

/** gdb's list of a prefix command's subcommands (`tui`, `layout` alone), in its words. */
function subcommandList(prefix: string, rows: Array<[string, string]>): string {
  return [
    `List of ${prefix} subcommands:`, '',
    ...rows.map(([name, what]) => `${name} -- ${what}`), '',
    `Type "help ${prefix}" followed by ${prefix} subcommand name for full documentation.`,
    'Type "apropos word" to search for commands related to "word".',
    'Type "apropos -v word" for full documentation of commands related to "word".',
    'Command name abbreviations are allowed if unambiguous.', '',
  ].join('\n');
}

/** The `tui` subcommands tsdbg has (gdb's words; `tui memory` is tsdbg's own). */
const TUI_LIST = subcommandList('tui', [
  ['tui disable', 'Disable TUI display mode.'],
  ['tui diff', 'Show the snapshot diff at an address, heap or stack, each changed range named, read again at each stop.'],
  ['tui enable', 'Enable TUI display mode.'],
  ['tui focus, fs, focus', 'Set focus to named window or next/prev window.'],
  ['tui layout, layout', 'Change the layout of windows.'],
  ['tui memory', 'Show a hexdump of the memory at an expression, read again at each stop.'],
  ['tui refresh, refresh', 'Refresh the terminal display.'],
  ['tui reg', 'TUI command to control the register window.'],
  ['tui unwatch', 'Remove an expression from the watch pane (all of tui watch\'s without one).'],
  ['tui watch', 'Add an expression to the watch pane (display EXPR\'s are shown there too).'],
]);

const LAYOUT_LIST = subcommandList('tui layout', [
  ['tui layout asm', 'Apply the "asm" layout.'],
  ['tui layout kstats', 'Apply the "kstats" layout (tsdbg\'s: the source over tracer.ko\'s counts).'],
  ['tui layout next', 'Apply the next TUI layout.'],
  ['tui layout prev', 'Apply the previous TUI layout.'],
  ['tui layout regs', 'Apply the TUI register layout.'],
  ['tui layout split', 'Apply the "split" layout.'],
  ['tui layout src', 'Apply the "src" layout.'],
  ['tui layout syscalls', 'Apply the "syscalls" layout (tsdbg\'s: the source over the calls catch syscall stopped at).'],
]);

/** gdb's `help` text of the UI's commands (they are the front end's, outside the command table); undefined: not ours. */
function helpOf(topic: string[]): string | undefined {
  const t = topic[0] === 'tui' && topic.length > 1 && ['layout', 'focus', 'fs', 'refresh'].includes(topic[1]!) ? topic.slice(1) : topic;
  const [cmd, sub] = t;
  if (cmd === 'tui' && sub === undefined) return `Text User Interface commands.\n\n${TUI_LIST}`;
  if (cmd === 'layout' && sub === undefined) return `tui layout, layout\nChange the layout of windows.\nUsage: tui layout prev | next | LAYOUT-NAME\n\n${LAYOUT_LIST}`;
  if (cmd === 'layout') return (LAYOUTS as readonly string[]).includes(sub!) || sub === 'next' || sub === 'prev' ? `Apply the ${sub === 'next' || sub === 'prev' ? `${sub === 'next' ? 'next' : 'previous'} TUI` : `"${sub}"`} layout.\n` : undefined;
  if (cmd === 'focus' || cmd === 'fs') {
    return `tui focus, fs, focus\nSet focus to named window or next/prev window.\nUsage: tui focus [WINDOW-NAME | next | prev]\nWindow names: ${Object.keys(WINDOWS).join(', ')}.\n`;
  }
  if (cmd === 'refresh') return 'tui refresh, refresh\nRefresh the terminal display.\n';
  if (cmd !== 'tui') return undefined;
  if (sub === 'enable' || sub === 'disable') return `${sub === 'enable' ? 'Enable' : 'Disable'} TUI display mode.\nUsage: tui ${sub}\n`;
  if (sub === 'reg') return `TUI command to control the register window.\nUsage: tui reg NAME\nNAME is the name of the register group to display (${REG_GROUPS.join(', ')}, next, prev)\n`;
  const row = TUI_LIST.split('\n').find((l) => l.startsWith(`tui ${sub} -- `));
  return row ? `${row.slice(`tui ${sub} -- `.length)}\nUsage: tui ${sub} ${sub === 'diff' ? '[ADDR | heap | stack]' : '[EXPR]'}\n` : undefined;
}

/**
 * Session.frontEnd: true when the line was one of ours (done, or its error thrown).
 * `print`: the console's standard output (the subcommand lists of `tui` and `layout` alone).
 */
export function uiCommands(ui: UiControl, print: (text: string) => void): (line: string) => Promise<boolean> {
  return async (line) => {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'tui' && words.length > 1 && ['layout', 'focus', 'fs', 'refresh'].includes(words[1]!)) words.shift();
    const [cmd, arg, extra] = words;
    if (cmd === 'help' || cmd === 'h') {
      const text = helpOf(words.slice(1));
      if (text === undefined) return false;
      print(text);
      return true;
    }
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
        if (arg === 'reg') { need(ui); regCommand(ui, words.slice(2)); return true; }
        if (arg === 'watch' || arg === 'unwatch') { need(ui); watchCommand(ui, arg, line.trim().replace(/^tui\s+\S+\s*/, '')); return true; }
        if (arg === 'diff') {
          need(ui);
          const expr = line.trim().replace(/^tui\s+diff\s*/, '');
          ui.enable();
          ui.diff(expr === '' ? undefined : expr);
          return true;
        }
        if (arg === undefined) { print(TUI_LIST); return true; }
        throw new CommandError(`Undefined tui command: "${words.slice(1).join(' ')}".  Try "help tui".`);
      case 'layout': {
        if (arg === undefined) { print(LAYOUT_LIST); return true; }
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

/** gdb's `tui reg` (its errors in its words); the groups tsdbg has (gdb's save, restore and mmx have no registers of their own here). */
function regCommand(ui: UiControl, args: string[]): void {
  if (!args.length) {
    throw new CommandError(`"tui reg" must be followed by the name of either a register group,\nor one of 'next' or 'prev'.  Known register groups are:\n${REG_GROUPS.join(', ')}`);
  }
  const g = args.join(' ');
  // gdb takes a unique prefix of a group's name
  const all = [...REG_GROUPS, 'next', 'prev'];
  const match = all.includes(g) ? [g] : all.filter((x) => x.startsWith(g));
  if (match.length !== 1) throw new CommandError(`unknown register group '${g}'`);
  ui.enable();
  ui.regGroup(match[0] as RegGroup | 'next' | 'prev');
}

function watchCommand(ui: UiControl, cmd: 'watch' | 'unwatch', expr: string): void {
  if (cmd === 'watch') {
    if (!expr) throw new CommandError('Argument required (expression to watch).');
    ui.enable();
    ui.watch(expr);
    return;
  }
  if (!ui.unwatch(expr || undefined) && expr) throw new CommandError(`No expression "${expr}" in the watch pane.`);
}

function need(ui: UiControl): void {
  if (!ui.possible) throw new CommandError(NOT_A_TERMINAL);
}

/** runInteractive's answer when it ended for `tui enable` rather than a quit. */
export const TO_TUI = -1;
