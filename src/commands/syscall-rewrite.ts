/**
 * The prompt's `syscall rewrite` and `syscall skip`, at a `catch syscall`
 * stop (what `tsdbg trace --rewrite` / `-e inject=` do for a whole run, done
 * to the one call the program is stopped in):
 *
 *   at the entry   syscall rewrite path NEWPATH   the call's path argument (the string goes below the stack's red zone)
 *                  syscall rewrite argN EXPR      argument N (0-5)
 *                  syscall skip [VALUE]           the kernel skips the call; the program sees VALUE (0 by default)
 *   at the return  syscall rewrite ret VALUE      the result the program sees
 *
 * VALUE is an errno name (`ENOENT`, the program sees -2), or an expression.
 * Every change goes through the registers the one mapping in
 * src/syscall/change.ts gives (a kernel with PTRACE_SET_SYSCALL_INFO could do
 * it in one request). The bytes a rewritten path covered are put back, and a
 * skipped call gets its result, at the call's return, which the catchpoint
 * that stopped at its entry also stops at (a catchpoint deleted in between:
 * the covered bytes stay below the stack, where the program does not look).
 */
import type { Registers } from '../target/types.js';
import type { SyscallStop } from '../debugger/state.js';
import { CommandError } from './parse.js';
import { syscallRegisters } from '../syscall/change.js';
import { errnoNumber } from '../syscall/errno.js';
import { pathArgument } from '../syscall/rewrite.js';
import { scratchString } from '../syscall/change.js';
import { inOwnStack } from '../syscall/scratch.js';

export interface RewriteHost {
  /** The catch syscall stop the program is at (its thread), if it is at one. */
  stop(): { tid: number; pid: number; syscall: SyscallStop } | undefined;
  /** Whether the program is traced by this process (a remote stub cannot change a call). */
  local(): boolean;
  regs(): Promise<Registers>;
  setRegisters(r: Partial<Registers>): Promise<void>;
  evaluate(expr: string): Promise<bigint>;
  /** The stop's call as it now is (info syscall, the UI), after a change of argument `index` or of the result. */
  changed(c: { index?: number; value: bigint }): void;
  out(line: string): void;
}

/** What an entry stop left for the call's return. */
interface AtReturn { restore?: { addr: bigint; saved: Buffer }; rv?: bigint }

const USAGE = 'Usage: syscall rewrite path NEWPATH | syscall rewrite argN EXPR | syscall rewrite ret VALUE | syscall skip [VALUE]';

export class SyscallRewrites {
  private readonly pending = new Map<number, AtReturn>();

  /** `syscall ARGS` typed at the prompt. */
  async command(args: string, host: RewriteHost): Promise<void> {
    const m = /^(\S+)\s*(.*)$/.exec(args.trim());
    if (!m) throw new CommandError(USAGE);
    const [, verb, rest] = m as unknown as [string, string, string];
    if (verb !== 'rewrite' && verb !== 'skip') throw new CommandError(`Undefined syscall command: "${verb}".  ${USAGE}`);
    const at = host.stop();
    if (!at) throw new CommandError('The program is not stopped at a system call (a catch syscall stop).');
    if (!host.local()) throw new CommandError('syscall rewrite needs a program traced here: the remote protocol cannot change a system call.');
    const { tid, pid, syscall: call } = at;
    if (verb === 'skip') {
      if (!call.entry) throw new CommandError(`${call.name} has run already: skip a call at its entry stop (syscall rewrite ret changes its result).`);
      const rv = rest.trim() === '' ? 0n : await this.value(rest, host);
      // the kernel skips a call numbered -1 and leaves rax as the tracer set it (entry_SYSCALL_64 stored -ENOSYS
      // there before this stop): the result holds even if no stop comes at the return
      await host.setRegisters(syscallRegisters({ nr: -1, rv }));
      this.forTid(tid).rv = rv;
      host.out(`${call.name} will be skipped; the program sees ${rv}.`);
      return;
    }
    const w = /^(path|ret|arg([0-5]))\s+(\S.*)$/.exec(rest.trim());
    if (!w) throw new CommandError(USAGE);
    const [, what, n, value] = w as unknown as [string, string, string | undefined, string];
    if (what === 'ret') {
      if (call.entry) throw new CommandError(`${call.name} has not run yet: change its result at its return stop (or syscall skip it).`);
      const rv = await this.value(value, host);
      await host.setRegisters(syscallRegisters({ rv }));
      host.changed({ value: rv });
      host.out(`${call.name} returns ${rv}.`);
      return;
    }
    if (!call.entry) throw new CommandError(`${call.name} has run already: change its arguments at its entry stop.`);
    if (what === 'path') {
      const index = pathArgument(call.name);
      if (index === undefined) throw new CommandError(`${call.name} has no path argument.`);
      const path = unquote(value);
      const { rsp } = await host.regs();
      const low = rsp - 256n - BigInt(Buffer.byteLength(path) + 1);
      // (tsdbg trace maps a page where the stack is not the program's own; its injected call needs the tracer's own wait loop)
      if (!inOwnStack(pid, low, rsp)) throw new CommandError('The stack pointer is not in the program\'s own stack: no room for the new path (tsdbg trace --rewrite-page can map one).');
      const placed = scratchString(tid, rsp, path);
      this.forTid(tid).restore = placed;
      await host.setRegisters(syscallRegisters({ args: new Map([[index, placed.addr]]) }));
      host.changed({ index, value: placed.addr });
      host.out(`${call.name}'s path is now "${path}".`);
      return;
    }
    const v = await host.evaluate(value);
    await host.setRegisters(syscallRegisters({ args: new Map([[Number(n), v]]) }));
    host.changed({ index: Number(n), value: v });
    host.out(`${call.name}'s argument ${n} is now ${v}.`);
  }

  /**
   * The call of thread `tid` returned: put back what its entry changed; the
   * result a skip chose (written now: the return stop shows it), or undefined.
   */
  async atReturn(tid: number, host: Pick<RewriteHost, 'setRegisters'>, execed: boolean): Promise<bigint | undefined> {
    const p = this.pending.get(tid);
    if (!p) return undefined;
    this.pending.delete(tid);
    // after a successful execve the old stack is gone: nothing to put back
    if (p.restore && !execed) scratchString.restore(tid, p.restore.addr, p.restore.saved);
    if (p.rv === undefined) return undefined;
    await host.setRegisters(syscallRegisters({ rv: p.rv }));
    return p.rv;
  }

  /** The process is gone or was replaced: nothing is pending. */
  reset(): void { this.pending.clear(); }

  private forTid(tid: number): AtReturn {
    let p = this.pending.get(tid);
    if (!p) this.pending.set(tid, p = {});
    return p;
  }

  private async value(text: string, host: RewriteHost): Promise<bigint> {
    const t = text.trim();
    const neg = /^-?(E[A-Z0-9]+)$/.exec(t);
    if (neg) {
      const e = errnoNumber(neg[1]!);
      if (e === undefined) throw new CommandError(`Unknown errno name "${neg[1]}".`);
      return -BigInt(e);
    }
    return BigInt.asIntN(64, await host.evaluate(t));
  }
}

/** A path as typed: bare, or in double quotes with C escapes of `"` and `\`. */
function unquote(s: string): string {
  const t = s.trim();
  if (!t.startsWith('"')) return t;
  if (!/^"(?:[^"\\]|\\.)*"$/.test(t)) throw new CommandError('Unterminated string in the new path.');
  return t.slice(1, -1).replace(/\\(.)/g, '$1');
}
