/**
 * The console's pure pieces: gdb's user-command arguments and their
 * substitution, block collection, the left side of a member completion,
 * readline's reverse search, and the pager's page breaks (height-1 lines,
 * RET / c / q) with output held in order while it waits.
 */
import { describe, expect, it } from 'vitest';
import { BlockCollector, substituteArgs, topLevelElse, userArgs } from '../../src/console/script.js';
import { leftOperand } from '../../src/console/complete.js';
import { ReverseSearch } from '../../src/console/reverse-search.js';
import { Pager, PAGER_PROMPT } from '../../src/console/pager.js';

describe('user command arguments', () => {
  it('split at blanks, quotes kept whole, parentheses not grouping (gdb 13)', () => {
    expect(userArgs(' 1+2  "a b" \'c d\' (3 * 4) ')).toEqual(['1+2', '"a b"', "'c d'", '(3', '*', '4)']);
    expect(userArgs('')).toEqual([]);
  });
  it('$argc and $argN replaced; a missing one is gdb\'s error', () => {
    expect(substituteArgs('print $arg0 + $arg1 + $argc', ['1', '2'])).toBe('print 1 + 2 + 2');
    expect(() => substituteArgs('echo $arg2', ['a'])).toThrow('Missing argument 2 in user function.');
    expect(substituteArgs('echo $argument', [])).toBe('echo $argument');
  });
});

describe('blocks', () => {
  it('a nested if/while stays whole; the outer end closes', () => {
    const c = new BlockCollector();
    for (const l of ['if $x', '  while 1', '  end', 'else', 'echo', 'end']) expect(c.push(l)).toBe(false);
    expect(c.push('end')).toBe(true);
    expect(c.lines).toEqual(['if $x', 'while 1', 'end', 'else', 'echo', 'end']);
    expect(topLevelElse(['echo a', 'if 1', 'else', 'end', 'else', 'echo b'])).toBe(4);
  });
  it('documentation keeps its lines as typed', () => {
    const c = new BlockCollector(true);
    expect(c.push('  if you do this')).toBe(false);
    expect(c.push('end')).toBe(true);
    expect(c.lines).toEqual(['  if you do this']);
  });
});

describe('member completion', () => {
  it('finds the expression left of . or ->', () => {
    expect(leftOperand('p n')).toBe('n');
    expect(leftOperand('p n->next')).toBe('n->next');
    expect(leftOperand('p (*n)')).toBe('(*n)');
    expect(leftOperand('p a[i + 1].b')).toBe('a[i + 1].b');
    expect(leftOperand('p f(x)')).toBe('f(x)');
    expect(leftOperand('p 1 + s')).toBe('s');
  });
});

describe('reverse search', () => {
  it('narrows as typed, Ctrl-R goes older, fails as readline says', () => {
    const s = new ReverseSearch(['print x', 'break main', 'print y'], 'typed');
    expect(s.prompt).toBe("(reverse-i-search)`': ");
    expect(s.line).toBe('typed');
    s.type('p');
    expect(s.line).toBe('print x');
    s.again();
    expect(s.line).toBe('print y');
    s.again();
    expect(s.prompt).toBe("(failed reverse-i-search)`p': ");
    expect(s.line).toBe('print y');
    s.erase();
    s.type('ma');
    expect(s.line).toBe('break main');
    expect(s.cursor).toBe(6);
  });
});

describe('pager', () => {
  function pager(height: number, answers: string[]) {
    const shown: string[] = [];
    const prompts: number[] = [];
    let quits = 0;
    const p = new Pager<string>({
      height: () => height,
      enabled: () => true,
      readLine: async (prompt) => { expect(prompt).toBe(PAGER_PROMPT); prompts.push(shown.join('').split('\n').length - 1); return answers.shift(); },
      quit: () => { quits++; },
      show: (item, text) => { shown.push(item === 'err' ? `[${text}]` : text); },
    });
    return { p, shown, prompts, quits: () => quits };
  }
  const text = Array.from({ length: 10 }, (_, i) => `l${i + 1}\n`).join('');

  it('height-1 lines a page; RET a page more, c the rest', async () => {
    const { p, shown, prompts } = pager(4, ['', 'c']);
    p.write('out', text, true);
    await p.settled();
    expect(shown.join('')).toBe(text);
    expect(prompts).toEqual([3, 6]);
  });

  it('q drops the rest of the command, other streams keep their order', async () => {
    const { p, shown, quits } = pager(4, ['q']);
    p.write('out', text, true);
    p.write('err', 'late error\n', false);
    await p.settled();
    expect(shown.join('')).toBe('l1\nl2\nl3\n[late error\n]');
    expect(quits()).toBe(1);
    p.reset();
    p.write('out', 'next command\n', true);
    expect(shown.at(-1)).toBe('next command\n');
  });
});
