/**
 * `tsdbg run` command line: gdb's own spellings where gdb has them
 * (-batch/--batch, -x FILE, -ex CMD, --args), ours for the rest.
 */
import { UsageError, optionValue, parseEngine, parsePid } from '../options.js';

export interface RunArgs {
  batch: boolean;
  /** -nx: no init files; -nh: not the home one. */
  nx: boolean;
  nh: boolean;
  /** --help: the usage, nothing else. */
  help: boolean;
  /** -x FILE and -ex CMD, in command-line order (gdb runs them in that order). */
  scripts: Array<{ kind: 'file' | 'command'; text: string }>;
  aslr: boolean;
  engine: 'kernel' | 'userspace' | undefined;
  attach: number | undefined;
  program: string | undefined;
  args: string[];
  /** --tui=on|off: the full-screen UI (default: on when stdin and stdout are terminals; env TSDBG_TUI=off too). */
  tui: 'on' | 'off' | undefined;
}

export const RUN_USAGE =
  'usage: tsdbg run [--batch] [-nx] [-x FILE] [-ex CMD]... [--aslr] [--engine kernel|userspace] [--pid PID] [--tui=on|off] PROG [ARGS...]';

/** `tsdbg run --help`. */
export const RUN_HELP = `${RUN_USAGE}

Debug PROG (with ARGS) in a gdb-style session: a (tsdbg) prompt on a terminal,
line mode (commands from -x/-ex, then stdin; no prompt) otherwise.

Options:
  --batch, -batch        run the -x/-ex commands, then quit (exit status 1 if one failed)
  -x FILE, --command FILE
                         run the commands in FILE
  -ex CMD, --eval-command CMD
                         run CMD (in command-line order with -x)
  -nx, -n                read no init file (~/.tsdbginit, ./.tsdbginit)
  -nh                    do not read ~/.tsdbginit
  -q, -quiet             accepted for gdb's sake (tsdbg prints no banner)
  --args                 accepted for gdb's sake: what follows PROG is its arguments
  --aslr                 leave address-space randomization on (off by default, as gdb)
  --engine kernel|userspace
                         the snapshot engine (default: the kernel's where it has one)
  --pid PID, -p PID      attach to process PID
  --tui=on|off           the full-screen interface at a terminal (default on; TSDBG_TUI=off)
  --help, -h             this text

Init files: ~/.tsdbginit, then ./.tsdbginit if the auto-load safe path allows it
(add-auto-load-safe-path DIR in ~/.tsdbginit). History: ~/.tsdbg_history.
NO_COLOR or TERM=dumb turn colour off.`;

export { UsageError };

export function parseRunArgs(argvIn: string[]): RunArgs {
  const argv = [...argvIn];
  const out: RunArgs = { batch: false, nx: false, nh: false, help: false, scripts: [], aslr: false, engine: undefined, attach: undefined, program: undefined, args: [], tui: undefined };
  let i = 0;
  const value = (opt: string): string => optionValue(argv, ++i, opt);
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    switch (a) {
      case '--batch': case '-batch': out.batch = true; break;
      case '-q': case '-quiet': case '--quiet': break;
      case '-nx': case '--nx': case '-n': out.nx = true; break;
      case '-nh': case '--nh': out.nh = true; break;
      case '--help': case '-help': case '-h': out.help = true; break;
      case '-x': case '--command': out.scripts.push({ kind: 'file', text: value(a) }); break;
      case '-ex': case '--eval-command': out.scripts.push({ kind: 'command', text: value(a) }); break;
      case '--aslr': out.aslr = true; break;
      case '--args': break;   // gdb's --args: everything after PROG is its arguments, which is our default
      case '--engine': out.engine = parseEngine(value(a)); break;
      case '--pid': case '-p': out.attach = parsePid(value(a)); break;
      default: {
        const tui = /^--tui=(.*)$/.exec(a);
        if (tui) {
          if (tui[1] !== 'on' && tui[1] !== 'off') throw new UsageError(`--tui wants on or off, not "${tui[1]}"`);
          out.tui = tui[1];
          break;
        }
        const eq = /^(--engine)=(.*)$/.exec(a);
        if (eq) { argv.splice(i + 1, 0, eq[2]!); out.engine = undefined; argv[i] = eq[1]!; i--; continue; }
        throw new UsageError(`unknown option ${a}`);
      }
    }
  }
  out.program = argv[i];
  out.args = argv.slice(i + 1);
  return out;
}
