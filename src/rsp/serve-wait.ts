/**
 * How tsdbg serve waits (issue 16 part 4): as gdbserver, by sleeping in the
 * kernel until the event, and busy-waiting only while a CPU is free.
 *
 *  - For the program's stop after a resume: LocalTarget's resumeWait spins
 *    (while a CPU is free) and then sleeps in waitpid itself, up to
 *    SERVE_BLOCK_US, so a step or a breakpoint hit never takes the SIGCHLD
 *    round trip through the event loop. A longer run (a `continue` that
 *    runs on) is then waited for in the event loop, where gdb's Ctrl-C is heard.
 *  - For gdb's next packet after a reply: a spin only while a CPU is free;
 *    else the event loop sleeps in epoll until it comes.
 *
 * A spin costs the CPU the peer (the program, gdb) needs when none is free,
 * and a spinning task is never woken ahead of a CPU-bound one as a sleeper is:
 * stepi was 3.7x gdbserver's time with a burner beside it.
 */
import { native } from '../target/native.js';
import type { RspWire } from './wire.js';

/** Longest sleep in waitpid for a stop before the event loop takes over (the loop is held meanwhile). */
export const SERVE_BLOCK_US = 20_000;

/** After a reply: wait up to spinNs for gdb's next packet, only while a CPU is free for gdb. */
export function awaitNextPacket(wire: RspWire, spinNs: number): void {
  if (spinNs > 0 && native.cpusFree() > 0) wire.awaitInput(spinNs);
}
