/**
 * gdb's string convenience functions (gdb/python/lib/gdb/function/strfns.py),
 * in the C evaluator: what a catch syscall condition tests a path with,
 * `condition 2 $_streq((char *)$rsi, "/etc/passwd")`.
 *
 *   $_streq(a, b)  $_strlen(s)  $_memeq(a, b, n)  $_regex(s, re)
 */
import { ExprError } from './cexpr.js';
import { strip, typeName, INT } from './types.js';
import { Value } from './value.js';
import type { ExprContext } from './expr.js';
import type { ReadMemory } from './program.js';

const MAX = 1 << 16;

const ARITY: Record<string, number> = { _streq: 2, _strlen: 1, _memeq: 3, _regex: 2 };

/** Whether `$name(...)` is one of them. */
export const isConvenienceFunction = (name: string): boolean => name in ARITY;

/** A string argument: an array's bytes (a literal's among them), or the NUL-terminated bytes a pointer points to. */
async function stringOf(v: Value, read: ReadMemory): Promise<Buffer> {
  const t = strip(v.type);
  if (t.kind === 'array') {
    const b = (await v.bytes()) ?? Buffer.alloc(0);
    const nul = b.indexOf(0);
    return nul < 0 ? b : b.subarray(0, nul);
  }
  if (t.kind !== 'pointer') throw new ExprError(`Trying to read string with inappropriate type \`${typeName(v.type)}'.`);
  const parts: Buffer[] = [];
  for (let at = (await v.bigint()) ?? 0n, got = 0; got < MAX;) {
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

async function bytesAt(v: Value, n: number, read: ReadMemory): Promise<Buffer> {
  if (strip(v.type).kind === 'array') return ((await v.bytes()) ?? Buffer.alloc(0)).subarray(0, n);
  return read((await v.bigint()) ?? 0n, n);
}

/** The value of `$name(args)`. */
export async function callConvenienceFunction(name: string, args: Value[], ctx: ExprContext, read: ReadMemory): Promise<Value> {
  const want = ARITY[name]!;
  if (args.length !== want) throw new ExprError(`$${name} takes ${want} argument${want === 1 ? '' : 's'}.`);
  const int = (x: number | boolean): Value => Value.fromBigInt(INT, BigInt(Number(x)), ctx);
  switch (name) {
    case '_strlen': return int((await stringOf(args[0]!, read)).length);
    case '_streq': return int((await stringOf(args[0]!, read)).equals(await stringOf(args[1]!, read)));
    case '_memeq': {
      const n = Number((await args[2]!.bigint()) ?? 0n);
      if (n < 0) throw new ExprError('length must be non-negative');
      return int((await bytesAt(args[0]!, n, read)).equals(await bytesAt(args[1]!, n, read)));
    }
    default: {
      const s = (await stringOf(args[0]!, read)).toString('latin1');
      const re = (await stringOf(args[1]!, read)).toString('latin1');
      let rx: RegExp;
      try { rx = new RegExp(re); } catch { throw new ExprError(`Invalid regexp: ${re}`); }
      return int(rx.test(s));
    }
  }
}
