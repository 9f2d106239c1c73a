/**
 * The console's own commands, the same at the prompt, in a full-screen UI's
 * console and in scripts: user-defined commands (`define`, `document`,
 * `help user-defined`), `if`/`while` blocks, `source FILE`, `shell`/`!`,
 * `pipe`/`|`, `set|show history`, `complete`. The session hands each line
 * here first (execute); lines of an open block come here too (feed).
 */
import { readFileSync } from 'node:fs';
import { CommandError, commandWord, COMMAND_WORDS, INFO_NAMES } from '../commands/parse.js';
import type { ConsoleHost } from './host.js';
import { BlockCollector, LoopBreak, LoopContinue, firstWord, substituteArgs, topLevelElse, userArgs } from './script.js';
import { History, SUBS as HISTORY_SUBS } from './history.js';
import { complete, type Completion, type CompletionSource } from './complete.js';
import { exitVariables, interactiveShell, parsePipe, runShell } from './shell.js';
import { CONSOLE_NAMES } from './specs.js';
import { SafePath, declinedWarning, initFiles, HOME_INIT_NAME } from './init.js';
import { StyleSettings } from './style.js';

export { History } from './history.js';
export type { ConsoleHost } from './host.js';
export type { Completion } from './complete.js';

interface UserCommand { lines: string[]; doc?: string[] }

type OpenBlock =
  | { kind: 'define'; name: string; c: BlockCollector }
  | { kind: 'document'; name: string; c: BlockCollector }
  | { kind: 'if' | 'while'; cond: string; c: BlockCollector; subst: (l: string) => string };

/** gdb's max-completions. */
const MAX_COMPLETIONS = 200;

/** Settings `set`/`show` complete to (gdb's names that tsdbg keeps). */
const SETTINGS = ['args', 'breakpoint', 'can-use-hw-watchpoints', 'checkpoint-limit', 'checkpoint-method', 'confirm',
  'disable-randomization', 'disassembly-flavor', 'height', 'history', 'listsize', 'logging', 'pagination', 'print',
  'startup-with-shell', 'step-mode', 'style', 'variable', 'verbose', 'width'];

export class ConsoleCommands {
  readonly history: History;
  readonly safePath = new SafePath();
  /** `set style enabled` (a front end on a terminal turns it on: src/console/style.ts). */
  readonly style = new StyleSettings(false);
  private readonly user = new Map<string, UserCommand>();
  private block: OpenBlock | undefined;
  private loops = 0;
  private callDepth = 0;
  /** The running user command's $argN substitution (lines of its nested blocks get it when they run). */
  private subst: (l: string) => string = (l) => l;

  constructor(private readonly host: ConsoleHost, env: NodeJS.ProcessEnv = process.env) {
    this.history = new History(env);
  }

  /** A block (`define`, `document`, `if`, `while`) is open: lines go to it (the prompt is `>`). */
  get collecting(): boolean {
    return this.block !== undefined;
  }

  /** The names of the user-defined commands. */
  get userCommands(): string[] {
    return [...this.user.keys()].sort();
  }

  /**
   * A line while a block is open: kept, or the `end` that closes it (a
   * define is stored, an if/while runs). The quit code if the block quit.
   */
  async collect(line: string): Promise<number | undefined> {
    const b = this.block!;
    if (!b.c.push(line)) return undefined;
    this.block = undefined;
    switch (b.kind) {
      case 'define': this.user.set(b.name, { lines: b.c.lines, doc: this.user.get(b.name)?.doc }); return undefined;
      case 'document': this.user.get(b.name)!.doc = b.c.lines; return undefined;
      default: return this.runBlock(b.kind, b.cond, b.c.lines, b.subst);
    }
  }

