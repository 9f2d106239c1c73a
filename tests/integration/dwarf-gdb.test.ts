import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildProg } from '../fixtures/dwarf/build.js';
import { runGdb, runOurs, type Scenario } from '../fixtures/dwarf/gdbcompare.js';

/** Same commands, same breakpoint: our output must be gdb's, line for line. */
async function compare(s: Scenario): Promise<void> {
  const [ours, gdb] = [await runOurs(s), runGdb(s)];
  expect(gdb.length).toBe(s.commands.length);
  const diffs = s.commands.flatMap((c, i) => (ours[i] === gdb[i] ? [] : [`(${c})\n  ours: ${ours[i]}\n  gdb:  ${gdb[i]}`]));
  expect(diffs).toEqual([]);
}

const PRINTS = [
  'p config', 'p &config', 'p config.op', 'p numbers', 'p greeting', 'p letter', 'p big', 'p truth', 'p list_head',
  'p *list_head', 'p list_head->next->value', 'p config.fl', 'p config.w', 'p config.label', 'p sizeof(config)',
  'p (long)counter * 3', 'p &numbers[2]', 'p *numbers@3', 'p main', 'p RED', 'p -counter / 2', 'p config.ratio * 2',
  'p vol', 'p opaque', 'p numbers[1] + numbers[2]', 'p/x counter', 'p config.matrix[1]', 'p &config.matrix[1][2]',
  'p *config.name', 'p config.name[1]', 'p (char)66', 'p counter == 7', 'p counter > 10 || letter == 65',
  'p list_head->next->next->next', 'p $1.color', 'p $', 'p sizeof(struct node)', 'p (struct node *)list_head',
  'p nosuchvar', 'p 1 +', 'p 10 / 0', 'p *opaque', 'p config.nosuch',
  'ptype config', 'ptype struct node', 'ptype config.op', 'ptype color_t', 'ptype union word', 'ptype struct flags',
  'ptype list_head', 'ptype int', 'ptype unsigned long', 'whatis config', 'whatis config.op', 'whatis numbers',
  'whatis color_t', 'whatis list_head->next', 'whatis &config.matrix[1]', 'ptype config.matrix',
  'whatis sum_list(list_head)', 'ptype push', 'p sizeof(sum_list(list_head))', 'whatis counter = 99', 'ptype counter++', 'p counter',
  // Errors, literals, formats and corner cases of the C evaluator.
  'p *0',
  'p config.',
  'p $nonexistent',
  'p sizeof(struct nosuch)',
  'p (struct nosuch *)0',
  'p numbers[100000000]',
  'ptype struct nosuch',
  'whatis 1 +',
  'p 1.5 % 2',
  'p &1',
  'p *1.5',
  'p -config',
  'p config + 1',
  'p !config',
  'p $1000',
  "p 'A' + 1",
  'p "hi"',
  'p sizeof(int)',
  'p (unsigned char)300',
  'p 7 / 2.0',
  'p 1 ? 2 : 3',
  'p counter = 9',
  'p counter',
  'p numbers[0]@2',
  'p/x -1',
  'p/t 10',
  'p/o 8',
  'p/c 65',
  "p/d 'A'",
  'p/x config.matrix',
  'p/x config',
  'p 10 > 3 && 2 < 1',
  'p ~0',
  'p 2147483647 + 1',
  'p -5 % 3',
  'p -5 / 2',
  'p 0x7fffffffffffffff',
  'p 18446744073709551615',
  "p 'a' == 97",
  'p letter',
  'p &letter',
  'p *&letter',
  'p &*list_head',
  'p list_head->next->next->next->value',
  'p $rip + 1',
  'p $sp',
  'p $fp',
  'p $pc',
  'p $eax',
  'p (char)config.w.u',
  // The parser shared with the no-debug-info evaluator: postfix/prefix ++ and --, {type} ADDR, bad numbers.
  'p counter++', 'p counter', 'p counter--', 'p --counter', 'p counter', 'p {int} &counter', 'p {long} &numbers[1]',
  // {type} ADDR with DWARF types: arrays, structs, typedefs, floats, sizeof of it
  'p {int[2]} &numbers', 'p {struct node} list_head', 'p {struct config} &config', 'p {double} &config.ratio', 'p sizeof({int} &counter)', 'whatis {char} $sp',
  // whole aggregates assigned as gdb's value_assign does (a shorter string padded, a longer one too many, other types no cast)
  'p config.label = "xy"', 'p config.label', 'p config.label = "much too long"', 'p config.w = config.w', 'p config.fl = 5',
  'p {short[2]} &numbers = {short[2]} &numbers[2]', 'p numbers', 'p config.matrix[0] = config.matrix[1]', 'p config.matrix',
  'p 09', 'p 12ab', 'p 1 + )',
  'p zeros', 'p ramp', 'p bigbuf', 'p/x zeros', 'p *ramp@20', 'p stars', 'p *pkt', 'p pkt->payload', 'p pkt->payload[1]', 'ptype pkt', 'p sizeof(*pkt)', 'p *stars@20',
];

