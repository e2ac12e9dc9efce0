import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Fault tests inside workerd (@cloudflare/vitest-plugin): Durable Objects evicted gracefully
// (`evictDurableObject`) or aborted like a crash (`abortAllDurableObjects`) at every step,
// against a real local webhook target that hangs, fails or drops the connection.
const migrations = await readD1Migrations('migrations');

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
    }),
  ],
  test: {
    include: ['test/faults/workers/**/*.test.ts'],
    setupFiles: ['test/worker/apply-migrations.ts'],
    globalSetup: ['test/faults/workers/fault-target.ts'],
    testTimeout: 60_000,
  },
});
