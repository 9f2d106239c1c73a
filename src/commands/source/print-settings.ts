/**
 * gdb's `set print pretty|elements|repeats` and their `show`: the value
 * printing settings of every DWARF evaluator (ProgramInfo.printSettings).
 * `unlimited` (or 0) is kept as Infinity.
 */
import { CommandError } from '../parse.js';
import type { PrintSettings } from '../../dwarf/format.js';

export function defaultPrintSettings(): PrintSettings {
  return { pretty: false, elements: 200, repeats: 10 };
}

const SHOW: Record<'elements' | 'repeats', string> = {
  elements: 'Limit on string chars or array elements to print is',
  repeats: 'Threshold for repeated print elements is',
};

/**
 * `set|show print ...` for one of the settings above: the text `show` prints,
 * '' for a `set`, or undefined when the line is about another setting.
 * `evaluate` gives gdb's value of a non-literal argument (an expression).
 */
export async function printSetting(
  settings: PrintSettings, verb: 'set' | 'show', rest: string, evaluate: (expr: string) => Promise<bigint>,
): Promise<string | undefined> {
  const m = /^print\s+(pretty|elements|repeats)\b\s*(.*)$/s.exec(rest.trim());
  if (!m) return undefined;
  const [, name, arg] = m as unknown as [string, 'pretty' | 'elements' | 'repeats', string];
  if (name === 'pretty') {
    if (verb === 'show') return `Pretty formatting of structures is ${settings.pretty ? 'on' : 'off'}.`;
    if (!/^(on|off|)$/.test(arg)) return undefined;
    settings.pretty = arg !== 'off';
    return '';
  }
  if (verb === 'show') return `${SHOW[name]} ${settings[name] === Infinity ? 'unlimited' : settings[name]}.`;
  if (!arg) throw new CommandError('Argument required (integer to set it to, or "unlimited").');
  let n: bigint;
  if (arg === 'unlimited') n = 0n;
  else if (/^\d+$/.test(arg)) n = BigInt(arg);
  else n = await evaluate(arg);
  // gdb's var_uinteger: 0 means unlimited; no negatives, nothing from UINT_MAX up
  if (n < 0n || n >= 0xffffffffn) throw new CommandError(`integer ${n} out of range`);
  settings[name] = n === 0n ? Infinity : Number(n);
  return '';
}
