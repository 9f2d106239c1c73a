/**
 * The classic-BPF seccomp filter `tsdbg trace -e trace=...` installs in the
 * program before exec: SECCOMP_RET_TRACE for the chosen calls (a
 * PTRACE_EVENT_SECCOMP stop), SECCOMP_RET_ALLOW for every other call, which
 * then never stops. As strace --seccomp-bpf builds it, without its
 * range-merging.
 */
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const RET_ALLOW = 0x7fff0000;
const RET_TRACE = 0x7ff00000;
/** BPF jumps are 8-bit: more calls than this and no filter is used (every call stops). */
export const MAX_FILTERED = 250;

/** The filter as struct sock_filter[] bytes, or null when the set is too large for one. */
export function seccompFilter(nrs: Set<number>): Buffer | null {
  const list = [...nrs].sort((x, y) => x - y);
  if (list.length > MAX_FILTERED) return null;
  const insns: Array<[number, number, number, number]> = [];
  const n = list.length;
  insns.push([LD_W_ABS, 0, 0, 4]);                       // seccomp_data.arch
  insns.push([JEQ_K, 0, n + 1, AUDIT_ARCH_X86_64]);     // another ABI: allow
  insns.push([LD_W_ABS, 0, 0, 0]);                       // seccomp_data.nr
  list.forEach((nr, i) => insns.push([JEQ_K, n - i, 0, nr]));
  insns.push([RET_K, 0, 0, RET_ALLOW]);
  insns.push([RET_K, 0, 0, RET_TRACE]);
  const b = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    b.writeUInt16LE(code, i * 8);
    b.writeUInt8(jt, i * 8 + 2);
    b.writeUInt8(jf, i * 8 + 3);
    b.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return b;
}
