/**
 * `shell CMD` / `!CMD` and `pipe [-d DELIM] COMMAND DELIM SHELL_COMMAND` (and
 * `| COMMAND | SHELL_COMMAND`), in gdb's words: the shell's output goes to the
 * console (stdout/stderr text, so a full-screen UI shows it too), and
 * `$_shell_exitcode` / `$_shell_exitsignal` are set as gdb sets them.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CommandError } from '../commands/parse.js';

export interface ShellResult { code: number | null; signal: NodeJS.Signals | null }

/** Run `command` with $SHELL (else /bin/sh), `input` on its stdin; its output to out/err as it comes. */
export function runShell(command: string, out: (t: string) => void, err: (t: string) => void, input?: string): Promise<ShellResult> {
  const shell = process.env.SHELL || '/bin/sh';
  return new Promise((resolve) => {
    const child = spawn(shell, command.trim() ? ['-c', command] : [], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', out);
    child.stderr!.setEncoding('utf8').on('data', err);
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined);   // a shell command that does not read its input
      child.stdin!.end(input);
    }
    child.on('error', (e) => { err(`${shell}: ${e.message}\n`); resolve({ code: 127, signal: null }); });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * `shell` alone at a terminal: an interactive $SHELL on our terminal (gdb's), which we stop reading
 * (and take out of raw mode) until it exits. Not at a terminal it has no input and returns at once.
 */
export function interactiveShell(): Promise<ShellResult> {
  const shell = process.env.SHELL || '/bin/sh';
  const tty = process.stdin;
  const raw = tty.isRaw;
  tty.setRawMode?.(false);
  tty.pause();
  return new Promise<ShellResult>((resolve) => {
    const child = spawn(shell, [], { stdio: 'inherit' });
    child.on('error', (e) => { process.stderr.write(`${shell}: ${e.message}\n`); resolve({ code: 127, signal: null }); });
    child.on('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    tty.setRawMode?.(raw);
    tty.resume();
  });
}

/** gdb's convenience variables after a shell command: the exit code, or the signal's number. */
export function exitVariables(r: ShellResult): string[] {
  if (r.signal) return [`set $_shell_exitsignal = ${constants.signals[r.signal]}`];
  return [`set $_shell_exitcode = ${r.code ?? 0}`];
}

export interface PipeParts { command: string; shell: string }

/** `pipe`'s argument split as gdb's pipe_command does, with its errors. */
export function parsePipe(args: string): PipeParts {
  let rest = args.trim();
  let delim = '|';
  if (rest.startsWith('-d')) {
    const m = /^-d(?:\s+(\S+))?\s*(.*)$/s.exec(rest)!;
    if (!m[1]) throw new CommandError('-d requires an argument');
    delim = m[1];
    rest = m[2]!;
  }
  if (!rest) throw new CommandError('Missing COMMAND');
  const at = rest.indexOf(delim);
  if (at < 0) throw new CommandError('Missing delimiter before SHELL_COMMAND');
  const command = rest.slice(0, at).trim();
  const shell = rest.slice(at + delim.length).trim();
  if (!command) throw new CommandError('Missing COMMAND');
  if (!shell) throw new CommandError('Missing SHELL_COMMAND');
  return { command, shell };
}
