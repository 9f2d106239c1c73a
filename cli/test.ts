/**
 * `tsdbg test [--reporter tap|junit|pretty] [-j N] [--engine kernel|userspace]
 * [--remote HOST:PORT] [--timeout S] [--program PATH] [--source PROG.c] [--record OUT] FILES...`:
 * scripted regression tests (src/testrunner/). Exit status 0 only when
 * every test passed.
 */
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseHostPort } from '../src/rsp/remote-target.js';
import { runFiles } from '../src/testrunner/pool.js';
import { passed } from '../src/testrunner/results.js';
import type { Job } from '../src/testrunner/worker.js';
import { UsageError, optionValue, parseEngine } from './options.js';
import { recordScript } from '../src/testrunner/record.js';

const USAGE = `usage: tsdbg test [--reporter tap|junit|pretty] [-j N] [--engine kernel|userspace]
                  [--remote HOST:PORT] [--timeout S] [--program PATH [ARGS...] --]
                  [--source PROG.c]... [--record OUT] FILES...
  FILES         *.tsdbg scripts (and C sources: .c files are read as --source)
  --source F    a C source with "// tsdbg: expect ..." comments: each is checked
                every time its line is about to run
  --reporter    tap (TAP 14), junit (JUnit XML), pretty (default on a terminal: tap)
  -j N          files run at once (default: the number of CPUs)
  --timeout S   seconds a test may take before its program is killed (default 60)
  --program P   the program to debug, instead of each script's "file"
  --record OUT  run one script and write it to OUT with each expectation's
                value replaced by the one seen (a first golden run)`;

interface TestArgs {
  reporter: 'tap' | 'junit' | 'pretty';
  jobs: number;
  engine: 'kernel' | 'userspace' | undefined;
  remote: string | undefined;
  timeoutS: number;
  program: { path: string; args: string[] } | undefined;
  sources: string[];
  record: string | undefined;
  files: string[];
}

function parseArgs(argv: string[]): TestArgs {
  const out: TestArgs = {
    reporter: process.stdout.isTTY ? 'pretty' : 'tap', jobs: availableParallelism(), engine: undefined, remote: undefined,
    timeoutS: 60, program: undefined, sources: [], record: undefined, files: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => optionValue(argv, ++i, a);
    if (!a.startsWith('-') || a === '-') { out.files.push(a); continue; }
    switch (a) {
      case '--reporter': {
        const v = value();
        if (v !== 'tap' && v !== 'junit' && v !== 'pretty') throw new UsageError(`--reporter must be tap, junit or pretty, not "${v}"`);
        out.reporter = v;
        break;
      }
      case '-j': case '--jobs': out.jobs = positive(a, value()); break;
      case '--engine': out.engine = parseEngine(value()); break;
      case '--remote': { const v = value(); parseHostPort(v); out.remote = v; break; }
      case '--timeout': out.timeoutS = positive(a, value()); break;
      case '--program': {
        const p = path.resolve(value());
        const args: string[] = [];
        // its arguments run to a `--`
        const end = argv.indexOf('--', i + 1);
        if (end > i) { args.push(...argv.slice(i + 1, end)); i = end; }
        out.program = { path: p, args };
        break;
      }
      case '--source': out.sources.push(value()); break;
      case '--record': out.record = value(); break;
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if (!out.files.length && !out.sources.length) throw new UsageError('no test files given');
  if (out.record && out.files.length !== 1) throw new UsageError('--record takes exactly one script');
  return out;
}

function positive(opt: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${opt} takes a whole number of at least 1, not "${v}"`);
  return Number(v);
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let args: TestArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`tsdbg test: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const jobs: Job[] = [...args.files, ...args.sources].map((file) => ({
    file,
    source: args.sources.includes(file) || /\.(c|cc|cpp|h)$/.test(file),
    opts: { engine: args.engine, remote: args.remote, timeoutMs: args.timeoutS * 1000, program: args.program, record: Boolean(args.record) },
  }));
  const { Pretty, useColor } = await import('../src/testrunner/report-pretty.js');
  const pretty = args.reporter === 'pretty' ? new Pretty(useColor(process.stdout)) : undefined;
  // over one server, the tests take turns
  const parallel = args.remote ? 1 : args.jobs;
  const { results, recorded } = await runFiles(jobs, parallel, { file: (f) => pretty && process.stdout.write(pretty.file(f)) });
  for (const f of results) if (f.error) process.stderr.write(`${f.error}\n`);
  if (pretty) process.stdout.write(pretty.summary(results));
  else if (args.reporter === 'tap') process.stdout.write((await import('../src/testrunner/report-tap.js')).tap(results));
  else process.stdout.write(`${(await import('../src/testrunner/report-junit.js')).junitXml(results)}\n`);
  if (args.record) {
    const file = args.files[0]!;
    writeFileSync(args.record, recordScript(readFileSync(file, 'utf8'), recorded.get(file) ?? new Map()));
    process.stderr.write(`tsdbg test: wrote ${args.record}\n`);
  }
  return results.every(passed) ? 0 : 1;
}
