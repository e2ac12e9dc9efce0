/**
 * The isolate's snapshot cache (worker/store/snapshots.ts): every conversation and session of an
 * isolate shares one read of a pilot's published snapshot for SNAPSHOT_TTL_MS, a change made
 * through this isolate serves at once, and one made elsewhere (straight to KV here) within the
 * TTL.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import { deleteSnapshot, readSnapshot, SNAPSHOT_TTL_MS } from '../../worker/store/snapshots.ts';

function snapshotOf(name: string): PilotSnapshot {
  return {
    pilot: { id: 'pilot_c', workspaceId: 'ws_c', name, publicKey: 'pk_c', settings: {} },
    flows: [],
    publishedAt: Date.now(),
  } as unknown as PilotSnapshot;
}

describe('the snapshot cache of an isolate', () => {
  it('shares one read among concurrent callers and sees a change made elsewhere within the TTL', async () => {
    const key = `pk_cache_${crypto.randomUUID().slice(0, 8)}`;
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('First')));
    const reads = await Promise.all(Array.from({ length: 5 }, () => readSnapshot(env, key)));
    // One KV read: every caller holds the same parsed object.
    for (const read of reads) expect(read).toBe(reads[0]);
    expect(reads[0]?.pilot.name).toBe('First');
    // Written by another isolate: this one keeps its copy until the TTL ends, then reads again.
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('Second')));
    expect((await readSnapshot(env, key))?.pilot.name).toBe('First');
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_TTL_MS + 100));
    expect((await readSnapshot(env, key))?.pilot.name).toBe('Second');
  });

  it('stops serving a deleted pilot at once in the isolate that deleted it', async () => {
    const key = `pk_cache_${crypto.randomUUID().slice(0, 8)}`;
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('Doomed')));
    expect((await readSnapshot(env, key))?.pilot.name).toBe('Doomed');
    await deleteSnapshot(env, key);
    expect(await readSnapshot(env, key)).toBeNull();
  });
});
