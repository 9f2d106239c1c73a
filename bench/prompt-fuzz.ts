/**
 * A prompt fuzz: a real tsdbg session stopped at a breakpoint in
 * examples/bin/linked_list is fed a seeded random mix of hostile lines
 * (expressions, formats, addresses, sizes, deep nesting, huge numbers, odd
 * commands), each followed by an `echo` marker so every line of output is
 * charged to the input that printed it. A line "fails" when its output has
 * `internal error`, a V8 `Exception in ...`, a JS error name or a stack
 * trace; the process dying before the last marker fails too.
 *
 * tests/integration/prompt-fuzz.test.ts runs a fixed seed; `npm run bench`
 * (node dist/bench/prompt-fuzz.js [LINES] [SEED]) a longer run with a new
 * seed, printed so a failure can be replayed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));
const TSDBG = `${ROOT}bin/tsdbg.js`;
const PROG = `${ROOT}examples/bin/linked_list`;

/** mulberry32: a small seeded generator, the same sequence on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = ['n', 'head', 'round', 'n->value', 'n->next', '*n', 'n[0]', 'n[1000000000]', '&n', '&round', '$sp', '$pc', '$rip',
  '$eflags', '$1', '$', '$$', '$$9', '$nosuch', '$_', '$_exitcode', 'main', 'print_list', 'sum_list(0)', 'sizeof(int)', 'sizeof n',
  '0', '1', '-1', '0x7fffffff', '2147483648', '4294967296', '18446744073709551615', '18446744073709551616',
  '99999999999999999999999999999', '1.5', '1e308', '1e999', "'a'", "'\\0'", '"str"', '""', "'", '"', 'nosuch', 'struct', 'int',
  'n@entry', 'round@entry', 'n@2', 'n@0', 'n@-1', '(char)65', '{int} n', '{long} 0'];
const BINOPS = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '&&', '||', '==', '!=', '<', '>', '<=', '>=', ',', '=', '+=', '@'];
const UNOPS = ['-', '!', '~', '*', '&', '+', '++', '--', 'sizeof '];
const CASTS = ['(char)', '(long)', '(unsigned char)', '(struct node *)', '(void *)', '(double)', '(int[3])', '(struct nosuch *)', '(unsigned long long)'];
const FORMATS = ['x', 'd', 'u', 'o', 't', 'c', 'a', 'z', 's', 'i', 'f', 'q', ''];
const UNITS = ['b', 'h', 'w', 'g', '', 'k'];
const COUNTS = ['', '0', '1', '3', '-2', '100000', '2147483647', '2147483648', '4294967295', '4294967296', '9'.repeat(150), '-0', '1e3'];
const ADDRS = ['n', '$sp', '$pc', '0', 'main', '"str"', '-1', '&head', 'n->next', '0xffffffffffffffff', '$sp+4', '*n', ''];

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]!;
}

function expr(r: () => number, depth = 0): string {
  const k = r();
  if (depth > 3 || k < 0.3) return pick(r, ATOMS);
  if (k < 0.55) return `${expr(r, depth + 1)} ${pick(r, BINOPS)} ${expr(r, depth + 1)}`;
  if (k < 0.7) return `${pick(r, UNOPS)}${expr(r, depth + 1)}`;
  if (k < 0.8) return `${pick(r, CASTS)}${expr(r, depth + 1)}`;
  if (k < 0.9) return `(${expr(r, depth + 1)})`;
  return `${expr(r, depth + 1)} ? ${expr(r, depth + 1)} : ${expr(r, depth + 1)}`;
}

/** Very deep or very long expressions, of the kinds that overflowed the JS stack. */
function deep(r: () => number): string {
  const n = 1 + Math.floor(r() * 6000);
  switch (Math.floor(r() * 10)) {
    case 0: return '('.repeat(n) + '1' + ')'.repeat(n);
    case 1: return Array(n).fill('1').join(pick(r, ['+', '*', '-', '&&', '||', ',', '<<']));
    case 2: return 'n' + '->next'.repeat(n);
    case 3: return pick(r, CASTS).repeat(n) + '1';
    case 4: return pick(r, ['!', '~', '-', '*', '&']).repeat(n) + 'n';
    case 5: return '-('.repeat(n) + '1' + ')'.repeat(n);
    case 6: return '1+('.repeat(n) + '1' + ')'.repeat(n);
    case 7: return '1?'.repeat(n) + '1' + ':1'.repeat(n);
    case 8: return 'n[0]'.repeat(1) + '[0]'.repeat(n);
    default: return 'sizeof '.repeat(n) + 'n';
  }
}

