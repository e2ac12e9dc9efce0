import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Security tests inside workerd, configured as production by the committed wrangler.toml itself
// (nothing here overrides ENVIRONMENT, so a toml that defaulted to "development" fails the
// suite): no dev admin key, no seed route, no loopback webhooks; the secrets are set the way a
// deploy sets them. A real loopback HTTP server (global setup) must see no SSRF request at all.
const migrations = await readD1Migrations('migrations');

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          ADMIN_API_KEY: 'security-suite-admin-key-0123456789abcdef',
          SESSION_SECRET: 'security-suite-session-secret-0123456789abcdef',
        },
      },
    }),
  ],
  test: {
    include: ['test/security/*.test.ts'],
    setupFiles: ['test/worker/apply-migrations.ts'],
    globalSetup: ['test/faults/workers/fault-target.ts'],
    testTimeout: 120_000,
  },
});
