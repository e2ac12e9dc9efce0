/**
 * Runs one migration's statements again (the setup file applies every migration before the
 * tests): a migration test stores rows as the old code did, then runs this on them.
 */
import { env } from 'cloudflare:test';

export async function runMigration(name: string): Promise<void> {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith(name));
  if (!migration) throw new Error(`migration ${name} not found`);
  for (const query of migration.queries) await env.DB.prepare(query).run();
}
