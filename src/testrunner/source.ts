/**
 * Expectations in the C source, Dexter-style: `// tsdbg: expect n->v == 2` on
 * a line means "each time this line is about to run". A breakpoint goes on
 * every annotated line; at each stop there its expectations are checked, and
 * the program is continued until it ends. `// tsdbg: file PATH [ARGS]` names
 * the program (relative to the source's folder) when --program does not.
 * A line that never runs fails: its expectations were never checked.
 */
import path from 'node:path';
import { errorMessage } from '../debugger/errors.js';
import { check, describeStop } from './expect.js';
import { Live, newResult, type RunOptions } from './exec.js';
import type { Failure, TestResult } from './results.js';
import { parseExpectation, ScriptError, type Expectation, type Loc } from './script.js';

interface Annotation { loc: Loc; text: string; expect: Expectation }

export interface SourceTests {
  program: { path: string; args: string[] } | undefined;
  lines: Map<number, Annotation[]>;
}

export function parseSource(text: string, file: string): SourceTests {
  const lines = new Map<number, Annotation[]>();
  let program: SourceTests['program'];
  text.split(/\r?\n/).forEach((l, i) => {
    const m = /\/\/\s*tsdbg:\s*(.*?)\s*$/.exec(l) ?? /\/\*\s*tsdbg:\s*(.*?)\s*\*\//.exec(l);
    if (!m) return;
    const loc = { file, line: i + 1 };
    const body = m[1]!;
    const f = /^file\s+(\S+)(.*)$/.exec(body);
    if (f) { program = { path: path.resolve(path.dirname(file), f[1]!), args: f[2]!.trim().split(/\s+/).filter(Boolean) }; return; }
    const e = /^expect\s+(.*)$/.exec(body);
    if (!e) throw new ScriptError(loc, `unknown annotation "tsdbg: ${body}" (expect ... or file PATH)`);
    const a = { loc, text: `expect ${e[1]}`, expect: parseExpectation(e[1]!, loc) };
    lines.set(loc.line, [...(lines.get(loc.line) ?? []), a]);
  });
  if (!lines.size) throw new ScriptError({ file, line: 1 }, 'no "// tsdbg: expect ..." annotations in this file');
  return { program, lines };
}

/** Run the annotated program once; one test per annotated line. */
export async function runSource(file: string, src: SourceTests, opts: RunOptions, onResult: (r: TestResult) => void): Promise<void> {
  const program = opts.program ?? src.program;
  const results = new Map<number, TestResult>();
  const hits = new Map<number, number>();
  for (const [line, as] of src.lines) results.set(line, newResult(`${path.basename(file)}:${line}: ${as.map((a) => a.text).join('; ')}`));
  const live = new Live(opts);
  const d = live.d;
  const base = path.basename(file);
  const first = src.lines.values().next().value![0]!;
  const fail = (r: TestResult, f: Failure) => { r.failures.push(f); r.ok = false; };
  const run = async () => {
    if (!program) throw new ScriptError({ file, line: 1 }, 'which program? give --program PATH or a "// tsdbg: file PATH" line');
    await d.load(program.path, program.args);
    for (const line of src.lines.keys()) await d.setBreakpoint({ file: base, line });
    let st = await d.launch();
    while (!cancelled) {
      const stop = st.stop;
      if (!st.process || !stop || stop.reason === 'exited' || stop.reason === 'killed') break;
      const ours = stop.path ? stop.path === path.resolve(file) : path.basename(stop.file ?? '') === base;
      const here = ours && stop.line !== undefined ? src.lines.get(stop.line) : undefined;
      if (!here) {
        fail(results.get(first.loc.line)!, { loc: first.loc, source: first.text, message: `the program stopped elsewhere: ${describeStop(d)}` });
        break;
      }
      hits.set(stop.line!, (hits.get(stop.line!) ?? 0) + 1);
      const r = results.get(stop.line!)!;
      for (const a of here) {
        r.checks++;
        try {
          const o = await check(d, a.expect, live.context());
          if (!o.ok) {
            fail(r, {
              loc: a.loc, source: a.text, message: `expectation failed (hit ${hits.get(stop.line!)})`, expected: o.expected, actual: o.actual, diff: o.diff,
              where: { function: stop.function, file: stop.file, line: stop.line },
            });
          }
        } catch (e) {
          fail(r, { loc: a.loc, source: a.text, message: errorMessage(e) });
        }
      }
      st = await d.resume();
    }
  };
  let cancelled = false;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    run().then(() => false, (e) => { fail(results.get(first.loc.line)!, { loc: e instanceof ScriptError ? e.loc : first.loc, source: first.text, message: errorMessage(e).replace(/^.*?:\d+: /, '') }); return false; }),
    new Promise<boolean>((res) => { timer = setTimeout(() => res(true), opts.timeoutMs); }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    cancelled = true;
    live.killHard();
    fail(results.get(first.loc.line)!, { loc: first.loc, source: first.text, message: `timed out after ${opts.timeoutMs / 1000} s; the program was killed` });
  }
  await live.close();
  for (const [line, r] of results) {
    const a = src.lines.get(line)![0]!;
    if (!hits.get(line) && r.ok) fail(r, { loc: a.loc, source: a.text, message: 'this line never ran: its expectations were not checked' });
    r.ms = Date.now() - started;
    onResult(r);
  }
}
