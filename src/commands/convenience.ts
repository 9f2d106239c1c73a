/**
 * gdb's convenience variables in one store that both evaluators read and
 * write: those the user sets ($n), those the session sets after commands
 * ($_ and $__ after x and info line, $bpnum, $_exitcode), and those gdb
 * computes whenever they are read ($_thread, $_gthread, $_inferior).
 */
import type { AnyValue } from './debug.js';
import type { CType, Value } from './expr.js';

/** gdb's fixed-size integer types, as x's units and $__ are typed. */
export function intType(size: 1 | 2 | 4 | 8, name = `int${size * 8}_t`): CType {
  return { kind: 'int', size, signed: true, name };
}

export const INT_VALUE = (n: number | bigint): Value => ({ type: intType(4, 'int'), value: BigInt(n) });

export class ConvenienceVars extends Map<string, AnyValue> {
  constructor(private readonly computed: Record<string, () => Value>) {
    super();
  }

  override get(name: string): AnyValue | undefined {
    const f = this.computed[name];
    return f ? { mine: f() } : super.get(name);
  }

  /** Set (or, with undefined, unset: void) a variable the session maintains. */
  setMine(name: string, v: Value | undefined): void {
    if (v) this.set(name, { mine: v });
    else this.delete(name);
  }
}
