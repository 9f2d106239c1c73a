/**
 * The `tsdbg test` script language (`*.tsdbg`): parsed into statements that
 * each carry the FILE:LINE they were written at, so every failure and every
 * syntax error names its line.
 *
 *   file ../bin/struct_loop            # relative to the script's folder
 *   break tick                         # any console command, one a line
 *   test "x grows" {
 *     run
 *     expect p->x == 2
 *     checkpoint start
 *     foreach $n in 1, 5, 9 {
 *       set var p->x = $n
 *       next
 *       expect p->x == $n
 *       rewind start
 *     }
 *   }
 */
import { parseLine } from '../commands/parse.js';

export interface Loc { file: string; line: number }

export class ScriptError extends Error {
  constructor(readonly loc: Loc, message: string) { super(`${loc.file}:${loc.line}: ${message}`); }
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Expectation =
  | { kind: 'compare'; lhs: string; op: CompareOp; rhs: string }
  | { kind: 'true'; expr: string }
  | { kind: 'contains'; lhs: string; rhs: string }
  | { kind: 'matches'; lhs: string; re: RegExp }
  | { kind: 'stop'; at: string }
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'output'; re: RegExp }
  | { kind: 'memory'; addr: string; bytes: Buffer }
  | { kind: 'snapshot'; addr: string; what: 'none' | 'changed'; fields?: undefined }
  | { kind: 'snapshot'; addr: string; what: 'only'; fields: string[] }
  | { kind: 'no-leak' }
  /** Stopped at a `catch syscall` stop of `name` (at its entry or return), and `field OP value` holds. */
  | { kind: 'syscall'; name: string; at: 'entry' | 'return' | undefined; field?: SyscallField; op?: CompareOp; value?: string };

/** What `expect syscall NAME FIELD OP VALUE` compares: the path argument, argument N, the result, the errno. */
export type SyscallField = 'path' | 'ret' | 'errno' | `arg${number}`;

export type Stmt =
  | { kind: 'command'; text: string; loc: Loc }
  | { kind: 'file'; path: string; args: string[]; loc: Loc }
  | { kind: 'expect'; expect: Expectation; text: string; loc: Loc }
  | { kind: 'checkpoint'; name: string; loc: Loc }
  | { kind: 'rewind'; name: string; loc: Loc }
  | { kind: 'foreach'; variable: string; values: string[]; body: Stmt[]; loc: Loc }
  | { kind: 'retry'; count: number; body: Stmt[]; loc: Loc }
  | { kind: 'call'; name: string; args: string[]; loc: Loc };

export interface TestBlock {
  name: string;
  reuse: boolean;
  /** `timeout S` after the name: this test's own bound, in seconds (default: --timeout). */
  timeoutS?: number;
  body: Stmt[];
  loc: Loc;
}

export interface Script {
  file: string;
  /** Top-level statements: run in each test's fresh debugger, before `before`. */
  prelude: Stmt[];
  before: Stmt[];
  after: Stmt[];
  defines: Map<string, Stmt[]>;
  /** No `test` block: the whole script is one test named after the file. */
  tests: TestBlock[];
}

