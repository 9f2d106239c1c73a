/**
 * The program's pty follows our terminal: its size is set from ours when the
 * program starts and again at every resize (SIGWINCH, through TIOCSWINSZ on
 * the pty master), so `stty size`, curses and `ls` columns see the real
 * window, as they do under gdb, which shares its terminal.
 */
import type { Session } from '../../src/commands/session.js';
import type { Target } from '../../src/target/types.js';
import { terminalOf } from '../../src/target/capabilities.js';
import { initialWidth } from '../../src/commands/screen.js';

/** The user's terminal: stdout, else stderr, when one of them is a terminal with a size. */
export function userTerminal(): NodeJS.WriteStream | undefined {
  return [process.stdout, process.stderr].find((s) => s.isTTY && s.columns > 0 && s.rows > 0);
}

/** Our terminal's rows and columns, when stdout is one. */
export function terminalSize(): { rows: number; cols: number } | undefined {
  const out = process.stdout;
  if (!out.isTTY || !out.rows || !out.columns) return undefined;
  return { rows: out.rows, cols: out.columns };
}

/** Give a program's pty our terminal's size (nothing without a terminal or a pty). */
export function sizePty(target: Target | undefined): void {
  const size = terminalSize();
  const terminal = terminalOf(target);
  if (size && terminal) terminal.resize(size.rows, size.cols);
}

/**
 * Pass each resize of our terminal on to the session's program, and to the
 * session's screen (gdb's width and height follow the window, as readline's
 * SIGWINCH tells gdb); returns the undo.
 */
export function followTerminalSize(session: Session): () => void {
  if (!process.stdout.isTTY) return () => undefined;
  const onResize = () => {
    sizePty(session.currentTarget);
    const size = terminalSize();
    if (size) {
      session.screen.width = initialWidth(false, size.cols, process.env);
      session.screen.height = size.rows;
    }
  };
  process.stdout.on('resize', onResize);
  return () => { process.stdout.off('resize', onResize); };
}
