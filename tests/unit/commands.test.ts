import { describe, expect, it } from 'vitest';
import { parseLine, helpText, CommandError } from '../../src/commands/parse.js';
import { SignalTable, parseSignal, signalNameOf } from '../../src/commands/signals.js';

const cmd = (line: string) => parseLine(line).command;
const err = (line: string) => {
  try {
    parseLine(line);
  } catch (e) {
    expect(e).toBeInstanceOf(CommandError);
    return (e as Error).message;
  }
  throw new Error(`"${line}" parsed`);
};

describe('command names: gdb aliases and unique prefixes', () => {
  it.each([
    ['b main', 'break'], ['br main', 'break'], ['c', 'continue'], ['cont', 'continue'], ['n', 'step'], ['s', 'step'],
    ['si', 'stepi'], ['ni', 'stepi'], ['r', 'run'], ['p 1', 'print'], ['x/4x $sp', 'x'], ['bt', 'backtrace'],
    ['where', 'backtrace'], ['i r', 'info'], ['info b', 'info'], ['fin', 'finish'], ['k', 'kill'], ['q', 'quit'],
    ['disas main', 'disassemble'], ['tb main', 'break'], ['d 1', 'delete'], ['dis 1', 'enable'], ['en 1', 'enable'],
    ['wat *(int*)0x10', 'watch'], ['u', 'until'], ['snapshots', 'snapshots'], ['rew', 'rewind'],
  ])('%s -> %s', (line, kind) => {
    const c = cmd(line);
    const kinds: Record<string, string[]> = { break: ['break'], enable: ['enable'], step: ['step'], stepi: ['stepi'] };
    expect(kinds[kind] ?? [kind]).toContain(c.kind);
  });

  it('tells next from step and nexti from stepi', () => {
    expect(cmd('n')).toEqual({ kind: 'step', count: 1, over: true });
    expect(cmd('s 3')).toEqual({ kind: 'step', count: 3, over: false });
    expect(cmd('ni 2')).toEqual({ kind: 'stepi', count: 2, over: true });
    expect(cmd('si')).toEqual({ kind: 'stepi', count: 1, over: false });
  });

  it('rejects unknown and ambiguous commands in gdb wording', () => {
    expect(err('frob')).toBe('Undefined command: "frob".  Try "help".');
    expect(err('sn')).toMatch(/^Ambiguous command "sn": snapshot, snapshots\.$/);
    expect(err('info frobs')).toBe('Undefined info command: "frobs".  Try "help info".');
    expect(err('x/4q $sp')).toBe('Undefined output format "q".');
    expect(err('p/2x 1')).toBe('Item count other than 1 is meaningless in "print" command.');
    expect(err('stepi abc')).toBe('Invalid number "abc".');
    expect(err('attach foo')).toBe('Illegal process-id: foo.');
  });

  it('parses info subcommands with their abbreviations', () => {
    expect(cmd('i r rip')).toEqual({ kind: 'info', what: 'registers', arg: 'rip' });
    expect(cmd('info br')).toEqual({ kind: 'info', what: 'breakpoints', arg: '' });
    expect(cmd('info proc mappings')).toEqual({ kind: 'info', what: 'proc', arg: 'mappings' });
    expect(cmd('info sym 0x401000')).toEqual({ kind: 'info', what: 'symbol', arg: '0x401000' });
  });

  it('parses x/NFU and print/F', () => {
    expect(cmd('x/4xg $sp')).toEqual({ kind: 'x', expr: '$sp', count: 4, fmt: 'x', unit: 'g' });
    expect(cmd('x/s 0x1000')).toEqual({ kind: 'x', expr: '0x1000', count: undefined, fmt: 's', unit: undefined });
    expect(cmd('x')).toEqual({ kind: 'x', expr: undefined, count: undefined, fmt: undefined, unit: undefined });
    expect(cmd('p/x $rip')).toEqual({ kind: 'print', expr: '$rip', fmt: 'x', style: 'print' });
    expect(cmd('output 5')).toMatchObject({ kind: 'print', style: 'output' });
  });

  it('parses breakpoints, conditions, watchpoints and breakpoint lists', () => {
    expect(cmd('b *0x401136')).toEqual({ kind: 'break', location: '*0x401136', temporary: false, condition: undefined });
    expect(cmd('tbreak main')).toMatchObject({ temporary: true, location: 'main' });
    expect(cmd('break tick if counter == 3')).toMatchObject({ location: 'tick', condition: 'counter == 3' });
    expect(cmd('rwatch *(int*)0x404040')).toEqual({ kind: 'watch', expr: '*(int*)0x404040', access: 'read', location: false });
    expect(cmd('watch -l n->next')).toEqual({ kind: 'watch', expr: 'n->next', access: 'write', location: true });
    expect(cmd('awatch *(long*)$sp')).toMatchObject({ access: 'access' });
    expect(cmd('delete 1 3-5')).toEqual({ kind: 'delete', ids: [1, 3, 4, 5] });
    expect(cmd('disable 2')).toEqual({ kind: 'enable', ids: [2], enable: false, once: false });
    expect(cmd('continue 5')).toEqual({ kind: 'continue', count: 5 });
  });

  it('tells assignments from settings in `set`', () => {
    expect(cmd('set $rax = 5')).toEqual({ kind: 'set-expr', expr: '$rax = 5' });
    expect(cmd('set var x = 1')).toEqual({ kind: 'set-expr', expr: 'x = 1' });
    expect(cmd('set {char[4]} 0x1000 = "abc"')).toEqual({ kind: 'set-expr', expr: '{char[4]} 0x1000 = "abc"' });
    expect(cmd('set confirm off')).toEqual({ kind: 'setting', name: 'confirm', value: 'off' });
    expect(cmd('set disassembly-flavor att')).toMatchObject({ kind: 'setting', name: 'disassembly-flavor' });
  });

  it('parses snapshot and checkpoint commands', () => {
    expect(cmd('snapshot heap')).toEqual({ kind: 'snapshot', cmd: { op: 'heap' } });
    expect(cmd('snapshot &pt 24')).toEqual({ kind: 'snapshot', cmd: { op: 'take', start: '&pt', length: '24' } });
    expect(cmd('snapshot $sp - 64 128')).toEqual({ kind: 'snapshot', cmd: { op: 'take', start: '$sp - 64', length: '128' } });
    expect(cmd('snapshot mapping 3')).toEqual({ kind: 'snapshot', cmd: { op: 'mapping', index: 3 } });
    expect(cmd('snapshot diff 0x1000')).toEqual({ kind: 'snapshot', cmd: { op: 'diff', addr: '0x1000' } });
    expect(cmd('restore heap')).toEqual({ kind: 'restore', addr: 'heap' });
    expect(cmd('checkpoint before')).toEqual({ kind: 'checkpoint', name: 'before' });
    expect(cmd('checkpoint delete before')).toEqual({ kind: 'checkpoint-delete', name: 'before' });
    expect(cmd('rewind -f before')).toEqual({ kind: 'rewind', name: 'before', force: true });
    expect(cmd('rewind')).toEqual({ kind: 'rewind', name: undefined, force: false });
    expect(err('snapshot mapping x')).toMatch(/usage: snapshot mapping N/);
  });

  it('parses commands lists for breakpoints', () => {
    expect(cmd('commands')).toEqual({ kind: 'commands', ids: [] });
    expect(cmd('commands 2 3')).toEqual({ kind: 'commands', ids: [2, 3] });
  });

  it('marks the commands an empty line repeats', () => {
    expect(parseLine('si').repeats).toBe(true);
    expect(parseLine('c').repeats).toBe(true);
    expect(parseLine('x/4x $sp').repeats).toBe(true);
    expect(parseLine('b main').repeats).toBe(false);
    expect(parseLine('   ').command.kind).toBe('nop');
    expect(parseLine('# comment').command.kind).toBe('nop');
  });

  it('has help for every command', () => {
    expect(helpText(undefined).join('\n')).toContain('snapshot');
    expect(helpText('x')[0]).toBe('Examine memory: x/FMT ADDRESS.');
    expect(helpText('b').join('\n')).toMatch(/Set a breakpoint/);
  });
});

