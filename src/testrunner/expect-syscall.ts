/**
 * `expect syscall NAME [entry|return] [FIELD OP VALUE]`: the program is at a
 * `catch syscall` stop of NAME (DebuggerState.stop.syscall), and its path
 * argument, argument N, result or errno compares as asked. Paths are read
 * from the program's memory as C strings; numbers compare as signed 64-bit.
 */
import type { Debugger } from '../debugger/index.js';
import type { SyscallStop } from '../debugger/state.js';
import { errnoName, errnoNumber, isErrorReturn } from '../syscall/errno.js';
import { pathArgument } from '../syscall/rewrite.js';
import type { CompareOp, Expectation } from './script.js';
import { expected } from '../debugger/errors.js';

type SyscallExpectation = Extract<Expectation, { kind: 'syscall' }>;
interface Outcome { ok: boolean; expected: string; actual: string; now?: string }

const PATH_MAX = 4096;

export async function checkSyscall(d: Debugger, e: SyscallExpectation): Promise<Outcome> {
  const st = d.state.stop;
  const sc = st?.reason === 'syscall' ? st.syscall : undefined;
  const where = e.at ? ` (${e.at === 'entry' ? 'call to' : 'returned from'})` : '';
  const expected = `a stop at syscall ${e.name}${where}${e.field ? ` with ${e.field} ${e.op} ${e.value}` : ''}`;
  if (!sc) return { ok: false, expected, actual: st ? `not at a syscall stop (${st.reason})` : 'not stopped' };
  const actualStop = `${sc.entry ? 'call to' : 'returned from'} syscall ${sc.name}`;
  if (sc.name !== e.name || (e.at === 'entry' && !sc.entry) || (e.at === 'return' && sc.entry)) {
    return { ok: false, expected, actual: actualStop };
  }
  if (!e.field) return { ok: true, expected, actual: actualStop };
  const have = await fieldValue(d, sc, e.field);
  if (typeof have === 'object') return { ok: false, expected, actual: `${actualStop}: ${have.error}` };
  const ok = typeof have === 'string' ? compareText(have, e.op!, e.value!) : compareNumber(have, e.op!, e.value!);
  const shown = typeof have === 'string' ? JSON.stringify(have) : have.toString();
  return ok === undefined
    ? { ok: false, expected, actual: `${e.field} is ${shown}: "${e.value}" cannot be compared with it by ${e.op}` }
    : { ok, expected, actual: `${actualStop}, ${e.field} = ${shown}`, now: typeof have === 'string' ? shown : have.toString() };
}

/** The field's value now: a string (path, errno name), a number, or why there is none. */
async function fieldValue(d: Debugger, sc: SyscallStop, field: string): Promise<string | bigint | { error: string }> {
  if (field === 'ret' || field === 'errno') {
    if (sc.entry || sc.ret === undefined) return { error: `${field} is known at the call's return, not its entry` };
    if (field === 'ret') return BigInt.asIntN(64, sc.ret);
    return isErrorReturn(BigInt.asIntN(64, sc.ret)) ? errnoName(Number(-BigInt.asIntN(64, sc.ret))) : 'none';
  }
  if (field === 'path') {
    const i = pathArgument(sc.name);
    if (i === undefined) return { error: `${sc.name} takes no path argument` };
    return cString(d, sc.args[i] ?? 0n);
  }
  const n = Number(field.slice(3));
  const v = sc.args[n];
  return v === undefined ? { error: `${sc.name} has no argument ${n}` } : BigInt.asIntN(64, v);
}

/** A C string from the program's memory, read page by page (the next page may be unmapped). */
async function cString(d: Debugger, addr: bigint): Promise<string | { error: string }> {
  if (addr === 0n) return { error: 'the path is NULL' };
  const parts: Buffer[] = [];
  let at = addr;
  let total = 0;
  while (total < PATH_MAX) {
    const len = Number(0x1000n - (at & 0xfffn));
    const b = await d.readMemory(at, len).catch(expected(undefined));
    if (!b) return { error: `Cannot access memory at address 0x${at.toString(16)}` };
    const nul = b.indexOf(0);
    parts.push(nul >= 0 ? b.subarray(0, nul) : b);
    if (nul >= 0) return Buffer.concat(parts).toString('latin1');
    at += BigInt(len);
    total += len;
  }
  return { error: `no NUL within ${PATH_MAX} bytes` };
}

function compareText(have: string, op: CompareOp, value: string): boolean | undefined {
  const want = /^"(.*)"$/.exec(value)?.[1]?.replace(/\\(.)/g, '$1') ?? value;
  if (op === '==') return have === want;
  if (op === '!=') return have !== want;
  return undefined;
}

function compareNumber(have: bigint, op: CompareOp, value: string): boolean | undefined {
  let want: bigint;
  const neg = /^-(E[A-Z0-9]+)$/.exec(value);
  if (neg) {
    const n = errnoNumber(neg[1]!);
    if (n === undefined) return undefined;
    want = -BigInt(n);
  } else {
    try { want = BigInt(value); } catch { return undefined; }
  }
  switch (op) {
    case '==': return have === want;
    case '!=': return have !== want;
    case '<': return have < want;
    case '<=': return have <= want;
    case '>': return have > want;
    case '>=': return have >= want;
  }
}
