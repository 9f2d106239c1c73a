/**
 * The core's internal records turned into the frozen, text-free values of
 * DebuggerState (./state.ts).
 */
import type { Breakpoint } from '../commands/store.js';
import type { StackFrame } from '../dwarf/program.js';
import type { BreakpointInfo, Frame } from './state.js';

/** Where an address is in the program's source, as far as symbols and line tables say. */
export interface Place {
  function: string | undefined;
  file: string | undefined;
  path: string | undefined;
  line: number | undefined;
  module?: string;
}

export const NOWHERE: Place = { function: undefined, file: undefined, path: undefined, line: undefined };

/** A breakpoint record as front ends see it. */
export function breakpointInfo(b: Breakpoint, place: (pc: bigint) => Place): BreakpointInfo {
  const locations = b.address === undefined ? [] : [b.address, ...(b.more ?? [])];
  const at = b.address !== undefined && !b.watch ? place(b.address) : NOWHERE;
  return {
    id: b.id,
    type: b.type,
    spec: b.spec,
    verified: b.address !== undefined,
    address: b.address,
    locations,
    function: at.function,
    file: at.file,
    path: at.path,
    line: b.line ?? at.line,
    enabled: b.enabled,
    temporary: b.disposition === 'del',
    hits: b.hits,
    condition: b.condition,
    ignoreCount: b.ignoreCount,
    commands: [...(b.commands ?? [])],
    ...(b.watch ? { watch: { length: b.watch.length, access: b.watch.kind, software: Boolean(b.watch.soft) } } : {}),
  };
}

/** A DWARF frame (src/dwarf/program.ts) as the one Frame type. */
export function frameOfDwarf(f: StackFrame, level: number, cfa: bigint | undefined, fallback: (pc: bigint) => Place): Frame {
  const line = f.line;
  const fn = f.functionName ?? f.fn?.name;
  const callSite = level === 0 ? f.pc : f.pc - 1n;
  const sym = fn ? undefined : fallback(callSite);
  return {
    level, pc: f.pc,
    function: fn ?? sym?.function,
    file: line?.file, path: line?.path, line: line?.line,
    ...(cfa !== undefined ? { cfa } : {}),
    ...(sym?.module ? { module: sym.module } : {}),
  };
}

/** A frame known from symbols alone (frame-pointer unwinding). */
export function frameOfPc(level: number, pc: bigint, cfa: bigint | undefined, place: (pc: bigint) => Place): Frame {
  // a caller's pc is a return address: its place is the call's (pc - 1), as gdb names it
  const p = place(level === 0 ? pc : pc - 1n);
  return {
    level, pc, function: p.function, file: p.file, path: p.path, line: p.line,
    ...(cfa !== undefined ? { cfa } : {}),
    ...(p.module ? { module: p.module } : {}),
  };
}
