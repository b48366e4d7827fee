import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration tests start real Prometheus processes; two at a time is what 2 cores take well.
    maxWorkers: 2,
  },
});
