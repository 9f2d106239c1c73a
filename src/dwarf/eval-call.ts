/**
 * Calls in C expressions: gdb's convenience functions ($_strlen ...),
 * functions of the program run in the inferior (arguments converted as the
 * callee takes them), and C++ member functions through their object.
 */
import { qualifiedName } from './names.js';
import { ExprError, type Node } from './cexpr.js';
import { strip, sizeOf, isFloat, INT, ULONG, DOUBLE, VOID, type CType } from './types.js';
import { Value } from './value.js';
import type { CallArg } from './call.js';
import { returnedBytes } from './abi.js';
import { callConvenienceFunction, isConvenienceFunction } from './conv-functions.js';
import { cannotAccess, toInt } from './eval-arith.js';
import type { Evaluator } from './evaluator.js';

export async function evalCall(ev: Evaluator, fnNode: Node, argNodes: Node[], fn?: Value): Promise<Value> {
  if (fnNode.k === 'dollar' && isConvenienceFunction(fnNode.name)) {
    const args: Value[] = [];
    for (const a of argNodes) args.push(await ev.eval(a));
    return callConvenienceFunction(fnNode.name, args, ev.ctx, ev.env.readMemory);
  }
  const method = fnNode.k === 'member' ? await methodOf(ev, fnNode.e, fnNode.name, fnNode.arrow) : undefined;
  const f = method?.fn ?? fn ?? await ev.eval(fnNode);
  let t = strip(f.type);
  let addr: bigint | undefined;
  if (t.kind === 'pointer' && strip(t.target).kind === 'function') {
    addr = await toInt(f);
    t = strip(t.target);
  } else if (t.kind === 'function') addr = f.address;
  if (t.kind !== 'function' || addr === undefined) throw new ExprError('Cannot perform a function call on something that is not a function.');
  const name = fnNode.k === 'ident' ? fnNode.name : 'function';
  if (t.nodebug) throw new ExprError(`'${name}' has unknown return type; cast the call to its declared return type`);
  // (C++ functions are prototyped without saying so)
  if ((t.prototyped || method) && argNodes.length + (method ? 1 : 0) < t.params.length) throw new ExprError('Too few arguments in function call.');
  // a C++ method gets its object's address first, as `this`
  const args: CallArg[] = [];
  if (method) args.push({ type: ULONG, bytes: Buffer.from(BigInt.asUintN(64, method.self).toString(16).padStart(16, '0'), 'hex').reverse() });
  for (const [i, a] of argNodes.entries()) {
    const param = (t.prototyped || method) ? t.params[i + (method ? 1 : 0)] : undefined;
    args.push(await callArgument(ev, await ev.eval(a), param));
  }
  if (!ev.sideEffects) return new Value(t.ret, { kind: 'optimized' }, ev.ctx);
  if (!ev.env.callFunction) throw new ExprError('You can\'t do that without a process to debug.');
  const r = await ev.env.callFunction(addr, args, t.ret);
  if (strip(t.ret).kind === 'void') return Value.fromBytes(VOID, Buffer.alloc(0), ev.ctx);
  const bytes = await returnedBytes(t.ret, r, ev.env.readMemory);
  if (!bytes) throw new ExprError('Cannot read the floating-point registers the value was returned in.');
  return Value.fromBytes(t.ret, bytes, ev.ctx);
}

/**
 * An argument as the callee takes it: converted to its parameter's type
 * when the function has a prototype, else promoted the C way (float to
 * double, small integers to int); structs and unions go as they are.
 */
async function callArgument(ev: Evaluator, v: Value, param: CType | undefined): Promise<CallArg> {
  const at = strip(v.type);
  let to: CType = v.type;
  if (param) {
    // (gdb's value_arg_coerce: a struct of the same size is taken as the parameter's)
    const aggregate = (k: string) => k === 'struct' || k === 'union';
    if (aggregate(at.kind) && !aggregate(strip(param).kind)) throw new ExprError('Invalid cast.');
    to = param;
  } else if (isFloat(at) && sizeOf(at) < 8) to = DOUBLE;
  else if ((at.kind === 'base' || at.kind === 'enum') && !isFloat(at) && sizeOf(at) < 4) to = INT;
  else if (at.kind === 'array' || at.kind === 'function') to = { kind: 'pointer', size: 8, target: at.kind === 'array' ? at.element : at };
  const cv = to === v.type ? v : await ev.cast(v, to);
  const bytes = await cv.bytes();
  if (!bytes) throw new ExprError(cv.optimizedOut ? 'value has been optimized out' : cannotAccess(cv));
  return { type: to, bytes };
}

/**
 * `obj.m` / `p->m` naming a C++ member function (no data member m): the
 * function `Class::m` and the object's address, for call(). Undefined
 * when obj's class has no such function.
 */
async function methodOf(ev: Evaluator, objNode: Node, name: string, arrow: boolean): Promise<{ fn: Value; self: bigint } | undefined> {
  let obj = await ev.eval(objNode);
  if (arrow && strip(obj.type).kind === 'pointer') obj = await ev.deref(obj);
  const cls = strip(obj.type);
  if ((cls.kind !== 'struct' && cls.kind !== 'union') || !cls.die || cls.members.some((m) => m.name === name)) return undefined;
  const owner = qualifiedName(cls.die);
  const hit = owner ? ev.env.program.functionsNamed(`${owner}::${name}`)[0] : undefined;
  if (!hit) return undefined;
  if (obj.address === undefined) throw new ExprError('Attempt to take address of value not located in memory.');
  const fn = new Value(hit.debug.typeOf(hit.fn.die), { kind: 'memory', address: hit.debug.entryOf(hit.fn) }, ev.ctx);
  return { fn, self: obj.address };
}