describe.each([['-g', '-O0'], ['-gdwarf-4', '-O0']])('against gdb, prog built %s %s', (...flags: string[]) => {
  const binary = buildProg(flags);

  it('stops in leaf: bt, locals, args, frames up the stack, and every print', async () => {
    await compare({ binary, location: 'leaf', commands: ['bt', 'info locals', 'info args', 'p $rip', 'p $rsp', 'p x@entry', 'p counter@entry', 'up', 'info locals', 'info args', 'p *cfg', 'p cfg->matrix', 'up 3', 'info locals', 'p buf', 'p d', 'p argv[0]', 'p argc', 'down', ...PRINTS] });
  });

  it('stops inside nested blocks of sum_list (a line breakpoint, third hit)', async () => {
    await compare({ binary, location: 'prog.c:74', hit: 3, commands: ['bt', 'info locals', 'info args', 'p *p', 'p p->next', 'p *head', 'p head->next->next->value'] });
  });

  it('stops in another unit (util.c) with its own statics', async () => {
    await compare({ binary, location: 'util.c:14', hit: 2, commands: ['bt', 'info locals', 'info args', 'p calls', 'p result + k', 'up', 'info locals'] });
  });
});

describe.each([['-g', '-O0', '-fdebug-types-section'], ['-gdwarf-4', '-O0', '-fdebug-types-section']])('against gdb, types in type units, prog built %s %s %s', (...flags: string[]) => {
  const binary = buildProg(flags);

  it('every print, ptype and whatis at leaf', async () => {
    await compare({ binary, location: 'leaf', commands: ['bt', 'info locals', 'up', 'p *cfg', 'info locals', ...PRINTS] });
  });
});

describe('against gdb, prog built by clang (DWARF 5 strx/addrx/rnglistx/loclistx forms)', () => {
  it('-O0: every print at leaf, frames, locals', async () => {
    const binary = buildProg(['clang', '-g', '-O0']);
    await compare({ binary, location: 'leaf', commands: ['bt', 'info locals', 'info args', 'up', 'info locals', 'p *cfg', 'up 3', 'info locals', ...PRINTS] });
  });

  it('-O2: location lists, entry values and frames', async () => {
    const binary = buildProg(['clang', '-g', '-O2']);
    await compare({ binary, location: 'leaf', commands: ['bt', 'info locals', 'info args', 'up', 'info locals', 'info args', 'up', 'info locals'] });
    await compare({ binary, location: 'util.c:14', commands: ['bt', 'info locals', 'info args', 'up', 'info locals'] });
  });
});

