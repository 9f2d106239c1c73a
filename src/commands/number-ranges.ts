/**
 * gdb's number_or_range_parser (cli-utils.c): `1 3-5 $n`, as `undisplay`,
 * `delete display` and friends take their arguments. Each number is visited
 * in order with the text it was read from; 0 stands for a bad token (the
 * caller warns), and `inverted range` / `negative value` end the walk as
 * errors after the numbers before them were visited, as in gdb.
 */
import { CommandError } from './parse.js';

export interface RangeHooks {
  /** An integer convenience variable's value, undefined when it has none. */
  convenience?(name: string): bigint | undefined;
  /** gdb prints `Convenience variable must have integer value.` and reads 0. */
  out(text: string): void;
}

export async function forEachNumber(args: string, hooks: RangeHooks, visit: (n: number, token: string) => Promise<void> | void): Promise<void> {
  let cur = args.replace(/^\s+/, '');
  const finished = () => cur === '' || (!/^[\d$]/.test(cur) && !/^-[\d$]/.test(cur));
  while (!finished()) {
    const token = cur;
    if (cur[0] === '-') {
      if (/^-\d/.test(cur)) throw new CommandError('negative value');
      const r = readNumber(cur, hooks, '');
      cur = r.rest;
      if (r.value < 0) throw new CommandError('negative value');
      await visit(r.value, token);
      continue;
    }
    const first = readNumber(cur, hooks, '-');
    cur = first.rest;
    if (cur[0] === '-' && !(/^\s/.test(token.slice(token.length - cur.length - 1)) && /^-([A-Za-z-]|$)/.test(cur))) {
      const end = readNumber(cur.slice(1).replace(/^\s+/, ''), hooks, '');
      if (end.value < first.value) throw new CommandError('inverted range');
      cur = end.rest;
      for (let n = first.value; n <= end.value; n++) await visit(n, token);
      continue;
    }
    await visit(first.value, token);
  }
}

/** gdb's get_number_trailer: a number, `$var`, or 0 for anything else (the token skipped). */
function readNumber(s: string, hooks: RangeHooks, trailer: string): { value: number; rest: string } {
  let p = 0;
  let negative = false;
  if (s[p] === '-') {
    negative = true;
    p++;
  }
  let value: number;
  if (s[p] === '$') {
    const m = /^\$\w*/.exec(s.slice(p))!;
    p += m[0].length;
    const v = hooks.convenience?.(m[0].slice(1));
    if (v === undefined) {
      hooks.out('Convenience variable must have integer value.');
      value = 0;
    } else value = Number(v);
  } else {
    const m = /^\d*/.exec(s.slice(p))!;
    if (m[0] === '') {
      while (p < s.length && !/\s/.test(s[p])) p++;
      value = 0;
    } else {
      p += m[0].length;
      value = Number(m[0]);
    }
  }
  if (!(p >= s.length || /\s/.test(s[p]) || s[p] === trailer)) {
    while (!(p >= s.length || /\s/.test(s[p]) || s[p] === trailer)) p++;
    value = 0;
  }
  return { value: negative ? -value : value, rest: s.slice(p).replace(/^\s+/, '') };
}
