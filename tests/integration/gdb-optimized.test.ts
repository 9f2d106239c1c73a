/**
 * -O2 frames and variables as gdb 13 shows them, line for line on the same
 * programs: tail-call frames (DW_TAG_call_site with DW_AT_call_tail_call)
 * in bt, up, info frame and finish; parameters' entry values through them
 * (x=x@entry=6); location lists whose empty entries hold at a function's
 * entry; locals of nested blocks; the C library's own tail call under
 * abort() (__pthread_kill_internal) and its inlined frames.
 */
import { describe, expect, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

/** abi_signals prints nothing. */
const SILENT = /(?!)/;

describe('optimized code: frames and values as gdb shows them', () => {
  it('tail calls in the program: bt, up/down, info frame, finish past them (-O2)', () => {
    const prog = build('tests/fixtures/opt_tailcall.c', 'opt_tailcall-O2', '-O2');
    const out = compareWithGdb(prog, /^\d+$/, ['break leaf', 'run', 'bt', 'info frame', 'up', 'info frame', 'info args', 'p x',
      'up', 'info frame', 'p x', 'up', 'info frame', 'down', 'down', 'down', 'finish']);
    expect(out).toContainEqual(expect.stringMatching(/^#1  0x[0-9a-f]+ in mid \(x=4\) at tests\/fixtures\/opt_tailcall\.c:15$/));
    expect(out).toContain(' tail call frame, caller of frame at 0x<stack>');
    expect(out).toContainEqual(expect.stringMatching(/^Breakpoint 1, leaf \(x=x@entry=6\) at /));
  });

  it('entry values only through a call site with a known target: not when its origin is an abstract instance (-O2)', () => {
    const prog = build('tests/fixtures/opt_entry.c', 'opt_entry-O2', '-O2');
    const out = compareWithGdb(prog, /^\(none\)/, ['break copy_name', 'break leaf', 'run', 'bt', 'continue', 'continue', 'bt']);
    expect(out).toContainEqual(expect.stringMatching(/^Breakpoint 1\.1, copy_name \(to=0x[0-9a-f]+ <in_name> "", from=0x[0-9a-f]+ "\(none\)"\) at /));
    expect(out).toContainEqual(expect.stringMatching(/^Breakpoint 2, leaf \(x=x@entry=7, tag=tag@entry=0x[0-9a-f]+ <in_name> "\(none\)"\) at /));
  });

  it('a parameter an IPA-SRA clone no longer takes (DW_OP_GNU_parameter_ref): from the caller\'s call site, in bt and print (-O2)', () => {
    const prog = build('tests/fixtures/opt_paramref.c', 'opt_paramref-O2', '-O2');
    const out = compareWithGdb(prog, /^round \d+$/, ['break emit', 'run', 'bt', 'frame 1', 'p strm', 'p *strm', 'info args',
      'up', 'p strm', 'down', 'p strm->state->mode']);
    expect(out).toContainEqual(expect.stringMatching(/^#1  0x[0-9a-f]+ in handle \(strm=0x<stack>\) at /));
  });

  it('break FUNC where a call inlined into FUNC starts at the location: FUNC\'s frame, unless that call has a breakpoint too (-O2)', () => {
    const prog = build('tests/fixtures/opt_bpinline.c', 'opt_bpinline-O2', '-O2');
    const out = compareWithGdb(prog, /^[\d.]+ \d+$/, ['break create_number', 'run', 'bt', 'p num', 'finish', 'continue', 'bt']);
    expect(out).toContainEqual(expect.stringMatching(/^Breakpoint 1, create_number \(num=/));
    compareWithGdb(prog, /^[\d.]+ \d+$/, ['break create_number', 'break new_item', 'run', 'bt', 'continue', 'p $->valueint', 'p $.valueint']);
  });

  it('the same program at -O0: no tail-call frames', () => {
    const prog = build('tests/fixtures/opt_tailcall.c', 'opt_tailcall-O0', '-O0');
    compareWithGdb(prog, /^\d+$/, ['break leaf', 'run', 'bt', 'info frame', 'up', 'info frame', 'finish']);
  });

  for (const opt of ['-O0', '-O2'] as const) {
    it(`locals of nested blocks, location lists at the entry and mid-function (${opt})`, () => {
      const prog = build('tests/fixtures/opt_blocks.c', `opt_blocks${opt}`, opt);
      compareWithGdb(prog, /^\d+ \d+$/, ['break main', 'break 12', 'run', 'info locals', 'p total', 'p outer', 'continue',
        'info locals', 'bt', 'next', 'info locals', 'step', 'info locals', 'finish', 'info locals', 'continue', 'info locals']);
    });
  }

  it('info locals at a hidden inlined call (its caller\'s blocks) and in inlined calls (the abstract origin\'s variables too) (-O2)', () => {
    const inline = build('tests/integration/step-inline.c', 'step-inline-O2', '-O2');
    compareWithGdb(inline, /^(\d+|total \d+ odd \d+)$/, ['break main', 'run', 'info locals', 'next', 'info locals', 'next',
      'info locals', 'step', 'info locals', 'step', 'info locals', 'up', 'info locals', 'finish', 'info locals']);
    const list = build('examples/linked_list.c', 'linked_list-O2', '-O2');
    const out = compareWithGdb(list, /^round \d+:/, ['break push', 'run', 'info locals', 'info args', 'up', 'info locals',
      'continue', 'info locals']);
    // (double_values is inlined from an empty range first: the location is where its code starts)
    compareWithGdb(list, /^round \d+:/, ['break double_values', 'info breakpoints', 'run', 'bt', 'info locals', 'next', 'step']);
    // gdb lists push's n twice: the concrete one of its lexical block, and the abstract one it inherits.
    expect(out.filter((l) => l === 'n = <optimized out>').length).toBeGreaterThanOrEqual(2);
  });

  it('a signal at the first instruction of an inlined call: frame 0 is its caller, as at any stop but a breakpoint\'s (-O2)', () => {
    const prog = build('examples/crash.c', 'crash-O2', '-O2');
    compareWithGdb(prog, /^about to crash$/, ['run', 'bt', 'info locals', 'info frame']);
    compareWithGdb(prog, /^about to crash$/, ['break read_verbose', 'run', 'bt', 'finish', 'bt', 'info locals']);
  });

  it('abort(): the C library\'s tail call and inlined frames in bt, entry values, info frame in each', () => {
    const prog = build('tests/fixtures/abi_signals.c', 'abi_signals-O0', '-O0');
    const out = compareWithGdb(prog, SILENT, ['run', 'bt', 'info frame', 'frame 1', 'info frame', 'info locals', 'up',
      'info frame', 'info args', 'frame 4', 'finish']);
    expect(out).toContainEqual(expect.stringMatching(/^#1  0x[0-9a-f]+ in __pthread_kill_internal \(signo=6, threadid=<optimized out>\) at /));
    expect(out).toContainEqual(expect.stringMatching(/^#0  __pthread_kill_implementation \(.*signo=signo@entry=6, no_tid=no_tid@entry=0\) at /));
    expect(out).toContainEqual(expect.stringMatching(/^#4  0x[0-9a-f]+ in crash \(sig=0\) at tests\/fixtures\/abi_signals\.c:8$/));
  });
});
