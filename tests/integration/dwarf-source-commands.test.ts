import { describe, it, expect } from 'vitest';
import { Session, type Launcher } from '../../src/commands/session.js';
import { localLauncher } from '../../cli/run/launcher.js';
import { LocalTarget } from '../../src/target/local.js';
import { engineProvider } from '../../src/snapshot/select.js';

/** The CLI's launcher, but with the environment gdb gets in runGdb, so stack addresses agree. */
const launcher: Launcher = {
  spawn: (path, args, opts) => LocalTarget.spawn(path, { args, aslr: opts.aslr, env: { TSDBG_TEST: '1' }, snapshots: engineProvider(opts.engine ?? 'auto') }),
  attach: localLauncher.attach,
};
import { buildProg } from '../fixtures/dwarf/build.js';
import { runGdb } from '../fixtures/dwarf/gdbcompare.js';

/** A Session on the fixture; returns the output of each command (stdout and stderr, in order). */
async function session(binary: string, setup: string[], commands: string[]): Promise<string[]> {
  const s = new Session({ launcher, exePath: binary });
  let out = '';
  s.store.on('output', (c: { stream: string; text: string }) => {
    if (c.stream !== 'inferior') out += c.text;
  });
  try {
    for (const c of setup) await s.execute(c);
    const outputs: string[] = [];
    for (const c of commands) {
      out = '';
      await s.execute(c);
      outputs.push(out.replace(/\n$/, ''));
    }
    return outputs;
  } finally {
    await s.shutdown();
  }
}

describe('source-level commands through the Session, against gdb', () => {
  const binary = buildProg(['-g', '-O0']);

  it('list, ptype, whatis, info locals/args, display and next at a line breakpoint', async () => {
    const commands = [
      'list', 'list', 'list -', 'list leaf', 'list', 'list util.c:10', 'list 30',
      'info locals', 'info args', 'ptype p', 'whatis p', 'ptype head', 'whatis head->value', 'ptype struct config',
      'whatis config.matrix', 'ptype union word', 'info line leaf', 'info line prog.c:80',
      'display total', 'display/x v', 'next', 'next', 'info display', 'undisplay 1',
      'down', 'up', 'info locals', 'list', 'up', 'frame 7', 'frame 0', 'frame 1', 'down',
      'undisplay', 'display/i $pc', 'stepi', 'info display',
    ];
    const gdb = runGdb({ binary, location: 'prog.c:74', commands });
    const ours = await session(binary, ['break prog.c:74', 'run'], commands);
    // gdb -batch does not show a new display at once; interactive gdb (and tsdbg) does.
    const compared = commands.map((c, i) => i).filter((i) => !commands[i].startsWith('display'));
    const diffs = compared.flatMap((i) => (ours[i] === gdb[i] ? [] : [`(${commands[i]})\n  ours: ${JSON.stringify(ours[i])}\n  gdb:  ${JSON.stringify(gdb[i])}`]));
    expect(diffs).toEqual([]);
    expect(ours[commands.indexOf('display total')]).toBe('1: total = 0');
    expect(ours[commands.indexOf('display/x v')]).toBe('2: /x v = 0x3');
    expect(ours[commands.indexOf('display/i $pc')]).toMatch(/^3: x\/i \$pc\n=> 0x[0-9a-f]+ <sum_list\+\d+>:\t\w+/);
  });

  it('lists and describes the program before it runs', async () => {
    const commands = ['list leaf', 'list', 'list -', 'ptype struct node', 'whatis counter', 'info line prog.c:80',
      'info line prog.c:1', 'info line prog.c:9999', 'info line util.c:5',
      'info functions leaf', 'info functions sum', 'info functions ^s', 'info variables hidden', 'info variables greet', 'info variables count',
      'info types word', 'info types ^c', 'info types node', 'ptype/o struct config', 'ptype/o struct node', 'ptype /o union word',
      'ptype/o config', 'ptype/o int', 'ptype layers', 'ptype layers.u', 'ptype layers.u.in', 'whatis layers.u',
      'ptype/o struct layers', 'list 10,14', 'list ,30', 'list leaf,+2', 'list util.c:5,7', 'list 105,', 'list nosuch', 'list nosuch.c:3'];
    const ours = await session(binary, [], commands);
    const n = commands.length - 2;
    const gdb = runGdb({ binary, location: '', commands: [], preRun: commands.slice(0, n) });
    const diffs = commands.slice(0, n).flatMap((c, i) => (ours[i] === gdb[i] ? [] : [`(${c})\n  ours: ${JSON.stringify(ours[i])}\n  gdb:  ${JSON.stringify(gdb[i])}`]));
    expect(diffs).toEqual([]);
    expect(ours[n]).toBe('Function "nosuch" not defined.');
    expect(ours[n + 1]).toBe('No source file named nosuch.c.');
  });

  it('info address, and calls to functions of the program from print and call, like gdb', async () => {
    const commands = ['info address counter', 'info address leaf', 'info address z', 'info address x', 'info address hidden',
      'info address nosuch', 'info address printf', 'p sum_list(list_head)', 'call add(6, 7)', 'call sum_list(0)', 'call bump()', 'p bump()', 'p calls', 'p add(x, y) * 2', 'p add(1, 2) + scale(3, 4)', 'p sum_list()', 'p counter', 'bt', 'info args',
      // the C library's functions, typed from its DWARF (libc6-dbg) through their ELF symbols
      'whatis printf', 'ptype malloc', 'whatis puts', 'p abs(-3)', 'p (long)malloc(16) != 0', 'whatis malloc(16)'];
    const gdb = runGdb({ binary, location: 'leaf', commands });
    const ours = await session(binary, ['break leaf', 'run'], commands);
    expect(ours).toEqual(gdb);
  });

  it('set print pretty: one member per line, nested structs indented, like gdb', async () => {
    const commands = ['set print pretty on', 'show print pretty', 'p config', 'p *list_head', 'p/x config.fl', 'info locals', 'up', 'p *cfg', 'set print pretty off', 'show print pretty', 'p config.fl'];
    const gdb = runGdb({ binary, location: 'leaf', commands });
    const ours = await session(binary, ['break leaf', 'run'], commands);
    expect(ours).toEqual(gdb);
  });

  it('snapshots a struct by expression and diffs it field by field', async () => {
    const out = await session(binary, ['break leaf', 'run'], [
      'snapshot &config', 'snapshot *list_head', 'p config.fl.mode = 2', 'set var config.ratio = 3.5', 'p config.matrix[1][2] = 9',
      'p list_head->value = 42', 'snapshot diff &config', 'snapshot diff *list_head', 'snapshot diff config.w',
      'restore config', 'p config.ratio', 'snapshot nosuchvar',
    ]);
    expect(out[0]).toMatch(/^Snapshot of 72 bytes at 0x555555558060 \(<config>\) taken by the \w+ engine\.$/);
    expect(out[1]).toMatch(/^Snapshot of 16 bytes at 0x[0-9a-f]+ \([^)]*\) taken by the \w+ engine\.$/);
    expect(out[6]).toBe('matrix[1][2]: 6 -> 9\nfl.mode: 5 -> 2\nratio: 2.5 -> 3.5');
    expect(out[7]).toBe('value: 3 -> 42');
    expect(out[8]).toBe('No changes.');
    expect(out[9]).toMatch(/^Restored 72 bytes at 0x555555558060/);
    expect(out[10]).toMatch(/= 2\.5$/);
    expect(out[11]).toBe('No symbol "nosuchvar" in current context.');
  });
});
