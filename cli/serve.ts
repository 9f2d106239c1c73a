/**
 * `tsdbg serve`: a gdbserver-compatible stub over the local ptrace target.
 *
 *   tsdbg serve --listen 127.0.0.1:1234 ./prog args     gdb: target remote :1234
 *   tsdbg serve :1234 ./prog                            gdbserver's spelling
 *   tsdbg serve --stdio ./prog                          gdb: target remote | tsdbg serve --stdio ./prog
 *   tsdbg serve --listen :1234 --attach PID
 *   tsdbg serve --listen :1234                          extended-remote only: gdb runs what it names
 *
 * Safe by default: `:PORT` listens on 127.0.0.1 (name 0.0.0.0:PORT to be
 * reachable from elsewhere); a client may run only the served program again,
 * attach nowhere and read only the debugged program's own files, unless
 * --allow-run / --allow-attach / --allow-files DIR say otherwise (see
 * src/rsp/serve-policy.ts).
 *
 * Messages go to stderr in gdbserver's words ("Process ... created; pid = N",
 * "Listening on port N") so scripts written for gdbserver keep working. The
 * program's output reaches gdb as O packets. Every exit path kills the
 * process we started (or detaches the one we attached to).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Target } from '../src/target/types.js';
import type { LaunchOptions } from '../src/commands/session.js';
import { listenTcp, serveStreams, type SessionOptions } from '../src/rsp/server.js';
import { DEFAULT_POLICY, fileRoot } from '../src/rsp/serve-policy.js';
import { DEFAULT_SPIN_US } from '../src/rsp/wire.js';
import { parseHostPort } from '../src/rsp/remote-target.js';
import { localLauncherWaiting } from './run/launcher.js';
import { SERVE_BLOCK_US } from '../src/rsp/serve-wait.js';
import { UsageError, optionValue, parseEngine, parsePid } from './options.js';
import { claimSignals } from '../src/target/reaper.js';
import { ProgramPty } from '../src/target/local/pty.js';

const USAGE = `usage: tsdbg serve [--listen HOST:PORT | --stdio | HOST:PORT | -] [--once] [--multi]
                   [--attach PID] [--aslr] [--engine kernel|userspace] [--spin-us N]
                   [--allow-run] [--allow-attach] [--allow-files DIR] [PROG [ARGS...]]
  HOST:PORT     :PORT listens on 127.0.0.1 only; 0.0.0.0:PORT on every address
                (anyone who can reach it controls the debugged program)
  --allow-run   gdb may run any program (default: only PROG again; any
                program when no PROG is given)
  --allow-attach  gdb may attach to any process of this user (default: no)
  --allow-files DIR  gdb may read files under DIR (repeatable; / for all);
                default: the debugged program's executable, libraries,
                /proc/PID and ${DEFAULT_POLICY.fileRoots.join(', ')}
  --spin-us N   after each reply, busy-wait up to N µs for gdb's next packet
                (default ${DEFAULT_SPIN_US} with 2+ CPUs, 0 with one; 0 turns it off)`;

interface ServeArgs {
  help: boolean;
  listen: string | undefined;
  stdio: boolean;
  once: boolean;
  multi: boolean;
  attach: number | undefined;
  spinUs: number | undefined;
  allowRun: boolean;
  allowAttach: boolean;
  fileRoots: string[];
  launch: LaunchOptions;
  argv: string[];
}

function parseArgs(argv: string[]): ServeArgs {
  const out: ServeArgs = { help: false, listen: undefined, stdio: false, once: false, multi: false, attach: undefined, spinUs: undefined, allowRun: false, allowAttach: false, fileRoots: [], launch: { aslr: false }, argv: [] };
  let i = 0;
  const value = (opt: string): string => optionValue(argv, ++i, opt);
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (a === '-' && !out.listen && !out.stdio) { out.stdio = true; continue; }
    if (!a.startsWith('-')) {
      // gdbserver's COMM argument: HOST:PORT or :PORT before the program
      if (!out.listen && !out.stdio && /^[^/]*:\d+$/.test(a)) { out.listen = a; continue; }
      break;
    }
    switch (a) {
      case '--help': case '-h': out.help = true; return out;
      case '--listen': out.listen = value(a); break;
      case '--stdio': out.stdio = true; break;
      case '--once': out.once = true; break;
      case '--multi': out.multi = true; break;
      case '--aslr': out.launch.aslr = true; break;
      case '--engine': out.launch.engine = parseEngine(value(a)); break;
      case '--attach': out.attach = parsePid(value(a)); break;
      case '--spin-us': out.spinUs = parseSpin(value(a)); break;
      case '--allow-run': out.allowRun = true; break;
      case '--allow-attach': out.allowAttach = true; break;
      case '--allow-files': out.fileRoots.push(value(a)); break;
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  out.argv = argv.slice(i);
  if (out.listen && out.stdio) throw new UsageError('--listen and --stdio exclude each other');
  if (!out.listen && !out.stdio) throw new UsageError('say where to serve: --listen HOST:PORT or --stdio');
  if (out.attach !== undefined && out.argv.length) throw new UsageError('--attach and a program exclude each other');
  return out;
}

/** Microseconds of busy-wait: a whole number up to one second. */
function parseSpin(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 1_000_000) throw new UsageError(`--spin-us takes microseconds from 0 to 1000000, not "${v}"`);
  return Number(v);
}

