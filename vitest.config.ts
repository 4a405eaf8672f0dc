import { defineConfig } from 'vitest/config';

// The default suite: everything under test/ except the reference checks, which need ../shared.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reference/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
