/**
 * Convenience variables ($foo) against gdb, through one -x command file:
 * walking a list with `set $n = $n->next`, counters ($i++, +=), copies of
 * structs, strings, doubles, chars, their types (whatis/ptype), a display,
 * and the file stopping at its first error with gdb's "FILE:N: Error in
 * sourced command file:". Then the same without debug info (the built-in
 * evaluator's side of the one store).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { example, ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const dir = mkdtempSync(join(tmpdir(), 'tsdbg-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WALK = [
  'break print_list', 'run',
  'set $n = n', 'p $n', 'p $n->value', 'set $n = $n->next', 'p $n->value', 'p *$n',
  'set $i = 0', 'p $i++', 'p $i', 'set $i += 10', 'p $i', 'p $i * 2',
  'set $s = *n', 'p $s', 'p $s.value', 'whatis $s', 'ptype $n', 'whatis $i', 'p $undefined',
  'set $str = "hello"', 'p $str', 'p sizeof($str)', 'set $d = 1.5', 'p $d * 2',
  'set $rax = 7', 'p $rax', 'p $_exitcode', "set $c = 'A'", 'p $c', 'p $n = 0', 'p $n',
  'display $i', 'info display',
  'p &$i',                 // an error: the file ends here, in both
  'p $i',
];

/** Both debuggers run `lines` as a -x file; their stdout and stderr, normalized. */
function both(lines: string[], prog: string): { ours: string; gdb: string } {
  const file = join(dir, 'cmds');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = (cmd: string[]) => {
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT });
    return `${r.stdout}--- stderr:\n${r.stderr}`.split('\n')
      .filter((l) => !/^(Snapshot engine: |\[Thread debugging|Using host libthread_db|\[Inferior 1 \(process \d+\) killed\])/.test(l))
      .join('\n');
  };
  return { ours: run(['node', TSDBG, 'run', '--batch', '-x', file, prog]), gdb: run(['gdb', '-batch', '-nx', '-x', file, prog]) };
}

/** The variables gdb sets and computes: $bpnum, $_thread, $_inferior, $_/$__ after x and info line. */
const MAINTAINED = [
  'p $bpnum', 'p $_thread', 'p $_inferior', 'break print_list', 'p $bpnum', 'tbreak main', 'p $bpnum',
  'info line push', 'p $_', 'p $__', 'run', 'p $_thread', 'p $_gthread', 'whatis $_thread', 'continue',
  // heap addresses: the same in both (the stack is not: the environments differ)
  'x/2xb n', 'p $_', 'p $__', 'x/2xg n', 'p $_', 'p $__', 'x/2dh n', 'p $_', 'p $__', 'x/i $pc', 'p $_', 'p $__',
  'x/2c n', 'p $_', 'whatis $__', 'x/a n', 'p $_', 'p $__', 'x/2xw', 'p $_', 'p $__',
  'info line 20', 'x/2i', 'p $_', 'p $bpnum + 1', 'kill', 'p $_thread',
];

describe('convenience variables, as gdb', () => {
  it('the ones gdb sets after commands and computes when read', () => {
    const { ours, gdb } = both(MAINTAINED, example('linked_list'));
    expect(gdb).toMatch(/^\$\d+ = \(int16_t \*\) 0x[0-9a-f]+$/m);
    expect(ours).toBe(gdb);
  });

  it('walks a list, counts, copies, and keeps their types; a -x file stops at its first error', () => {
    const { ours, gdb } = both(WALK, example('linked_list'));
    expect(gdb).toContain(`${join(dir, 'cmds')}:${WALK.indexOf('p &$i') + 1}: Error in sourced command file:`);
    expect(gdb).toMatch(/^\$\d+ = \(const struct node \*\) 0x[0-9a-f]+$/m);
    expect(ours).toBe(gdb);
  });

  it('in a program without debug info too', () => {
    const prog = join(dir, 'nodebug');
    execFileSync('gcc', ['-O0', '-o', prog, join(ROOT, 'examples', 'struct_loop.c')]);
    const { ours, gdb } = both(['break tick', 'run', 'set $i = 3', 'p $i * 2', 'p $i++', 'p $i', 'set $i -= 1', 'p $i',
      'set $p = $sp', 'p $p == $sp', 'whatis $i', 'p $nothing', 'p $i = $i * 5'], prog);
    expect(gdb).toContain('$4 = 3');
    expect(ours).toBe(gdb);
  });
});
