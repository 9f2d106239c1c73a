/**
 * strace's output discipline in tsdbg trace's printer (src/syscall/printer.ts):
 * a call split by another process's line, the result at column 40, pid
 * prefixes; and strace's string quoting (src/syscall/quote.ts). The
 * integration suite compares whole traces with strace; this pins the cases
 * a real run produces only when the scheduler wants.
 */
import { describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracePrinter } from '../../src/syscall/printer.js';
import { quoteBytes } from '../../src/syscall/quote.js';
import { seccompFilter } from '../../src/syscall/seccomp.js';
import { parseTraceSet } from '../../src/syscall/table.js';

const dir = mkdtempSync(join(tmpdir(), 'tsdbg-printer-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function printed(pidColumn: boolean, multi: boolean, body: (p: TracePrinter) => void): string {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(file, 'w');
  try {
    const p = new TracePrinter(fd, pidColumn, () => multi);
    body(p);
    p.flush();
  } finally {
    closeSync(fd);
  }
  return readFileSync(file, 'utf8');
}

describe('TracePrinter', () => {
  it('splits a call another process interrupts into <unfinished ...> and <... NAME resumed>, as strace -f -o', () => {
    const out = printed(true, true, (p) => {
      p.entry(100, 'wait4(-1, ');
      p.entry(101, 'write(1, "hi\\n", 3');
      p.exit(101, 'write', ')', '= 3');
      p.line(101, '+++ exited with 0 +++');
      p.exit(100, 'wait4', '[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL)', '= 101');
    });
    expect(out).toBe([
      '100   wait4(-1,  <unfinished ...>',
      '101   write(1, "hi\\n", 3)               = 3',
      '101   +++ exited with 0 +++',
      '100   <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101',
      '',
    ].join('\n'));
  });

  it('puts the result at column 40, one space past a longer line; [pid N] only while several are traced', () => {
    expect(printed(false, false, (p) => { p.entry(7, 'close(3'); p.exit(7, 'close', ')', '= 0'); }))
      .toBe(`close(3)${' '.repeat(32)}= 0\n`);
    expect(printed(false, true, (p) => { p.entry(12345, 'getpid('); p.exit(12345, 'getpid', ')', '= 12345'); }))
      .toBe(`[pid 12345] getpid()${' '.repeat(20)}= 12345\n`);
    const long = 'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC';
    expect(printed(false, false, (p) => { p.entry(7, long); p.exit(7, 'openat', ')', '= 3'); })).toBe(`${long}) = 3\n`);
  });
});

describe('strace quoting', () => {
  it('octal escapes, the short form unless a digit follows, C escapes, hex on request', () => {
    expect(quoteBytes(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 0, 0x31]))).toBe('"\\177ELF\\2\\1\\0001"');
    expect(quoteBytes(Buffer.from('a"b\\c\t\n\r\v\f'))).toBe('"a\\"b\\\\c\\t\\n\\r\\v\\f"');
    expect(quoteBytes(Buffer.from([0xae, 0x2c]), true)).toBe('"\\xae\\x2c"');
  });
});

describe('the seccomp filter', () => {
  it('checks the architecture, then jumps to TRACE for each chosen call and ALLOWs the rest', () => {
    const set = parseTraceSet('openat,read') as Set<number>;
    const f = seccompFilter(set)!;
    const insns = Array.from({ length: f.length / 8 }, (_, i) => ({
      code: f.readUInt16LE(i * 8), jt: f[i * 8 + 2], jf: f[i * 8 + 3], k: f.readUInt32LE(i * 8 + 4),
    }));
    expect(insns).toEqual([
      { code: 0x20, jt: 0, jf: 0, k: 4 },
      { code: 0x15, jt: 0, jf: 3, k: 0xc000003e },
      { code: 0x20, jt: 0, jf: 0, k: 0 },
      { code: 0x15, jt: 2, jf: 0, k: 0 },     // read -> TRACE
      { code: 0x15, jt: 1, jf: 0, k: 257 },   // openat -> TRACE
      { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 },
      { code: 0x06, jt: 0, jf: 0, k: 0x7ff00000 },
    ]);
    expect(parseTraceSet('%nosuch')).toEqual({ error: "invalid system call '%nosuch'" });
  });
});
