/**
 * Tail-call frames, as gdb's dwarf2/frame-tailcall.c finds them: a function
 * that ended with a jump to another (DW_TAG_call_site with
 * DW_AT_call_tail_call) left no return address, so the unwinder goes from
 * the callee straight to the function that called it. The caller's call
 * site at that return address says which function it called; when that is
 * not the callee, the tail calls leading from it to the callee (one chain,
 * as gdb requires) are the frames that went missing:
 *
 *   #0 __pthread_kill_implementation   (jumped to by)
 *   #1 __pthread_kill_internal         tail-call frame: pc after its jmp
 *   #2 raise                           (called pthread_kill)
 */
import { AT, TAG } from './constants.js';
import type { Die } from './info.js';
import type { DebugInfo, FunctionInfo } from './debuginfo.js';

const AT_CALL_RETURN_PC = 0x7d;
const AT_CALL_ORIGIN = 0x7f;
const AT_CALL_TAIL_CALL = 0x82;
const AT_GNU_TAIL_CALL = 0x2115;
/** gdb gives up on longer chains too (and on loops). */
const MAX_DEPTH = 8;

export interface TailCallProgram {
  functionAt(pc: bigint): { fn: FunctionInfo; debug: DebugInfo } | undefined;
  functionsNamed(name: string): Array<{ fn: FunctionInfo; debug: DebugInfo }>;
  /** A function's address by its ELF symbol (gdb's minimal symbols), if there is one. */
  functionSymbol?(name: string): bigint | undefined;
}

/** One missing frame: the function that made the tail call, at the address after its jump. */
export interface TailCall {
  site: Die;
  /** Absolute address after the jump (the tail-call frame's pc). */
  pc: bigint;
}

/** Call sites of a function (its blocks and inlined calls included). */
function callSites(fnDie: Die): Die[] {
  const out: Die[] = [];
  const stack = [...fnDie.children];
  while (stack.length) {
    const d = stack.pop()!;
    if (d.tag === TAG.call_site || d.tag === TAG.GNU_call_site) out.push(d);
    else if (d.tag === TAG.lexical_block || d.tag === TAG.inlined_subroutine) stack.push(...d.children);
  }
  return out;
}

const returnPc = (site: Die): bigint | undefined => site.addr(AT_CALL_RETURN_PC) ?? site.addr(AT.low_pc);
const isTailCall = (site: Die): boolean => site.flag(AT_CALL_TAIL_CALL) || site.flag(AT_GNU_TAIL_CALL);

/**
 * Where a call site's DW_AT_call_origin function starts, as gdb's
 * read_call_site_scope takes it: a declaration by its (linkage) name, any
 * other DIE by its own code (low pc); an abstract instance (a function also
 * inlined) has none, so the target is unknown. `byName` resolves a name.
 */
export function originEntry(origin: Die, debug: DebugInfo, byName: (name: string) => bigint | undefined): bigint | undefined {
  if (origin.flag(AT.declaration) && !origin.has(AT.specification)) {
    const name = origin.str(AT.linkage_name) ?? origin.name;
    return name === undefined ? undefined : byName(name);
  }
  const ranges = origin.has(AT.ranges) ? debug.rangeList(origin) : [];
  const low = origin.addr(AT.low_pc) ?? (ranges.length ? ranges.reduce((m, [l]) => (l < m ? l : m), ranges[0]![0]) : undefined);
  return low === undefined ? undefined : low + debug.bias;
}

/** Where a call site's DW_AT_call_origin function starts (a register target cannot be known here). */
function siteTarget(program: TailCallProgram, site: Die, debug: DebugInfo): bigint | undefined {
  const origin = site.ref(AT_CALL_ORIGIN) ?? site.ref(AT.abstract_origin);
  if (!origin) return undefined;
  return originEntry(origin, debug, (name) => {
    const sym = program.functionSymbol?.(name);
    if (sym !== undefined) return sym;
    const hits = program.functionsNamed(name);
    return hits.length === 1 ? hits[0]!.debug.entryOf(hits[0]!.fn) : undefined;
  });
}

/**
 * The tail calls between a caller at `callerPc` (a return address) and the
 * function entered at `calleeEntry`, innermost (nearest the callee) first;
 * empty when the call site called the callee itself or nothing is certain.
 */
export function tailCallChain(program: TailCallProgram, calleeEntry: bigint, callerPc: bigint): TailCall[] {
  const caller = program.functionAt(callerPc - 1n);
  if (!caller) return [];
  const ret = callerPc - caller.debug.bias;
  const site = callSites(caller.fn.die).find((s) => returnPc(s) === ret);
  const first = site && siteTarget(program, site, caller.debug);
  if (first === undefined || first === calleeEntry) return [];
  const chains: TailCall[][] = [];
  const walk = (entry: bigint, path: TailCall[], seen: Set<bigint>): void => {
    if (chains.length > 1 || path.length >= MAX_DEPTH) return;
    const hit = program.functionAt(entry);
    if (!hit || hit.debug.entryOf(hit.fn) !== entry) return;
    for (const s of callSites(hit.fn.die)) {
      if (!isTailCall(s)) continue;
      const target = siteTarget(program, s, hit.debug);
      const pc = returnPc(s);
      if (target === undefined || pc === undefined) continue;
      const step = [...path, { site: s, pc: pc + hit.debug.bias }];
      if (target === calleeEntry) chains.push(step);
      else if (!seen.has(target)) walk(target, step, new Set([...seen, target]));
    }
  };
  walk(first, [], new Set([first]));
  // Only a single way from the caller to the callee is shown (gdb's chain of certain frames).
  return chains.length === 1 ? chains[0]!.reverse() : [];
}
