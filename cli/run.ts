/**
 * `tsdbg run`: a gdb-style session on a local program.
 *
 * Interactive (stdin is a terminal, no --batch/-x): a `(tsdbg) ` prompt with
 * readline history; Ctrl-C interrupts the running program instead of quitting.
 * Line mode (--batch, -x FILE, or stdin not a terminal): commands come from
 * -x/-ex then stdin, nothing is echoed but output, the tracee is killed at EOF
 * and the exit status is 1 if any command failed (like gdb -batch).
 * Every exit path (quit, EOF, SIGTERM/SIGHUP/SIGINT, an internal error) goes
 * through session.shutdown(), so no tracee is left behind.
 */
import { existsSync, readFileSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { createInterface } from 'node:readline';
import { Session, errorMessage } from '../src/commands/session.js';
import { parseRunArgs, RUN_HELP, RUN_USAGE, UsageError, type RunArgs } from './run/args.js';
import { lineEditor, PROMPT } from './run/line-editor.js';
import { localLauncher } from './run/launcher.js';
import { inferiorEnv } from './run/inferior-env.js';
import { LinePager } from '../src/dwarf/wrap.js';
import { initialWidth } from '../src/commands/screen.js';
import { TerminalQuestions } from './run/questions.js';
import { KeyRouter } from './run/keys.js';
import { followTerminalSize, userTerminal } from './run/terminal.js';
import { claimSignals } from '../src/target/reaper.js';
import { Pager } from '../src/console/pager.js';
import { Spinner } from '../src/console/spinner.js';
import { styleByDefault, styleText } from '../src/console/style.js';
import type { OutputChunk } from '../src/commands/store.js';
import { TO_TUI, uiCommands, type UiControl } from '../src/ui/commands.js';

export async function main(argv: string[]): Promise<number> {
  let opts: RunArgs;
  try {
    opts = parseRunArgs([...argv]);
  } catch (e) {
    process.stderr.write(`tsdbg run: ${(e as Error).message}\n${RUN_USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${RUN_HELP}\n`);
    return 0;
  }
  if (!opts.program && opts.attach === undefined) {
    process.stderr.write(`${RUN_USAGE}\n`);
    return 2;
  }
  if (opts.program) {
    const problem = programProblem(opts.program);
    if (problem) {
      process.stderr.write(`${opts.program}: ${problem}.\n`);
      return 1;
    }
  }
  // keys typed while tsdbg loads wait in the terminal for the UI, not echoed (raw from the start; the UI reads them)
  const holdKeys = !isLineMode(opts) && opts.attach === undefined && wantsTui(opts);
  if (holdKeys) process.stdin.setRawMode(true);
  let session: Session;
  const questions = isLineMode(opts) ? undefined : new TerminalQuestions();
  try {
    session = newSession(opts, questions);
  } catch (e) {
    if (holdKeys) process.stdin.setRawMode(false);
    process.stderr.write(`${errorMessage(e)}\n`);
    return 1;
  }
  // gdb styles a terminal's output, not batch mode's (NO_COLOR and TERM=dumb: none)
  session.console.style.enabled = styleByDefault(Boolean(process.stdout.isTTY) && !opts.batch);
  writeConsole(session, questions && process.stdout.isTTY ? { readLine: questions.readLine } : undefined);
  return driveSession(session, opts, questions, async () => {
    if (opts.attach !== undefined) await session.execute(`attach ${opts.attach}`, !opts.batch);   // gdb -p
  });
}

/** Line mode (no prompt): --batch, a -x file, or commands on a pipe. */
export function isLineMode(opts: RunArgs): boolean {
  return opts.batch || opts.scripts.some((s) => s.kind === 'file') || !process.stdin.isTTY;
}

/**
 * A set-up session from `start` (an attach, a take-over) to its end: the
 * prompt, or line mode without `questions`. Every way out (quit, EOF, an
 * error, a signal) shuts it down, then runs `end`.
 */
export async function driveSession(
  session: Session, opts: RunArgs, questions: TerminalQuestions | undefined,
  start: () => Promise<void>, end?: () => Promise<void>,
): Promise<number> {
  const exits = installExitHandlers(session, end, !questions);
  try {
    await start();
    if (!questions) {
      session.frontEnd = uiCommands(NO_TUI, (t) => session.store.write('stdout', t));   // `tui enable` says why not, as gdb does
      return await runLineMode(session, opts);
    }
    return await runPrompt(session, opts, questions);
  } catch (e) {
    process.stderr.write(`tsdbg: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    // after a hangup, the hangup's own exit ends the process (a normal exit would reset a dead terminal)
    if (exits.leaving()) await new Promise(() => undefined);
    await session.shutdown();
    await end?.();
    exits.dispose();
  }
}

/** The full-screen UI (src/ui/) by default when stdin and stdout are terminals (not TERM=dumb); `--tui=off` or TSDBG_TUI=off: gdb's line prompt. */
export function wantsTui(opts: RunArgs, env: NodeJS.ProcessEnv = process.env): boolean {
  if (opts.tui === 'off' || (opts.tui === undefined && env.TSDBG_TUI === 'off')) return false;
  if (env.TERM === 'dumb') return false;   // no cursor movement there
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** Where a -x script or a pipe says `tui enable`: no full screen there. */
const NO_TUI: UiControl = {
  possible: false, active: () => false, enable: () => undefined, disable: () => undefined,
  layout: () => undefined, focus: () => undefined, refresh: () => undefined, memory: () => undefined, diff: () => undefined,
  regGroup: () => undefined, watch: () => undefined, unwatch: () => false,
};

/** The prompt at a terminal: the full-screen UI or the line prompt, switched by `tui enable` / `tui disable`. */
async function runPrompt(session: Session, opts: RunArgs, questions: TerminalQuestions): Promise<number> {
  // React's development build logs props with JSON.stringify, which fails on the state's bigints
  // (the program's environment was taken already: inferiorEnv)
  process.env.NODE_ENV = 'production';
  const { UiSwitch } = await import('../src/ui/switch.js');
  const ui = new UiSwitch(session, Boolean(process.stdin.isTTY && process.stdout.isTTY));
  const full = wantsTui(opts);
  // -ex commands run once: typed into the UI's console, or at the line prompt's start
  let line = full ? { ...opts, scripts: [] } : opts;
  const exCommands = full ? opts.scripts.map((s) => s.text) : [];
  const stopResizing = full || ui.possible ? followTerminalSize(session) : () => undefined;
  try {
    return await ui.drive(full, async () => {
      const r = await runInteractive(session, line, questions, () => ui.enableWanted);
      line = { ...opts, scripts: [] };
      return r;
    }, (on) => { lineConsole.muted = on; }, exCommands);
  } finally {
    stopResizing();
  }
}

/** `questions`: the terminal that answers yes/no questions; line mode has none. */
function newSession(opts: RunArgs, questions: TerminalQuestions | undefined): Session {
  const spinner = loadingSpinner(opts.program);
  try {
    return makeSession(opts, questions);
  } finally {
    spinner?.stop();
  }
}

/** A large program's symbols take a while to read: a progress line at a terminal meanwhile (src/console/spinner.ts). */
function loadingSpinner(program: string | undefined): Spinner | undefined {
  let size = 0;
  try { size = program ? statSync(program).size : 0; } catch { /* the session says what is wrong with it */ }
  return size >= LARGE_PROGRAM ? new Spinner(`Reading symbols from ${program}...`) : undefined;
}
const LARGE_PROGRAM = 8 << 20;

function makeSession(opts: RunArgs, questions: TerminalQuestions | undefined): Session {
  return new Session({
    launcher: localLauncher,
    exePath: opts.program,
    args: opts.args,
    launch: { aslr: opts.aslr, engine: opts.engine, env: inferiorEnv() },
    color: Boolean(process.stdout.isTTY),
    confirm: questions ? questions.ask : answerYes,
    interactive: questions !== undefined,
    screen: startScreen(opts.batch),
  });
}

/** gdb's pager of a session at the prompt (src/console/pager.ts): `set pagination`, `set height`. */
const pagers = new WeakMap<Session, Pager<OutputChunk>>();

/**
 * The session's output to our stdout and stderr, as gdb writes its console;
 * `paging`: through gdb's pager, its prompt answered at the terminal.
 */
/** The line console's writer; muted while the full-screen UI shows the output in its panes. */
export const lineConsole = { muted: false };

export function writeConsole(session: Session, paging?: { readLine: (prompt: string) => Promise<string | undefined> }): void {
  // The program writes to a pty (\r\n line ends); a pipe or file gets plain \n like the rest of our output.
  const plain = !process.stdout.isTTY;
  // On a pipe, libuv writes asynchronously once the pipe is full: a long x/100000xb
  // then let its error (stderr) pass its last lines. Blocking writes keep gdb's order.
  for (const s of [process.stdout, process.stderr]) {
    if (!s.isTTY) (s as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })._handle?.setBlocking?.(true);
  }
  // gdb wraps its stdout at its width (`set width`; from the terminal, $COLUMNS or 80), at its wrap
  // points, on a pipe too; not in batch mode.
  const lines = new LinePager(() => session.screen.width);
  // styled once wrapped (the wrap hints are gone then; a style escape takes no column)
  const wrap = { write: (t: string) => { const w = lines.write(t); return session.console.style.enabled ? styleText(w) : w; } };
  const show = (c: OutputChunk) => {
    if (lineConsole.muted) return;
    if (c.stream === 'stderr') process.stderr.write(c.text);
    else if (c.stream === 'stdout') process.stdout.write(c.text);
    else process.stdout.write(plain && c.stream === 'inferior' ? c.text.replace(/\r\n/g, '\n') : c.text);
  };
  if (!paging) {
    session.store.on('output', (c) => show(c.stream === 'stdout' ? { stream: 'stdout', text: wrap.write(c.marked ?? c.text) } : c));
    return;
  }
  // the pager keeps the order of every stream while it waits; it counts and pages standard output only
  const pager = new Pager<OutputChunk>({
    height: () => session.screen.height,
    enabled: () => session.screen.pagination,
    readLine: paging.readLine,
    quit: () => { process.stderr.write('Quit\n'); session.interrupt(); },
    show: (c, text) => show({ ...c, text }),
  });
  pagers.set(session, pager);
  session.store.on('output', (c) => {
    if (c.stream === 'stdout') pager.write(c, wrap.write(c.marked ?? c.text), true);
    else pager.write(c, c.text, false);
  });
}

/** The screen gdb starts with: readline's size of the terminal on stdin, else $COLUMNS or 80 wide. */
export function startScreen(batch: boolean): { width?: number; height?: number } {
  const tty = process.stdin.isTTY ? userTerminal() : undefined;
  return {
    width: initialWidth(batch, tty?.columns, process.env),
    height: !batch && tty && process.stdout.isTTY ? tty.rows : undefined,
  };
}

/** gdb's wording when the program cannot be debugged at all. */
function programProblem(path: string): string | undefined {
  if (!existsSync(path)) return 'No such file or directory';
  if (statSync(path).isDirectory()) return 'Is a directory';
  try {
    accessSync(path, fsConstants.X_OK);
  } catch {
    return 'Permission denied';
  }
  return undefined;
}

/** Line mode answers questions like gdb without a terminal: with their default (yes unless `defaultNo`). */
export async function answerYes(question: string, defaultNo = false): Promise<boolean> {
  process.stdout.write(`${question} [answered ${defaultNo ? 'N' : 'Y'}; input not from terminal]\n`);
  return !defaultNo;
}

/** A command line of a -x file or an -ex option, with gdb's from_tty, and where a file's line is. */
interface ScriptLine {
  line: string;
  fromTty: boolean;
  /** A -x file's line: an error there names FILE:N, and ends that file (gdb's source). */
  from?: { file: string; n: number };
}

/**
 * Commands from -x files and -ex options, in order. An -ex command counts
 * as typed unless --batch; a file's never.
 */
function* scriptLines(opts: RunArgs): Generator<ScriptLine> {
  for (const s of opts.scripts) {
    if (s.kind === 'command') { yield { line: s.text, fromTty: !opts.batch }; continue; }
    let text: string;
    try {
      text = readFileSync(s.text, 'utf8');
    } catch (e) {
      throw new UsageError(`${s.text}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}.`);
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() !== '') yield { line: lines[i]!, fromTty: false, from: { file: s.text, n: i + 1 } };
    }
  }
}

/**
 * Run the -x/-ex commands; a file stops at its first error, as gdb's
 * `source` does, and the next option goes on. The quit code, if one quit.
 */
async function runScripts(session: Session, opts: RunArgs, onError: () => void): Promise<number | undefined> {
  if (!opts.nx) {
    // ~/.tsdbginit then ./.tsdbginit (src/console/init.ts), before -x/-ex as gdb reads its init files
    const env = opts.nh ? { ...process.env, HOME: undefined } : process.env;
    const q = await session.console.runInitFiles((line) => session.execute(line, false), env);
    if (q !== undefined) return q;
  }
  let failedFile: string | undefined;
  for (const s of scriptLines(opts)) {
    const file = s.from?.file;
    if (file !== undefined && file === failedFile) continue;
    const r = await session.execute(s.line, s.fromTty, s.from && `${s.from.file}:${s.from.n}`);
    if (r.quit !== undefined) return r.quit;
    if (!r.ok) {
      onError();
      failedFile = file;
    }
  }
  return undefined;
}

export async function runLineMode(session: Session, opts: RunArgs): Promise<number> {
  let failed = false;
  const exec = async (line: string, fromTty: boolean): Promise<number | undefined> => {
    const r = await session.execute(line, fromTty);
    if (!r.ok) failed = true;
    return r.quit;
  };
  try {
    const q = await runScripts(session, opts, () => { failed = true; });
    if (q !== undefined) return q;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
    for await (const line of rl) {
      // An empty line repeats the previous command in gdb only at a terminal.
      if (!line.trim()) continue;
      // gdb counts commands read from stdin as typed, terminal or not
      const q = await exec(line, true);
      if (q !== undefined) { rl.close(); return q; }
    }
    // gdb quits at the end of its input as if told to: a live program's question shows, answered.
    if (!opts.batch) {
      const q = await exec('quit', true);
      if (q !== undefined) return failed ? 1 : q;
    }
  }
  return failed ? 1 : 0;
}

/** `questions`: where the session's yes/no questions are answered (without: always yes). */
/** `toTui`: true after a command asked for the full-screen UI (`tui enable`): the prompt ends with TO_TUI. */
export async function runInteractive(session: Session, opts: RunArgs, questions?: TerminalQuestions, toTui?: () => boolean): Promise<number> {
  const q = await runScripts(session, opts, () => undefined);
  if (q !== undefined) return q;
  const rl = lineEditor(session);
  // the terminal went away (setRawMode EIO when the window closes): the hangup path of installExitHandlers
  rl.on('error', (e) => terminalError?.(e));
  const queue: string[] = [];
  let busy = false;
  // While the program runs, what the user types is the program's input (its pty), as in gdb.
  const programInput = () => {
    // running, or about to (the core says so before it resumes the target)
    const runs = session.currentTarget?.state === 'running' || session.store.state.running;
    if (!busy || !runs || !session.takesInput) return undefined;
    // (keys typed as the program ends find no terminal to go to: dropped, as gdb drops them)
    return (d: string) => { void session.sendInput(d).catch(() => undefined); };
  };
  const keys = new KeyRouter(process.stdin, programInput, () => session.interrupt());
  questions?.use(rl, () => keys.release());
  const stopResizing = toTui ? () => undefined : followTerminalSize(session);
  rl.on('SIGINT', () => {
    if (questions?.interrupt()) return;
    if (busy) { session.interrupt(); return; }
    process.stdout.write('^C\nQuit\n');   // gdb: Ctrl-C at the prompt does not quit
    rl.prompt();
  });
  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      keys.dispose();
      stopResizing();
      rl.removeAllListeners('close');
      rl.close();
      resolve(code);
    };
    const drain = async () => {
      busy = true;
      const pager = pagers.get(session);
      while (queue.length) {
        pager?.reset();
        const r = await session.execute(queue.shift()!);
        await pager?.settled();
        if (r.quit !== undefined) { finish(r.quit); return; }
        if (toTui?.()) { busy = false; finish(TO_TUI); return; }
      }
      busy = false;
      rl.setPrompt(session.collectingCommands ? '>' : PROMPT);
      rl.prompt();
      keys.release();
    };
    rl.on('close', () => {
      process.stdout.write('quit\n');
      keys.dispose();
      stopResizing();
      resolve(0);
    });
    rl.on('line', (line) => {
      // a line ends the wait for input: what is typed next waits until input is wanted again
      keys.hold();
      if (questions?.take(line)) return;
      session.console.history.add(line);
      queue.push(line);
      if (!busy) void drain();
    });
    rl.prompt();
  });
}

/** What the prompt's readline does with an error of the terminal (installExitHandlers sets it). */
let terminalError: ((e: NodeJS.ErrnoException) => void) | undefined;

/**
 * SIGTERM/SIGHUP/SIGINT outside a command (SIGINT in line mode: gdb's `Quit`), and the terminal going away (EIO
 * on a read: the window closed): kill or detach the tracee, run `end`, exit.
 * A hangup ends us by SIGHUP itself, as gdb ends: with no terminal left, the
 * exit path's terminal reset (node's) must not run.
 */
export function installExitHandlers(session: Session, end?: () => Promise<void>, lineMode = false): { dispose: () => void; leaving: () => boolean } {
  let leaving = false;
  const leave = (sig: NodeJS.Signals) => {
    if (leaving) return;
    leaving = true;
    const code = 128 + (sig === 'SIGTERM' ? 15 : sig === 'SIGHUP' ? 1 : sig === 'SIGPIPE' ? 13 : 2);
    // with the terminal gone nothing else keeps the event loop up: a natural exit would reset the dead terminal
    setInterval(() => undefined, 1000);
    void session.shutdown().then(() => end?.()).catch(() => undefined).finally(() => {
      if (sig !== 'SIGHUP') process.exit(code);
      for (const s of sigs) process.off(s, onSignal);
      releaseSignals();          // the hangup is the default's again: it ends us
      process.kill(process.pid, 'SIGHUP');
    });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig === 'SIGINT' && session.currentTarget?.state === 'running') {
      session.interrupt();
      return;
    }
    // gdb reading commands from a pipe or file: SIGINT is a quit of what it does, not an end
    if (sig === 'SIGINT' && lineMode) {
      if (!session.interrupt()) process.stderr.write('Quit\n');   // else the command ends with it
      return;
    }
    leave(sig);
  };
  const onInputError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EIO' || e.code === 'ENXIO' || e.code === 'EBADF') leave('SIGHUP');
    else if (e.code === 'EPIPE') leave('SIGPIPE');   // our output's reader went away (`| head`)
    else process.stderr.write(`tsdbg: terminal: ${e.message}\n`);
  };
  terminalError = onInputError;
  // a terminal's input ends only when the terminal goes away (Ctrl-D is a key in raw mode)
  const onInputEnd = () => { if (process.stdin.isTTY) leave('SIGHUP'); };
  const sigs: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of sigs) process.on(s, onSignal);
  const releaseSignals = claimSignals();     // ours now: the reaper lets the tracees go only at exit
  process.stdin.on('error', onInputError);
  process.stdin.on('end', onInputEnd);
  process.stdout.on('error', onInputError);
  return {
    dispose: () => {
      terminalError = undefined;
      for (const s of sigs) process.off(s, onSignal);
      releaseSignals();
      process.stdin.off('error', onInputError);
      process.stdin.off('end', onInputEnd);
      // (stdout's stays: what is written while we end may still find its reader gone)
    },
    leaving: () => leaving,
  };
}
