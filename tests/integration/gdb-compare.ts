/**
 * Running one script through gdb and through tsdbg for a line-for-line
 * comparison: both streams in the order printed (errors and a missing
 * source file go to stderr, amid the rest), without the lines that differ
 * by design (our snapshot engine, gdb's libthread_db).
 */
import { expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { SESSION_MS, finished } from '../setup/wait.js';

const BY_DESIGN = /^(Snapshot engine: |\[Thread debugging|Using host libthread_db)/;

/** argv's stdout and stderr, merged, as lines without the by-design ones. */
export function mergedLines(argv: string[]): string[] {
  return merged(argv).split('\n').filter((l) => !BY_DESIGN.test(l));
}

const BIN = join(ROOT, 'tests', 'fixtures', 'bin');

/** Build `src` (relative to the repository, as gdb then names it) into tests/fixtures/bin on first use. `extra`: more compiler flags. */
export function build(src: string | string[], name: string, opt: '-O0' | '-O2', debug = true, extra: string[] = [], cc = 'gcc'): string {
  const srcs = typeof src === 'string' ? [src] : src;
  const out = join(BIN, name);
  const newest = Math.max(...srcs.map((s) => statSync(join(ROOT, s)).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  mkdirSync(BIN, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(cc, [...(debug ? ['-g'] : []), opt, ...extra, '-o', tmp, ...srcs], { cwd: ROOT });
  renameSync(tmp, out);
  return out;
}

/** argv's stdout and stderr merged in the order they were written. */
export function merged(argv: string[], input?: string, cwd = ROOT): string {
  return finished(spawnSync('sh', ['-c', 'exec "$@" 2>&1', 'sh', ...argv], { input, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd }), argv.join(' ')).stdout;
}

function tsdbgBatch(prog: string[], commands: string[]): string {
  return merged(['node', join(ROOT, 'bin', 'tsdbg.js'), 'run', '--batch', ...commands.flatMap((c) => ['-ex', c]), ...prog]);
}

function gdbBatch(prog: string[], commands: string[]): string {
  return merged(['gdb', '-nx', '-batch', '-ex', 'set debuginfod enabled off', ...commands.flatMap((c) => ['-ex', c]), '--args', ...prog]);
}

/** The debugger's lines and the program's lines (`program` tells them apart), normalized. */
function split(out: string, program: RegExp): { debugger: string[]; program: string[] } {
  const lines = out.replace(/\n$/, '').split('\n')
    .filter((l) => !BY_DESIGN.test(l))
    .map((l) => l.replace(/0x7ffffff[c-f][0-9a-f]{4}\b/g, '0x<stack>').replace(/\(process \d+\)/, '(process N)'));
  return { debugger: lines.filter((l) => !program.test(l)), program: lines.filter((l) => program.test(l)) };
}

/**
 * Run `commands` through `tsdbg run --batch` and `gdb -batch` on the same
 * program (`prog`, or [prog, ...args]) and expect the same lines, after
 * dropping what legitimately differs: the program's own output (`program`
 * tells its lines apart; gdb's inferior writes to a pipe, fully buffered)
 * is compared on its own, and stack addresses (the two start the program
 * with different environments). Returns tsdbg's debugger lines.
 */
export function compareWithGdb(prog: string | string[], program: RegExp, commands: string[]): string[] {
  const argv = typeof prog === 'string' ? [prog] : prog;
  const ours = split(tsdbgBatch(argv, commands), program);
  const gdb = split(gdbBatch(argv, commands), program);
  expect(ours.debugger).toEqual(gdb.debugger);
  // gdb's inferior loses what it buffered when the script ends by killing it: a prefix of ours.
  expect(ours.program.slice(0, gdb.program.length)).toEqual(gdb.program);
  return ours.debugger;
}
