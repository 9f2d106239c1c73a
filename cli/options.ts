/**
 * What the tsdbg subcommands' option parsers share: the usage error, an
 * option's value, and the options that mean the same everywhere (--engine,
 * a process id), so they are spelled and refused in one way.
 */
export class UsageError extends Error {}

/** argv[i], the value given to option `opt` (which stood at i - 1). */
export function optionValue(argv: readonly string[], i: number, opt: string): string {
  const v = argv[i];
  if (v === undefined) throw new UsageError(`option ${opt} requires an argument`);
  return v;
}

export function parseEngine(v: string): 'kernel' | 'userspace' {
  if (v !== 'kernel' && v !== 'userspace') throw new UsageError(`--engine must be kernel or userspace, not "${v}"`);
  return v;
}

export function parsePid(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`invalid process id "${v}"`);
  return Number(v);
}
