import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM script without types
import { startDevServer } from '../../scripts/dev-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    adminKey: string;
  }
}

/** One wrangler dev for the whole e2e run, with its own throwaway state directory. */
export default async function setup(project: TestProject) {
  const persistTo = mkdtempSync(join(tmpdir(), 'edgepilot-e2e-'));
  // Every file signs in with the one dev key: its per-key limit (600/min as committed) is
  // raised for this run only, so a file's admin calls are not refused for another file's.
  const server = await startDevServer({
    persistTo,
    limits: { ADMIN_KEY_LIMITER: 100_000, ADMIN_WORKSPACE_LIMITER: 100_000 },
  });
  project.provide('baseUrl', server.base);
  project.provide('adminKey', server.adminKey);
  return async () => {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
