/**
 * Init files and gdb's auto-load safe-path: `~/.tsdbginit` runs first, then
 * `./.tsdbginit` only when the safe path allows it (gdb's rule for a local
 * `.gdbinit`: refused with gdb's warning unless `set auto-load safe-path` or
 * `add-auto-load-safe-path` in the home file lets it in). `-nx` skips both.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CommandError } from '../commands/parse.js';

const DEFAULT_SAFE_PATH = ['$debugdir', '$datadir/auto-load'];

export class SafePath {
  entries = [...DEFAULT_SAFE_PATH];

  /** `set auto-load safe-path DIRS` (colon-separated; empty: the default). */
  set(value: string): void {
    const v = value.trim();
    this.entries = v ? v.split(':') : [...DEFAULT_SAFE_PATH];
  }

  /** `add-auto-load-safe-path DIR`. */
  add(value: string): void {
    const v = value.trim();
    if (!v) throw new CommandError("Directory argument required.\nUse 'set auto-load safe-path /' for disabling the auto-load safe-path security.");
    this.entries.push(...v.split(':'));
  }

  show(): string {
    return `List of directories from which it is safe to auto-load files is ${this.entries.join(':')}.`;
  }

  /** A file inside one of the entries (or one of them itself); `/` allows every file. */
  allows(file: string): boolean {
    const real = realOf(file);
    return this.entries.some((e) => {
      if (e.startsWith('$')) return false;
      const dir = realOf(e.replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
      return dir === '/' || real === dir || real.startsWith(`${dir}/`);
    });
  }
}

function realOf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    // (a file that does not exist yet, or a broken link: its absolute path names it)
    return path.resolve(p);
  }
}

/** gdb's words when a local init file is refused. */
export function declinedWarning(file: string, safe: SafePath, homeInit: string): string {
  return [
    `warning: File "${file}" auto-loading has been declined by your \`auto-load safe-path' set to "${safe.entries.join(':')}".`,
    'To enable execution of this file add',
    `\tadd-auto-load-safe-path ${file}`,
    `line to your configuration file "${homeInit}".`,
    'To completely disable this security protection add',
    '\tset auto-load safe-path /',
    `line to your configuration file "${homeInit}".`,
    'For more information about this security protection see the',
    '"Auto-loading safe path" section in the GDB manual.  E.g., run from the shell:',
    '\tinfo "(gdb)Auto-loading safe path"',
  ].join('\n');
}

export interface InitFiles { home: string | undefined; local: string | undefined }

/** The init files that exist: `$HOME/.tsdbginit`, and `./.tsdbginit` when it is another file. */
export function initFiles(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): InitFiles {
  const homeFile = env.HOME ? path.join(env.HOME, '.tsdbginit') : undefined;
  const localFile = path.join(cwd, '.tsdbginit');
  const home = homeFile && existsSync(homeFile) ? homeFile : undefined;
  const local = existsSync(localFile) && (!home || realOf(localFile) !== realOf(home)) ? localFile : undefined;
  return { home, local };
}

export const HOME_INIT_NAME = (env: NodeJS.ProcessEnv = process.env) => path.join(env.HOME ?? '~', '.tsdbginit');
