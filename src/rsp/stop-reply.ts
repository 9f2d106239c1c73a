/**
 * Stop replies (GDB manual, "Stop Reply Packets"): both directions.
 *   S AA                      signal
 *   T AA n:r;...;reason:v;    signal with expedited registers and a reason
 *   W AA[;process:pid]        exited with status AA
 *   X AA[;process:pid]        killed by signal AA
 * Signals are GDB numbers on the wire (see signals.ts).
 */
import { fromLeHex, parseHexBig, parseHexInt } from './packet.js';

export interface ParsedStop {
  kind: 'signal' | 'exited' | 'killed' | 'no-resumed';
  /** GDB signal number (signal/killed) or exit status (exited). */
  value: number;
  pid?: number;
  tid?: number;
  /** Expedited registers by regnum. */
  registers: Map<number, bigint>;
  /** 'swbreak' | 'hwbreak' | 'watch' | 'rwatch' | 'awatch' | 'exec' | ... */
  reason?: string;
  /** The reason's value: the data address for watchpoints, hex path for exec. */
  reasonValue?: string;
}

const REASONS = new Set(['swbreak', 'hwbreak', 'watch', 'rwatch', 'awatch', 'exec', 'fork', 'vfork', 'vforkdone',
  'library', 'replaylog', 'create', 'syscall_entry', 'syscall_return']);

/** Parse a thread id: `p<pid>.<tid>`, `p<pid>`, or plain `<tid>` (hex; -1 = all). */
export function parseThreadId(s: string): { pid?: number; tid?: number } {
  const one = (x: string) => (x === '-1' ? -1 : parseHexInt(x));
  if (s.startsWith('p')) {
    const [p, t] = s.slice(1).split('.');
    return { pid: one(p), tid: t === undefined ? undefined : one(t) };
  }
  return { tid: one(s) };
}

export function parseStopReply(reply: string): ParsedStop {
  const kind = reply[0];
  if (kind === 'N') return { kind: 'no-resumed', value: 0, registers: new Map() };
  if (!'STWX'.includes(kind) || reply.length < 2) throw new RangeError(`not a stop reply: "${reply.slice(0, 40)}"`);
  // S/T carry exactly two digits; gdbserver prints W/X statuses with %x, so
  // there the number runs to the first ';'
  const end = kind === 'W' || kind === 'X' ? (reply.indexOf(';') < 0 ? reply.length : reply.indexOf(';')) : 3;
  const value = parseHexInt(reply.slice(1, end));
  const out: ParsedStop = {
    kind: kind === 'W' ? 'exited' : kind === 'X' ? 'killed' : 'signal',
    value,
    registers: new Map(),
  };
  const rest = reply.slice(end);
  for (const field of rest.split(';')) {
    if (!field) continue;
    const colon = field.indexOf(':');
    const key = colon < 0 ? field : field.slice(0, colon);
    const val = colon < 0 ? '' : field.slice(colon + 1);
    if (key === 'thread') Object.assign(out, parseThreadId(val));
    else if (key === 'process') out.pid = parseHexInt(val);
    else if (REASONS.has(key)) { out.reason = key; out.reasonValue = val; }
    else if (/^[0-9a-fA-F]+$/.test(key) && val) out.registers.set(parseInt(key, 16), fromLeHex(val));
    // core:, and anything newer we do not know, are ignored as the manual requires
  }
  return out;
}

/** The data address of a watchpoint stop reason. */
export function watchAddress(stop: ParsedStop): bigint {
  return stop.reasonValue ? parseHexBig(stop.reasonValue) : 0n;
}
