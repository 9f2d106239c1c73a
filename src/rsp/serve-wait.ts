/**
 * How tsdbg serve waits (issue 16 part 4): as gdbserver, by sleeping in the
 * kernel until the event, and busy-waiting only while a CPU is free.
 *
 *  - For the program's stop after a resume: LocalTarget's resumeWait spins
 *    (while a CPU is free) and then sleeps in waitpid itself, up to
 *    SERVE_BLOCK_US, so a step or a breakpoint hit never takes the SIGCHLD
 *    round trip through the event loop. A longer run (a `continue` that
 *    runs on) is then waited for in the event loop, where gdb's Ctrl-C is heard.
 *  - For gdb's next packet after a reply: a spin only while a CPU is free,
 *    then a sleep in ppoll up to SERVE_READ_BLOCK_US, and the bytes are read
 *    and answered right there (RspWire.readNow), not through the event
 *    loop's stream machinery: gdb sends about six packets per stepi.
 *
 * A spin costs the CPU the peer (the program, gdb) needs when none is free,
 * and a spinning task is never woken ahead of a CPU-bound one as a sleeper is:
 * stepi was 3.7x gdbserver's time with a burner beside it.
 */
import type { RspWire } from './wire.js';

/** Longest sleep in waitpid for a stop before the event loop takes over (the loop is held meanwhile). */
export const SERVE_BLOCK_US = 20_000;

/**
 * Longest sleep for gdb's next packet before the event loop takes over:
 * gdb sends a command's packets 14-80 us apart (p99 about 500 us) when it
 * has a CPU, but on a busy machine it often waits longer than 2 ms for one,
 * and a packet that then comes through the event loop costs serve more CPU
 * (the stream machinery) just when CPU is scarce: with a CPU burner beside,
 * 20 ms took 0.16x-0.94x the per-stepi time of 2 ms in 6 of 8 A/B runs
 * (1.01x and 1.55x in the other two: the machine was shared). The
 * sleep costs no CPU; once a command is done it is spent once, idle.
 */
export const SERVE_READ_BLOCK_US = 20_000;

/** After a reply: read gdb's next packet(s) if they come soon, parsed and answered before this returns. */
export function readNextPacket(wire: RspWire, spinNs: number): boolean {
  return wire.readNow(spinNs, SERVE_READ_BLOCK_US * 1000);
}
