/**
 * Checking one expectation against the debugger core, by value: C values are
 * compared by the debugger's own C evaluator (`(A) == (B)`: ints, pointers,
 * chars, enums), strings by their characters, structs by gdb's print text;
 * stops, exits and signals from the structured stop; memory by bytes;
 * snapshot diffs by the DWARF fields the changed bytes fall in.
 */
import type { Debugger } from '../debugger/index.js';
import { errorMessage, expected } from '../debugger/errors.js';
import { sizeOf, strip, type CType } from '../dwarf/types.js';
import type { Expectation } from './script.js';
import { CommandError } from '../commands/parse.js';
import { checkSyscall } from './expect-syscall.js';
import { ownerText } from '../commands/address-name-text.js';

export interface Outcome {
  ok: boolean;
  expected: string;
  actual: string;
  diff?: string[];
  /** For --record: the value now, as the expectation's right-hand side. */
  now?: string;
}

/** What the runner keeps for expectations that look back (output since the last stop, held bytes at the start). */
export interface Context {
  output: () => string;
  heldAtStart: number;
  held: () => Promise<number>;
}

export async function check(d: Debugger, e: Expectation, ctx: Context): Promise<Outcome> {
  switch (e.kind) {
    case 'compare': return compare(d, e.lhs, e.op, e.rhs);
    case 'true': {
      const v = await d.evaluate(e.expr);
      // (a value that has no truth, e.g. a struct: not true, shown as it is)
      const t = await d.evaluate(`(${e.expr}) != 0`).catch(expected(undefined));
      return { ok: t?.text === '1', expected: 'true (non-zero)', actual: v.text, now: v.text };
    }
    case 'contains': {
      const s = await stringOf(d, e.lhs);
      const want = isStringLiteral(e.rhs) ? unquote(e.rhs) : e.rhs;
      return { ok: s.includes(want), expected: `contains ${e.rhs}`, actual: JSON.stringify(s) };
    }
    case 'matches': {
      const s = await stringOf(d, e.lhs);
      return { ok: e.re.test(s), expected: `matches ${e.re}`, actual: JSON.stringify(s) };
    }
    case 'stop': {
      const st = d.state.stop;
      const actual = describeStop(d);
      if (!st || !d.state.process) return { ok: false, expected: `stopped at ${e.at}`, actual };
      const m = /^(.*):(\d+)$/.exec(e.at);
      const ok = m ? Number(m[2]) === st.line && (st.file === m[1] || st.path === m[1] || (st.path ?? '').endsWith(`/${m[1]}`))
        : /^\d+$/.test(e.at) ? Number(e.at) === st.line : st.function === e.at;
      return { ok, expected: `stopped at ${e.at}`, actual, now: m || /^\d+$/.test(e.at) ? `${st.file}:${st.line}` : st.function };
    }
    case 'exit': {
      const st = d.state.stop;
      return { ok: st?.reason === 'exited' && st.exitCode === e.code, expected: `exited with code ${e.code}`, actual: describeStop(d), now: String(st?.exitCode ?? '') };
    }
    case 'signal': {
      const st = d.state.stop;
      return { ok: (st?.reason === 'signal' || st?.reason === 'killed') && st.signal === e.signal, expected: `signal ${e.signal}`, actual: describeStop(d), now: st?.signal };
    }
    case 'output': {
      const out = ctx.output();
      return { ok: e.re.test(out), expected: `output matching ${e.re}`, actual: JSON.stringify(out) };
    }
    case 'memory': {
      const addr = await address(d, e.addr);
      const now = await d.readMemory(addr, e.bytes.length);
      const ok = now.equals(e.bytes);
      return { ok, expected: hex(e.bytes), actual: hex(now), diff: ok ? undefined : byteDiff(addr, e.bytes, now), now: hex(now) };
    }
    case 'snapshot': return snapshotDiff(d, e);
    case 'syscall': return checkSyscall(d, e);
    case 'no-leak': {
      const held = await ctx.held();
      return { ok: held <= ctx.heldAtStart, expected: `${ctx.heldAtStart} bytes held by the snapshot engine`, actual: `${held} bytes held` };
    }
  }
}

