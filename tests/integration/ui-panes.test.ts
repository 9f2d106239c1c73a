/**
 * Each pane of the full-screen UI drawn from a fixed, frozen state
 * (ink-testing-library, 100 columns): what it shows, line by line.
 * Colours and keys are the end-to-end tests' (ui-screen.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createElement as h } from 'react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { frameLines } from './ink-frame.js';
import { deepFreeze, INITIAL_STATE, type BreakpointInfo, type DebuggerState, type Frame } from '../../src/debugger/state.js';
import type { Instruction } from '../../src/debugger/debugger.js';
import { REGISTER_NAMES, type Registers } from '../../src/target/types.js';
import { SourcePane } from '../../src/ui/source-pane.js';
import { AsmPane } from '../../src/ui/asm-pane.js';
import { RegistersPane } from '../../src/ui/registers-pane.js';
import { StackPane } from '../../src/ui/stack-pane.js';
import { BreakpointsPane } from '../../src/ui/breakpoints-pane.js';
import { ThreadsPane } from '../../src/ui/threads-pane.js';
import { LocalsPane } from '../../src/ui/locals-pane.js';
import { MemoryPane } from '../../src/ui/memory-pane.js';
import { CheckpointsPane } from '../../src/ui/checkpoints-pane.js';
import { ConsolePane } from '../../src/ui/console-pane.js';
import { OutputPane } from '../../src/ui/output-pane.js';
import { StatusLine } from '../../src/ui/status-line.js';
import { Screen } from '../../src/ui/app.js';
import { computeLayout, paneAt } from '../../src/ui/layout.js';
import { appendText, expandTabs, NO_LINES } from '../../src/ui/text.js';
import { parseKeys } from '../../src/ui/keys.js';
import { PROMPT, type UiView } from '../../src/ui/model.js';
import { FIXTURES } from '../fixtures/programs.js';

const SRC = path.join(FIXTURES, 'frames.c');
const source = { path: SRC, lines: readFileSync(SRC, 'utf8').split('\n').map(expandTabs) };

function bp(id: number, line: number, more: Partial<BreakpointInfo> = {}): BreakpointInfo {
  return deepFreeze({
    id, type: 'breakpoint', spec: `frames.c:${line}`, verified: true, address: 0x401000n + BigInt(line), locations: [0x401000n + BigInt(line)],
    function: 'inner', file: 'frames.c', path: SRC, line, enabled: true, temporary: false, hits: 0,
    condition: undefined, ignoreCount: 0, commands: [], ...more,
  });
}

function frame(level: number, fn: string, line: number | undefined, pc = 0x401130n + BigInt(level)): Frame {
  return deepFreeze({ level, pc, function: fn, file: line ? 'frames.c' : undefined, path: line ? SRC : undefined, line });
}

const lines = frameLines;

const size = { width: 100, height: 8, scroll: 0, focused: false };

describe('panes from frozen states', () => {
  it('source: the current line marked, breakpoint marks for hit, disabled and conditional ones', () => {
    const bps = [bp(1, 9, { hits: 2 }), bp(2, 11, { enabled: false }), bp(3, 12, { condition: 'x > 3' })];
    const out = lines(h(SourcePane, { ...size, source, frame: { line: 9, path: SRC }, breakpoints: bps }));
    expect(out[0]).toMatch(/^─ frames\.c ─+$/);
    expect(out).toHaveLength(8);
    expect(out.find((l) => /^B\+> 9\s+long x = c \* 3;$/.test(l))).toBeDefined();
    expect(out.find((l) => /^b- 11 /.test(l))).toBeDefined();
    expect(out.find((l) => /^b\? 12 /.test(l))).toBeDefined();
    // 7 rows centre line 9 (lines 6-12); scrolled down three lines, line 9 is the top one
    expect(out[1]).toMatch(/^\s+6$/);   // an empty line
    const down = lines(h(SourcePane, { ...size, scroll: 3, source, frame: { line: 9, path: SRC }, breakpoints: bps }));
    expect(down[1]).toMatch(/^B\+> 9 /);
  });

  it('asm: the pc marked, a breakpoint address marked', () => {
    const ins: Instruction[] = [0x401126n, 0x40112an, 0x401132n].map((a, i) => ({
      address: a, bytes: Buffer.from([0x90]), text: ['push   %rbp', 'mov    %rsp,%rbp', 'mov    -0x18(%rbp),%rdx'][i]!,
      symbol: `inner+${Number(a - 0x401126n)}`, function: 'inner', file: 'frames.c', path: SRC, line: 8,
    }));
    const out = lines(h(AsmPane, { ...size, instructions: ins, pc: 0x401132n, breakpoints: [bp(1, 9, { address: 0x401132n, locations: [0x401132n] })] }));
    expect(out[0]).toMatch(/^─ asm: inner /);
    expect(out).toContain('b+>0x401132 <inner+12>  mov    -0x18(%rbp),%rdx');
    expect(out).toContain('   0x401126 <inner+0>  push   %rbp');
  });

  it('registers: in columns, the pc first; no values without a stop', () => {
    const values = Object.fromEntries(REGISTER_NAMES.map((n, i) => [n, BigInt(i)])) as Registers;
    const out = lines(h(RegistersPane, { ...size, registers: { values: { ...values, rip: 0x401132n }, changed: ['rip'] } }));
    expect(out[1]).toMatch(/^rip\s+0x401132\s+rsp\s+0x13\s+rbp\s+0x4$/);   // 3 columns of 26 in 100
    expect(out[2]).toMatch(/^eflags\s+0x12\s+rax\s+0xa\s+rbx\s+0x5$/);
    expect(lines(h(RegistersPane, { ...size, registers: undefined }))[1]).toBe('[ Register Values Unavailable ]');
  });

  it('stack: gdb-style frame lines, the selected one marked', () => {
    const out = lines(h(StackPane, { ...size, frames: [frame(0, 'inner', 9), frame(1, 'middle', 17), frame(2, '__libc_start_call_main', undefined, 0x7ffff7c29d90n)], selected: 1 }));
    expect(out.slice(1, 4)).toEqual([' #0  inner at frames.c:9', '>#1  middle at frames.c:17', ' #2  0x7ffff7c29d90 in __libc_start_call_main']);
  });

  it('breakpoints: hit counts, conditions, disabled, pending, watchpoints', () => {
    const out = lines(h(BreakpointsPane, {
      ...size, breakpoints: [bp(1, 9, { hits: 1 }), bp(2, 11, { enabled: false, hits: 3 }), bp(3, 12, { condition: 'x > 3' }),
        bp(4, 0, { verified: false, function: undefined, file: undefined, path: undefined, line: undefined, spec: 'dlfunc' }),
        bp(5, 0, { type: 'hw watchpoint', spec: 'total' })],
    }));
    expect(out.slice(1, 6)).toEqual([
      '1  B+ inner at frames.c:9 (1 hit)', '2  B- inner at frames.c:11 (3 hits)', '3  b? inner at frames.c:12 if x > 3',
      '4  b+ <PENDING> dlfunc', '5  b+ hw watchpoint total']);
  });

  it('locals: a tree, + expandable, - expanded, nested rows indented', () => {
    const rows = [
      { key: '/round', depth: 0, name: 'round', value: '0', expandable: false, expanded: false },
      { key: '/n', depth: 0, name: 'n', value: '0x4052a0', expandable: true, expanded: true },
      { key: '/n/*n', depth: 1, name: '*n', value: '{value = 5, next = 0x405280}', expandable: true, expanded: false },
    ];
    expect(lines(h(LocalsPane, { ...size, rows, cursor: 1 })).slice(1, 4)).toEqual(['  round = 0', '- n = 0x4052a0', '  + *n = {value = 5, next = 0x405280}']);
    expect(lines(h(LocalsPane, { ...size, rows: [], cursor: 0 }))[1]).toBe('No locals.');
  });

  it('memory: a hexdump, 16 bytes a row from 80 columns, 8 below; an error in one line', () => {
    const bytes = Buffer.from('Hello, world!\x00\x01\x02abcdefgh', 'latin1');
    const out = lines(h(MemoryPane, { ...size, memory: { expression: 'buf', address: 0x404000n, bytes } }));
    expect(out[0]).toMatch(/^─ Memory: buf ─/);
    expect(out[1]).toBe('000000404000: 48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 00 01 02  Hello, world!...');
    expect(out[2]).toBe('000000404010: 61 62 63 64 65 66 67 68  abcdefgh');
    expect(lines(h(MemoryPane, { ...size, width: 60, memory: { expression: 'buf', address: 0x404000n, bytes } }))[1]).toBe('000000404000: 48 65 6c 6c 6f 2c 20 77  Hello, w');
    expect(lines(h(MemoryPane, { ...size, memory: { expression: 'nope', error: 'No symbol "nope" in current context.' } }))[1]).toBe('No symbol "nope" in current context.');
  });

  it('threads: the selected one starred', () => {
    const out = lines(h(ThreadsPane, { ...size, threads: [{ id: 1, tid: 100, name: 'threads', targetId: '' }, { id: 2, tid: 101, name: 'worker', targetId: '' }], selected: 101 }));
    expect(out.slice(1, 3)).toEqual(['  1 LWP 100 threads', '* 2 LWP 101 worker']);
  });

  it('checkpoints: a gauge of held bytes against the limit, the engine-held one starred', () => {
    const out = lines(h(CheckpointsPane, {
      ...size, limits: { checkpointBuffer: 64 << 20 }, snapshots: [],
      checkpoints: [{ name: 'c1', bytes: 32 << 20, regions: 3, inEngine: false, pc: 0x401132n }, { name: 'c2', bytes: 8192, regions: 3, inEngine: true, pc: 0x401140n }],
    }));
    expect(out[1]).toBe('[##########..........] 32.0 MiB of 64.0 MiB');
    expect(out.slice(2, 4)).toEqual(['  c1  32.0 MiB  pc 0x401132', '* c2  8.0 KiB  pc 0x401140']);
    expect(lines(h(CheckpointsPane, { ...size, limits: { checkpointBuffer: undefined }, snapshots: [], checkpoints: [] }))[1]).toMatch(/0 B of unlimited$/);
  });

  it('console: output then the prompt and what is typed; long lines wrap; no prompt while a command runs', () => {
    const text = appendText(NO_LINES, `Breakpoint 1, inner (c=14) at frames.c:9\n9\tlong x;\n${'x'.repeat(130)}\n`);
    const out = lines(h(ConsolePane, { ...size, console: text, prompt: PROMPT, input: 'next', busy: false }));
    expect(out.slice(1, 6)).toEqual(['Breakpoint 1, inner (c=14) at frames.c:9', '9       long x;', 'x'.repeat(100), 'x'.repeat(30), '(tsdbg) next']);
    const busy = lines(h(ConsolePane, { ...size, console: text, prompt: PROMPT, input: '', busy: true }));
    expect(busy.at(-1)).toBe('');
  });

  it("program output: the pty's text without its terminal controls, the end shown, scrolled back on request", () => {
    let out = NO_LINES;
    for (let i = 1; i <= 20; i++) out = appendText(out, `line ${i}\r\n`);
    out = appendText(out, '\x1b[2Jprogress 10%\rprogress 50%');
    expect(lines(h(OutputPane, { ...size, output: out })).slice(-2)).toEqual(['line 20', 'progress 50%']);
    expect(lines(h(OutputPane, { ...size, scroll: 5, output: out })).at(-1)).toBe('line 16');
  });

  it('status line: process, stop reason, engine, target', () => {
    const s: DebuggerState = deepFreeze({
      ...INITIAL_STATE, program: '/p/frames',
      process: { pid: 4242, state: 'stopped', exePath: '/p/frames', kind: 'local', origin: 'spawned', engine: 'userspace' },
      stop: { reason: 'breakpoint', thread: 4242, pc: 0x401132n, function: 'inner', file: 'frames.c', path: SRC, line: 9, breakpoints: [1], watch: [], signal: undefined, exitCode: undefined },
    });
    expect(lines(h(StatusLine, { state: s, width: 100 }))[0]!.trimEnd()).toBe('process 4242 | stopped: breakpoint 1 in inner at frames.c:9 | engine userspace | target local');
    expect(lines(h(StatusLine, { state: INITIAL_STATE, width: 100 }))[0]!.trimEnd()).toBe('no process');
  });
});

describe('the whole screen', () => {
  it('fills 140x24 exactly, every pane titled, the status line last', () => {
    const view: UiView = {
      state: INITIAL_STATE, console: appendText(NO_LINES, 'Reading symbols from frames...\n'), program: NO_LINES, input: '', prompt: PROMPT,
      busy: false, layoutName: 'split', layout: computeLayout(24, 140, 'split'), focus: 'cmd', scroll: {}, frames: [], asm: [], source: { path: SRC, lines: source.lines }, locals: [], localsCursor: 0,
    };
    const out = lines(h(Screen, { view }));
    expect(out).toHaveLength(24);
    const titles = out.filter((l) => l.startsWith('─ ')).join(' ');
    for (const t of ['frames.c', 'No Assembly Available', 'Stack', 'Locals', 'Breakpoints', 'Threads', 'Checkpoints', 'Console', 'Program output']) expect(titles).toContain(t);
    expect(out[23]!.trimEnd()).toBe('no process');
  });

  it('layouts: the panes of src, asm, split and regs; the mouse finds the pane under it', () => {
    expect(Object.keys(computeLayout(24, 80, 'src').panes).sort()).toEqual(['breakpoints', 'cmd', 'locals', 'output', 'src', 'stack']);
    expect(Object.keys(computeLayout(24, 80, 'regs', { checkpoints: true }).panes).sort()).toEqual(['checkpoints', 'cmd', 'locals', 'output', 'regs', 'src', 'stack']);
    expect(Object.keys(computeLayout(30, 140, 'src').panes).sort()).toEqual(['breakpoints', 'checkpoints', 'cmd', 'locals', 'output', 'src', 'stack', 'threads']);
    const l = computeLayout(24, 80, 'split');
    expect(paneAt(l, 0, 0)).toBe('src');
    expect(paneAt(l, l.panes.asm!.top, 5)).toBe('asm');
    expect(paneAt(l, 23, 79)).toBeUndefined();   // the status line
    expect(paneAt(l, l.panes.output!.top + 1, 79)).toBe('output');
  });

  it('keys: function keys, arrows, control keys, mouse wheel, text', () => {
    const ks = parseKeys('\x1b[15~\x1b[20;2~\x1b[Aab\x03\r\x1b[<64;10;5M\x7f');
    expect(ks.map((k) => `${k.shift ? 'S-' : ''}${k.name}${k.text ? `:${k.text}` : ''}`)).toEqual(
      ['f5', 'S-f9', 'up', 'char:a', 'char:b', 'ctrl:c', 'enter', 'wheelup', 'backspace']);
    expect(ks[7]).toMatchObject({ x: 10, y: 5 });
  });
});