  /**
   * Run `line` if it is one of the console's commands (or a user-defined
   * one): `{ quit }` then (quit undefined unless it quit); undefined when it
   * is not ours. Errors are thrown in gdb's words.
   */
  async execute(line: string): Promise<{ quit?: number } | undefined> {
    const text = line.trim();
    if (text.startsWith('!')) return this.shell(text.slice(1));
    if (text.startsWith('|')) return this.pipe(text.slice(1));
    const word = firstWord(text);
    const args = text.slice(word.length).trim();
    if ((word === 'loop_break' || word === 'loop_continue') && this.loops > 0 && !args) throw word === 'loop_break' ? new LoopBreak() : new LoopContinue();
    const u = this.user.get(word);
    if (u) return { quit: await this.runUser(u, args) };
    const name = commandWord(word);
    if (name === 'help' && args) return this.help(args) ? {} : undefined;
    if (name === 'set' || name === 'show') return this.setting(name, args);
    if (!name || !CONSOLE_NAMES.has(name)) return undefined;
    switch (name) {
      case 'define': return this.define(args);
      case 'document': return this.document(args);
      case 'if': case 'while':
        if (!args) throw new CommandError(`${name} command requires an argument (an expression)`);
        this.block = { kind: name, cond: args, c: new BlockCollector(), subst: this.subst };
        return {};
      case 'source': return { quit: await this.source(args) };
      case 'shell': return this.shell(args);
      case 'pipe': return this.pipe(args);
      case 'add-auto-load-safe-path': this.safePath.add(args); return {};
      case 'complete': await this.printCompletions(line.replace(/^\s*\S+ ?/, '')); return {};
      default: return undefined;
    }
  }

  // ---- user-defined commands --------------------------------------------------------------

  private async define(args: string): Promise<{ quit?: number }> {
    const name = args.trim();
    if (!name) throw new CommandError('Argument required (name of command to define).');
    if (!/^[\w-]+$/.test(name)) throw new CommandError(`Junk in argument list: "${name.replace(/^[\w-]+/, '')}"`);
    if (this.user.has(name)) {
      if (!(await this.host.confirm(`Redefine command "${name}"? (y or n)`))) throw new CommandError(`Command "${name}" not redefined.`);
    } else if (commandWord(name) === name || COMMAND_WORDS.includes(name)) {
      if (!(await this.host.confirm(`Really redefine built-in command "${name}"? (y or n)`))) throw new CommandError(`Command "${name}" not redefined.`);
    }
    if (this.host.fromTty() && this.host.interactive()) {
      this.host.out(`Type commands for definition of "${name}".\nEnd with a line saying just "end".`);
    }
    this.block = { kind: 'define', name, c: new BlockCollector() };
    return {};
  }

  private document(args: string): { quit?: number } {
    const name = args.trim();
    if (!name) throw new CommandError('Argument required (name of command to define).');
    if (!this.user.has(name)) {
      if (commandWord(name)) throw new CommandError(`Command "${commandWord(name)}" is built-in.`);
      throw new CommandError(`Undefined command: "${name}".`);
    }
    if (this.host.fromTty() && this.host.interactive()) {
      this.host.out(`Type documentation for "${name}".\nEnd with a line saying just "end".`);
    }
    this.block = { kind: 'document', name, c: new BlockCollector(true) };
    return {};
  }

  /** A user command: its lines with $argN/$argc of this call, run as a script (gdb's from_tty 0). */
  private async runUser(u: UserCommand, args: string): Promise<number | undefined> {
    if (this.callDepth >= 1024) throw new CommandError('Max user call depth exceeded -- command aborted.');
    const words = userArgs(args);
    this.callDepth++;
    try {
      return await this.runLines(u.lines, (l) => substituteArgs(l, words));
    } finally {
      this.callDepth--;
    }
  }

  /** Lines fed one by one (a nested block is collected, then runs); an error closes an open block. */
  private async runLines(lines: readonly string[], subst: (l: string) => string): Promise<number | undefined> {
    const outer = this.block;
    const outerSubst = this.subst;
    this.block = undefined;
    this.subst = subst;
    try {
      for (const l of lines) {
        const q = this.block ? await this.collect(l) : await this.host.run(subst(l), false);
        if (q !== undefined) return q;
      }
      return undefined;
    } finally {
      this.block = outer;
      this.subst = outerSubst;
    }
  }

