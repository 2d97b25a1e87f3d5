import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests, and end-to-end tests that drive Debian's Chromium against
// `vigil serve` (they need `npm run build` first; `npm test` does that).
export default defineConfig({
  test: {
    reporters: ['default', './build/vitest-summary.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
