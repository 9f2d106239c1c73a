/**
 * The watch, register-group, syscalls and kernel-stats panes, and the
 * source pane's syntax colour, drawn from fixed states (ink-testing-library);
 * the layouts that show them. End to end: ui-watch-regs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createElement as h } from 'react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { frameLines } from './ink-frame.js';
import { deepFreeze, type RegisterState } from '../../src/debugger/state.js';
import { REGISTER_NAMES, type Registers } from '../../src/target/types.js';
import { WatchPane } from '../../src/ui/watch-pane.js';
import { RegistersPane } from '../../src/ui/registers-pane.js';
import { SyscallsPane } from '../../src/ui/syscalls-pane.js';
import { KstatsPane } from '../../src/ui/kstats-pane.js';
import { SourcePane } from '../../src/ui/source-pane.js';
import { computeLayout } from '../../src/ui/layout.js';
import { tokenize } from '../../src/ui/c-syntax.js';
import { expandTabs } from '../../src/ui/text.js';
import { FIXTURES } from '../fixtures/programs.js';

const lines = frameLines;

const size = { width: 100, height: 8, scroll: 0, focused: false };

describe('the new panes from frozen states', () => {
  it('watch: the expressions as a tree, or how to add one', () => {
    const rows = [
      { key: '/round', depth: 0, name: 'round', value: '0', expandable: false, expanded: false },
      { key: '/n', depth: 0, name: 'n', value: '0x4052a0', expandable: true, expanded: true },
      { key: '/n/*n', depth: 1, name: '*n', value: '{value = 5, next = 0x4052c0}', expandable: true, expanded: false },
    ];
    const out = lines(h(WatchPane, { ...size, rows, cursor: 1 }));
    expect(out[0]).toMatch(/^─ Watch ─+$/);
    expect(out.slice(1, 4)).toEqual(['  round = 0', '- n = 0x4052a0', '  + *n = {value = 5, next = 0x4052c0}']);
    expect(lines(h(WatchPane, { ...size, rows: [], cursor: 0 }))[1]).toBe('No expressions: display EXPR or tui watch EXPR.');
  });

  it('registers: the float group\'s lines after no general registers; the general group in columns', () => {
    const values = Object.fromEntries(REGISTER_NAMES.map((n, i) => [n, BigInt(i)])) as unknown as Registers;
    const registers: RegisterState = deepFreeze({ values, changed: [] });
    const fp = [
      { name: 'st0', text: 'st0            0                   (raw 0x00000000000000000000)' },
      { name: 'st1', text: 'st1            1.5                 (raw 0x3fffc000000000000000)' },
    ];
    const out = lines(h(RegistersPane, { ...size, registers, group: 'float', fp }));
    expect(out[0]).toMatch(/^─ Register group: float ─+$/);
    expect(out.slice(1, 3)).toEqual(fp.map((r) => r.text));
    const all = lines(h(RegistersPane, { ...size, registers, group: 'all', fp }));
    expect(all[1]).toMatch(/^rip\s+0x/);
    expect(all.filter((l) => l.startsWith('st'))).toHaveLength(0);   // below the general rows (8 lines shown)
    const system = lines(h(RegistersPane, { ...size, registers, group: 'system' }));
    expect(system[1]).toMatch(/^fs_base\s+0x\w+\s+gs_base\s+0x/);
  });

  it('syscalls: the newest last, a call not returned yet ends in ...; scrolled back from the end', () => {
    const calls = Array.from({ length: 10 }, (_, i) => ({
      seq: i + 1, tid: 100, number: 1, text: i === 9 ? 'write(1, "x\\n", 2 ...' : `write(1, "${i}\\n", 2) = 2`, done: i !== 9,
    }));
    const out = lines(h(SyscallsPane, { ...size, calls }));
    expect(out[0]).toMatch(/^─ Syscalls ─+$/);
    expect(out.at(-1)).toBe('write(1, "x\\n", 2 ...');
    expect(out[1]).toBe('write(1, "3\\n", 2) = 2');
    expect(lines(h(SyscallsPane, { ...size, scroll: 2, calls })).at(-1)).toBe('write(1, "7\\n", 2) = 2');
    expect(lines(h(SyscallsPane, { ...size, calls: [] }))[1]).toBe('No system calls caught: catch syscall [NAME...].');
  });

  it('kstats: the counts, or the reason there are none (wrapped to the pane)', () => {
    const shown = lines(h(KstatsPane, { ...size, kstats: { lines: ['Kernel operations of process 7 (tracer.ko):', 'kmalloc       12  +3', 'kfree          4  +0'] } }));
    expect(shown.slice(0, 4).map((l) => l.trimEnd())).toEqual(['─ Kernel stats ' + '─'.repeat(85), 'Kernel operations of process 7 (tracer.ko):', 'kmalloc       12  +3', 'kfree          4  +0']);
    const error = 'The kernel tracer is not loaded (no /proc/tracer): load kernel-patch/tracer\'s tracer.ko to count kernel operations.';
    const narrow = lines(h(KstatsPane, { ...size, width: 40, kstats: { error } }));
    expect(narrow.slice(1).join(' ').replace(/\s+/g, ' ').trim()).toBe(error);
    expect(lines(h(KstatsPane, { ...size, kstats: undefined }))[1]).toBe('The program is not being run.');
  });
});

describe('syntax colour', () => {
  it('tokenizes C: keywords, types, strings, comments across lines, numbers, preprocessor; the text unchanged', () => {
    const src = ['#include <stdio.h> /* hdr */', 'static long f(char *s) { /* a', '  b */ return s[0] == \'"\' ? 0x1fUL : 2.5e3; } // end', 'x1 = "a\\"b";'];
    const t = tokenize(src);
    t.forEach((line, i) => expect(line.map((x) => x.text).join('')).toBe(src[i]));
    const kinds = (i: number) => t[i]!.filter((x) => x.kind !== 'plain').map((x) => `${x.kind}:${x.text.trim()}`);
    expect(kinds(0)).toEqual(['preprocessor:#include <stdio.h>', 'comment:/* hdr */']);
    expect(kinds(1)).toEqual(['keyword:static', 'type:long', 'type:char', 'comment:/* a']);
    expect(kinds(2)).toEqual(['comment:b */', 'keyword:return', 'number:0', 'string:\'"\'', 'number:0x1fUL', 'number:2.5e3', 'comment:// end']);
    expect(kinds(3)).toEqual(['string:"a\\"b"']);
  });

  it('the source pane shows the same text with colour on (ink-testing-library draws no colours)', () => {
    const SRC = path.join(FIXTURES, 'frames.c');
    const source = { path: SRC, lines: readFileSync(SRC, 'utf8').split('\n').map(expandTabs) };
    const props = { ...size, source, frame: { line: 9, path: SRC }, breakpoints: [] };
    expect(lines(h(SourcePane, { ...props, colour: true }))).toEqual(lines(h(SourcePane, { ...props, colour: false })));
  });
});

describe('layouts with the new panes', () => {
  it('layout syscalls and kstats: the source over the pane; the watch pane after the locals', () => {
    const sys = computeLayout(24, 80, 'syscalls').panes;
    expect(sys.src!.top).toBe(0);
    expect(sys.syscalls!.top).toBe(sys.src!.height);
    expect(Object.keys(computeLayout(24, 80, 'kstats').panes)).toContain('kstats');
    const w = computeLayout(24, 80, 'src', { watch: true }).panes;
    expect(Object.keys(w).filter((n) => w[n as keyof typeof w]!.top === w.stack!.top)).toEqual(['stack', 'locals', 'watch']);
    const wide = computeLayout(24, 120, 'src', { watch: true }).panes;
    expect(Object.keys(wide).filter((n) => wide[n as keyof typeof wide]!.top === wide.stack!.top)).toEqual(['stack', 'locals', 'watch', 'breakpoints']);
  });
});
