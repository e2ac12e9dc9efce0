/**
 * Published snapshots in KV: one document per pilot public key with the pilot's settings and
 * every published flow version. Written on publish/unpublish/pilot change, read when a
 * conversation starts or a trigger arrives (never on the message hot path).
 */
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { AppEnv } from '../env.ts';
import { listPublishedFlows } from './flows.ts';
import { pilotVariableValues } from './pilot-items.ts';
import { MAX_SNAPSHOT_CHARS } from './pilot-limits.ts';
import { getIdentitySecret, getPilotById } from './pilots.ts';

const key = (publicKey: string) => `snapshot:${publicKey}`;

export async function readSnapshot(env: AppEnv, publicKey: string): Promise<PilotSnapshot | null> {
  return env.SNAPSHOTS.get<PilotSnapshot>(key(publicKey), 'json');
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
  return snapshot;
}

/** Removes a deleted pilot's snapshot: its script tag stops starting conversations. */
export async function deleteSnapshot(env: AppEnv, publicKey: string): Promise<void> {
  await env.SNAPSHOTS.delete(key(publicKey));
}
