import { defineConfig } from 'vitest/config';

// Pure unit tests of the console's editing model (commands, undo history, diff) in Node.
export default defineConfig({
  test: {
    include: ['test/console/**/*.test.ts'],
  },
});
