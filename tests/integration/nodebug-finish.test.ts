/**
 * Values the session makes itself, in a program without debug info: they are
 * the C evaluator's values like any other (one value system), so history,
 * arithmetic, whatis and formats work on them as on a printed expression.
 *  - `finish` without debug info: gdb prints no value (it cannot know the
 *    type); tsdbg shows rax as a long, which must equal gdb's `p (long)$rax`
 *    at the same stop, and behave as that value in history;
 *  - `$_`/`$__` after `x` and `$_exitcode`: as gdb.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from './rsp-util.js';
import { build, compareWithGdb, merged } from './gdb-compare.js';

const prog = () => build('tests/fixtures/nodebug_expr.c', 'nodebug_expr-nodebug', '-O0', false);

/** The `$N = ...` and `type = ...` lines of a batch run. */
function values(out: string): string[] {
  return out.split('\n').filter((l) => /^(\$\d+ = |Value returned is |type = )/.test(l));
}

const script = (commands: string[]) => commands.flatMap((c) => ['-ex', c]);

describe('values the session makes, as ordinary values', () => {
  it('finish without debug info: rax as a long, the same value as gdb\'s (long)$rax, usable from history', () => {
    const ours = values(merged(['node', join(ROOT, 'bin', 'tsdbg.js'), 'run', '--batch',
      ...script(['break leaf', 'run', 'finish', 'p', 'p $1 + 1', 'whatis $1', 'p/x $', 'p $$2 == $1', 'kill']), prog()]));
    const gdb = values(merged(['gdb', '-nx', '-batch', '-ex', 'set debuginfod enabled off',
      ...script(['break leaf', 'run', 'finish', 'p (long)$rax', 'p $1 + 1', 'whatis $1', 'p/x $', 'kill']), prog()]));
    // gdb: $1 = V, $2 = V+1, type = long, $3 = 0x...; ours: Value returned is $1 = V, then $2 = V (print of $), ...
    expect(gdb).toHaveLength(4);
    const value = gdb[0]!.replace(/^\$1 = /, '');
    expect(ours).toEqual([
      `Value returned is $1 = ${value}`,
      `$2 = ${value}`,
      gdb[1]!.replace(/^\$2/, '$3'),
      gdb[2]!,
      gdb[3]!.replace(/^\$3/, '$4'),
      '$5 = 1',
    ]);
  });

  it('$_ and $__ after x, $_exitcode after the exit, and $bpnum, as gdb', () => {
    compareWithGdb(prog(), /^$/, [
      'break leaf', 'p $bpnum', 'whatis $bpnum', 'run', 'x/2xw &counter', 'p $_', 'p $__', 'whatis $__', 'p $__ + 1', 'p $_ + 1',
      'x/2xg &table', 'p $__', 'p/x $__', 'continue', 'p $_exitcode', 'whatis $_exitcode', 'p $_exitcode + 1', 'undisplay $bpnum',
    ]);
  });
});
