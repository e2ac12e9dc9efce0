/**
 * Published snapshots in KV: one document per pilot public key with the pilot's settings and
 * every published flow version. Written on publish/unpublish/pilot change, read when a
 * session or a conversation starts and by turns that need a flow (at most once per
 * SNAPSHOT_TTL_MS per isolate: see `readSnapshot`).
 */
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { AppEnv } from '../env.ts';
import { listPublishedFlows } from './flows.ts';
import { pilotVariableValues } from './pilot-items.ts';
import { MAX_SNAPSHOT_CHARS } from './pilot-limits.ts';
import { getIdentitySecret, getPilotById } from './pilots.ts';

const key = (publicKey: string) => `snapshot:${publicKey}`;

/**
 * How long this isolate reuses a snapshot it read. The staleness bound: a publish made through
 * this isolate serves at once (writes go through the cache below); one made elsewhere serves
 * new conversations here at most this long after KV has it (KV itself may lag up to 60 s between
 * locations, so this adds little). Conversation objects already reused a snapshot this long
 * each; sharing it per isolate means the conversations of a busy pilot read and parse it about
 * once per TTL, not once each (callers that miss at the same moment with no value held still
 * read it each, see `cache`), and the per-snapshot caches (pilot facts, encoded JSON, the
 * engine's per-flow caches) stay warm across conversations.
 */
export const SNAPSHOT_TTL_MS = 2_000;
/** Pilots whose snapshot an isolate keeps; past it the oldest entry is dropped. */
export const MAX_CACHED_SNAPSHOTS = 100;
/**
 * Characters of snapshot JSON an isolate keeps (a parsed snapshot takes about 1.3x its JSON in
 * memory): a key holder with many pilots of large snapshots cannot pin more than this in an
 * isolate whose 128 MB the conversations share; past it the oldest entries are dropped.
 */
export const MAX_CACHED_SNAPSHOT_CHARS = 12_000_000;

/**
 * How much longer an expired snapshot is served to the callers that come while one caller reads
 * its successor from KV. Before, every caller that missed during that read read KV and parsed
 * the snapshot too: at 100 concurrent conversations of one pilot, each expiry cost dozens of
 * reads and parses (about 3% of the CPU per visitor message). Nothing is shared across requests
 * but the value (see `cache`): each caller either reads KV itself or serves what is held. So a
 * change made elsewhere serves here at most SNAPSHOT_TTL_MS + RENEW_GRACE_MS after KV has it.
 */
export const RENEW_GRACE_MS = 1_000;

interface CachedSnapshot {
  value: PilotSnapshot | null;
  /** When its read began (or it was written through): served until SNAPSHOT_TTL_MS after. */
  at: number;
  /** Length of the snapshot's JSON (0 for none). */
  chars: number;
  /** Expired, and a caller began reading its successor at this time (see RENEW_GRACE_MS). */
  renewing?: number;
}
/**
 * Public key -> the snapshot last read or written by this isolate. Shared objects: callers never
 * change a snapshot (pilotFactsOf and encodeOnce already rely on it). Only values are shared,
 * never a read in flight: in workerd a promise that another request's I/O resolves may never
 * settle for this one once that request has ended (a first version shared the pending read and
 * conversations at 100 concurrent stalled on it in the hot-path bench), so callers that miss at
 * the same moment read KV each, unless an expired value is held (RENEW_GRACE_MS). An entry is
 * re-inserted when renewed, so the least recently renewed are at the front (dropped first past a
 * budget). Expired entries are dropped whenever any entry is remembered (`prune`), so with
 * several pilots an expired value is often gone before a grace could serve it: the grace then
 * costs nothing, and the bound holds either way.
 */
const cache = new Map<string, CachedSnapshot>();
let cachedChars = 0;

function forget(publicKey: string): void {
  const entry = cache.get(publicKey);
  if (!entry) return;
  cache.delete(publicKey);
  cachedChars -= entry.chars;
}

