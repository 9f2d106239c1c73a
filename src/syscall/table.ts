/**
 * The x86-64 system call table: names and numbers as gdb 13 knows them
 * (./table-data.ts), gdb's groups (`catch syscall group:file`) and strace's
 * classes (`-e trace=%file`), which come from the same lists.
 */
import { SYSCALL_ROWS } from './table-data.js';

export interface SyscallDef { nr: number; name: string; groups: readonly string[] }

const BY_NR = new Map<number, SyscallDef>();
const BY_NAME = new Map<string, SyscallDef>();
for (const [nr, name, groups] of SYSCALL_ROWS) {
  const def = { nr, name, groups: groups ? groups.split(',') : [] };
  BY_NR.set(nr, def);
  BY_NAME.set(name, def);
}

export const syscallByNr = (nr: number): SyscallDef | undefined => BY_NR.get(nr);
export const syscallByName = (name: string): SyscallDef | undefined => BY_NAME.get(name);
/** strace's name for a number it has no name for: syscall_0x1c8. */
export const syscallName = (nr: number): string => BY_NR.get(nr)?.name ?? `syscall_${'0x' + nr.toString(16)}`;

/** Every call's name, in number order (completion). */
export const SYSCALL_NAMES: readonly string[] = SYSCALL_ROWS.map(([, name]) => name);

/** gdb's group names (`catch syscall group:NAME`). */
export const GDB_GROUPS = ['descriptor', 'file', 'ipc', 'memory', 'network', 'process', 'signal'] as const;

/** Numbers of the calls in gdb group `group`, or undefined for a group gdb does not have. */
export function groupMembers(group: string): number[] | undefined {
  if (!(GDB_GROUPS as readonly string[]).includes(group)) return undefined;
  return SYSCALL_ROWS.filter(([, , g]) => g.split(',').includes(group)).map(([nr]) => nr);
}

/** strace's %class -> gdb's group of the same calls. */
const STRACE_CLASS: Record<string, string> = {
  file: 'file', process: 'process', network: 'network', net: 'network', signal: 'signal',
  ipc: 'ipc', desc: 'descriptor', memory: 'memory',
};

/**
 * strace's `-e trace=` list (`openat,read`, `%file`, `!write`, `all`, `none`)
 * -> the set of numbers traced, or a one-line error in strace's words.
 */
export function parseTraceSet(spec: string): Set<number> | 'all' | { error: string } {
  let negate = false;
  if (spec.startsWith('!')) { negate = true; spec = spec.slice(1); }
  if (spec === 'all' || spec === '') return negate ? new Set() : 'all';
  if (spec === 'none') return negate ? 'all' : new Set();
  const set = new Set<number>();
  for (const item of spec.split(',')) {
    if (item.startsWith('%')) {
      const g = STRACE_CLASS[item.slice(1)];
      const members = g ? groupMembers(g) : undefined;
      if (!members) return { error: `invalid system call '${item}'` };
      for (const nr of members) set.add(nr);
    } else if (/^\d+$/.test(item)) {
      set.add(Number(item));
    } else {
      const def = BY_NAME.get(item);
      if (!def) return { error: `invalid system call '${item}'` };
      set.add(def.nr);
    }
  }
  if (!negate) return set;
  const all = new Set(BY_NR.keys());
  for (const nr of set) all.delete(nr);
  return all;
}
