/**
 * $_siginfo: the type gdb synthesizes for the x86-64 Linux siginfo_t
 * (linux_get_siginfo_type), so `p $_siginfo._sifields._sigfault.si_addr`
 * and `ptype $_siginfo` read as they do in gdb. Fields are laid out at
 * their natural alignment; the union of the _sifields starts at 16.
 */
import { ATE } from './constants.js';
import { INT, LONG, UINT, sizeOf, strip, type CType, type Member } from './types.js';
import { maxOf } from '../arrays.js';

const VOID_PTR: CType = { kind: 'pointer', size: 8, target: { kind: 'void' } };
const SHORT: CType = { kind: 'base', name: 'short', size: 2, encoding: ATE.signed };
const typedef = (name: string, target: CType): CType => ({ kind: 'typedef', name, target });
const PID = typedef('__pid_t', INT);
const UID = typedef('__uid_t', UINT);
const CLOCK = typedef('__clock_t', LONG);

/** Natural alignment of the scalar, array and composite types used here. */
function alignOf(t: CType): number {
  const s = strip(t);
  if (s.kind === 'array') return alignOf(s.element);
  if (s.kind === 'struct' || s.kind === 'union') return maxOf(1, s.members.map((m) => alignOf(m.type)));
  return sizeOf(s);
}

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** A struct (or union) of fields at their natural alignment, as gdb's append_composite_type_field lays them out. */
function composite(kind: 'struct' | 'union', tag: string | undefined, fields: Array<[string, CType]>): CType {
  const members: Member[] = [];
  let end = 0;
  for (const [name, type] of fields) {
    const offset = kind === 'union' ? 0 : roundUp(end, alignOf(type));
    members.push({ name, type, offset });
    end = Math.max(end, offset + sizeOf(type));
  }
  const t: CType = { kind, tag, size: 0, members, incomplete: false };
  t.size = roundUp(end, alignOf(t));
  return t;
}

const SIGVAL = composite('union', 'sigval_t', [['sival_int', INT], ['sival_ptr', VOID_PTR]]);

const SIFIELDS = composite('union', undefined, [
  // gdb makes the padding an int vector (`int _pad __attribute__ ((vector_size(28)))`)
  ['_pad', { kind: 'array', element: INT, count: 28, vector: true }],
  ['_kill', composite('struct', undefined, [['si_pid', PID], ['si_uid', UID]])],
  ['_timer', composite('struct', undefined, [['si_tid', INT], ['si_overrun', INT], ['si_sigval', SIGVAL]])],
  ['_rt', composite('struct', undefined, [['si_pid', PID], ['si_uid', UID], ['si_sigval', SIGVAL]])],
  ['_sigchld', composite('struct', undefined, [
    ['si_pid', PID], ['si_uid', UID], ['si_status', INT], ['si_utime', CLOCK], ['si_stime', CLOCK]])],
  ['_sigfault', composite('struct', undefined, [
    ['si_addr', VOID_PTR], ['_addr_lsb', SHORT],
    ['_addr_bnd', composite('struct', undefined, [['_lower', VOID_PTR], ['_upper', VOID_PTR]])]])],
  ['_sigpoll', composite('struct', undefined, [['si_band', LONG], ['si_fd', INT]])],
  ['_sigsys', composite('struct', undefined, [['_call_addr', VOID_PTR], ['_syscall', INT], ['_arch', UINT]])],
]);

/** gdb's `struct siginfo` (128 bytes). */
export const SIGINFO_TYPE: CType = composite('struct', 'siginfo', [
  ['si_signo', INT], ['si_errno', INT], ['si_code', INT], ['_sifields', SIFIELDS],
]);
