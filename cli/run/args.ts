/**
 * `tsdbg run` command line: gdb's own spellings where gdb has them
 * (-batch/--batch, -x FILE, -ex CMD, --args), ours for the rest.
 */
import { UsageError, optionValue, parseEngine, parsePid } from '../options.js';

export interface RunArgs {
  batch: boolean;
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
  'usage: tsdbg run [--batch] [-x FILE] [-ex CMD]... [--aslr] [--engine kernel|userspace] [--pid PID] [--tui=on|off] PROG [ARGS...]';

export { UsageError };

export function parseRunArgs(argvIn: string[]): RunArgs {
  const argv = [...argvIn];
  const out: RunArgs = { batch: false, scripts: [], aslr: false, engine: undefined, attach: undefined, program: undefined, args: [], tui: undefined };
  let i = 0;
  const value = (opt: string): string => optionValue(argv, ++i, opt);
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    switch (a) {
      case '--batch': case '-batch': case '-q': case '-quiet': case '--quiet': case '-nx': case '--nx':
        if (a.includes('batch')) out.batch = true;
        break;
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
