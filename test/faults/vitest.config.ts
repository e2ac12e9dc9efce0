import { defineConfig } from 'vitest/config';

// Fault and load tests in Node against a real `wrangler dev` (a frozen copy of the tree, see
// bench/lib/product-server.mjs) speaking the real widget protocol over loopback sockets.
export default defineConfig({
  test: {
    include: ['test/faults/*.test.ts'],
    globalSetup: ['test/faults/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
