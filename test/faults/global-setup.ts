import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM script without types
import { startProduct } from '../../bench/lib/product-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    faultBase: string;
    faultAdminKey: string;
  }
}

/** One wrangler dev (throwaway state, frozen tree) shared by the fault tests that do not restart it. */
export default async function setup(project: TestProject) {
  const server = await startProduct();
  project.provide('faultBase', server.base);
  project.provide('faultAdminKey', server.adminKey);
  return () => server.stop();
}