  private async runBlock(kind: 'if' | 'while', cond: string, body: string[], subst: (l: string) => string): Promise<number | undefined> {
    if (kind === 'if') {
      const e = topLevelElse(body);
      return this.runLines((await this.host.truth(cond)) ? body.slice(0, e) : body.slice(e + 1), subst);
    }
    this.loops++;
    try {
      while (await this.host.truth(cond)) {
        try {
          const q = await this.runLines(body, subst);
          if (q !== undefined) return q;
        } catch (e) {
          if (e instanceof LoopBreak) break;
          if (!(e instanceof LoopContinue)) throw e;
        }
      }
      return undefined;
    } finally {
      this.loops--;
    }
  }

  /** `help NAME` of a user command, `help user-defined`; false for the rest (the table's help). */
  private help(topic: string): boolean {
    const t = topic.trim();
    const u = this.user.get(t);
    if (u) {
      this.host.out((u.doc ?? ['User-defined.']).join('\n'));
      return true;
    }
    if (t !== 'user-defined') return false;
    this.host.out([
      'User-defined commands.',
      'The commands in this class are those defined by the user.',
      'Use the "define" command to define a command.',
      '',
      'List of commands:',
      '',
      ...this.userCommands.map((n) => `${n} -- ${(this.user.get(n)!.doc ?? ['User-defined.'])[0]}`),
      '',
      'Type "help" followed by command name for full documentation.',
      'Type "apropos word" to search for commands related to "word".',
      'Type "apropos -v word" for full documentation of commands related to "word".',
      'Command name abbreviations are allowed if unambiguous.',
    ].join('\n'));
    return true;
  }

  /**
   * The init files at start-up (before -x/-ex): `~/.tsdbginit`, then
   * `./.tsdbginit` if the safe path allows it, else gdb's warning. An error
   * ends that file only. `run(line)` runs a line as the session does.
   */
  async runInitFiles(run: (line: string) => Promise<{ quit?: number }>, env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
    const { home, local } = initFiles(env);
    if (home) {
      const r = await run(`source ${home}`);
      if (r.quit !== undefined) return r.quit;
    }
    if (!local) return undefined;
    if (!this.safePath.allows(local)) {
      this.host.err(`${declinedWarning(local, this.safePath, HOME_INIT_NAME(env))}\n`);
      return undefined;
    }
    return (await run(`source ${local}`)).quit;
  }

  // ---- source, shell, pipe ----------------------------------------------------------------

