/**
 * Checkpoint and rewind in a multi-threaded program (examples/threads.c):
 * every thread's registers are saved and put back, so the program replays
 * from the checkpoint and still computes the right total; a checkpoint
 * taken before threads existed is refused, naming them, unless forced.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SESSION_MS } from '../setup/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsdbg = `${root}bin/tsdbg.js`;
const threads = `${root}examples/bin/threads`;

function batch(commands: string[]): { out: string; err: string; code: number | null } {
  const r = spawnSync('node', [tsdbg, 'run', '--batch', threads], {
    input: `${commands.join('\n')}\n`, encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root,
  });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

/** `info threads` rows without the current-thread star: Id, LWP, frame. */
const threadRows = (block: string) => block.split('\n').filter((l) => /^[* ] \d+ +Thread /.test(l)).map((l) => l.slice(2));

describe('checkpoint and rewind with threads', () => {
  it('restores every thread: the frames of all threads come back and the program replays to the right total', () => {
    const r = batch([
      'break bump', 'run', 'print counter', 'echo ---before\\n', 'info threads', 'echo ---\\n', 'checkpoint',
      'continue', 'continue', 'continue', 'print counter', 'rewind', 'print counter',
      'echo ---after\\n', 'info threads', 'echo ---\\n', 'delete', 'continue',
    ]);
    expect(r.out).toMatch(/^\$1 = 0$/m);
    expect(r.out).toMatch(/^\$2 = [1-9]\d*$/m);
    expect(r.out).toMatch(/Rewound to checkpoint "c1": .* of memory and all registers of 4 threads restored\./);
    expect(r.out).toMatch(/^\$3 = 0$/m);
    const before = threadRows(r.out.split('---before')[1]!.split('---')[0]!);
    const after = threadRows(r.out.split('---after')[1]!.split('---')[0]!);
    expect(before).toHaveLength(4);
    expect(after).toEqual(before);
    // replayed from the checkpoint: every worker's four rounds once more, and the true total
    expect(r.out).toContain('all done: counter 24');
    expect(r.out).toMatch(/exited normally/);
  });

  it('refuses a rewind across thread creation, naming the threads; -f restores the threads that still exist', () => {
    const r = batch(['break main', 'break bump', 'run', 'checkpoint', 'continue', 'rewind', 'rewind -f', 'print $pc == main', 'kill']);
    expect(r.err).toContain('The memory map and the threads changed since checkpoint "c1"; rewinding cannot undo:');
    expect(r.err.match(/thread LWP \d+ appeared/g)).toHaveLength(3);
    expect(r.err).toMatch(/"rewind -f c1" restores the memory that is still mapped and the threads that still exist, and leaves these as they are\./);
    expect(r.out).toMatch(/warning: not undone: thread LWP \d+ appeared/);
    expect(r.out).toMatch(/Rewound to checkpoint "c1": .* of memory and all registers restored\./);
    expect(r.out).toMatch(/^main \(\) at threads\.c:\d+$/m);
  });
});
