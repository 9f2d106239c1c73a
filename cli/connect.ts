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
import { useNativeInputSpin } from '../src/rsp/native-spin.js';
import { parseRunArgs, UsageError, type RunArgs } from './run/args.js';
import { TerminalQuestions } from './run/questions.js';
import { answerYes, driveSession, isLineMode, startScreen, writeConsole } from './run.js';

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
  useNativeInputSpin();          // a stub answers in microseconds: spin for it where the shim loads
  try {
    remote = await RemoteTarget.connect(where);
  } catch (e) {
    process.stderr.write(`${where}: ${errorMessage(e)}\n`);
    return 1;
  }
  process.stdout.write(`Remote debugging using ${where}\n`);
  const exePath = opts.args[0] ?? (existsSync(remote.exePath) ? remote.exePath : undefined);
  const questions = isLineMode(opts) ? undefined : new TerminalQuestions();
  const session = new Session({
    launcher: remoteLauncher(remote),
    exePath,
    color: Boolean(process.stdout.isTTY),
    confirm: questions ? questions.ask : answerYes,
    interactive: questions !== undefined,
    screen: startScreen(opts.batch),
  });
  writeConsole(session);
  // gdb kills what the server started (qAttached = 0) when it quits, and
  // detaches from what the server attached to
  return driveSession(session, opts, questions,
    () => session.takeOver(remote, remote.attached ? 'attached' : 'spawned'),
    () => remote.disconnect());
}

/** The one process behind the connection; there is no starting or attaching to another one from here. */
function remoteLauncher(remote: RemoteTarget): Launcher {
  return {
    spawn: async () => {
      throw new TargetError('ENOTSUP', 'cannot start a program over "tsdbg connect"; restart the server with the program');
    },
    attach: async (pid) => {
      throw new TargetError('ENOTSUP', `cannot attach to process ${pid} over "tsdbg connect"; only ${remote.pid} is served, and it is debugged already`);
    },
  };
}
