/**
 * migrations/0008_fallback_message.sql: a pilot stored with the old default fallback ("Thanks!
 * We'll get back to you shortly.", a promise nobody kept) reads back with the new default once
 * the migration ran; an admin's own text stays. As in the 0007 test, rows are stored as the old
 * code did and the migration's own statements run again on them.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FALLBACK_MESSAGE } from '../../shared/pilot.ts';
import { workspace } from './admin-fixtures.ts';
import { runMigration } from './run-migration.ts';

const OLD_DEFAULT = "Thanks! We'll get back to you shortly.";

describe('fallback message migration', () => {
  it('replaces a stored old default with the new default and keeps an admin-written text', async () => {
    const ws = await workspace();
    const pilot = async (fallbackMessage: string) =>
      (
        await ws.json<{ id: string }>('/pilots', {
          method: 'POST',
          body: { name: 'Old pilot', trustedDomains: ['example.com'], fallbackMessage },
        })
      ).body.id;
    const old = await pilot(OLD_DEFAULT);
    const own = await pilot('Ask us anything at help@example.com.');
    const stored = await env.DB.prepare('SELECT settings FROM pilots WHERE id = ?')
      .bind(old)
      .first<{ settings: string }>();
    expect(JSON.parse(stored?.settings ?? '{}').fallbackMessage).toBe(OLD_DEFAULT);

    await runMigration('0008_');

    const read = async (id: string) =>
      (await ws.json<{ fallbackMessage: string }>(`/pilots/${id}`)).body.fallbackMessage;
    expect(await read(old)).toBe(DEFAULT_FALLBACK_MESSAGE);
    expect(await read(own)).toBe('Ask us anything at help@example.com.');
  });
});
