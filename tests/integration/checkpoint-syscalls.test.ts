/**
 * A rewind says which system calls with effects outside memory happened
 * since its checkpoint (the program's writes to its terminal here): memory
 * and registers come back, those do not.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SESSION_MS, finished } from '../setup/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('rewind across system calls', () => {
  it('lists the writes since the checkpoint, and only those of the timeline rewound', () => {
    const cmds = ['break print_list', 'run', 'checkpoint before', 'continue', 'continue', 'rewind before', 'continue', 'rewind before', 'rewind before'];
    const r = finished(spawnSync('node', [`${root}bin/tsdbg.js`, 'run', '--batch', ...cmds.flatMap((c) => ['-ex', c]), `${root}examples/bin/linked_list`],
      { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root }), 'tsdbg run --batch linked_list');
    expect(r.status).toBe(0);
    const out = r.stdout.split('\n');
    const first = out.indexOf('warning: not undone: 2 system calls since checkpoint "before" with effects outside memory:');
    expect(first).toBeGreaterThan(0);
    expect(out.slice(first + 1, first + 3)).toEqual([
      '  write(1, "round 0: 5 4 3 2 1 (sum 15)\\n", 28) = 28',
      '  write(1, "round 1: 10 8 6 4 2 (sum 30)\\n", 29) = 29',
    ]);
    // after the first rewind the program wrote round 0 again: the second rewind names that one only
    const second = out.indexOf('warning: not undone: 1 system call since checkpoint "before" with effects outside memory:');
    expect(second).toBeGreaterThan(first);
    expect(out[second + 1]).toBe('  write(1, "round 0: 5 4 3 2 1 (sum 15)\\n", 28) = 28');
    // and a rewind with nothing written since says nothing about system calls
    expect(out.filter((l) => l.startsWith('warning: not undone:')).length).toBe(2);
    expect(out.filter((l) => l.startsWith('Rewound to checkpoint "before"')).length).toBe(3);
  });
});
