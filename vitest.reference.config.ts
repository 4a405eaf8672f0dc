import { defineConfig } from 'vitest/config';

// Checks against ../shared (the original study's grammar, benchmark workloads, fixtures).
// A user's machine has no ../shared; CI runs these after the main suite.
export default defineConfig({
  test: {
    include: ['test/reference/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
