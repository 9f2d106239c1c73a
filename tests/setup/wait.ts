/**
 * The bounds of every wait in the tests, sized for a loaded 2-core machine
 * (eight jobs sharing it, a CI run taking half an hour): generous, since they
 * cost nothing when things work, and each failure says what was awaited.
 * vitest's testTimeout (vitest.config.ts) stays above them.
 */

/** A poll for an event (a pid printed, a process gone, a thread stopped). */
export const WAIT_MS = 60_000;

/**
 * A whole scripted session in a child (spawnSync of tsdbg or gdb): its `timeout`,
 * with killSignal SIGKILL: a hung Node never runs its SIGTERM handler, and
 * spawnSync would wait for it for ever. Its tracee dies too (PTRACE_O_EXITKILL;
 * gdb's as well).
 */
export const SESSION_MS = 120_000;

/** Poll until `cond` holds; fail after `ms` saying what was awaited (`what` is read then: it may show output so far). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string | (() => string), ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Throws, saying so, when a spawnSync session ran into its bound (SESSION_MS) rather than finishing. */
export function finished<T extends { error?: Error; stdout: string | Buffer; stderr: string | Buffer }>(r: T, what: string): T {
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`${what} did not finish within ${SESSION_MS / 1000} s and was killed; it printed:\n${r.stdout}${r.stderr}`);
  }
  return r;
}