async function compare(d: Debugger, lhs: string, op: string, rhs: string): Promise<Outcome> {
  const left = await d.evaluate(lhs);
  if (isStringLiteral(rhs) && (op === '==' || op === '!=')) {
    const s = await stringOf(d, lhs);
    const ok = (s === unquote(rhs)) === (op === '==');
    return { ok, expected: `${op === '!=' ? '!= ' : ''}${rhs}`, actual: JSON.stringify(s), now: JSON.stringify(s) };
  }
  const kind = strip(left.value?.type ?? { kind: 'void' }).kind;
  if (kind === 'struct' || kind === 'union' || kind === 'array') {
    // aggregates: gdb's print text, blanks normalised
    const norm = (t: string) => t.replace(/\s+/g, ' ').trim();
    if (op !== '==' && op !== '!=') throw new CommandError(`${op} does not compare a ${kind}; use == or != with its print text`);
    const want = /^[{"']/.test(rhs) ? rhs : (await d.evaluate(rhs)).text;
    const ok = (norm(left.text) === norm(want)) === (op === '==');
    return { ok, expected: `${op === '!=' ? '!= ' : ''}${rhs}`, actual: left.text, now: left.text };
  }
  const verdict = await d.evaluate(`(${lhs}) ${op} (${rhs})`);
  let expected = `${op === '==' ? '' : `${op} `}${rhs}`;
  if (!isLiteral(rhs)) {
    const value = (await d.evaluate(rhs)).text;
    if (value !== rhs) expected += ` (= ${value})`;
  }
  return { ok: verdict.text === '1', expected, actual: left.text, now: left.text };
}

/** A number, char or string as written: shown as is. */
const isLiteral = (s: string) => /^-?(0x[0-9a-f]+|\d+(\.\d*)?)[uUlL]*$/i.test(s) || /^'(\\.|[^'])+'$/.test(s) || isStringLiteral(s);
const isStringLiteral = (s: string) => /^"(?:[^"\\]|\\.)*"$/.test(s);

/** The C string literal's characters. */
function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, c: string) => {
    if (c[0] === 'x') return String.fromCharCode(parseInt(c.slice(1), 16));
    if (/^[0-7]+$/.test(c)) return String.fromCharCode(parseInt(c, 8));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' } as Record<string, string>)[c] ?? c;
  });
}

/**
 * A value as a string: a char array or char pointer read as a C string (up to
 * its NUL); anything else, gdb's print text.
 */
async function stringOf(d: Debugger, expr: string): Promise<string> {
  const v = await d.evaluate(expr);
  const t = strip(v.value?.type ?? { kind: 'void' });
  const charLike = (c: CType) => { const s = strip(c); return s.kind === 'base' && s.size === 1; };
  if ((t.kind === 'array' && charLike(t.element)) || (t.kind === 'pointer' && charLike(t.target))) {
    const p = await d.evaluate(`(const char *)(${expr})`);
    const m = /"((?:[^"\\]|\\.)*)"(\.\.\.)?$/.exec(p.text);
    if (m) return unquote(`"${m[1]}"`);
    if (/^0x0\b/.test(p.text)) return '';
  }
  return v.text;
}

/** An expression's value as an address. */
export async function address(d: Debugger, expr: string): Promise<bigint> {
  const v = await d.evaluate(`(unsigned long)(${expr})`);
  if (!/^\d+$/.test(v.text)) throw new CommandError(`${expr} is not an address (${v.text})`);
  return BigInt(v.text);
}

/** A snapshot's start: `heap` / `stack` name the one taken of that mapping (`snapshot heap`), else ADDR's value. */
async function snapshotStart(d: Debugger, addr: string): Promise<bigint> {
  if (addr !== 'heap' && addr !== 'stack') return address(d, addr);
  const s = d.state.snapshots.find((x) => x.region === `[${addr}]` && !x.owner);
  if (!s) throw new CommandError(`No snapshot of the ${addr} is held (take one with "snapshot ${addr}").`);
  return s.start;
}

