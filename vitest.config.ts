import { defineConfig } from 'vitest/config';

// Projects:
//  unit         pure TypeScript tests, no processes
//  integration  real C programs under examples/, traced on this host
//  parity       the real-program corpus held against gdb (npm run parity prints the report)
//  guest        boots the patched kernel under QEMU and runs the kernel suite there
//  in-guest     tests that need the patched kernel; they exist only inside the guest
//               (TSDBG_IN_GUEST, set by `tsdbg vm run`), where tests/guest/in-guest.sh runs them
const inGuest = Boolean(process.env.TSDBG_IN_GUEST);

// Every project: a test (or file, or run) that leaves a process running fails,
// naming it (tests/setup/owner.ts, tests/setup/leaks.ts).
const leakCheck = { setupFiles: ['tests/setup/owner.ts'], globalSetup: ['tests/setup/global.ts'] };
// Bounds for a loaded 2-core machine (up to eight jobs on it): above every wait
// of the tests themselves (tests/setup/wait.ts: 60 s for an event, 120 s for a
// whole scripted session), so those fail first and say what they waited for.

export default defineConfig({
  // The guest sees the project read-only: keep vitest's cache on its writable /tmp.
  ...(inGuest ? { cacheDir: '/tmp/tsdbg-vitest-cache' } : {}),
  test: {
    // the last leak sweep (tests/setup/global.ts) may have processes to kill
    teardownTimeout: 60_000,
    projects: [
      { test: { ...leakCheck, name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { ...leakCheck, name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
      // Real Debian programs under gdb and tsdbg on a pty, two sessions at a time (tests/parity/).
      { test: { ...leakCheck, name: 'parity', include: ['tests/parity/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 1_800_000, fileParallelism: false } },
      // One guest boot at a time: two TCG guests on two cores would only slow each other down.
      { test: { ...leakCheck, name: 'guest', include: ['tests/guest/**/*.test.ts'], testTimeout: 1_200_000, hookTimeout: 1_200_000, fileParallelism: false } },
      ...(inGuest
        ? [{ test: { ...leakCheck, name: 'in-guest', include: ['tests/in-guest/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } }]
        : []),
    ],
  },
});
