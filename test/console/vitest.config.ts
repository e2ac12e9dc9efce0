import { defineConfig } from 'vitest/config';

// Pure unit tests of the admin console's helpers (console/, no DOM) and the check that the
// committed API types match the Worker's OpenAPI document, in Node.
export default defineConfig({
  test: {
    include: ['test/console/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
