import { defineConfig } from 'vitest/config';

// Pure unit tests of shared/ (and of the widget's pure helpers) in Node.
export default defineConfig({
  test: {
    include: ['test/shared/**/*.test.ts'],
  },
});