function line(r: () => number): string {
  const e = () => (r() < 0.12 ? deep(r) : expr(r));
  switch (Math.floor(r() * 16)) {
    case 0: case 1: case 2: return `print ${e()}`;
    case 3: return `print/${pick(r, FORMATS)} ${e()}`;
    case 4: return `output ${e()}`;
    case 5: case 6: return `x/${pick(r, COUNTS)}${pick(r, FORMATS)}${pick(r, UNITS)} ${r() < 0.5 ? pick(r, ADDRS) : e()}`;
    case 7: return `${pick(r, ['whatis', 'ptype', 'ptype/o', 'print sizeof'])} ${e()}`;
    case 8: return `${pick(r, ['break', 'tbreak', 'info line', 'list'])} ${pick(r, ['18446744073709551615', '4294967296', '-1', '0', '+99999999999999999999', 'linked_list.c:' + pick(r, COUNTS), '*' + pick(r, ADDRS), 'nosuch', 'push', '*0'])}`;
    case 9: return `${pick(r, ['info symbol', 'info address', 'info scope', 'display', 'display/i', 'undisplay'])} ${e()}`;
    case 10: return `set var ${pick(r, ['round', '$x', 'n->value', '$rax', 'head'])} = ${e()}`;
    case 11: return `${pick(r, ['frame', 'up', 'down', 'info frame', 'bt', 'bt -', 'ignore 1', 'condition 1', 'delete', 'disable', 'enable'])} ${pick(r, COUNTS)}`;
    case 12: return pick(r, ['checkpoint', 'checkpoints', 'info registers', 'info all-registers', 'info locals', 'info args', 'info display',
      'info breakpoints', 'snapshot stack', 'snapshots', 'info sharedlibrary', 'info proc mappings', 'p $_siginfo', 'info signals']);
    case 13: return Array.from({ length: 1 + Math.floor(r() * 60) }, () => String.fromCharCode(1 + Math.floor(r() * 126))).join('').replace(/[\n\r]/g, ' ');
    case 14:
      if (r() < 0.5) return `p ${pick(r, ATOMS)}${pick(r, ['', '[', ']', '(', ')', '->', '.', '::', '@', '?', ':', '{', '}'])}${pick(r, ATOMS)}`;
      return `${pick(r, ['p *n@', 'p n->value@', 'output round@', 'ptype int[', 'p sizeof(char[', 'whatis (char[', 'list ', 'list 1,', 'info line ',
        'up ', 'down ', 'frame ', 'snapshot n ', 'snapshot stack ', 'snapshot mapping ', 'snapshot show ', 'snapshot diff ', 'disassemble 0,',
        'info symbol ', 'display/', 'undisplay ', 'checkpoint delete ', 'tbreak *', 'x/s ', 'x/i '])}${pick(r, COUNTS)}${r() < 0.3 ? pick(r, ['])', ']', ')', 'xb n', 's n']) : ''}`;
    default: return `print ${'9'.repeat(1 + Math.floor(r() * 400))}${pick(r, ['', 'u', 'l', 'ul', 'x', '.', 'e9999'])}`;
  }
}

/** Lines that must not reach the fuzz: they leave the stop, quit, or start multi-line input. */
const FORBIDDEN = /^\s*(r(un)?|start|c(ont(inue)?)?|s(tep)?|n(ext)?|stepi|nexti|si|ni|fin(ish)?|until|advance|jump|kill|q(uit)?|detach|attach|signal|call|commands|define|document|while|if|source|shell|file|rewind|return|target|echo|end)\b/;

export function fuzzLines(seed: number, count: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  while (out.length < count) {
    const l = line(r);
    if (!FORBIDDEN.test(l) && !l.includes('\\n')) out.push(l);
  }
  return out;
}

const BAD = /internal error|Exception in |RangeError|TypeError|ReferenceError|SyntaxError:|Maximum call stack|^[ \t]+at \S.*:\d+:\d+\)?$/m;

export interface FuzzResult {
  lines: number;
  /** Input lines whose output showed an internal error, with that output. */
  failures: Array<{ line: string; output: string }>;
  /**
   * Lines still busy after QUIET_MS, ended with Ctrl-C (SIGINT: gdb's Quit) — a command gdb also runs for
   * minutes, such as x/2147483647b after x/s, which examines two billion strings in both.
   */
  quit: string[];
  /** The session ended before the last line (a crash). */
  died: boolean;
  exitCode: number | null;
}

