import { defineConfig } from 'vitest/config';

// Real Chromium (Debian's, via playwright-core) against a real `wrangler dev` started once.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