/** Parse a script's text; throws ScriptError (FILE:LINE: message) at the first error. */
export function parseScript(text: string, file: string): Script {
  const lines = text.split(/\r?\n/);
  const script: Script = { file, prelude: [], before: [], after: [], defines: new Map(), tests: [] };
  // the open blocks, innermost last
  type Frame = { kind: 'top' | 'test' | 'before' | 'after' | 'foreach' | 'retry'; body: Stmt[]; loc: Loc; finish?: () => void };
  const stack: Frame[] = [{ kind: 'top', body: script.prelude, loc: { file, line: 0 } }];
  let define: { name: string; body: Stmt[]; loc: Loc } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const loc: Loc = { file, line: i + 1 };
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const top = stack[stack.length - 1]!;
    if (define) {
      if (line === 'end') { script.defines.set(define.name, define.body); define = undefined; continue; }
      define.body.push(statement(line, loc, script));
      continue;
    }
    if (line === '}') {
      if (top.kind === 'top') throw new ScriptError(loc, 'unbalanced "}": no block is open');
      stack.pop();
      top.finish?.();
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^test\s+"((?:[^"\\]|\\.)*)"\s*(reuse\s*)?(?:timeout\s+(\d+)\s*)?\{$/.exec(line))) {
      if (top.kind !== 'top') throw new ScriptError(loc, '"test" blocks go at the top level of a script');
      if (m[3] !== undefined && Number(m[3]) < 1) throw new ScriptError(loc, 'a test\'s timeout is at least 1 second');
      const t: TestBlock = { name: m[1]!.replace(/\\(.)/g, '$1'), reuse: Boolean(m[2]), body: [], loc };
      if (m[3] !== undefined) t.timeoutS = Number(m[3]);
      script.tests.push(t);
      stack.push({ kind: 'test', body: t.body, loc });
      continue;
    }
    if (/^test\b/.test(line)) throw new ScriptError(loc, 'expected test "NAME" [reuse] [timeout S] {');
    if ((m = /^(before|after)\s*\{$/.exec(line))) {
      if (top.kind !== 'top') throw new ScriptError(loc, `"${m[1]}" blocks go at the top level of a script`);
      const kind = m[1] as 'before' | 'after';
      stack.push({ kind, body: script[kind], loc });
      continue;
    }
    if ((m = /^define\s+([A-Za-z_][\w-]*)$/.exec(line))) {
      if (top.kind !== 'top') throw new ScriptError(loc, '"define" goes at the top level of a script');
      define = { name: m[1]!, body: [], loc };
      continue;
    }
    if (/^define\b/.test(line)) throw new ScriptError(loc, 'expected define NAME (then its commands, then end)');
    if (/^foreach\b/.test(line)) {
      m = /^foreach\s+\$([A-Za-z_]\w*)\s+in\s+(.+?)\s*\{$/.exec(line);
      if (!m) throw new ScriptError(loc, 'expected foreach $VAR in VALUE, VALUE, ... {');
      const values = splitTopLevel(m[2]!, ',').map((v) => v.trim());
      if (values.some((v) => !v)) throw new ScriptError(loc, 'foreach: an empty value in the list');
      const body: Stmt[] = [];
      top.body.push({ kind: 'foreach', variable: m[1]!, values, body, loc });
      stack.push({ kind: 'foreach', body, loc });
      continue;
    }
    if (/^retry\b/.test(line)) {
      m = /^retry\s+(\d+)\s*\{$/.exec(line);
      if (!m || Number(m[1]) < 1) throw new ScriptError(loc, 'expected retry N { (N at least 1)');
      const body: Stmt[] = [];
      top.body.push({ kind: 'retry', count: Number(m[1]), body, loc });
      stack.push({ kind: 'retry', body, loc });
      continue;
    }
    if (line.endsWith('{')) throw new ScriptError(loc, `unknown block "${line}"`);
    top.body.push(statement(line, loc, script));
  }
  if (define) throw new ScriptError(define.loc, `"define ${define.name}" has no "end"`);
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!;
    throw new ScriptError(open.loc, `unbalanced braces: the ${open.kind} block opened here is not closed`);
  }
  return script;
}