async function snapshotDiff(d: Debugger, e: Expectation & { kind: 'snapshot' }): Promise<Outcome> {
  const start = await snapshotStart(d, e.addr);
  const diff = await d.diff(start);
  const changed = diff.changes.map((c) => ({ from: c.offset, to: c.offset + c.old.length }));
  const fields = await fieldsOf(d, e.addr, diff.length);
  // bytes outside the struct ADDR points to (a mapping, a plain address): named as `snapshot diff` names them
  const pieces = fields.length || !changed.length ? []
    : await d.names(changed.map((r) => ({ start: start + BigInt(r.from), length: r.to - r.from })))
      .catch(expected([]));   // (names that cannot be read: the bytes alone)
  const names = (r: { from: number; to: number }) => {
    const hit = fields.filter((f) => f.offset < r.to && f.offset + f.size > r.from).map((f) => f.name);
    const [a, b] = [start + BigInt(r.from), start + BigInt(r.to)];
    const named = [...new Set(pieces.filter((p) => p.start < b && p.start + BigInt(p.length) > a).map((p) => ownerText(p.owner)))];
    return hit.length ? hit.join(', ') : named.length ? named.join(', ') : `+${r.from}..+${r.to}`;
  };
  const lines = diff.changes.map((c) => `+0x${c.offset.toString(16)} (${names({ from: c.offset, to: c.offset + c.old.length })}): ${hex(c.old)} -> ${hex(c.now)}`);
  const actual = changed.length ? `changed: ${[...new Set(changed.map(names))].join(', ')}` : 'no change';
  if (e.what === 'none') return { ok: !changed.length, expected: 'no change', actual, diff: changed.length ? lines : undefined };
  if (e.what === 'changed') return { ok: changed.length > 0, expected: 'some change', actual };
  const only = e.fields ?? [];
  const allowed: { from: number; to: number }[] = [];
  for (const f of only) {
    const at = await address(d, `&(${e.addr})->${f}`);
    const size = Number((await d.evaluate(`sizeof((${e.addr})->${f})`)).text);
    allowed.push({ from: Number(at - start), to: Number(at - start) + size });
  }
  const outside = changed.flatMap((r) => {
    const out: { from: number; to: number }[] = [];
    for (let b = r.from; b < r.to; b++) if (!allowed.some((a) => b >= a.from && b < a.to)) out.push({ from: b, to: b + 1 });
    return out;
  });
  return { ok: changed.length > 0 && outside.length === 0, expected: `changed: only ${only.join(', ')}`, actual, diff: outside.length || !changed.length ? lines : undefined };
}

/** The members of the struct ADDR points to, with their offsets (none when it is not a struct). */
async function fieldsOf(d: Debugger, addr: string, length: number): Promise<{ name: string; offset: number; size: number }[]> {
  // (an ADDR that does not dereference: no fields, the bytes alone)
  const v = await d.evaluate(`*(${addr})`).catch(expected(undefined));
  const t = v?.value ? strip(v.value.type) : undefined;
  if (!t || (t.kind !== 'struct' && t.kind !== 'union')) return [];
  return t.members.filter((m) => m.name && m.offset < length).map((m) => ({ name: m.name!, offset: m.offset, size: sizeOf(m.type) }));
}

export const hex = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

/** Expected and actual bytes, 16 a line, with ^^ under each byte that differs. */
function byteDiff(addr: bigint, want: Buffer, now: Buffer): string[] {
  const out: string[] = [];
  for (let o = 0; o < want.length; o += 16) {
    const a = want.subarray(o, o + 16);
    const b = now.subarray(o, o + 16);
    const at = `0x${(addr + BigInt(o)).toString(16)}`;
    out.push(`- ${at}: ${hex(a)}`, `+ ${at}: ${hex(b)}`);
    const marks = [...a].map((x, i) => (x === b[i] ? '  ' : '^^')).join(' ');
    if (marks.trim()) out.push(`  ${' '.repeat(at.length + 1)} ${marks}`.replace(/\s+$/, ''));
  }
  return out;
}

/** The program's state in one line: `breakpoint at tick (struct_loop.c:17)`, `exited with code 0`. */
export function describeStop(d: Debugger): string {
  const st = d.state.stop;
  if (!st) return d.state.process ? 'running' : 'the program is not being run';
  if (st.reason === 'exited') return `exited with code ${st.exitCode}`;
  if (st.reason === 'killed') return `killed by ${st.signal}`;
  const fn = st.function ?? `0x${(st.pc ?? 0n).toString(16)}`;
  return `${st.reason}${st.reason === 'signal' ? ` ${st.signal}` : ''} at ${fn}${st.file ? ` (${st.file}:${st.line})` : ''}`;
}

export { errorMessage };
