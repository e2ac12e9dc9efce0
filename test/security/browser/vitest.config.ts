import { defineConfig } from 'vitest/config';

// Hostile text from agents and the AI pilot, rendered by the real messenger in Debian Chromium
// against a real `wrangler dev` (the e2e global setup: throwaway state, stopped afterwards).
export default defineConfig({
  test: {
    include: ['test/security/browser/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