const log = (line: string) => process.stderr.write(`${line}\n`);

export async function main(argv: string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`tsdbg serve: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // (not --single-threaded-gc: V8 flags changed after start-up crashed the server in cppgc's marker, 1 run in ~8)
  const localLauncher = localLauncherWaiting({ blockUs: SERVE_BLOCK_US });
  const launch = (a: string[]) => localLauncher.spawn(resolveProgram(a[0]!), a.slice(1), args.launch);
  const attach = (pid: number) => localLauncher.attach(pid, args.launch);
  let target: Target | undefined;
  let fileRoots: string[];
  try {
    fileRoots = await Promise.all(args.fileRoots.map(fileRoot));
  } catch (e) {
    process.stderr.write(`tsdbg serve: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    if (args.attach !== undefined) {
      target = await attach(args.attach);
      log(`Attached; pid = ${target.pid}`);
    } else if (args.argv.length) {
      target = await launch(args.argv);
      log(`Process ${args.argv[0]} created; pid = ${target.pid}`);
    }
  } catch (e) {
    log(`tsdbg serve: ${(e as Error).message}`);
    return 1;
  }
  const opts: SessionOptions = {
    target,
    attached: args.attach !== undefined,
    defaultArgv: args.argv,
    launch,
    attach,
    log: process.env.TSDBG_DEBUG ? log : undefined,
    note: log,
    spinUs: args.spinUs,
    policy: {
      // a server started without a program exists to run what gdb names
      allowRun: args.allowRun || (args.argv.length === 0 && args.attach === undefined),
      allowAttach: args.allowAttach,
      fileRoots: [...DEFAULT_POLICY.fileRoots, ...fileRoots],
    },
  };
  let stop: () => Promise<void> = async () => undefined;
  const cleanup = exitHandlers(() => stop(), args.stdio);
  try {
    if (args.stdio) {
      log('Remote debugging using stdio');
      ProgramPty.detachedOutput = 2;   // a program let go writes on; stdout is gdb's protocol
      const session = serveStreams(process.stdin, process.stdout, opts);
      stop = () => session.end();
      await session.done();
      return 0;
    }
    // gdbserver's :PORT is every address; ours is loopback unless the user names one
    const [host, port] = parseHostPort(args.listen!.startsWith(':') ? `127.0.0.1${args.listen}` : args.listen!, true);
    // without a program there is nothing to serve until gdb runs one: multi
    const multi = args.multi || target === undefined;
    const server = await listenTcp(host, port, { ...opts, once: args.once, multi, log });
    stop = () => server.close();
    log(`Listening on port ${server.port}`);
    if (!target) log(`No program: connect with gdb's "target extended-remote", then "run"${args.allowAttach ? ' or "attach"' : ''}.`);
    await server.closed;
    return 0;
  } catch (e) {
    log(`tsdbg serve: ${(e as Error).message}`);
    return 1;
  } finally {
    const t = opts.target;
    if (t && t.state !== 'exited') await (opts.attached ? t.detach() : t.kill()).catch(() => t.kill().catch(() => undefined));
    cleanup();
  }
}

/** A bare name is looked up like gdbserver does: as a path relative to cwd. */
function resolveProgram(p: string): string {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new Error(`${p}: No such file or directory`);
  return abs;
}

/**
 * SIGTERM/SIGHUP (and SIGINT when serving TCP): end the session, which kills
 * the process we started or detaches the attached one, then exit. Over
 * stdio gdb shares our terminal, so its Ctrl-C reaches us as SIGINT too; gdb
 * sends the interrupt as 0x03 anyway, so SIGINT is ignored there.
 */
function exitHandlers(stop: () => Promise<void>, stdio: boolean): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig === 'SIGINT' && stdio) return;
    void stop().catch(() => undefined).finally(() => process.exit(128 + (sig === 'SIGTERM' ? 15 : sig === 'SIGHUP' ? 1 : 2)));
  };
  const sigs: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of sigs) process.on(s, onSignal);
  const releaseSignals = claimSignals();     // ours now: the reaper lets the tracee go only at exit
  return () => {
    for (const s of sigs) process.off(s, onSignal);
    releaseSignals();
  };
}