  /** `source [-v] FILE`: its lines as a script; an error ends the file with gdb's FILE:N prefix. */
  async source(args: string): Promise<number | undefined> {
    const words = args.trim().split(/\s+/).filter(Boolean);
    const verbose = words.includes('-v');
    const file = words.filter((w) => w !== '-v' && w !== '-s').join(' ');
    if (!file) throw new CommandError('source command requires file name of file to source.');
    const path = file.replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = `${file}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message}`;
      // gdb: an error when typed, a warning (and on with the script) when a script sources it
      if (this.host.fromTty()) throw new CommandError(`${why}.`);
      this.host.err(`warning: ${why}\n`);
      return undefined;
    }
    return this.sourceText(file, text, verbose);
  }

  /** A command file's text, run line by line (also the init files'). */
  async sourceText(name: string, text: string, verbose = false): Promise<number | undefined> {
    const lines = text.split('\n');
    const outer = this.block;
    this.block = undefined;
    try {
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (!this.block && (l.trim() === '' || l.trim().startsWith('#'))) continue;
        if (verbose && !this.block) this.host.err(`+${l.trim()}\n`);
        try {
          const q = this.block ? await this.collect(l) : await this.host.run(l, false);
          if (q !== undefined) return q;
        } catch (e) {
          if (e instanceof LoopBreak || e instanceof LoopContinue) throw e;
          throw new CommandError(`${name}:${i + 1}: Error in sourced command file:\n${(e as Error).message}`);
        }
      }
      return undefined;
    } finally {
      this.block = outer;
    }
  }

  private async shell(command: string): Promise<{ quit?: number }> {
    const alone = !command.trim() && this.host.interactive() && process.stdin.isTTY;
    const r = await (alone ? interactiveShell() : runShell(command, (t) => this.host.write(t), (t) => this.host.err(t)));
    for (const l of exitVariables(r)) await this.host.run(l, false);
    return {};
  }

  private async pipe(args: string): Promise<{ quit?: number }> {
    const { command, shell } = parsePipe(args);
    const { text, quit } = await this.host.capture(command);
    const r = await runShell(shell, (t) => this.host.write(t), (t) => this.host.err(t), text);
    for (const l of exitVariables(r)) await this.host.run(l, false);
    return { quit };
  }

  // ---- settings ---------------------------------------------------------------------------

  /** `set|show history ...` and `set|show auto-load safe-path`; undefined for other settings. */
  private async setting(kind: 'set' | 'show', args: string): Promise<{ quit?: number } | undefined> {
    const style = /^style\s+(\S+)\s*(.*)$/s.exec(args);
    if (style && kind === 'set' && this.style.set(style[1]!, style[2]!)) return {};
    if (style && kind === 'show' && style[1] !== '' && 'enabled'.startsWith(style[1]!)) { this.host.out(this.style.show()); return {}; }
    const safe = /^auto-load\s+safe-path\b\s*(.*)$/s.exec(args);
    if (safe) {
      if (kind === 'show') this.host.out(this.safePath.show());
      else this.safePath.set(safe[1]!);
      return {};
    }
    const m = /^(\S+)(?:\s+(\S*))?\s*(.*)$/s.exec(args);
    if (!m || !('history'.startsWith(m[1]!) && m[1]!.length >= 4)) return undefined;
    if (kind === 'show') {
      this.host.out(this.history.show(m[2] ?? ''));
      return {};
    }
    if (!m[2]) {
      this.host.out(['List of set history subcommands:', '',
        'set history expansion -- Set history expansion on command input.',
        'set history filename -- Set the filename in which to record the command history.',
        'set history remove-duplicates -- Set how far back in history to look for and remove duplicate entries.',
        'set history save -- Set saving of the history record on exit.',
        'set history size -- Set the size of the command history.', '',
        'Type "help set history" followed by set history subcommand name for full ',
        'documentation.',
        'Type "apropos word" to search for commands related to "word".',
        'Type "apropos -v word" for full documentation of commands related to "word".',
        'Command name abbreviations are allowed if unambiguous.'].join('\n'));
      return {};
    }
    await this.history.set(m[2], m[3]!, (e) => this.host.integer(e));
    return {};
  }

  // ---- completion -------------------------------------------------------------------------

  /** Completions of `line` up to `cursor` (gdb's rules): what the line editor and the UI call. */
  complete(line: string, cursor = line.length): Promise<Completion> {
    return complete(line, cursor, this.source_);
  }

  private readonly source_: CompletionSource = {
    commands: () => [...COMMAND_WORDS.filter((w) => w !== '|'), ...this.user.keys()],
    resolve: (w) => (this.user.has(w) ? w : commandWord(w)),
    subcommands: (p) => {
      if (p === 'info') return INFO_NAMES;
      if (p === 'set' || p === 'show') return SETTINGS;
      if (p === 'set history' || p === 'show history') return HISTORY_SUBS;
      if (p === 'set style' || p === 'show style') return ['enabled'];
      return [];
    },
    symbols: () => this.host.symbolNames(),
    locations: () => this.host.locationNames(),
    fields: (e) => this.host.fieldsOf(e),
    checkpoints: () => this.host.checkpointNames(),
    snapshots: () => ['heap', 'stack', ...this.host.snapshotNames()],
  };

  /** `complete TEXT`: each completion as a whole line, as gdb prints them. */
  private async printCompletions(text: string): Promise<void> {
    const { candidates, replaceFrom } = await this.complete(text);
    const head = text.slice(0, replaceFrom);
    const lines = candidates.slice(0, MAX_COMPLETIONS).map((c) => `${head}${c}`);
    if (candidates.length > MAX_COMPLETIONS) lines.push(`${head}${text.slice(replaceFrom)} *** List may be truncated, max-completions reached. ***`);
    if (lines.length) this.host.out(lines.join('\n'));
  }
}
