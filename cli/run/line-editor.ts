/**
 * The prompt's line editor on a terminal: node's readline, with the history
 * kept across sessions (src/console/history.ts; the prompt adds each command line to it), Tab completion by the
 * console's complete() and readline's Ctrl-R reverse search
 * (src/console/reverse-search.ts) added to its keys.
 */
import { createInterface, type Interface, type Key } from 'node:readline';
import type { Session } from '../../src/commands/session.js';
import { ReverseSearch } from '../../src/console/reverse-search.js';
import { completionWords } from '../../src/console/complete.js';

export const PROMPT = '(tsdbg) ';

export function lineEditor(session: Session): Interface {
  const history = session.console.history;
  const rl = createInterface({
    input: process.stdin, output: process.stdout, prompt: PROMPT, terminal: true,
    history: [...history.load()].reverse(),
    historySize: history.size ?? 100000,
    removeHistoryDuplicates: false,
    completer: (line: string, done: (err: Error | null, result: [string[], string]) => void) => {
      session.console.complete(line).then(
        ({ candidates, replaceFrom }) => done(null, [completionWords(candidates), line.slice(replaceFrom)]),
        () => done(null, [[], line]),
      );
    },
  });
  addReverseSearch(rl);
  return rl;
}

type Internals = Interface & Record<symbol, unknown> & { line: string; cursor: number };

/** readline's key handler and line redraw (node keeps them under symbols). */
function internal(rl: Interface, name: string): symbol {
  for (let p: object | null = rl; p; p = Object.getPrototypeOf(p)) {
    const s = Object.getOwnPropertySymbols(p).find((x) => x.description === name);
    if (s) return s;
  }
  throw new Error(`readline has no ${name}`);
}

/**
 * Ctrl-R: search the history backwards as GNU readline does. Typing narrows,
 * Ctrl-R finds an older match, Backspace shortens the query, Enter runs the
 * match, Ctrl-G or Escape gives the line back, any other key takes the
 * match into the line and does what it does.
 */
function addReverseSearch(rlIn: Interface): void {
  const rl = rlIn as Internals;
  const kTtyWrite = internal(rl, '_ttyWrite');
  const kRefresh = internal(rl, '_refreshLine');
  const ttyWrite = (rl[kTtyWrite] as (s: string | undefined, key: Key | undefined) => void).bind(rl);
  const refresh = () => (rl[kRefresh] as () => void).call(rl);
  const history = () => (rl as unknown as { history: string[] }).history;
  let search: ReverseSearch | undefined;
  let prompt = PROMPT;
  const show = () => {
    rl.setPrompt(search!.prompt);
    rl.line = search!.line;
    rl.cursor = search!.cursor;
    refresh();
  };
  const leave = (line: string) => {
    search = undefined;
    rl.setPrompt(prompt);
    rl.line = line;
    rl.cursor = line.length;
    refresh();
  };
  const keys = (s: string | undefined, key: Key | undefined) => {
    if (!search) {
      if (key?.ctrl && key.name === 'r') {
        prompt = rl.getPrompt();
        search = new ReverseSearch(history(), rl.line);
        show();
        return;
      }
      ttyWrite(s, key);
      return;
    }
    if (key?.ctrl && key.name === 'r') { search.again(); show(); return; }
    if ((key?.ctrl && key.name === 'g') || key?.name === 'escape') { leave(search.original); return; }
    if (key?.name === 'backspace') { search.erase(); show(); return; }
    if (s && !key?.ctrl && !key?.meta && s.length === 1 && s >= ' ' && key?.name !== 'return' && key?.name !== 'enter') {
      search.type(s);
      show();
      return;
    }
    // Enter runs the match; any other key edits it
    leave(search.line);
    ttyWrite(s, key);
  };
  // (readline's prototype has only a getter for it: the instance gets its own)
  Object.defineProperty(rl, kTtyWrite, { value: keys, configurable: true, writable: true });
}