/** How long one line may print or compute before the fuzz sends Ctrl-C. */
const QUIET_MS = 20_000;

/** One tsdbg session at `break print_list` fed `lines`, each followed by a marker. */
export async function runFuzz(lines: string[], timeoutMs = 300_000, prog = PROG): Promise<FuzzResult> {
  const script = ['break print_list', 'run'];
  lines.forEach((l, i) => script.push(l, `echo \\n@@FUZZ ${i}@@\\n`));
  script.push('echo \\n@@FUZZ END@@\\n', 'kill', 'quit');
  const child = spawn('sh', ['-c', 'exec "$@" 2>&1', 'sh', process.execPath, TSDBG, 'run', prog], { cwd: ROOT, stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  let marks = 0;
  let lastMark = Date.now();
  const quit: string[] = [];
  let scanned = 0;
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    // count the markers that arrived (from a little before the chunk: one may straddle two)
    for (let i = out.indexOf('@@FUZZ ', scanned); i >= 0; i = out.indexOf('@@FUZZ ', i + 1)) { marks++; lastMark = Date.now(); scanned = i + 1; }
    scanned = Math.max(scanned, out.length - 8);
  });
  const exitCode = await new Promise<number | null>((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const watch = setInterval(() => {
      if (Date.now() > deadline) { child.kill('SIGKILL'); return; }
      if (Date.now() - lastMark < QUIET_MS) return;
      quit.push(lines[marks] ?? '(start)');
      lastMark = Date.now();
      child.kill('SIGINT');   // sh exec'd node: the signal reaches tsdbg
    }, 1000);
    child.on('exit', (code) => { clearInterval(watch); resolve(code); });
    child.stdin.on('error', () => undefined);   // it died with input unread: reported as died below
    child.stdin.end(`${script.join('\n')}\n`);
  });
  const failures: FuzzResult['failures'] = [];
  const parts = out.split(/\n?@@FUZZ (\d+|END)@@\n/);
  // parts: [before line 0's marker, "0", between markers 0 and 1, "1", ...]
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const idx = parts[i + 1]!;
    if (idx === 'END') break;
    if (BAD.test(parts[i]!)) failures.push({ line: lines[Number(idx)]!, output: parts[i]!.slice(0, 2000) });
  }
  const died = !out.includes('@@FUZZ END@@');
  if (died) {
    const last = parts.length >= 2 ? Number(parts[parts.length - 2]) : -1;
    failures.push({ line: lines[Number.isNaN(last) ? 0 : last + 1] ?? '(start)', output: parts[parts.length - 1]!.slice(-2000) });
  }
  return { lines: lines.length, failures, quit, died, exitCode };
}

/** The output lines that made a line fail (for the report). */
export function badLines(output: string): string[] {
  return output.split('\n').filter((l) => BAD.test(l)).slice(0, 3);
}

async function main(argv: string[]): Promise<number> {
  const count = Number(argv[0] ?? 3000);
  const seed = Number(argv[1] ?? Math.floor(Math.random() * 0x7fffffff));
  process.stdout.write(`prompt fuzz: ${count} lines, seed ${seed} (replay: node dist/bench/prompt-fuzz.js ${count} ${seed})\n`);
  // the same program without debug info too: the built-in evaluator (src/commands/expr.ts)
  const dir = mkdtempSync(join(tmpdir(), 'tsdbg-fuzz-'));
  let failed = 0;
  try {
    const nodebug = join(dir, 'linked_list_nodebug');
    execFileSync('gcc', ['-O0', '-o', nodebug, `${ROOT}examples/linked_list.c`]);
    for (const [what, prog] of [['DWARF', PROG], ['no debug info', nodebug]] as const) {
      const t0 = Date.now();
      const res = await runFuzz(fuzzLines(seed, count), 1_800_000, prog);
      for (const q of res.quit) process.stdout.write(`  still busy after ${QUIET_MS / 1000} s, ended with Ctrl-C: ${q.slice(0, 160)}\n`);
      for (const f of res.failures.slice(0, 20)) process.stdout.write(`  FAIL: ${f.line.slice(0, 160)}\n    ${badLines(f.output).join('\n    ')}\n`);
      process.stdout.write(`prompt fuzz (${what}): ${res.failures.length} lines with an internal error of ${count}${res.died ? ' (tsdbg died)' : ''}, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      failed += res.failures.length;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
