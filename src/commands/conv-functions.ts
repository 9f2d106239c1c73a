/**
 * gdb's string convenience functions (gdb/python/lib/gdb/function/strfns.py),
 * in the built-in evaluator: what a catch syscall condition tests a path with,
 * `condition 2 $_streq((char *)$rsi, "/etc/passwd")`.
 *
 *   $_streq(a, b)  $_strlen(s)  $_memeq(a, b, n)  $_regex(s, re)
 */
import { EvalError } from '../debugger/errors.js';
import { T, type Value } from './expr.js';

const MAX = 1 << 16;

/** Whether `$name(...)` is one of them. */
export const isConvenienceFunction = (name: string): boolean => name in ARITY;

const ARITY: Record<string, number> = { _streq: 2, _strlen: 1, _memeq: 3, _regex: 2 };

type Read = (addr: bigint, len: number) => Promise<Buffer>;

/** A string argument: a literal's bytes, or the NUL-terminated bytes a char pointer or array points to. */
async function stringOf(v: Value, read: Read): Promise<Buffer> {
  if (v.bytes) {
    const nul = v.bytes.indexOf(0);
    return nul < 0 ? v.bytes : v.bytes.subarray(0, nul);
  }
  if (v.type.kind !== 'ptr' && v.type.kind !== 'array') {
    throw new EvalError(`Trying to read string with inappropriate type \`${v.type.kind === 'int' ? v.type.name : v.type.kind}'.`);
  }
  const parts: Buffer[] = [];
  for (let at = v.value, got = 0; got < MAX;) {
    // (never across a page boundary the string does not reach)
    const b = await read(at, Math.min(64, 4096 - Number(at % 4096n)));
    at += BigInt(b.length);
    got += b.length;
    const nul = b.indexOf(0);
    if (nul >= 0) { parts.push(b.subarray(0, nul)); break; }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

async function bytesAt(v: Value, n: number, read: Read): Promise<Buffer> {
  if (v.bytes) return v.bytes.subarray(0, n);
  return read(v.value, n);
}

/** The value of `$name(args)`. */
export async function callConvenienceFunction(name: string, args: Value[], read: Read): Promise<Value> {
  const want = ARITY[name]!;
  if (args.length !== want) throw new EvalError(`$${name} takes ${want} argument${want === 1 ? '' : 's'}.`);
  const int = (x: number | boolean): Value => ({ type: T.int, value: BigInt(Number(x)) });
  switch (name) {
    case '_strlen': return int((await stringOf(args[0]!, read)).length);
    case '_streq': return int((await stringOf(args[0]!, read)).equals(await stringOf(args[1]!, read)));
    case '_memeq': {
      const n = Number(args[2]!.value);
      if (n < 0) throw new EvalError('length must be non-negative');
      return int((await bytesAt(args[0]!, n, read)).equals(await bytesAt(args[1]!, n, read)));
    }
    default: {
      const s = (await stringOf(args[0]!, read)).toString('latin1');
      const re = (await stringOf(args[1]!, read)).toString('latin1');
      let rx: RegExp;
      try { rx = new RegExp(re); } catch { throw new EvalError(`Invalid regexp: ${re}`); }
      return int(rx.test(s));
    }
  }
}
