/**
 * `tsdbg connect HOST:PORT [PROG]`: the tsdbg session (same commands, same
 * prompt and line mode as `tsdbg run`) on a process behind a GDB remote
 * protocol server: gdbserver, `tsdbg serve` (snapshots included), or any stub.
 *
 * PROG is the local copy of the executable, for symbols; by default the path
 * the server reports (qXfer:exec-file), when it exists here too.
 *
 * Quitting kills a process the server started and detaches from one it had
 * attached to, as gdb does with `target remote`.
 */
import { existsSync } from 'node:fs';
import { Session, errorMessage, type Launcher } from '../src/commands/session.js';
import { TargetError } from '../src/target/types.js';
import { RemoteTarget } from '../src/rsp/remote-target.js';
import { parseRunArgs, UsageError, type RunArgs } from './run/args.js';
import { installExitHandlers, runInteractive, runLineMode } from './run.js';

const USAGE = 'usage: tsdbg connect [--batch] [-x FILE] [-ex CMD]... HOST:PORT [PROG]';

export async function main(argv: string[]): Promise<number> {
  let opts: RunArgs;
  try {
    opts = parseRunArgs([...argv]);
    if (!opts.program) throw new UsageError('missing HOST:PORT');
    if (opts.args.length > 1) throw new UsageError('too many arguments');
  } catch (e) {
    process.stderr.write(`tsdbg connect: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const where = opts.program!;
  let remote: RemoteTarget;
  try {
    remote = await RemoteTarget.connect(where);
  } catch (e) {
    process.stderr.write(`${where}: ${errorMessage(e)}\n`);
    return 1;
  }
  process.stdout.write(`Remote debugging using ${where}\n`);
  const exePath = opts.args[0] ?? (existsSync(remote.exePath) ? remote.exePath : undefined);
  const lineMode = opts.batch || opts.scripts.some((s) => s.kind === 'file') || !process.stdin.isTTY;
  const session = new Session({
    launcher: remoteLauncher(remote),
    exePath,
    color: Boolean(process.stdout.isTTY),
    confirm: lineMode ? answerYes : undefined,
  });
  session.store.on('output', (c) => (c.stream === 'stderr' ? process.stderr : process.stdout).write(c.text));
  const cleanup = installExitHandlers(session);
  try {
    // the session takes the remote process over like an attach: stopped, breakpoints armed
    const r = await session.execute(`attach ${remote.pid}`);
    if (!r.ok) return 1;
    return lineMode ? await runLineMode(session, opts) : await runInteractive(session, opts);
  } catch (e) {
    process.stderr.write(`tsdbg: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    // gdb kills what the server started (qAttached = 0) when it quits
    if (!remote.attached && remote.state !== 'exited') await remote.kill().catch(() => undefined);
    await session.shutdown();
    await remote.disconnect();
    cleanup();
  }
}

/** The one process behind the connection; there is no starting another one from here. */
function remoteLauncher(remote: RemoteTarget): Launcher {
  let taken = false;
  return {
    spawn: async () => {
      throw new TargetError('ENOTSUP', 'cannot start a program over "tsdbg connect"; restart the server with the program');
    },
    attach: async (pid) => {
      if (taken || pid !== remote.pid) {
        throw new TargetError('ENOTSUP', `cannot attach to process ${pid} over "tsdbg connect"; only ${remote.pid} is served`);
      }
      taken = true;
      return remote;
    },
  };
}

async function answerYes(question: string): Promise<boolean> {
  process.stdout.write(`${question} [answered Y; input not from terminal]\n`);
  return true;
}
