/**
 * migrations/0007_knowledge_threshold.sql: a pilot stored while `ai.knowledgeMinConfidence`
 * was a margin (default 0.29) reads back with the probability default (0.36) once the
 * migration ran; an admin's other value stays. The setup file applies every migration before
 * the tests, so the test stores rows as the old code did and runs the migration's own
 * statements (from the same TEST_MIGRATIONS list) again on them.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_CONFIDENCE } from '../../shared/knowledge/answer.ts';
import { workspace } from './admin-fixtures.ts';
import { runMigration } from './run-migration.ts';

describe('knowledge threshold migration', () => {
  it('rewrites a stored old default 0.29 to the new default and keeps an admin-chosen value', async () => {
    expect(DEFAULT_MIN_CONFIDENCE).toBe(0.36);
    const ws = await workspace();
    const pilot = async (value: number) =>
      (
        await ws.json<{ id: string }>('/pilots', {
          method: 'POST',
          body: {
            name: `Old pilot ${value}`,
            trustedDomains: ['example.com'],
            ai: { knowledgeMinConfidence: value },
          },
        })
      ).body.id;
    const old = await pilot(0.29);
    const chosen = await pilot(0.5);
    const stored = await env.DB.prepare('SELECT settings FROM pilots WHERE id = ?')
      .bind(old)
      .first<{ settings: string }>();
    expect(JSON.parse(stored?.settings ?? '{}').ai.knowledgeMinConfidence).toBe(0.29);

    await runMigration('0007_');

    const read = async (id: string) =>
      (await ws.json<{ ai: { knowledgeMinConfidence: number } }>(`/pilots/${id}`)).body.ai
        .knowledgeMinConfidence;
    expect(await read(old)).toBe(0.36);
    expect(await read(chosen)).toBe(0.5);
  });
});
