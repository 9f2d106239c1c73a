/**
 * The console's own commands against gdb 13 on the same program and the same
 * command file (`-batch -x FILE`): user-defined commands with $argN/$argc,
 * `document`, `help user-defined`, `if`/`else`/`while`, `source` (and its
 * errors), `shell`/`!`, `pipe`/`|`, `set|show history`, `complete`; then
 * the init files and the auto-load safe-path rule, `--version` and `--help`.
 * tsdbg runs with HOME in a scratch directory, so no real init or history file is read or written.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { merged } from './gdb-compare.js';
import { ROOT } from './rsp-util.js';
import { TSDBG } from './pty-util.js';

const PROG = path.join(ROOT, 'examples/bin/linked_list');
const scratch = mkdtempSync(path.join(tmpdir(), 'tsdbg-console-'));
const HOME = path.join(scratch, 'home');
mkdirSync(HOME);

/** A command file in the scratch directory. */
function script(name: string, lines: string[]): string {
  const file = path.join(scratch, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const withHome = (home: string, argv: string[]) => ['env', `HOME=${home}`, ...argv];
const ours = (file: string, cwd?: string) => merged(withHome(HOME, [process.execPath, TSDBG, 'run', '--batch', '-x', file, PROG]), undefined, cwd);
const gdbs = (file: string, cwd?: string) => merged(withHome(HOME, ['gdb', '-nx', '-batch', '-ex', 'set debuginfod enabled off', '-x', file, PROG]), undefined, cwd);
/** gdb's lines that tsdbg leaves out by design (its thread library's). */
const plain = (text: string) => text.split('\n').filter((l) => !/^(\[Thread debugging|Using host libthread_db|Snapshot engine: )/.test(l)).join('\n');

function sameAsGdb(name: string, lines: string[]): string {
  const file = script(name, lines);
  const mine = plain(ours(file));
  expect(mine).toBe(plain(gdbs(file)));
  return mine;
}

describe('console scripting, as gdb', () => {
  it('define with $arg0..$argN and $argc, redefine, document, help user-defined', () => {
    const out = sameAsGdb('define.gdb', [
      'define show_args', '  echo argc=$argc\\n', '  if $argc > 0', '    print $arg0', '  else', '    echo none\\n', '  end', 'end',
      'show_args', 'show_args 1+2 "a b" (3 * 4)',
      'define show_args', '  echo second $arg1\\n', 'end',
      'show_args x y',
      'document show_args', 'Show the arguments.', 'Second line of help.', 'end',
      'help show_args',
      'define nodoc', 'end',
      'help nodoc', 'help user-defined',
    ]);
    expect(out).toContain('$1 = 3');
    expect(out).toContain('Redefine command "show_args"? (y or n) [answered Y; input not from terminal]');
  });

  it('while and nested if, loop_break; an error in a user command ends it and the file with gdb\'s FILE:N', () => {
    const out = sameAsGdb('while.gdb', [
      'set $i = 0', 'while $i < 5', '  if $i == 1', '    echo one\\n', '  else', '    print $i', '  end',
      '  if $i == 3', '    loop_break', '  end', '  set $i = $i + 1', 'end', 'print $i',
      'define fails', '  echo before\\n', '  print nosuch', '  echo after\\n', 'end',
      'fails', 'echo not reached\\n',
    ]);
    expect(out).toContain('while.gdb:19: Error in sourced command file:');
    expect(out).not.toContain('not reached');
  });

  it('errors of define, document and an argument a user command lacks', () => {
    for (const [i, line] of ['define', 'document', 'document nosuchcmd', 'document print'].entries()) {
      sameAsGdb(`errors${i}.gdb`, [line]);
    }
    sameAsGdb('missing-arg.gdb', ['define two', '  echo $arg0 $arg1\\n', 'end', 'two a']);
  });

  it('source runs a file, nested errors name the file and line', () => {
    const inner = script('inner.gdb', ['echo inner\\n', 'print 6 * 7', 'print nosuch', 'echo not reached\\n']);
    sameAsGdb('source.gdb', [`source ${inner}`]);
    sameAsGdb('source-missing.gdb', ['source']);
    sameAsGdb('source-missing2.gdb', [`source ${path.join(scratch, 'nonexistent.gdb')}`]);
  });

  it('shell, !, pipe and |, with their errors', () => {
    sameAsGdb('shell.gdb', ['shell echo from shell', '!echo bang', 'pipe print 6 * 7 | tr 4 X', '| echo abc\\n | tr a-z A-Z',
      'pipe -d XX print 1 | 2 XX cat', 'shell exit 3', 'print $_shell_exitcode', 'echo end\\n']);
    for (const [i, line] of ['pipe', 'pipe print 1', 'pipe print 1 |', '| print 1', 'pipe -d'].entries()) sameAsGdb(`pipe${i}.gdb`, [line]);
  });

  it('set and show history', () => {
    sameAsGdb('history.gdb', [
      `set history filename ${path.join(scratch, 'hist')}`, 'set history save off', 'set history size 10',
      'show history', 'show history size', 'set history size unlimited', 'show history size', 'set history save maybe',
      'show history bogus', 'set history remove-duplicates 2', 'show history remove-duplicates',
    ]);
  });

  it('complete: commands, subcommands, symbols, files, struct members', () => {
    const out = sameAsGdb('complete.gdb', [
      'complete info br', 'complete info reg', 'complete disp', 'complete set history s', 'complete show hist s',
      'complete b mai', 'complete p hea', 'complete b linked_l', 'complete file examples/', 'complete source examples/li',
      'break print_list', 'run',
      'complete p n->', 'complete p (*n).v', 'complete p n->next->n', 'complete p  n->va',
    ]);
    expect(out).toContain('p n->next\np n->value');
  });
});

describe('complete: tsdbg\'s own names', () => {
  it('snapshot subcommands, the snapshots held and checkpoint names', () => {
    const file = script('complete-snap.gdb', ['break print_list', 'run', 'snapshot heap', 'checkpoint before', 'checkpoint after',
      'complete snapshot d', 'complete snapshot diff ', 'complete rewind ', 'complete rewind b', 'complete checkpoint delete a']);
    const out = ours(file).split('\n');
    const heap = /^Snapshot of \d+ bytes at (0x[0-9a-f]+) \(\[heap\]\)/.exec(out.find((l) => l.startsWith('Snapshot of'))!)![1];
    const completions = out.filter((l) => /^(snapshot|rewind|checkpoint delete) /.test(l));
    expect(completions).toEqual([
      'snapshot diff', 'snapshot drop',
      `snapshot diff ${heap}`, 'snapshot diff heap', 'snapshot diff stack',
      'rewind after', 'rewind before', 'rewind before', 'checkpoint delete after',
    ]);
  });
});

describe('init files', () => {
  it('runs ~/.tsdbginit, refuses ./.tsdbginit with gdb\'s warning until the safe path allows it; -nx reads neither', () => {
    const home = path.join(scratch, 'inithome');
    const project = path.join(scratch, 'project');
    mkdirSync(home);
    mkdirSync(project);
    writeFileSync(path.join(home, '.tsdbginit'), 'echo home-init\\n\n');
    writeFileSync(path.join(project, '.tsdbginit'), 'echo local-init\\n\n');
    const run = (...extra: string[]) => merged(withHome(home, [process.execPath, TSDBG, 'run', '--batch', ...extra, '-ex', 'echo command\\n', PROG]), undefined, project);
    const local = path.join(project, '.tsdbginit');
    expect(run()).toBe([
      'home-init',
      `warning: File "${local}" auto-loading has been declined by your \`auto-load safe-path' set to "$debugdir:$datadir/auto-load".`,
      'To enable execution of this file add', `\tadd-auto-load-safe-path ${local}`,
      `line to your configuration file "${path.join(home, '.tsdbginit')}".`,
      'To completely disable this security protection add', '\tset auto-load safe-path /',
      `line to your configuration file "${path.join(home, '.tsdbginit')}".`,
      'For more information about this security protection see the',
      '"Auto-loading safe path" section in the GDB manual.  E.g., run from the shell:',
      '\tinfo "(gdb)Auto-loading safe path"',
      'command', '',
    ].join('\n'));
    expect(run('-nx')).toBe('command\n');
    writeFileSync(path.join(home, '.tsdbginit'), `add-auto-load-safe-path ${project}\necho home-init\\n\n`);
    expect(run()).toBe('home-init\nlocal-init\ncommand\n');
    expect(run('-nh')).toContain('declined');
  });

  it('gdb words the same refusal of its local .gdbinit', () => {
    const home = path.join(scratch, 'gdbhome');
    const project = path.join(scratch, 'gdbproject');
    mkdirSync(home);
    mkdirSync(project);
    writeFileSync(path.join(project, '.gdbinit'), 'echo local-init\\n\n');
    const out = merged(withHome(home, ['gdb', '-batch', '-ex', 'echo command\\n']), undefined, project);
    expect(out.split('\n').slice(0, 3)).toEqual(run3(path.join(project, '.gdbinit')));
  });
});

function run3(local: string): string[] {
  return [
    `warning: File "${local}" auto-loading has been declined by your \`auto-load safe-path' set to "$debugdir:$datadir/auto-load".`,
    'To enable execution of this file add', `\tadd-auto-load-safe-path ${local}`,
  ];
}

describe('tsdbg --version and --help', () => {
  it('prints the version from package.json, and the usage', () => {
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(merged([process.execPath, TSDBG, '--version']).split('\n')[0]).toBe(`tsdbg ${version}`);
    expect(merged([process.execPath, TSDBG, '--help'])).toMatch(/^usage: tsdbg <command>/);
    const run = merged([process.execPath, TSDBG, 'run', '--help']);
    expect(run).toMatch(/^usage: tsdbg run /);
    expect(run).toContain('-nx');
  });
});
