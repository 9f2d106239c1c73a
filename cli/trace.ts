/**
 * tsdbg trace: strace's command line and output for the system calls of a
 * program (src/syscall/).
 *
 *   tsdbg trace [-f] [-c|-C] [-o FILE] [-s N] [-e trace=SET] [-e inject=SPEC]
 *               [--rewrite SPEC] [--rewrite-page] [--no-seccomp] [-p PID | PROG [ARGS...]]
 *
 * --rewrite-page: rewritten strings always go to a page mapped in the
 * program for the call, not below the stack (src/syscall/scratch.ts).
 */
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError, optionValue, parsePid } from './options.js';
import { runTrace, type TraceOptions } from '../src/syscall/tracer.js';
import { parseTraceSet } from '../src/syscall/table.js';
import { DEFAULT_STRSIZE } from '../src/syscall/quote.js';
import { RewriteError, RewriteHooks } from '../src/syscall/rewrite.js';
import { TargetError } from '../src/target/types.js';

const USAGE = 'usage: tsdbg trace [-f] [-c|-C] [-o FILE] [-s STRSIZE] [-e trace=SET] [-e inject=SPEC] ' +
  '[--rewrite SPEC] [--rewrite-page] [--no-seccomp] [-p PID | PROG [ARGS...]]\n';

interface Parsed {
  opts: Omit<TraceOptions, 'path' | 'argv' | 'outFd' | 'outIsFile' | 'env' | 'cwd'>;
  out?: string;
  prog: string[];
  hooks: RewriteHooks;
}

export function parseTraceArgs(argv: string[]): Parsed {
  const opts: Parsed['opts'] = { trace: 'all', follow: false, summary: 'off', seccomp: true, strsize: DEFAULT_STRSIZE };
  const hooks = new RewriteHooks();
  let out: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-')) break;
    if (a === '-f') opts.follow = true;
    else if (a === '-c') opts.summary = 'only';
    else if (a === '-C') opts.summary = 'also';
    else if (a === '--no-seccomp') opts.seccomp = false;
    else if (a === '--seccomp-bpf') opts.seccomp = true;
    else if (a === '-o') out = optionValue(argv, ++i, a);
    else if (a === '-s') {
      const v = optionValue(argv, ++i, a);
      if (!/^\d+$/.test(v)) throw new UsageError(`invalid -s argument: '${v}'`);
      opts.strsize = Number(v);
    } else if (a === '-p') opts.attach = parsePid(optionValue(argv, ++i, a));
    else if (a === '--rewrite') hooks.addRewrite(optionValue(argv, ++i, a));
    else if (a === '--rewrite-page') hooks.scratch = 'page';
    else if (a === '-e' || a.startsWith('-e')) {
      const v = a === '-e' ? optionValue(argv, ++i, a) : a.slice(2);
      const eq = v.indexOf('=');
      const [kind, val] = eq < 0 ? ['trace', v] : [v.slice(0, eq), v.slice(eq + 1)];
      if (kind === 'trace' || kind === 't') {
        const set = parseTraceSet(val);
        if (typeof set === 'object' && 'error' in set) throw new UsageError(set.error);
        opts.trace = set;
      } else if (kind === 'inject') hooks.addInject(val);
      else throw new UsageError(`invalid filter action '${kind}'`);
    } else throw new UsageError(`unrecognized option '${a}'`);
  }
  const prog = argv.slice(i);
  if (opts.attach === undefined && prog.length === 0) throw new UsageError('must have PROG [ARGS] or -p PID');
  if (opts.attach !== undefined && prog.length > 0) throw new UsageError('-p PID and PROG cannot be given together');
  // the calls rewritten or injected must stop, whatever -e trace= says
  if (hooks.active() && opts.trace !== 'all') for (const nr of hooks.calls()) opts.trace.add(nr);
  return { opts, out, prog, hooks };
}

function killSelf(sig: number): void {
  if (sig === 9 || sig === 19) return void process.kill(process.pid, sig);
  try {
    process.removeAllListeners(String(sig));
    process.kill(process.pid, sig);
  } catch {
    // a signal Node will not send to itself: the exit code says it
  }
}

/** PROG as execvp finds it. */
function findProgram(name: string): string {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir || '.', name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* not here: the next directory */ }
  }
  throw new UsageError(`Can't stat '${name}': No such file or directory`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseTraceArgs(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RewriteError) {
      process.stderr.write(`tsdbg trace: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  const { opts, out, prog, hooks } = parsed;
  let outFd = 2;
  if (out !== undefined) {
    try { outFd = openSync(out, 'w'); } catch (e) {
      process.stderr.write(`tsdbg trace: Can't fopen '${out}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}\n`);
      return 1;
    }
  }
  try {
    let path = '';
    if (prog.length) path = findProgram(prog[0]!);
    const env = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
    const r = runTrace({
      ...opts, path, argv: prog, env, cwd: process.cwd(), outFd, outIsFile: out !== undefined,
      hooks: hooks.active() ? hooks : undefined,
    });
    // killed by a signal: so are we, as strace does, for the shell to see it
    if (r.code > 128) killSelf(r.code - 128);
    return r.code;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TargetError) {
      process.stderr.write(`tsdbg trace: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    if (outFd !== 2) closeSync(outFd);
  }
}
