/**
 * The prompt's line editor on a real terminal (node-pty), with gdb 13 on the
 * same keys where gdb has the feature: the history kept across sessions in
 * $HOME/.tsdbg_history (HOME is a scratch directory), Up and Ctrl-R reverse
 * search through it, Tab completion of subcommands and struct members, and
 * `define` typed at the prompt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './rsp-util.js';
import { BOTH, gdb, killTerminals, tsdbg, until, type Terminal } from './pty-util.js';

afterEach(() => killTerminals());

const PROG = path.join(ROOT, 'examples/bin/linked_list');
const PROMPT = '(tsdbg) ';

async function quit(t: Terminal): Promise<void> {
  t.send('quit\r');
  const q = await Promise.race([t.exited, t.waitFor('(y or n) ').then(() => undefined)]);
  if (!q) t.send('y\r');
  expect((await t.exited).exitCode).toBe(0);
}

describe('history across sessions', () => {
  it('lines typed in one session come back with Up and Ctrl-R in the next', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'tsdbg-hist-'));
    const a = tsdbg(['run', PROG], { env: { HOME: home } });
    await a.waitFor(PROMPT);
    a.send('echo first-line\\n\r');
    await a.waitFor('first-line\n');
    await a.waitFor(PROMPT);
    a.send('print 20 + 22\r');
    await a.waitFor('$1 = 42');
    await a.waitFor(PROMPT);
    await quit(a);
    expect(readFileSync(path.join(home, '.tsdbg_history'), 'utf8')).toBe('echo first-line\\n\nprint 20 + 22\nquit\n');

    const b = tsdbg(['run', PROG], { env: { HOME: home } });
    await b.waitFor(PROMPT);
    b.send('\x1b[A\x1b[A\r');          // Up, Up: the print
    await b.waitFor('$1 = 42');
    await b.waitFor(PROMPT);
    b.send('\x12');                     // Ctrl-R
    await b.waitFor("(reverse-i-search)`': ");
    b.send('first');
    await b.waitFor("(reverse-i-search)`first': echo first-line\\n");
    b.send('\r');
    await b.waitFor('first-line\n');
    await b.waitFor(PROMPT);
    b.send('\x12zzz-none');
    await b.waitFor("(failed reverse-i-search)`zzz-none': ");
    b.send('\x07');                     // Ctrl-G: the line as it was (empty)
    b.send('set history save off\r');
    await b.waitFor(PROMPT);
    b.send('echo unsaved\\n\r');
    await b.waitFor('unsaved\n');
    await b.waitFor(PROMPT);
    await quit(b);
    const saved = readFileSync(path.join(home, '.tsdbg_history'), 'utf8');
    expect(saved).toContain('set history save off\n');
    expect(saved).not.toContain('unsaved');
  });
});

describe('Tab completion, as gdb', () => {
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: a subcommand and a struct member complete with Tab`, async () => {
      const t = start(PROG);
      await t.waitFor(prompt);
      // each key alone, as typed (a Tab inside pasted text is text, for node's readline)
      t.send('info watc');
      await t.waitFor('info watc');
      t.send('\t');
      await t.waitFor('hpoints ');
      t.send('\r');
      await t.waitFor('No watchpoints.\n');
      await t.waitFor(prompt);
      t.send('break print_list\r');
      await t.waitFor(prompt);
      t.send('run\r');
      await t.waitFor('Breakpoint 1, print_list');
      await t.waitFor(prompt);
      t.send('print n->val');
      await t.waitFor('n->val');
      t.send('\t');
      await t.waitFor('ue ');
      t.send('\r');
      await t.waitFor('$1 = 5\n');
      await t.waitFor(prompt);
      t.send('kill\r');
      await t.waitFor('(y or n) ');
      t.send('y\r');
      await t.waitFor(prompt);
      await quit(t);
    });
  }
});

describe('define at the prompt, as gdb', () => {
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: gives its instructions and a > prompt for each line`, async () => {
      const t = start(PROG);
      await t.waitFor(prompt);
      t.send('define twice\r');
      // (between the lines and the prompt, the line editors' escapes: gdb's bracketed paste, node's redraw)
      await t.waitFor(/Type commands for definition of "twice"\.\nEnd with a line saying just "end"\.\n(\x1b\[[0-9;?]*[A-Za-z])*>/);
      t.send('echo $arg0 $arg0\\n\r');
      await t.waitFor('>');
      t.send('end\r');
      await t.waitFor(prompt);
      t.send('twice hey\r');
      await t.waitFor('hey hey\n');
      await t.waitFor(prompt);
      await quit(t);
    });
  }
});

describe('the pager, as gdb', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line${i + 1}`);
  const echo = `echo ${lines.join('\\n')}\\n\r`;
  const PAGER = '--Type <RET> for more, q to quit, c to continue without paging--';
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: height-1 lines a page on a 10-row terminal; RET a page more, q quits, c shows the rest`, async () => {
      const t = start(PROG, { rows: 10, gdbArgs: ['-iex', 'set pagination on'] });
      await t.waitFor(prompt);
      // the last lineN the program's output shows (lines of their own: not the echoed command)
      const last = (from = 0) => Math.max(0, ...[...t.output().slice(from).matchAll(/^(?:\x1b\[[0-9;?]*[A-Za-z])*line(\d+)$/gm)].map((m) => Number(m[1])));
      let from = t.output().length;
      t.send(echo);
      await t.waitFor(PAGER);
      expect(last(from)).toBe(9);
      t.send('\r');
      await t.waitFor(PAGER);
      expect(last(from)).toBe(18);
      t.send('q\r');
      await t.waitFor('Quit\n');
      await t.waitFor(prompt);
      expect(last(from)).toBe(18);
      from = t.output().length;
      t.send(echo);
      await t.waitFor(PAGER);
      t.send('c\r');
      await t.waitFor(prompt);
      expect(last(from)).toBe(30);
      t.send('set pagination off\r');
      await t.waitFor(prompt);
      const before = t.output().length;
      t.send(echo);
      await t.waitFor('line30\n');
      expect(t.output().slice(before)).not.toContain(PAGER);
      await t.waitFor(prompt);
      await quit(t);
    });
  }
});

describe('styles on a terminal, as gdb 13', () => {
  /** The session's lines that start as `starts` do, without the line editors' own escapes. */
  async function styledLines(t: Terminal, prompt: string): Promise<string[]> {
    for (const c of ['break print_list', 'run', 'bt', 'info breakpoints']) {
      t.send(`${c}\r`);
      if (c === 'run') await t.waitFor('Breakpoint 1, ');
      await t.waitFor(prompt);
    }
    const lines = t.output().replace(/\x1b\[\?2004[hl]|\x1b\[\d*G|\x1b\[0J|\r/g, '').split('\n');
    t.send('kill\r');
    await t.waitFor('(y or n) ');
    t.send('y\r');
    await t.waitFor(prompt);
    t.send('quit\r');
    await t.exited;
    const starts = /^(Breakpoint 1 at |Breakpoint 1, |#0  |#1  |1       breakpoint)/;
    return lines.filter((l) => starts.test(l));
  }

  it('function names, file names, addresses and argument names in gdb\'s colours', async () => {
    const mine = await styledLines(tsdbg(['run', PROG], { env: { NO_COLOR: '' } }), PROMPT);
    const theirs = await styledLines(gdb(['-iex', 'set style enabled on', PROG]), '(gdb) ');
    expect(mine.length).toBeGreaterThanOrEqual(5);
    expect(mine).toEqual(theirs);
    expect(mine.join('\n')).toContain('\x1b[33mprint_list\x1b[m (\x1b[36mround\x1b[m=0');
  });

  for (const env of [{ NO_COLOR: '1' }, { TERM: 'dumb', NO_COLOR: '' }]) {
    it(`none with ${Object.entries(env)[0]!.join('=')}; set style enabled turns them on`, async () => {
      const t = tsdbg(['run', PROG], { env });
      await t.waitFor(PROMPT);
      t.send('show style enabled\r');
      await t.waitFor('CLI output styling is disabled.');
      t.send('break print_list\r');
      await t.waitFor('Breakpoint 1 at 0x1229: file linked_list.c, line 40.');
      await t.waitFor(PROMPT);
      t.send('set style enabled on\r');
      await t.waitFor(PROMPT);
      t.send('tbreak main\r');
      await t.waitFor('Temporary breakpoint 2 at \x1b[34m0x');
      await t.waitFor(PROMPT);
      await quit(t);
    });
  }
});

describe('Enter repeats, as gdb', () => {
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: an empty line repeats next, and x goes on where it stopped`, async () => {
      const t = start(PROG);
      await t.waitFor(prompt);
      t.send('break main\r');
      await t.waitFor(prompt);
      t.send('run\r');
      await t.waitFor('Breakpoint 1, main');
      await t.waitFor(prompt);
      const lineNumbers = () => [...t.output().matchAll(/^(\d+)\t/gm)].map((m) => Number(m[1]));
      // each command (typed, or an empty line) shows one more source line
      const step = async (keys: string) => {
        const n = lineNumbers().length;
        t.send(keys);
        await until(() => lineNumbers().length > n, () => `a source line after ${JSON.stringify(keys)}:\n${t.output()}`);
        await t.waitFor(prompt);
      };
      await step('next\r');
      await step('\r');
      await step('\r');
      const lines = lineNumbers().slice(-3).join(',');
      t.send('x/2xb &head\r');
      await t.waitFor(/<head>:\t0x[0-9a-f]{2}\t0x[0-9a-f]{2}\n/);
      await t.waitFor(prompt);
      t.send('\r');
      await t.waitFor(/<head\+2>:\t0x[0-9a-f]{2}\t0x[0-9a-f]{2}\n/);
      await t.waitFor(prompt);
      t.send('kill\r');
      await t.waitFor('(y or n) ');
      t.send('y\r');
      await t.waitFor(prompt);
      await quit(t);
      // the same lines in both: gdb's result is the reference
      results[who] = lines;
      if (results.gdb !== undefined && results.tsdbg !== undefined) expect(results.tsdbg).toBe(results.gdb);
    });
  }
  const results: Record<string, string | undefined> = {};
});

describe('the screen follows the window, as gdb', () => {
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: show height and show width after a resize`, async () => {
      const t = start(PROG, { cols: 120, rows: 40 });
      await t.waitFor(prompt);
      t.send('show height\r');
      await t.waitFor('Number of lines gdb thinks are in a page is 40.');
      await t.waitFor(prompt);
      t.resize(90, 12);
      // the resize reaches the session as a signal: asked again (one command at a time) until it has
      let height = '';
      for (let i = 0; i < 100 && height !== '12'; i++) {
        t.send('show height\r');
        height = (await t.waitFor(/in a page is \d+\./)).replace(/\D/g, '');
        await t.waitFor(prompt);
      }
      expect(height).toBe('12');
      t.send('show width\r');
      await t.waitFor('Number of characters gdb thinks are in a line is 90.');
      await t.waitFor(prompt);
      await quit(t);
    });
  }
});

describe('shell alone, as gdb', () => {
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: an interactive $SHELL on the terminal until it exits; its status in $_shell_exitcode`, async () => {
      const t = start(PROG, { env: { SHELL: '/bin/sh', PS1: 'inner$ ' } });
      await t.waitFor(prompt);
      t.send('shell\r');
      await t.waitFor('inner$ ');
      // the shell reads the terminal (its line discipline echoes): the debugger takes nothing typed now
      t.send('echo got-$((6*7))\r');
      await t.waitFor('got-42\n');
      await t.waitFor('inner$ ');
      t.send('exit 3\r');
      await t.waitFor(prompt);
      t.send('print $_shell_exitcode\r');
      await t.waitFor('$1 = 3\n');
      await t.waitFor(prompt);
      await quit(t);
    });
  }
});
