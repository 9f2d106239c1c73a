/**
 * `printf "FORMAT", ARGS...` beside gdb 13, line for line, on a stopped
 * program: every conversion with its flags, width, precision and length
 * modifier; integers cast to the conversion's C type; %f of an integer
 * read as a float of its size (gdb's float_type_from_length); %s of a
 * pointer, an array, a literal and a null pointer; halves rounded to even;
 * and each of gdb's errors for a bad format or the wrong arguments.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const TSDBG = join(ROOT, 'bin/tsdbg.js');
const PRINTFS: string[] = [
  "printf \"%d %s %c|%5d|%-5d|%x %#x %o\\n\", x, str, c, x, x, x, x, x",
  "printf \"%f %g %e %.2f\\n\", d, d, d, d",
  "printf \"%ld %lu %u %lx\\n\", big, big, u, big",
  "printf \"%p %s\\n\", str, v.name",
  "printf \"%5.2s|\\n\", str",
  "printf \"%%\\n\"",
  "printf",
  "printf \"abc",
  "printf \"%d\\n\"",
  "printf \"%d\\n\", x, x",
  "printf \"%d\\n\", v",
  "printf \"%s\\n\", x",
  "printf \"%q\\n\", x",
  "printf \"%f\\n\", x",
  "printf \"%d\\n\", d",
  "printf \"%c%c\\n\", 65, 66",
  "printf \"no newline\"",
  "printf \"%s\\n\", 0",
  "printf \"%5c|\\n\", c",
  "printf \"%hhd %hd\\n\", 300, 70000",
  "printf \"%lld %llx\\n\", big, big",
  "printf \"%f\\n\", f",
  "printf \"%z\\n\", x",
  "printf \"%n\\n\", x",
  "printf \"%s\\n\", \"lit\"",
  "printf \"%d %d\\n\", x+1, (x*2)",
  "printf \"\\t\\\"q\\\" \\\\ \\101\\n\"",
  "printf \"%*d\\n\", 5, x",
  "printf \"%+d|% d|%05d|%-+6d|%.3d|%#o|%X|%#X\\n\", x, x, x, x, x, x, x, x",
  "printf \"%10.3f|%-10.1e|%G|%g\\n\", d, d, d, 1e20",
  "printf \"%p %p\\n\", 0, &x",
  "printf \"%d\\n\", str",
  "printf \"%s\\n\", c",
  "printf \"%u\\n\", -1",
  "printf \"%ld\\n\", 1.9",
  "printf \"%lu\\n\", sizeof(v)",
  "printf \"%s|\\n\", v",
  "printf \"%d\" x",
  "printf \"%s\\n\", &v.name",
  "printf \"%.0f|%#.0f|%e\\n\", 2.5, 2.5, 0.0",
  "printf \"%Lf\\n\", d",
  "printf \"%lf\\n\", d",
  "printf \"%f\\n\", big",
  "printf \"%5%|\\n\"",
  "printf \"%-8p|\\n\", 0",
  "printf \"%g %g %g %g\\n\", 0.0001, 0.00001, 123456.0, 1234567.0",
  "printf \"%#g %#x %#o\\n\", 1.0, 0, 0",
  "printf \"%.3s|%.10s|\\n\", str, str",
  "printf \"%e\\n\", 1e300*1e10",
  "printf \"%.2f %.2f %.1f\\n\", 0.125, 0.375, 0.25",
  "printf \"%s %d\\n\", str, x",
];

/** printf's output after the breakpoint stop, then the errors in order (one terminal-less run each). */
function session(argv: string[]): string[] {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: ROOT, env: { ...process.env, LANG: 'C.UTF-8' } });
  const lines = r.stdout.split('\n');
  const from = lines.findIndex((l) => l.startsWith('Breakpoint 1, main'));
  return [...lines.slice(from + 2), ...r.stderr.split('\n').filter((l) => l !== '' && !/^warning: /.test(l))];
}

describe('printf, as gdb', () => {
  it('formats every kind of argument and refuses bad formats with gdb\'s words', () => {
    const prog = fixture('printf_args');
    const ex = ['break 18', 'run', ...PRINTFS].flatMap((c) => ['-ex', c]);
    const gdb = session(['gdb', '-nx', '-batch', ...ex, prog]);
    const ours = session([process.execPath, TSDBG, 'run', '--batch', ...ex, prog]);
    // (the reference shows what the test is about)
    expect(gdb).toContain('42 hello Z|   42|42   |2a 0x2a 52');
    expect(gdb).toContain('Wrong number of arguments for specified format-string');
    expect(gdb.length).toBeGreaterThan(30);
    expect(ours).toEqual(gdb);
  });
});
