/**
 * gdb's `catch syscall` / `tcatch syscall`: parsing what to catch (names,
 * numbers, `group:NAME`), the texts gdb 13 prints when one is set, listed
 * (`info breakpoints`) and hit, and the set of calls the target must stop at.
 */
import { CommandError } from './parse.js';
import type { Breakpoint } from './store.js';
import type { SyscallStop } from '../debugger/state.js';
import { groupMembers, syscallByName, syscallByNr } from '../syscall/table.js';

/** The calls `catch syscall ARGS` names, or 'any' for none given. */
export function parseCatchSyscall(args: string): number[] | 'any' {
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return 'any';
  const out: number[] = [];
  for (const w of words) {
    const group = /^(?:g|group):(.*)$/.exec(w);
    if (group) {
      const members = groupMembers(group[1]!);
      if (!members) throw new CommandError(`Unknown syscall group '${group[1]}'.`);
      out.push(...members);
    } else if (/^\d+$/.test(w)) {
      out.push(Number(w));
    } else {
      const def = syscallByName(w);
      if (!def) throw new CommandError(`Unknown syscall name '${w}'.`);
      out.push(def.nr);
    }
  }
  return out;
}

/** `Catchpoint 1 (syscall 'openat' [257])`, `(syscalls 'read' [0] 'write' [1])`, `(any syscall)`. */
export function catchSetText(id: number, calls: number[] | 'any'): string {
  if (calls === 'any') return `Catchpoint ${id} (any syscall)`;
  const one = (nr: number) => {
    const def = syscallByNr(nr);
    return def ? `'${def.name}' [${nr}]` : `${nr}`;
  };
  return `Catchpoint ${id} (syscall${calls.length > 1 ? 's' : ''} ${calls.map(one).join(' ')})`;
}

/** The What column of `info breakpoints`: `syscall "openat" ` (gdb's trailing space). */
export function catchWhat(calls: number[] | 'any'): string {
  if (calls === 'any') return 'syscall "<any syscall>" ';
  const names = calls.map((nr) => syscallByNr(nr)?.name ?? String(nr));
  return `syscall${calls.length > 1 ? 's' : ''} "${names.join(', ')}" `;
}

/** gdb's name for a call in a stop line: `openat`, or the number gdb has no name for. */
export const syscallLabel = (nr: number): string => syscallByNr(nr)?.name ?? String(nr);

/** `Catchpoint 1 (call to syscall openat)` / `Temporary catchpoint 3 (returned from syscall close)`. */
export function catchHitText(b: Breakpoint, nr: number, entry: boolean): string {
  const title = b.disposition === 'del' ? 'Temporary catchpoint' : 'Catchpoint';
  return `${title} ${b.id} (${entry ? 'call to' : 'returned from'} syscall ${syscallLabel(nr)})`;
}

/** Whether catchpoint b stops at call nr. */
export const catches = (b: Breakpoint, nr: number): boolean =>
  b.type === 'catchpoint' && b.enabled && b.syscalls !== undefined && (b.syscalls === 'any' || b.syscalls.includes(nr));

/** The calls the enabled catchpoints want the target to stop at (undefined: none). */
export function syscallCatchSet(bps: readonly Breakpoint[]): ReadonlySet<number> | 'any' | undefined {
  const live = bps.filter((b) => b.type === 'catchpoint' && b.enabled && b.syscalls !== undefined);
  if (!live.length) return undefined;
  if (live.some((b) => b.syscalls === 'any')) return 'any';
  return new Set(live.flatMap((b) => b.syscalls as number[]));
}

/** A new catchpoint record (`tcatch`: deleted when hit). */
export function newCatchpoint(id: number, calls: number[] | 'any', temporary: boolean): Breakpoint {
  return {
    id, type: 'catchpoint', spec: catchWhat(calls), address: undefined, enabled: true,
    disposition: temporary ? 'del' : 'keep', hits: 0, condition: undefined, ignoreCount: 0, inserted: false, syscalls: calls,
  };
}

/** The stop as DebuggerState.stop.syscall publishes it. */
export function syscallStopOf(r: { nr: number; entry: boolean; args: bigint[]; ret?: bigint }): SyscallStop {
  return { name: syscallLabel(r.nr), number: r.nr, entry: r.entry, args: [...r.args], ret: r.entry ? undefined : r.ret };
}