/** One statement line (not a block opener). */
function statement(line: string, loc: Loc, script: Script): Stmt {
  let m: RegExpExecArray | null;
  if ((m = /^expect(?:\s+(.*))?$/.exec(line))) return { kind: 'expect', expect: parseExpectation(m[1]?.trim() ?? '', loc), text: line, loc };
  if ((m = /^file(?:\s+(.*))?$/.exec(line))) {
    const words = shellWords(m[1] ?? '', loc);
    if (!words.length) throw new ScriptError(loc, 'file needs a PATH (relative to the script\'s folder)');
    return { kind: 'file', path: words[0]!, args: words.slice(1), loc };
  }
  if ((m = /^(checkpoint|rewind)(?:\s+(\S+))?\s*$/.exec(line)) && m[2] !== 'delete') {
    if (!m[2]) throw new ScriptError(loc, `${m[1]} needs a NAME in a test script`);
    return { kind: m[1] as 'checkpoint' | 'rewind', name: m[2], loc };
  }
  const word = line.split(/\s+/)[0]!;
  if (script.defines.has(word)) return { kind: 'call', name: word, args: line.split(/\s+/).slice(1), loc };
  try {
    parseLine(line);
  } catch (e) {
    const msg = (e as Error).message;
    if (/^(Undefined|Ambiguous)\b/.test(msg)) throw new ScriptError(loc, `unknown statement "${word}" (not a test statement nor a console command)`);
    // other errors (a bad argument) are the console's to report when the line runs
  }
  return { kind: 'command', text: line, loc };
}

const OPS: CompareOp[] = ['==', '!=', '<=', '>=', '<', '>'];

/** The text after `expect`. */
export function parseExpectation(s: string, loc: Loc): Expectation {
  let m: RegExpExecArray | null;
  if (!s) throw new ScriptError(loc, 'expect what? (EXPR == VALUE, stop at, exit, signal, output, memory, snapshot diff, syscall, no leak)');
  if ((m = /^stop\s+at\s+(\S+)$/.exec(s))) return { kind: 'stop', at: m[1]! };
  if (/^stop\b/.test(s)) throw new ScriptError(loc, 'expected expect stop at FUNCTION|FILE:LINE');
  if ((m = /^exit\s+(-?\d+)$/.exec(s))) return { kind: 'exit', code: Number(m[1]) };
  if (/^exit\b/.test(s)) throw new ScriptError(loc, 'expected expect exit CODE');
  if ((m = /^signal\s+(SIG[A-Z0-9]+)$/.exec(s))) return { kind: 'signal', signal: m[1]! };
  if (/^signal\b/.test(s)) throw new ScriptError(loc, 'expected expect signal SIGNAME (e.g. SIGSEGV)');
  if ((m = /^output\s+(\/.*)$/.exec(s))) return { kind: 'output', re: parseRegex(m[1]!, loc) };
  if (/^output\b/.test(s)) throw new ScriptError(loc, 'expected expect output /REGEX/');
  if (/^no\s+leak$/.test(s)) return { kind: 'no-leak' };
  if (/^syscall\b/.test(s)) return parseSyscallExpectation(s, loc);
  if ((m = /^memory\s+(.+?)\s*==\s*([0-9a-fA-F\s]+)$/.exec(s))) {
    const hex = m[2]!.replace(/\s+/g, '');
    if (hex.length % 2) throw new ScriptError(loc, `memory: "${m[2]}" is not whole bytes of hex`);
    return { kind: 'memory', addr: m[1]!, bytes: Buffer.from(hex, 'hex') };
  }
  if (/^memory\b/.test(s)) throw new ScriptError(loc, 'expected expect memory ADDR == HEXBYTES');
  if ((m = /^snapshot\s+diff\s+(.+?)\s+(none|changed)$/.exec(s))) return { kind: 'snapshot', addr: m[1]!, what: m[2] as 'none' | 'changed' };
  if ((m = /^snapshot\s+diff\s+(.+?)\s+only\s+([\w.\[\]]+(?:\s*,\s*[\w.\[\]]+)*)$/.exec(s))) {
    return { kind: 'snapshot', addr: m[1]!, what: 'only', fields: m[2]!.split(',').map((f) => f.trim()) };
  }
  if (/^snapshot\b/.test(s)) throw new ScriptError(loc, 'expected expect snapshot diff ADDR none|changed|only FIELD,...');
  const split = splitOperator(s);
  if (!split) return { kind: 'true', expr: s };
  const [lhs, op, rhs] = split;
  if (!lhs) throw new ScriptError(loc, `nothing before "${op}"`);
  if (!rhs) throw new ScriptError(loc, `nothing after "${op}"`);
  if (op === 'matches') return { kind: 'matches', lhs, re: parseRegex(rhs, loc) };
  if (op === 'contains') return { kind: 'contains', lhs, rhs };
  return { kind: 'compare', lhs, op, rhs };
}

