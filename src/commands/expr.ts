/**
 * The scalar view of a value: a number, an address or a length with a C
 * scalar type, for the commands that need one (`x`, `watch`, `info
 * registers`, conditions, `$_` after `x`). Every expression is evaluated by
 * the one C evaluator, src/dwarf/evaluator.ts (with or without DWARF);
 * commands/debug.ts's DebugBridge.toScalar makes this view of its values.
 */

import { EvalError } from '../debugger/errors.js';

export { EvalError };

export type CType =
  | { kind: 'int'; size: 1 | 2 | 4 | 8; signed: boolean; name: string }
  | { kind: 'ptr'; to: CType }
  | { kind: 'array'; of: CType; count: number }
  | { kind: 'void' }
  | { kind: 'func' }            // a text symbol without debug info
  | { kind: 'code' }            // what $pc points to: `void ()`
  | { kind: 'flags' };          // $eflags

/** `conv`: a convenience variable ($foo), which an assignment (re)defines. */
export type Location = { kind: 'mem'; addr: bigint } | { kind: 'reg'; name: string } | { kind: 'conv'; name: string };

export interface Value {
  type: CType;
  /** Scalar value (ints, pointers, function addresses); for arrays the address. */
  value: bigint;
  /** Bytes of a string literal. */
  bytes?: Buffer;
  /** Where the value lives, when it can be assigned. */
  lval?: Location;
}

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'ptr': case 'code': case 'func': return 8;
    case 'array': return sizeOf(t.of) * t.count;
    case 'flags': return 4;
    case 'void': return 1;
  }
}

export function typeName(t: CType): string {
  switch (t.kind) {
    case 'int': return t.name;
    case 'void': return 'void';
    case 'ptr': return t.to.kind === 'ptr' ? `${typeName(t.to)}*` : `${typeName(t.to)} *`;
    case 'array': return `${typeName(t.of)} [${t.count}]`;
    case 'func': return '<text variable, no debug info>';
    case 'code': return 'void (void)';
    case 'flags': return 'i386_eflags';
  }
}

/** Truncate/sign-extend v to the width of an integer type. */
export function fit(v: bigint, t: CType): bigint {
  if (t.kind === 'int') return t.signed ? BigInt.asIntN(t.size * 8, v) : BigInt.asUintN(t.size * 8, v);
  if (t.kind === 'flags') return BigInt.asUintN(32, v);
  return BigInt.asUintN(64, v);
}

function scalar(v: Value): bigint {
  if (v.bytes) throw new EvalError('Value can\'t be converted to integer.');
  return v.value;
}

/** The address a value designates when used as `{type} X` or `x X`. */
export function addressOf(v: Value): bigint {
  return BigInt.asUintN(64, scalar(v));
}

