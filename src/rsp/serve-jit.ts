/**
 * tsdbg serve's JIT setting (issue 16 part 4). Each packet runs the
 * session's handlers once, after a sleep, a few thousand times a second at
 * most: with V8's default interrupt budget they stay in the baseline tier
 * (Sparkplug) for a long time, and serve used about 400 us of CPU per
 * stepi where gdbserver uses 180. A smaller budget sends them to the
 * optimizing compiler after fewer calls: 240-275 us per stepi, measured
 * with 500 stepi after a warm-up of 300 in alternating runs (load 9-10 on
 * the 2 CPUs). It applies to code V8 tiers up from now on, which is what
 * serve runs per packet; a server runs long enough that the extra
 * compilation is soon paid back.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's interrupt budget for serve (V8's default: 132 KiB of bytecode budget). */
export const SERVE_INTERRUPT_BUDGET = 2000;

let tuned = false;

/** Once per process, before the first session answers. */
export function tuneJitForServe(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--interrupt-budget=${SERVE_INTERRUPT_BUDGET}`);
}
