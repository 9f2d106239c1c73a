/**
 * Variables of the C evaluator: which DIE a name means in the selected
 * frame (innermost block outwards, then globals as gdb looks them up),
 * the value a variable DIE has there, and the frame listings of `info
 * locals` and `info args`.
 */
import { AT, TAG } from './constants.js';
import { evaluateLocation, type ExprContext, type Location } from './expr.js';
import { ExprError } from './cexpr.js';
import { Value } from './value.js';
import type { DebugInfo } from './debuginfo.js';
import type { Die } from './info.js';
import type { EvalEnv } from './evaluator.js';
import { blockSymbolDies } from './block-symbols.js';

/** A variable DIE's value in the selected frame (the evaluator's, which the listings use). */
type ReadVariable = (die: Die, debug: DebugInfo, local: boolean) => Promise<Value>;

/** The DIE of a visible variable: innermost block outwards, then globals (own unit first). */
export function lookupVariable(env: EvalEnv, name: string): { die: Die; debug: DebugInfo; local: boolean } | undefined {
  const f = env.frame;
  if (f?.fn && f.debug) {
    for (const block of f.scopeBlocks()) {
      for (const c of block.children) {
        if ((c.tag === TAG.variable || c.tag === TAG.formal_parameter) && c.name === name) return { die: c, debug: f.debug, local: true };
      }
    }
  }
  const infos = env.program.debugInfos();
  // gdb's lookup: the selected unit's static and global blocks (with no frame, the current source
  // file's unit, as gdb's parse_exp_in_context; before anything is listed, main's), where an
  // `extern` declaration is the answer when the definition is elsewhere (`extern int v[];` is `int []`
  // there); then the definitions of every unit, external ones first; then declarations.
  const src = !f && env.sourceFile !== undefined ? env.sourceFile : undefined;
  const unit = f?.fn?.unit ?? (f ? undefined
    : (src !== undefined ? infos.map((d) => d.unitOfSource(src)).find((u) => u) : undefined) ?? infos[0]?.functionsNamed('main')[0]?.unit);
  for (const d of infos) {
    const own = (dies: Die[]) => dies.find((g) => g.unit === unit);
    const hit = own(d.globalVariables(name)) ?? own(d.optimizedOutGlobals(name)) ?? own(d.globalDeclarations(name));
    if (hit) return { die: hit, debug: d, local: false };
  }
  for (const d of infos) {
    const defs = [...d.globalVariables(name), ...d.optimizedOutGlobals(name)];
    if (defs.length === 0) continue;
    return { die: defs.find((g) => g.inherited((x) => (x.has(AT.external) ? true : undefined))) ?? defs[0], debug: d, local: false };
  }
  for (const d of infos) {
    const decl = d.globalDeclarations(name)[0];
    if (decl) return { die: decl, debug: d, local: false };
  }
  return undefined;
}

/** Value of a variable DIE in the selected frame. */
export async function readVariable(env: EvalEnv, ctx0: ExprContext, die: Die, debug: DebugInfo, local: boolean): Promise<Value> {
  const type = debug.typeOf(die.type);
  const cv = die.raw(AT.const_value);
  if (cv !== undefined) {
    if (Buffer.isBuffer(cv)) return Value.fromBytes(type, cv, ctx0);
    return Value.fromBigInt(type, typeof cv === 'bigint' ? cv : BigInt(die.snum(AT.const_value) ?? 0), ctx0);
  }
  const f = env.frame;
  let expr: Buffer | undefined;
  let ctx: ExprContext = ctx0;
  if (local && f) {
    expr = f.locationExpr(die, AT.location);
  } else {
    expr = die.block(AT.location);
    ctx = { ...ctx0, unit: die.unit, bias: debug.bias };
  }
  if (!expr && die.flag(AT.external)) {
    // gdb's LOC_UNRESOLVED: the declared type at the ELF symbol's address
    const sym = env.program.image.symbolByName(die.name ?? '');
    if (!sym) throw new ExprError(`Missing ELF symbol "${die.name}".`);
    return new Value(type, { kind: 'memory', address: sym.symbol.address }, ctx0);
  }
  if (!expr) return new Value(type, { kind: 'optimized' }, ctx);
  let loc: Location;
  try {
    loc = await evaluateLocation(expr, local ? { ...ctx, unit: die.unit } : ctx);
  } catch (e) {
    throw new ExprError(e instanceof Error ? e.message : String(e));
  }
  return new Value(type, loc, ctx);
}

/** `info locals`: innermost block first, each block's variables in declaration order. */
export async function listLocals(env: EvalEnv, read: ReadVariable): Promise<Array<{ name: string; value: Value }>> {
  const f = env.frame;
  if (!f?.fn || !f.debug) throw new ExprError('No symbol table info available.');
  const out: Array<{ name: string; value: Value }> = [];
  for (const block of f.scopeBlocks()) {
    const mine: Array<{ name: string; value: Value; die: Die }> = [];
    for (const c of block.children) {
      if (c.tag !== TAG.variable) continue;
      const name = c.name;
      if (!name) continue;
      // gdb lists integer constants (LOC_CONST) but not block constants (LOC_CONST_BYTES).
      if (Buffer.isBuffer(c.raw(AT.const_value))) continue;
      mine.push({ name, die: c, value: await read(c, f.debug, !(c.has(AT.location) && isStaticLocation(c))) });
    }
    // gdb's inherit_abstract_dies: the abstract origin's variables that no child of this block
    // stands for are the block's too (without a location: <optimized out>), even when a nested
    // block has its own concrete copy.
    const origin = block.ref(AT.abstract_origin);
    const concrete = new Set(block.children.map((c) => c.ref(AT.abstract_origin)).filter((d) => d !== undefined));
    for (const a of origin?.children ?? []) {
      if (a.tag !== TAG.variable || !a.name || concrete.has(a) || Buffer.isBuffer(a.raw(AT.const_value))) continue;
      mine.push({ name: a.name, die: a, value: await read(a, f.debug, true) });
    }
    // a lexical block's symbols are in a hashed dictionary in gdb: listed in its order (a function's in declaration order)
    if (block.tag === TAG.lexical_block) {
      const order = new Map(blockSymbolDies(block).map((d, i) => [d, i]));
      mine.sort((x, y) => (order.get(x.die) ?? 0) - (order.get(y.die) ?? 0));
    }
    for (const { name, value } of mine) out.push({ name, value });
  }
  return out;
}

/** `info args`: the function's formal parameters. */
export async function listArgs(env: EvalEnv, read: ReadVariable): Promise<Array<{ name: string; value: Value }>> {
  const f = env.frame;
  if (!f?.fn || !f.debug) throw new ExprError('No symbol table info available.');
  const out: Array<{ name: string; value: Value }> = [];
  for (const c of f.functionDie!.children) {
    if (c.tag !== TAG.formal_parameter) continue;
    out.push({ name: c.name ?? '', value: await read(c, f.debug, true) });
  }
  return out;
}

function isStaticLocation(d: Die): boolean {
  const b = d.block(AT.location);
  return !!b && b.length === 9 && b[0] === 0x03; // DW_OP_addr: a static local
}
