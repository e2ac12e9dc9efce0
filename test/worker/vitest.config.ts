import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Integration tests inside the Workers runtime (workerd): real Durable Objects with SQLite,
// D1, KV and Queues from wrangler.toml; D1 migrations applied in the setup file.
const migrations = await readD1Migrations('migrations');

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // wrangler.toml is production as committed; these tests use the development
        // fallbacks (dev admin key, token secret, loopback webhook targets) on purpose.
        // CANCEL_RUNS_BATCH: unpublish cancels 2 conversations per batch (50 deployed), so a test
        // crosses the batch with a few visitors (test/worker/unpublish-bounds.test.ts).
        bindings: {
          TEST_MIGRATIONS: migrations,
          ENVIRONMENT: 'development',
          CANCEL_RUNS_BATCH: '2',
        },
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    setupFiles: ['test/worker/apply-migrations.ts'],
    // A real local HTTP server for webhook tests (runtime-*.test.ts read it with inject()).
    globalSetup: ['test/worker/runtime-http-target.ts'],
    testTimeout: 20_000,
  },
});
