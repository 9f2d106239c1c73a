import { defineConfig } from 'vitest/config';

// Projects:
//  unit         pure TypeScript tests, no processes
//  integration  real C programs under examples/, traced on this host
//  guest        boots the patched kernel under QEMU and runs the kernel suite there
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: 'guest', include: ['tests/guest/**/*.test.ts'], testTimeout: 1_200_000, hookTimeout: 1_200_000 } },
    ],
  },
});
