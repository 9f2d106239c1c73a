/**
 * Running one script through gdb and through tsdbg for a line-for-line
 * comparison: both streams in the order printed (errors and a missing
 * source file go to stderr, amid the rest), without the lines that differ
 * by design (our snapshot engine, gdb's libthread_db).
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from './rsp-util.js';
import { SESSION_MS, finished } from '../setup/wait.js';

const BY_DESIGN = /^(Snapshot engine: |\[Thread debugging|Using host libthread_db)/;

/** argv's stdout and stderr, merged, as lines without the by-design ones. */
export function mergedLines(argv: string[]): string[] {
  const r = finished(spawnSync('sh', ['-c', 'exec "$@" 2>&1', 'sh', ...argv], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT }), argv.join(' '));
  return r.stdout.split('\n').filter((l) => !BY_DESIGN.test(l));
}
