/**
 * `npm run parity [FILTER...]`: builds the corpus (cached), runs every session
 * (or those whose id contains a FILTER) under gdb and tsdbg, and prints the
 * agreement, per program and -O level, with each difference's first lines.
 * Exit status 1 when a difference is not in differences.json, or a listed one
 * now agrees.
 */
import { buildCorpus, loadKnown, loadSessions, report, runAll } from './runner.js';

async function main(filters: string[]): Promise<number> {
  const verbose = filters.includes('-v');
  filters = filters.filter((f) => f !== '-v');
  const corpus = buildCorpus();
  const sessions = loadSessions(corpus).filter((s) => filters.length === 0 || filters.some((f) => s.id.includes(f)));
  process.stderr.write(`parity: ${sessions.length} sessions on ${corpus.size} programs, 2 at a time\n`);
  let done = 0;
  const outcomes = await runAll(sessions, 2, (o) => {
    done++;
    process.stderr.write(`  [${done}/${sessions.length}] ${o.same ? 'same' : 'DIFF'} ${o.session.id}\n`);
    if (verbose && !o.same) {
      process.stderr.write(`--- gdb\n${o.gdb.join('\n')}\n--- tsdbg\n${o.tsdbg.join('\n')}\n`);
    }
  });
  const r = report(outcomes, loadKnown(), filters.length === 0);
  process.stdout.write(r.text + '\n');
  return r.unlisted.length + r.stale.length + r.unknownIds.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`parity: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
