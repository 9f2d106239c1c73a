/**
 * gdb's convenience variables in one store the C evaluator reads and
 * writes: those the user sets ($n), those the session sets after commands
 * ($_ and $__ after x and info line, $bpnum, $_exitcode), and those gdb
 * computes whenever they are read ($_thread, $_gthread, $_inferior).
 * Every value is the evaluator's (one value system): the session's own
 * scalars are stored as their nearest C type.
 */
import type { AnyValue } from './debug.js';
import { EvalError, type CType, type Value } from './expr.js';
import { Value as DwarfValue } from '../dwarf/index.js';
import type { ExprContext } from '../dwarf/expr.js';
import { CHAR, LONG, VOID, type CType as DwarfCType } from '../dwarf/types.js';
import { ATE } from '../dwarf/constants.js';

/** gdb's fixed-size integer types, as x's units and $__ are typed. */
export function intType(size: 1 | 2 | 4 | 8, name = `int${size * 8}_t`): CType {
  return { kind: 'int', size, signed: true, name };
}

export const INT_VALUE = (n: number | bigint): Value => ({ type: intType(4, 'int'), value: BigInt(n) });

/**
 * Where a stored variable reads memory: nowhere. The evaluator rebinds each
 * variable to the process it evaluates in (dwarfValueOf) before using it.
 */
const DETACHED: ExprContext = {
  readMemory: (a) => Promise.reject(new EvalError(`Cannot access memory at address 0x${a.toString(16)}`)),
  reg: () => undefined,
  bias: 0n,
};

/** A scalar the session makes itself (x's units, $_exitcode, $bpnum, finish's rax) as the evaluator's value. */
export function evaluatorValue(v: Value, ctx: ExprContext = DETACHED): DwarfValue {
  if (v.bytes) return DwarfValue.fromBytes({ kind: 'array', element: CHAR, count: v.bytes.length }, v.bytes, ctx);
  return DwarfValue.fromBigInt(cTypeOf(v.type), v.value, ctx);
}

function cTypeOf(t: CType): DwarfCType {
  switch (t.kind) {
    case 'void': return VOID;
    // (int8_t is a number to gdb, char a character)
    case 'int': return { kind: 'base', name: t.name, size: t.size, encoding: /char$/.test(t.name) ? (t.signed ? ATE.signed_char : ATE.unsigned_char) : t.signed ? ATE.signed : ATE.unsigned };
    case 'ptr': return { kind: 'pointer', size: 8, target: cTypeOf(t.to) };
    default: return LONG;
  }
}

export class ConvenienceVars extends Map<string, AnyValue> {
  constructor(private readonly computed: Record<string, () => Value>) {
    super();
  }

  override get(name: string): AnyValue | undefined {
    const f = this.computed[name];
    return f ? { dwarf: evaluatorValue(f()) } : super.get(name);
  }

  /** Set (or, with undefined, unset: void) a variable the session maintains. */
  setScalar(name: string, v: Value | undefined): void {
    if (v) this.set(name, { dwarf: evaluatorValue(v) });
    else this.delete(name);
  }
}
