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
      miniflare: {
        // wrangler.toml is production as committed; these tests use the development
        // fallbacks (dev admin key, token secret, loopback webhook targets) on purpose.
        bindings: { TEST_MIGRATIONS: migrations, ENVIRONMENT: 'development' },
      },
    }),
  ],
  test: {
    include: ['test/faults/workers/**/*.test.ts'],
    setupFiles: ['test/worker/apply-migrations.ts'],
    globalSetup: ['test/faults/workers/fault-target.ts'],
    testTimeout: 60_000,
  },
});
