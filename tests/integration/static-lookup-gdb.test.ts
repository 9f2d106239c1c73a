/**
 * A static variable several files define, looked up with no frame (before `run`): gdb searches the
 * static block of the current source file (`list`'s: main's file until something is listed), as
 * parse_exp_in_context does, so `list FILE:LINE` decides which one `p` and `whatis` see. With a frame,
 * the frame's file decides; 'FILE'::NAME names one. (With no file defining it in scope, gdb 13's
 * pick among the others follows its name index, which depends on its worker-thread count: not
 * compared.)
 */
import { describe, it } from 'vitest';
import { build, compareWithGdb } from './gdb-compare.js';

const SRC = ['tests/fixtures/statics/st_a.c', 'tests/fixtures/statics/st_main.c', 'tests/fixtures/statics/st_b.c'];
const NONE = /^$/;

describe('static lookup with no frame follows the current source file, as gdb', () => {
  for (const opt of ['-O0', '-O2'] as const) {
    it(`${opt}: main's file, then the listed file; a frame's file`, () => {
      const prog = build(SRC, `static_lookup${opt}`, opt);
      compareWithGdb(prog, NONE, [
        'p level', 'whatis level',
        'list st_b.c:1,2', 'p level', 'whatis level',
        'list get_a', 'p level', 'whatis level', 'p sizeof(level)',
        'list st_main.c:1,1', 'p level',
        'break get_b', 'run', 'p level', 'whatis level',
      ]);
    });
  }

  it("'FILE'::NAME and 'FUNCTION'::NAME name one file's static, with gdb's errors", () => {
    const prog = build(SRC, 'static_lookup-O0', '-O0');
    compareWithGdb(prog, NONE, [
      "p 'st_a.c'::level", "whatis 'st_b.c'::level", "p &'st_b.c'::level", "p 'st_a.c'::level + 1", "p 'get_a'::level",
      "p 'st_a.c'::get_b", "ptype 'st_main.c'::main", "p 'nosuch.c'::level", "p 'st_a.c'::nosuch",
      'break get_b', 'run', "p 'st_a.c'::level", "p 'st_main.c'::level", 'p level',
    ]);
  });

  it("'FILE'::NAME without debug info: gdb's errors", () => {
    const prog = build(SRC, 'static_lookup-nodebug', '-O0', false);
    compareWithGdb(prog, NONE, ["p 'st_a.c'::level", "p 'main'::level", "p 'level'::x"]);
  });
});
