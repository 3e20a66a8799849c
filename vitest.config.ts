import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Two cores on CI: keep worker count small so integration tests that start servers do not starve.
    maxWorkers: 2,
    // Hang guards, not timing assertions: differential tests spend seconds in cedar-wasm and CI is shared.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
