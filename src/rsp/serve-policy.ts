/**
 * What a client of `tsdbg serve` may ask beyond debugging the program it was
 * given: start other programs (vRun), attach to other processes (vAttach),
 * read files (vFile). A connected client controls the debugged program
 * anyway (it writes its memory and registers), so the defaults give it what a
 * debugging session needs and no more:
 *
 *  - run: in extended mode, the served program again (gdb's `run` with no
 *    `remote exec-file`, or naming the same file); any program when the
 *    server was started without one (that server exists to run what gdb
 *    names) or with --allow-run;
 *  - attach: only with --allow-attach;
 *  - files: the debugged process's executable, every file it maps (the
 *    loader and shared libraries gdb reads through its `target:` sysroot),
 *    its own /proc/PID entries, the served program, and separate debug info
 *    under /usr/lib/debug; more with --allow-files DIR (`/` for all).
 *
 * A refusal is one line on the server's stderr and an error reply; the
 * session goes on.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Target } from '../target/types.js';

export interface ServePolicy {
  /** vRun may start any program, not only the served one. */
  allowRun: boolean;
  /** vAttach may attach to a process. */
  allowAttach: boolean;
  /** Absolute directories whose files vFile may read besides the session's own (`/`: all). */
  fileRoots: string[];
}

/** Where separate debug info lives (gdb's debug-file-directory, read through target:). */
export const DEBUG_FILE_DIRECTORY = '/usr/lib/debug';

export const DEFAULT_POLICY: ServePolicy = { allowRun: false, allowAttach: false, fileRoots: [DEBUG_FILE_DIRECTORY] };

/** Refusals carry gdb's fileio errno: EACCES for a file outside the allowed set. */
export class FileRefused extends Error {
  readonly code = 'EACCES';
}

const under = (p: string, root: string): boolean =>
  p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);

// (a path that does not resolve is no file the target may serve)
const real = (p: string): Promise<string | undefined> => realpath(p).catch(() => undefined);

/**
 * Decides which files vFile may open or readlink for one session: the
 * current process (which changes with vRun/vAttach) is asked at each request.
 */
export class FileGate {
  constructor(
    private readonly roots: string[],
    private readonly target: () => Target | undefined,
    /** Programs the server was told to run (its PROG): readable before any process exists. */
    private readonly programs: string[],
    private readonly note: (line: string) => void,
  ) {}

  /**
   * Check a path gdb wants to open and return it resolved (the file to
   * open); throws FileRefused, or an ENOENT error for a missing allowed path.
   */
  async open(requested: string): Promise<string> {
    const resolved = await real(requested);
    if (resolved === undefined) {
      // a missing file: say so only where the client may look
      const lexical = path.resolve(requested);
      if (this.roots.some((r) => under(lexical, r)) || await this.sessionFile(lexical)) {
        throw Object.assign(new Error(`${requested}: no such file`), { code: 'ENOENT' });
      }
      this.refuse('open', requested);
    }
    if (this.roots.some((r) => under(resolved, r)) || await this.sessionFile(resolved)) return resolved;
    this.refuse('open', requested);
  }

  /** readlink reads the link itself: its directory is resolved, not the link. */
  async readlink(requested: string): Promise<void> {
    const dir = await real(path.dirname(path.resolve(requested)));
    const link = dir === undefined ? undefined : path.join(dir, path.basename(requested));
    if (link !== undefined && (this.roots.some((r) => under(link, r)) || await this.sessionFile(link))) return;
    this.refuse('readlink', requested);
  }

  /** The process's own files: /proc/PID, its executable, what it maps; and the served program. */
  private async sessionFile(p: string): Promise<boolean> {
    for (const prog of this.programs) if ((await real(prog)) === p) return true;
    const t = this.target();
    if (!t || t.state === 'exited') return false;
    if (under(p, `/proc/${t.pid}`)) return true;
    if ((await real(t.exePath)) === p) return true;
    // (no map from the target: only the paths above are served)
    const maps = await t.memoryMap().catch(() => []);
    return maps.some((m) => m.path === p);
  }

  private refuse(op: string, requested: string): never {
    // a relative name is no file gdb wants: its probe for vFile support opens "just probing"
    if (path.isAbsolute(requested)) this.note(`tsdbg serve: refused vFile:${op} of ${requested}: outside the debugged program's files (see --allow-files)`);
    throw new FileRefused(`${requested}: not allowed`);
  }
}

/** --allow-files DIR: an existing directory, as its real path. */
export async function fileRoot(dir: string): Promise<string> {
  const resolved = await real(path.resolve(dir));
  if (resolved === undefined) throw new Error(`--allow-files ${dir}: No such file or directory`);
  return resolved;
}

/** Is `p` (a name as vRun gives it) the same file as `served`? */
export async function sameProgram(p: string, served: string | undefined): Promise<boolean> {
  if (!served) return false;
  const a = await real(path.resolve(p));
  return a !== undefined && a === (await real(path.resolve(served)));
}