const SYSCALL_USAGE = 'expected expect syscall NAME [entry|return] [path|ret|errno|argN OP VALUE]';

/** `syscall openat`, `syscall openat path == "/etc/passwd"`, `syscall openat return errno == ENOENT`. */
function parseSyscallExpectation(s: string, loc: Loc): Expectation {
  const m = /^syscall\s+([a-z_][a-z0-9_]*)(?:\s+(entry|return))?(?:\s+(.*))?$/.exec(s);
  if (!m) throw new ScriptError(loc, SYSCALL_USAGE);
  const [, name, at, rest] = m;
  const e = { kind: 'syscall' as const, name: name!, at: at as 'entry' | 'return' | undefined };
  if (!rest) return e;
  const split = splitOperator(rest);
  if (!split || split[1] === 'contains' || split[1] === 'matches' || !split[2]) throw new ScriptError(loc, SYSCALL_USAGE);
  const [field, op, value] = split;
  if (!/^(path|ret|errno|arg[0-5])$/.test(field)) throw new ScriptError(loc, `syscall: "${field}" is not path, ret, errno or arg0..arg5`);
  return { ...e, field: field as SyscallField, op, value };
}

/** `/re/flags` into a RegExp; a bad one is a script error. */
function parseRegex(s: string, loc: Loc): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(s.trim());
  if (!m) throw new ScriptError(loc, `expected a /REGEX/, not ${s}`);
  try {
    return new RegExp(m[1]!, m[2]);
  } catch (e) {
    throw new ScriptError(loc, `bad regex ${s}: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
  }
}

/**
 * The expectation's operator at the top level (outside brackets, strings and
 * characters): a comparison (not part of `->`, `<<`, `>>`), or the words
 * `contains` / `matches`. Undefined when there is none.
 */
function splitOperator(s: string): [string, CompareOp | 'contains' | 'matches', string] | undefined {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") { i = skipQuoted(s, i); continue; }
    if (c === '(' || c === '[' || c === '{') { depth++; continue; }
    if (c === ')' || c === ']' || c === '}') { depth--; continue; }
    if (depth) continue;
    const word = /^\s(contains|matches)\s/.exec(s.slice(i));
    if (word) return [s.slice(0, i).trim(), word[1] as 'contains' | 'matches', s.slice(i + word[0].length).trim()];
    const prev = s[i - 1];
    for (const op of OPS) {
      if (!s.startsWith(op, i)) continue;
      const next = s[i + op.length];
      if (op === '>' && prev === '-') break;                      // ->
      if ((op === '<' || op === '>') && (next === op || prev === op)) break;   // << >>
      if ((op === '<=' || op === '>=') && prev === op[0]) break;  // <<= >>=
      if ((op === '<' || op === '>') && next === '=') break;
      return [s.slice(0, i).trim(), op, s.slice(i + op.length).trim()];
    }
  }
  return undefined;
}

function skipQuoted(s: string, i: number): number {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') { j++; continue; }
    if (s[j] === q) return j;
  }
  return s.length;
}

/** Split at `sep` outside brackets and quotes. */
export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") { i = skipQuoted(s, i); continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === sep && !depth) { out.push(s.slice(from, i)); from = i + 1; }
  }
  out.push(s.slice(from));
  return out;
}

/** `file`'s words: blanks separate, double quotes group. */
function shellWords(s: string, loc: Loc): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  if (/"/.test(s) && (s.match(/(?<!\\)"/g)?.length ?? 0) % 2) throw new ScriptError(loc, 'file: unterminated quote');
  return out;
}
