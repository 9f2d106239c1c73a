import { userTerminal } from './terminal.js';

/**
 * The environment a program started by `tsdbg run` gets: ours plus LINES and
 * COLUMNS, as gdb's readline exports them (the terminal's size, else the
 * values already set, else 24x80). gdb's inferiors see them, so their stack
 * starts where it does under gdb and addresses printed on the stack agree.
 */
export function inferiorEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tty = userTerminal();
  const num = (v: string | undefined) => (v && /^[1-9]\d*$/.test(v) ? v : undefined);
  const lines = tty ? String(tty.rows) : (num(base.LINES) ?? '24');
  const columns = tty ? String(tty.columns) : (num(base.COLUMNS) ?? '80');
  return { ...base, LINES: lines, COLUMNS: columns };
}
