/**
 * Small differences from gdb 13, each checked by running gdb and tsdbg on
 * the same program and script: `break` on a location nothing defines asks
 * whether to make it pending (no off a terminal; `set breakpoint pending`);
 * `list N` before the program runs; frame/up/down counts out of range; the
 * disassembly's # comment; SIGINT between commands read from a pipe.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ROOT } from './rsp-util.js';
import { fixture } from '../fixtures/programs.js';
import { build, mergedLines } from './gdb-compare.js';
import { execFileSync } from 'node:child_process';
import { BOTH, TSDBG, killTerminals, onPipes, until } from './pty-util.js';

afterEach(() => killTerminals());

const noPid = (l: string) => l.replace(/process \d+/g, 'process N');

/** Both on the same stdin pipe (commands count as typed; questions answer themselves). */
function piped(lines: string[], prog = fixture('frames')): { gdb: string[]; tsdbg: string[] } {
  const input = lines.join('\n') + '\n';
  const g = mergedLines(['sh', '-c', `printf '%s' "$1" | gdb -q -nx -iex 'set style enabled off' ${prog}`, 'sh', input])
    .map((l) => l.replace(/\(gdb\) /g, '')).filter((l) => !/^Reading symbols from/.test(l));
  const t = mergedLines(['sh', '-c', `printf '%s' "$1" | node ${TSDBG} run ${prog}`, 'sh', input]);
  const tidy = (ls: string[]) => ls.filter((l) => l !== '').map(noPid).map((l) => l.replace(/^(Starting program: \S+) $/, '$1'));
  return { gdb: tidy(g), tsdbg: tidy(t) };
}

/** The same -ex commands through `gdb -batch` and `tsdbg run --batch`. */
function batch(commands: string[], prog = fixture('frames')): { gdb: string[]; tsdbg: string[] } {
  const ex = commands.flatMap((c) => ['-ex', c]);
  const tidy = (ls: string[]) => ls.filter((l) => l !== '').map(noPid).map((l) => l.replace(/^(Starting program: \S+) $/, '$1'));
  return {
    gdb: tidy(mergedLines(['gdb', '-batch', '-nx', '-iex', 'set style enabled off', ...ex, prog])),
    tsdbg: tidy(mergedLines(['node', TSDBG, 'run', '--batch', ...ex, prog])),
  };
}

const QUESTION = 'Make breakpoint pending on future shared library load? (y or [n])';

describe('break on a location nothing defines', () => {
  const script = ['break 999', 'break nosuch', 'break nosuch.c:3', 'set breakpoint pending on', 'break nosuch2', 'break 998',
    'set breakpoint pending off', 'break nosuch3', 'show breakpoint pending', 'set breakpoint pending maybe', 'set breakpoint pending auto',
    'show breakpoint pending', 'break nosuch4',
    'info breakpoints'];

  it('on a pipe: asked, answered no; pending on/off as gdb', () => {
    const r = piped(script);
    expect(r.tsdbg).toContain(`${QUESTION} [answered N; input not from terminal]`);
    expect(r.tsdbg.join('\n')).toMatch(/1 +breakpoint +keep y +<PENDING> +nosuch2/);
    expect(r.tsdbg.join('\n')).not.toMatch(/nosuch4\n/);
    // every breakpoint pending: gdb's narrow Address column
    expect(r.tsdbg).toContain('Num     Type           Disp Enb Address    What');
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });

  it('in batch mode: the same', () => {
    const r = batch(script.slice(0, 3));
    expect(r.tsdbg.filter((l) => l.startsWith(QUESTION))).toHaveLength(3);
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });

  for (const { who, start, prompt } of BOTH) {
    it(`${who} at a terminal: n leaves nothing, y makes it pending`, async () => {
      const t = start(fixture('frames'));
      await t.waitFor(prompt);
      t.send('break nosuch\r');
      await t.waitFor(`${QUESTION} `);
      t.send('n\r');
      await t.waitFor(prompt);
      t.send('break nosuch\r');
      await t.waitFor(`${QUESTION} `);
      t.send('y\r');
      await t.waitFor('Breakpoint 1 (nosuch) pending.');
      await t.waitFor(prompt);
      t.send('info breakpoints\r');
      await t.waitFor(/1\s+breakpoint\s+keep y\s+<PENDING>\s+nosuch/);
      await t.waitFor(prompt);
      t.send('quit\r');
      await t.exited;
    });
  }
});

describe('list', () => {
  const script = ['list 5', 'list 999', 'list', 'list 30', 'list frames.c:999', 'list inner', 'list 1,3', 'list 999', 'list -', 'list 40', 'list 38'];

  it('before the program runs: around line N of main\'s file; out of range names the file as gdb does', () => {
    const r = piped(script);
    expect(r.tsdbg).toContain('5\t#include <stdio.h>');
    // the file as its line table names it: frames.c, or a full path when the fixture was built from one
    expect(r.tsdbg.join('\n')).toMatch(/^Line number 994 out of range; (\S*\/)?frames\.c has 37 lines\.$/m);
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });

  it('stopped in main: the same lines', () => {
    const r = piped(['break main', 'run', ...script, 'kill']);
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });
});

describe('frame, up and down with counts out of range', () => {
  it('as gdb: the count is cut to an int, a count clamps at the ends, none refuses; too large a constant is an error', () => {
    const r = piped(['break inner', 'run', 'up 99999999999999999999', 'up -1', 'up 2', 'down -1', 'frame -1', 'frame 4294967296',
      'frame -4294967295', 'up 0x100000001', 'up 99999999999', 'down 99999999999', 'up 4294967296', 'up 4294967295',
      'down 4294967295', 'frame 4294967297', 'up', 'up', 'up', 'up', 'down 2', 'down', 'down', 'down', 'kill']);
    expect(r.tsdbg).toContain('Numeric constant too large.');
    expect(r.tsdbg).toContain('Initial frame selected; you cannot go up.');
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });
});

