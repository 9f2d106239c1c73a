/**
 * gdb's screen and question settings: `set width`, `set height`, `set pagination`, `set confirm`,
 * with gdb 13's words for show and for bad values. The width is the one the console wraps at
 * (src/dwarf/wrap.ts); a front end reads it from the session.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandError } from './parse.js';

export interface ScreenSettings {
  /** Characters per line; undefined is unlimited (gdb's `set width 0`). */
  width: number | undefined;
  /** Lines per page; undefined is unlimited. The prompt pages at it (src/console/pager.ts). */
  height: number | undefined;
  pagination: boolean;
  confirm: boolean;
}

/** gdb clamps a screen size above sqrt(INT_MAX) to unlimited (utils.c set_screen_size). */
const SQRT_INT_MAX = 46340;

const NAMES = new Set(['width', 'height', 'pagination', 'confirm']);

/** gdb's words for a boolean setting (on/1/yes/enable, off/0/no/disable); undefined for others. */
export function booleanWord(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (/^(on|1|yes|enable)$/.test(v)) return true;
  if (/^(off|0|no|disable)$/.test(v)) return false;
  return undefined;
}

/** gdb's parse of an on/off setting (no word: on). */
function onOff(value: string): boolean {
  const b = value.trim() === '' ? true : booleanWord(value);
  if (b === undefined) throw new CommandError('"on" or "off" expected.');
  return b;
}

/** gdb's parse of an unsigned-or-unlimited setting: 0 and `unlimited` mean none. */
async function sizeValue(value: string, evaluate: (e: string) => Promise<{ value: bigint }>): Promise<number | undefined> {
  if (!value) throw new CommandError('Argument required (integer to set it to, or "unlimited").');
  if (value === 'unlimited') return undefined;
  const n = (await evaluate(value)).value;
  if (n < 0n || n > 0xffffffffn) throw new CommandError(`integer ${n} out of range`);
  return n === 0n || n > BigInt(SQRT_INT_MAX) ? undefined : Number(n);
}

/** Apply `set NAME VALUE` if NAME is one of these; false if it is not. */
export async function setScreen(s: ScreenSettings, name: string, value: string,
  evaluate: (e: string) => Promise<{ value: bigint }>): Promise<boolean> {
  if (!NAMES.has(name)) return false;
  if (name === 'width') s.width = await sizeValue(value, evaluate);
  else if (name === 'height') s.height = await sizeValue(value, evaluate);
  else if (name === 'pagination') s.pagination = onOff(value);
  else s.confirm = onOff(value);
  return true;
}

export function showScreen(s: ScreenSettings, name: string): string | undefined {
  const size = (n: number | undefined) => (n === undefined ? 'unlimited' : String(n));
  switch (name) {
    case 'width': return `Number of characters gdb thinks are in a line is ${size(s.width)}.`;
    case 'height': return `Number of lines gdb thinks are in a page is ${size(s.height)}.`;
    case 'pagination': return `State of pagination is ${s.pagination ? 'on' : 'off'}.`;
    case 'confirm': return `Whether to confirm potentially dangerous operations is ${s.confirm ? 'on' : 'off'}.`;
    default: return undefined;
  }
}

/** Whether the terminal type has a terminfo entry (readline falls back to a dumb one when not). */
function terminfoKnown(term: string): boolean {
  const dirs = [process.env.TERMINFO, path.join(os.homedir(), '.terminfo'), '/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo']
    .filter((d): d is string => !!d);
  return dirs.some((d) => existsSync(path.join(d, term[0]!, term)) || existsSync(path.join(d, term.charCodeAt(0).toString(16), term)));
}

/**
 * The width gdb starts with (utils.c init_page_info, through readline's screen size): none in
 * batch mode; else the terminal's columns when stdin is one, else $COLUMNS, else terminfo's 80;
 * one less on a terminal readline cannot trust to wrap itself (dumb, unknown or no TERM).
 * It applies whether or not stdout is a terminal: gdb wraps piped output too.
 */
export function initialWidth(batch: boolean, terminalColumns: number | undefined, env: NodeJS.ProcessEnv): number | undefined {
  if (batch) return undefined;
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const cols = terminalColumns && terminalColumns > 0 ? terminalColumns : fromEnv > 1 ? fromEnv : 80;
  const term = env.TERM ?? '';
  const autoMargins = term !== '' && term !== 'dumb' && terminfoKnown(term);
  const width = cols - (autoMargins ? 0 : 1);
  return width > 0 && width <= SQRT_INT_MAX ? width : undefined;
}

export function defaultScreen(width: number | undefined, height: number | undefined): ScreenSettings {
  return { width, height, pagination: true, confirm: true };
}