describe('against gdb, without .eh_frame: .debug_frame, and no CFI at all (frame pointers)', () => {
  it('CFI from .debug_frame only', async () => {
    const binary = buildProg(['-g', '-O0', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables']);
    await compare({ binary, location: 'leaf', commands: ['bt', 'up', 'info locals', 'p *cfg', 'up 3', 'info locals'] });
  });

  it('no debug info and no CFI: the %rbp chain and ELF symbols', async () => {
    const binary = buildProg(['-g0', '-O0', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables']);
    await compare({ binary, location: 'leaf', commands: ['bt', 'p $rip', 'p (int)counter', 'p (char)counter', 'p (long)hidden', 'p &config', 'p hidden', 'p hidden + 1', 'whatis hidden', 'ptype hidden', 'p sizeof(hidden)', 'p main', 'info locals', 'up', 'info args'] });
  });
});

describe('against gdb, the README example programs', () => {
  const examples = fileURLToPath(new URL('../../examples', import.meta.url));
  execFileSync('make', ['-s', '-C', examples], { stdio: 'pipe' });

  it('linked_list at its second print_list', async () => {
    await compare({ binary: `${examples}/bin/linked_list`, location: 'print_list', hit: 2, commands: ['bt', 'info args', 'p *n', 'p *n->next->next', 'p n->next->next->next->next->next', 'up', 'info locals', 'p *head', 'ptype head', 'whatis sum_list', 'p sum_list(head)', 'p $rip', 'p sum_list(head->next) + 1', 'p push(0, 7)->value', 'p sum_list()', 'p sum_list(head, 1)', 'bt', 'p *head'] });
  });

  it('signals: a backtrace through the signal trampoline into libc and main', async () => {
    // gdb also rebuilds libc's tail-call frames from call-site DWARF; we do not, so the deeper
    // frames are checked by shape, the handler and the trampoline exactly.
    const s: Scenario = { binary: `${examples}/bin/signals`, location: 'on_usr1', hit: 2, handle: ['SIGUSR1 nostop noprint'], commands: ['info args', 'up', 'bt'] };
    const [ours, gdb] = [await runOurs(s), runGdb(s)];
    expect(ours.slice(0, 2)).toEqual(gdb.slice(0, 2));
    const bt = ours[2].split('\n');
    expect(bt.slice(0, 2)).toEqual(gdb[2].split('\n').slice(0, 2));
    expect(bt[bt.length - 1]).toBe(gdb[2].split('\n').pop()!.replace(/^#\d+/, bt[bt.length - 1].slice(0, 2)));
  });

  it('struct_loop (static and non-PIE builds) in tick', async () => {
    for (const exe of ['struct_loop', 'struct_loop_static', 'struct_loop_nopie']) {
      await compare({ binary: `${examples}/bin/${exe}`, location: 'tick', hit: 3, commands: ['bt', 'p *p', 'p pt', 'p/x pt.steps', 'p pt.tag', 'up', 'info locals', 'p counter'] });
    }
  });
});

describe('against gdb, inside the C library (its separate debug file, when libc6-dbg is installed)', () => {
  const binary = buildProg(['-g', '-O0']);

  it('write() called from exit handlers: deep libc backtrace, args, up into libio', async () => {
    // Frame 0 is left out: gdb names it after one of write's aliases in libc's symbol table.
    await compare({ binary, location: 'leaf', then: 'write', commands: ['info args', 'up', 'info locals', 'info args', 'p f->_fileno', 'p f->_lock', 'p f->_chain', 'p data', 'p *data@4', 'up', 'info locals', 'up', 'up', 'info args', 'up', 'info args'] });
  });
});

describe('against gdb, prog built -g -O1 -fomit-frame-pointer (CFA from CFI only)', () => {
  const binary = buildProg(['-g', '-O1', '-fomit-frame-pointer']);

  it('backtraces and frame variables in every frame', async () => {
    await compare({ binary, location: 'leaf', commands: ['bt', 'info args', 'up', 'info locals', 'info args', 'up', 'info args', 'up', 'info locals', 'p $rsp', 'p *list_head'] });
  });

  it('a line in another unit', async () => {
    await compare({ binary, location: 'util.c:14', commands: ['bt', 'info locals', 'info args', 'up', 'info locals'] });
  });
});

describe('against gdb, prog built -g -O2', () => {
  const binary = buildProg(['-g', '-O2']);

  it('leaf and its callers: entry values, optimized-out values, frame-pointer-less frames', async () => {
    await compare({ binary, location: 'leaf', commands: ['bt', 'info locals', 'info args', 'p x * y', 'p x@entry', 'p y@entry + 1', 'p z@entry', 'up', 'info locals', 'info args', 'p *cfg', 'p depth@entry', 'p cfg@entry', 'p local@entry', 'up', 'p config'] });
  });

  it('a line inside an inlined call: inline frames in bt, up, locals and args', async () => {
    await compare({ binary, location: 'util.c:14', commands: ['bt', 'info locals', 'info args', 'up', 'info locals', 'info args', 'p v', 'up', 'info locals'] });
  });

  it('sum_list at entry', async () => {
    await compare({ binary, location: 'sum_list', commands: ['bt', 'info locals', 'info args', 'p *head', 'p head->next->value'] });
  });
});