describe('signals', () => {
  it('has gdb defaults and applies handle with gdb implications', () => {
    const t = new SignalTable();
    expect(t.get('SIGSEGV')).toEqual({ stop: true, print: true, pass: true });
    expect(t.get('SIGALRM')).toEqual({ stop: false, print: false, pass: true });
    expect(t.get('SIGINT')).toEqual({ stop: true, print: true, pass: false });
    expect(t.apply('SIGUSR1', ['nostop', 'noprint'])).toEqual({ stop: false, print: false, pass: true });
    expect(t.apply('SIGUSR1', ['stop'])).toEqual({ stop: true, print: true, pass: true });
    expect(t.line('SIGSEGV')).toBe('SIGSEGV       Yes\tYes\tYes\t\tSegmentation fault');
    // gdb's names exactly, and numbers 1-15 in gdb's numbering (10 is SIGBUS, 7 SIGEMT)
    expect(parseSignal('SIGUSR1')).toEqual(['SIGUSR1']);
    expect(() => parseSignal('usr1')).toThrow('Unrecognized or ambiguous flag word: "usr1".');
    expect(() => parseSignal('SIGIOT')).toThrow(/Unrecognized/);
    expect(parseSignal('11')).toEqual(['SIGSEGV']);
    expect(parseSignal('10')).toEqual(['SIGBUS']);
    expect(parseSignal('6-7')).toEqual(['SIGABRT', 'SIGEMT']);
    expect(() => parseSignal('16')).toThrow(/^Only signals 1-15 are valid as numeric signals\.\n/);
    expect(signalNameOf(6)).toBe('SIGABRT');
    expect(signalNameOf(29)).toBe('SIGIO');
    expect(signalNameOf(16)).toBe('?');
    expect(signalNameOf(34)).toBe('SIG34');
    expect(() => parseSignal('SIGFOO')).toThrow(/Unrecognized/);
  });
});
