/**
 * The isolate's snapshot cache (worker/store/snapshots.ts): every conversation and session of an
 * isolate shares one read of a pilot's published snapshot for SNAPSHOT_TTL_MS, a change made
 * through this isolate serves at once, and one made elsewhere (straight to KV here) within the
 * TTL.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import {
  deleteSnapshot,
  MAX_CACHED_SNAPSHOT_CHARS,
  RENEW_GRACE_MS,
  readSnapshot,
  SNAPSHOT_TTL_MS,
  snapshotCacheSize,
} from '../../worker/store/snapshots.ts';

/** An env whose snapshot reads are held until `release` (a slow KV read of another request). */
function heldReads() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow = {
    ...env,
    SNAPSHOTS: {
      get: async (name: string, type: 'text') => {
        const text = await env.SNAPSHOTS.get(name, type);
        await gate;
        return text;
      },
    },
  } as unknown as typeof env;
  return { slow, release: () => release() };
}

function snapshotOf(name: string): PilotSnapshot {
  return {
    pilot: { id: 'pilot_c', workspaceId: 'ws_c', name, publicKey: 'pk_c', settings: {} },
    flows: [],
    publishedAt: Date.now(),
  } as unknown as PilotSnapshot;
}

describe('the snapshot cache of an isolate', () => {
  it('shares one read among later callers and sees a change made elsewhere within the TTL', async () => {
    const key = `pk_cache_${crypto.randomUUID().slice(0, 8)}`;
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('First')));
    const first = await readSnapshot(env, key);
    const reads = await Promise.all(Array.from({ length: 5 }, () => readSnapshot(env, key)));
    // No KV read after the first: every caller holds the same parsed object.
    for (const read of reads) expect(read).toBe(first);
    expect(first?.pilot.name).toBe('First');
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

  it('keeps no expired snapshot: after the TTL only what was read since is held', async () => {
    const keys = Array.from({ length: 3 }, () => `pk_cache_${crypto.randomUUID().slice(0, 8)}`);
    for (const key of keys) {
      await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf(key)));
      await readSnapshot(env, key);
    }
    expect(snapshotCacheSize().entries).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_TTL_MS + 100));
    const last = `pk_cache_${crypto.randomUUID().slice(0, 8)}`;
    await env.SNAPSHOTS.put(`snapshot:${last}`, JSON.stringify(snapshotOf(last)));
    expect((await readSnapshot(env, last))?.pilot.name).toBe(last);
    expect(snapshotCacheSize().entries).toBe(1);
  });

  it('holds at most MAX_CACHED_SNAPSHOT_CHARS of snapshots, however many large pilots are read', async () => {
    // Six pilots of 2.5 M characters each (a snapshot may be up to 3 M): 15 M in all.
    const big = 'x'.repeat(2_500_000);
    const keys = Array.from({ length: 6 }, () => `pk_cache_${crypto.randomUUID().slice(0, 8)}`);
    for (const key of keys) {
      await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify({ ...snapshotOf(big), key }));
      expect(((await readSnapshot(env, key)) as unknown as { key: string }).key).toBe(key);
      expect(snapshotCacheSize().chars).toBeLessThanOrEqual(MAX_CACHED_SNAPSHOT_CHARS);
    }
    // The oldest were dropped, the newest is served from the cache.
    expect(snapshotCacheSize().entries).toBeLessThan(6);
    expect(snapshotCacheSize().chars).toBeGreaterThan(2_500_000);
  });

  it('a read in flight never brings back a pilot deleted meanwhile, even once the delete is evicted', async () => {
    const key = `pk_cache_${crypto.randomUUID().slice(0, 8)}`;
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('Old')));
    // A slow KV read (another request's, started before the delete).
    const { slow, release } = heldReads();
    const reading = readSnapshot(slow, key);
    await deleteSnapshot(env, key);
    // Five large pilots read meanwhile push the delete's own entry out of the budget.
    const big = 'x'.repeat(2_500_000);
    for (let i = 0; i < 5; i++) {
      const other = `pk_big_${i}_${key}`;
      await env.SNAPSHOTS.put(`snapshot:${other}`, JSON.stringify(snapshotOf(big)));
      await readSnapshot(env, other);
    }
    release();
    await reading;
    expect(await readSnapshot(env, key)).toBeNull();
  });

  it('serves the expired value to callers that come while one reads its successor, for a bounded while', async () => {
    const key = `pk_cache_${crypto.randomUUID().slice(0, 8)}`;
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('Old')));
    const old = await readSnapshot(env, key);
    await env.SNAPSHOTS.put(`snapshot:${key}`, JSON.stringify(snapshotOf('New')));
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_TTL_MS + 100));
    // Expired: the first caller reads KV, slowly (its read is held until released).
    const { slow, release } = heldReads();
    let reads = 0;
    const counted = {
      ...env,
      SNAPSHOTS: {
        get: (name: string, type: 'text') => {
          reads++;
          return env.SNAPSHOTS.get(name, type);
        },
      },
    } as unknown as typeof env;
    const renewing = readSnapshot(slow, key);
    // Callers meanwhile get the old value without a KV read of their own.
    const meanwhile = await Promise.all(
      Array.from({ length: 5 }, () => readSnapshot(counted, key)),
    );
    for (const read of meanwhile) expect(read).toBe(old);
    expect(reads).toBe(0);
    // Past the grace, a caller reads KV itself (a renewal that never ends holds nobody for long).
    await new Promise((resolve) => setTimeout(resolve, RENEW_GRACE_MS + 100));
    expect((await readSnapshot(counted, key))?.pilot.name).toBe('New');
    expect(reads).toBe(1);
    release();
    expect((await renewing)?.pilot.name).toBe('New');
  });
});