describe('disassembly', () => {
  it('the # comment of a rip-relative operand: eight spaces after the operands, as libopcodes prints it', () => {
    const prog = path.join(ROOT, 'examples/bin/hot_loop'); // PIE: its globals are rip-relative
    const r = batch(['break main', 'run', 'x/40i $pc', 'disassemble main', 'kill'], prog);
    const comments = (ls: string[]) => ls.filter((l) => l.includes('# 0x'));
    expect(comments(r.tsdbg).length).toBeGreaterThan(0);
    expect(comments(r.tsdbg).some((l) => /\S        # 0x/.test(l))).toBe(true);
    expect(comments(r.tsdbg).join('\n')).toBe(comments(r.gdb).join('\n'));
  });

  it('START,END and START,+LENGTH ranges, /r bytes padded, the pc marked, gdb\'s errors for modifiers', () => {
    const prog = path.join(ROOT, 'examples/bin/linked_list');
    const dump = (ls: string[]) => ls.filter((l) => /^(Dump|End of|=> |   0x)|modifier|\/m and \/s|syntax error/.test(l));
    for (const bad of ['disassemble /x main', 'disassemble /ms main', 'disassemble /', 'disassemble ,main']) {
      const r = batch([bad], prog);
      expect(r.tsdbg).toEqual(r.gdb);
    }
    const r = batch(['disassemble main,main+12', 'disassemble /r main,+8', 'disassemble /r push', 'disassemble 0x1000,0x1000',
      'disassemble main,', 'break push', 'run', 'disassemble $pc,+6', 'disassemble /r $pc-4,$pc+4', 'kill'], prog);
    expect(r.gdb).toContain('Dump of assembler code from 0x12e0 to 0x12e8:');
    expect(dump(r.tsdbg).join('\n')).toBe(dump(r.gdb).join('\n'));
  });

  it('/s and /m: source lines with the instructions, in address order (/s) or line order (/m)', () => {
    const prog = path.join(ROOT, 'examples/bin/linked_list');
    // sum_list's loop test comes after its body: /m sorts it under line 33, /s shows it twice
    const r = batch(['disassemble /s push', 'disassemble /m sum_list', 'disassemble /s sum_list', 'disassemble /rs main,+8',
      'disassemble /m print_list,+20', 'disassemble /s print_list,+20'], prog);
    expect(r.gdb).toContain('linked_list.c:');
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });
});

describe('addresses named as gdb names them (-O2, non-PIE)', () => {
  it('disassemble /s from the opening brace, libopcodes\' mnemonics, .symtab and @got.plt names, PLT0 as ??, info symbol with and without a process, quoted names, ptype/o, handle SIGINT', () => {
    const prog = build('tests/fixtures/asm_names.c', 'asm_names-O2', '-O2', true, ['-no-pie']);
    const plt = execFileSync('readelf', ['-SW', prog], { encoding: 'utf8' }).split('\n').find((l) => /\s\.plt\s/.test(l))!;
    const plt0 = `0x${/PROGBITS\s+([0-9a-f]+)/.exec(plt)![1]!.replace(/^0+/, '')}`;
    const r = batch(['info symbol main', "p 'main'", "p 'ab'", "p ''", "x/2i 'version'", "p 'no_such'", 'ptype/o global_hooks', 'ptype/o current_hooks', 'ptype/o *current_hooks', 'ptype/o hooks_t', 'handle SIGINT', 'handle 14', 'disassemble /s version', 'disassemble /s main', `x/14i ${plt0}`, 'disassemble clear',
      `break *${plt0}`, 'run', 'frame', 'x/i $pc', 'info symbol $pc', 'info symbol main', 'kill', 'info symbol main'], prog);
    expect(r.gdb).toContain('main in section .text');
    expect(r.gdb.some((l) => /<stderr@GLIBC_2\.2\.5>/.test(l))).toBe(true);
    expect(r.gdb.some((l) => /^#0 +0x0+401020 in \?\? \(\)$/.test(l))).toBe(true);
    expect(r.gdb.some((l) => /rep stos %rax,%es:\(%rdi\)/.test(l))).toBe(true);
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });
});

describe('SIGINT while reading commands from a pipe', () => {
  for (const who of ['gdb', 'tsdbg'] as const) {
    it(`${who}: Quit, and the next command runs`, async () => {
      const argv = who === 'gdb' ? ['gdb', '-q', '-nx', fixture('frames')] : [process.execPath, TSDBG, 'run', fixture('frames')];
      const { child, out, err, exited } = onPipes(argv);
      try {
        child.stdin.write('print 1\n');
        await until(() => out().includes('$1 = 1'), () => out() + err());
        child.kill('SIGINT');
        await until(() => err().includes('Quit\n'), () => out() + err());
        child.stdin.write('print 2\n');
        await until(() => out().includes('$2 = 2'), () => out() + err());
        child.stdin.end();
        expect(await exited).toBe(0);
        expect(err()).toBe('Quit\n');
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});

describe('x/i before the program runs', () => {
  it('stops where the file\'s sections end, naming the first address it cannot read, as gdb', () => {
    const prog = path.join(ROOT, 'examples/bin/hot_loop');
    const r = piped(['x/60i main', 'x/8xg main+100'], prog);
    expect(r.tsdbg.some((l) => /^ {3}0x[0-9a-f]+:\tCannot access memory at address 0x[0-9a-f]+$/.test(l))).toBe(true);
    expect(r.tsdbg.join('\n')).toBe(r.gdb.join('\n'));
  });
});