/** Drops expired entries (never served again), then the oldest past either budget. */
function prune(now: number): void {
  // At most MAX_CACHED_SNAPSHOTS + 1 entries: a full pass is cheap, and needs no order of `at`.
  for (const [publicKey, entry] of cache) if (now - entry.at >= SNAPSHOT_TTL_MS) forget(publicKey);
  for (const publicKey of cache.keys()) {
    if (cache.size <= MAX_CACHED_SNAPSHOTS && cachedChars <= MAX_CACHED_SNAPSHOT_CHARS) return;
    forget(publicKey);
  }
}

function remember(publicKey: string, entry: CachedSnapshot): void {
  forget(publicKey);
  cache.set(publicKey, entry);
  cachedChars += entry.chars;
  prune(entry.at);
}

/** What the isolate holds (tests: the cache's bounds). */
export function snapshotCacheSize(): { entries: number; chars: number } {
  return { entries: cache.size, chars: cachedChars };
}

/** Publishes and deletes written through by this isolate (a count no eviction can lose). */
let writes = 0;

/** The pilot's published snapshot, reused for SNAPSHOT_TTL_MS by everything in this isolate. */
export async function readSnapshot(env: AppEnv, publicKey: string): Promise<PilotSnapshot | null> {
  const started = Date.now();
  const known = cache.get(publicKey);
  if (known) {
    const age = started - known.at;
    if (age < SNAPSHOT_TTL_MS) return known.value;
    // Another caller is reading the successor: the old value, for a bounded while longer.
    const renewing = known.renewing !== undefined && started - known.renewing < RENEW_GRACE_MS;
    if (renewing && age < SNAPSHOT_TTL_MS + RENEW_GRACE_MS) return known.value;
    known.renewing = started;
  }
  const seen = writes;
  const text = await env.SNAPSHOTS.get(key(publicKey), 'text');
  const value = text === null ? null : (JSON.parse(text) as PilotSnapshot);
  // A publish or delete written through while this read was in flight may be newer than what it
  // read: the read is not kept (the written value is, unless a budget dropped it since).
  if (writes !== seen) {
    const current = cache.get(publicKey);
    return current ? current.value : value;
  }
  // Served until SNAPSHOT_TTL_MS after the read began: at most that long after KV had a version.
  remember(publicKey, { value, at: started, chars: text?.length ?? 0 });
  return value;
}

/**
 * Rebuilds a pilot's snapshot from D1 and stores it. One past MAX_SNAPSHOT_CHARS is not stored
 * (logged, null): the totals checked in each write should make that impossible, and every
 * conversation of the pilot would parse it; the previous snapshot stays.
 */
export async function writeSnapshot(
  env: AppEnv,
  pilotId: string,
  now: number,
): Promise<PilotSnapshot | null> {
  const pilot = await getPilotById(env, pilotId);
  if (!pilot) return null;
  const [flows, identitySecret, variables] = await Promise.all([
    listPublishedFlows(env, pilotId),
    getIdentitySecret(env, pilotId),
    pilotVariableValues(env, pilotId),
  ]);
  const snapshot: PilotSnapshot = {
    pilot: {
      id: pilot.id,
      workspaceId: pilot.workspaceId,
      name: pilot.name,
      publicKey: pilot.publicKey,
      settings: pilot.settings,
      ...(identitySecret ? { identitySecret } : {}),
      variables,
    },
    flows,
    publishedAt: now,
  };
  const text = JSON.stringify(snapshot);
  if (text.length > MAX_SNAPSHOT_CHARS) {
    console.error('snapshot not written: too large', pilotId, text.length, MAX_SNAPSHOT_CHARS);
    return null;
  }
  await env.SNAPSHOTS.put(key(pilot.publicKey), text);
  // This isolate serves the new version from now on (a read in flight, started before this
  // write, sees the write and does not put the old one back).
  writes++;
  remember(pilot.publicKey, {
    value: snapshot,
    at: Date.now(),
    chars: text.length,
  });
  return snapshot;
}

/** Removes a deleted pilot's snapshot: its script tag stops starting conversations. */
export async function deleteSnapshot(env: AppEnv, publicKey: string): Promise<void> {
  await env.SNAPSHOTS.delete(key(publicKey));
  writes++;
  remember(publicKey, { value: null, at: Date.now(), chars: 0 });
}
