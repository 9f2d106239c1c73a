import { defineConfig } from 'vitest/config';

// Projects:
//  unit         pure TypeScript tests, no processes
//  integration  real C programs under examples/, traced on this host
//  parity       the real-program corpus held against gdb (npm run parity prints the report)
//  guest        boots the patched kernel under QEMU and runs the kernel suite there
//  in-guest     tests that need the patched kernel; they exist only inside the guest
//               (TSDBG_IN_GUEST, set by `tsdbg vm run`), where tests/guest/in-guest.sh runs them
const inGuest = Boolean(process.env.TSDBG_IN_GUEST);

export default defineConfig({
  // The guest sees the project read-only: keep vitest's cache on its writable /tmp.
  ...(inGuest ? { cacheDir: '/tmp/tsdbg-vitest-cache' } : {}),
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      // Real Debian programs under gdb and tsdbg on a pty, two sessions at a time (tests/parity/).
      { test: { name: 'parity', include: ['tests/parity/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 1_800_000, fileParallelism: false } },
      // One guest boot at a time: two TCG guests on two cores would only slow each other down.
      { test: { name: 'guest', include: ['tests/guest/**/*.test.ts'], testTimeout: 1_200_000, hookTimeout: 1_200_000, fileParallelism: false } },
      ...(inGuest
        ? [{ test: { name: 'in-guest', include: ['tests/in-guest/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } }]
        : []),
    ],
  },
});
