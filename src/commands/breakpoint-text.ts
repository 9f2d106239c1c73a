/**
 * How the gdb console shows breakpoints: `info breakpoints`' table, the
 * watchpoint titles, the ignore-count sentence.
 */
import type { Breakpoint } from './store.js';
import { hex16 } from './format.js';
import { whatWrapped } from './breakpoint-what.js';
import { pushAll } from '../arrays.js';

export interface BreakpointPlaces {
  /** `main+4` for an address, when a symbol covers it. */
  symbol(addr: bigint): string | undefined;
  /** `in tick at f.c:17` for an address with line info (`line`: the line gdb keeps for it; `spec`: the function asked for). */
  where(addr: bigint, line?: number, spec?: string): string | undefined;
  /** Whether a process runs (watchpoints have addresses only then). */
  running?(): boolean;
}

/** gdb's `info breakpoints` (`watchOnly`: `info watchpoints`). */
export function breakpointTable(all: readonly Breakpoint[], watchOnly: boolean, places: BreakpointPlaces): string[] {
  const list = all.filter((b) => !watchOnly || b.watch);
  if (!list.length) return [watchOnly ? 'No watchpoints.' : 'No breakpoints or watchpoints.'];
  // gdb's Address column is 18 wide when something listed has an address, else 10 (pending, unreadable watch)
  // (a watchpoint's address counts only while the process runs: gdb drops its locations at the exit)
  const col = list.some((b) => b.address !== undefined && (!b.watch || !!places.running?.())) ? 19 : 11;
  // gdb widens the Type column to its longest entry (`read watchpoint`)
  const tw = Math.max(14, ...list.map((b) => (b.watch ? b.type.length : 10))) + 1;
  const lines = [`Num     ${'Type'.padEnd(tw)}Disp Enb ${'Address'.padEnd(col)}What`];
  for (const b of list) {
    const enb = b.enabled ? 'y' : 'n';
    if (b.type === 'catchpoint') {
      lines.push(`${String(b.id).padEnd(8)}${'catchpoint'.padEnd(tw)}${b.disposition.padEnd(5)}${enb.padEnd(4)}${''.padEnd(col)}${b.spec}`);
    } else if (b.watch) {
      lines.push(`${String(b.id).padEnd(8)}${b.type.padEnd(tw)}${b.disposition.padEnd(5)}${enb.padEnd(4)}${''.padEnd(col)}${b.spec}`);
    } else {
      const sym = b.address === undefined ? undefined : places.symbol(b.address);
      const addr = b.address !== undefined ? hex16(b.address) : '<PENDING>';
      const where = b.address === undefined ? undefined : places.where(b.address, b.line);
      const what = b.address === undefined ? b.spec : where ?? (sym ? `<${sym}>` : '');
      lines.push(`${String(b.id).padEnd(8)}${'breakpoint'.padEnd(tw)}${b.disposition.padEnd(5)}${enb.padEnd(4)}${(b.more ? '<MULTIPLE>' : addr).padEnd(col)}${b.more ? '' : whatWrapped(what)}`);
    }
    if (b.condition) lines.push(`\tstop only if ${b.condition}`);
    if (b.hits) lines.push(`\t${b.type === 'catchpoint' ? 'catchpoint' : 'breakpoint'} already hit ${b.hits} time${b.hits === 1 ? '' : 's'}`);
    if (b.ignoreCount) lines.push(`\tWill ignore next ${b.ignoreCount} crossings of breakpoint.`);
    if (b.commands?.length) pushAll(lines, commandRows(b.commands));
    if (b.more) pushAll(lines, locationRows(b, places, tw));
  }
  if (list.some((b) => b.invalid?.length)) lines.push('(*): Breakpoint condition is invalid at this location.');
  return lines;
}

/** A breakpoint's commands as gdb lists them: 8 spaces in, the bodies of while and if 2 more. */
function commandRows(commands: readonly string[]): string[] {
  let depth = 0;
  return commands.map((raw) => {
    const c = raw.trim();
    if (c === 'end' || c === 'else') depth = Math.max(0, depth - 1);
    const row = `${' '.repeat(8 + 2 * depth)}${c}`;
    if (/^(while|if)\b/.test(c) || c === 'else') depth++;
    return row;
  });
}

/** gdb's rows for the locations of a breakpoint with several: `1.2    y   0x... in tick at f.c:17`. */
function locationRows(b: Breakpoint, places: BreakpointPlaces, tw: number): string[] {
  const locs = b.address === undefined ? [] : [b.address, ...(b.more ?? [])];
  return locs.map((a, i) => {
    // (without a line, gdb names the address: `<_dl_close_worker+1469>`)
    const sym = places.symbol(a);
    const where = places.where(a, b.lines?.[i], b.spec) ?? (sym ? `<${sym}>` : undefined);
    const bad = b.invalid?.includes(i);
    return `${`${b.id}.${i + 1}`.padEnd(13 + tw)}${(bad ? 'N*' : b.enabled ? 'y' : 'n').padEnd(4)}${hex16(a)}${where ? ` ${whatWrapped(where)}` : ''}`;
  });
}

/** The title of a watchpoint's lines: `Hardware watchpoint`, `Watchpoint` (software)... */
export function watchTitle(b: Breakpoint): string {
  if (b.watch?.soft) return 'Watchpoint';
  switch (b.watch?.kind) {
    case 'read': return 'Hardware read watchpoint';
    case 'access': return 'Hardware access (read/write) watchpoint';
    default: return 'Hardware watchpoint';
  }
}

/** gdb's `Will ignore next N crossings of breakpoint B` (`next crossing` for one). */
export function ignoreText(id: number, n: number): string {
  return `Will ignore next ${n === 1 ? 'crossing' : `${n} crossings`} of breakpoint ${id}`;
}
