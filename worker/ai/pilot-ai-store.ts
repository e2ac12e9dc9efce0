/**
 * KV layout of a pilot's trained AI: a small pointer `ai:<pilotId>` → `{ version }` and the
 * model + index blob at `ai:<pilotId>:<version>`. Loading reads the pointer and parses the blob
 * only when this isolate has not parsed that version yet, so a pilot's many conversation objects
 * share one parsed model. The previous blob is kept for readers that saw the old pointer.
 */
import type { EntityDefinition } from '../../shared/ai/entities.ts';
import type { LocalModelJson } from '../../shared/ai/local-intent-detector.ts';

export interface StoredPilotAi {
  format: 'edgepilot-pilot-ai/1';
  builtAt: number;
  model: LocalModelJson | null;
  entities: EntityDefinition[];
  knowledge: string;
  /** Passage embeddings (embeddings.ts), when the deployment had an `AI` binding at save time. */
  embeddings?: unknown;
  /** What is in Vectorize for this pilot (vector-index.ts manifest), for large knowledge bases. */
  vectorIndex?: unknown;
}

interface Pointer {
  version: string;
  previous?: string;
}

export const pilotAiKey = (pilotId: string) => `ai:${pilotId}`;
const blobKey = (pilotId: string, version: string) => `ai:${pilotId}:${version}`;

/** Writes a new version and returns its size in bytes. */
export async function writeStoredPilotAi(
  kv: KVNamespace,
  pilotId: string,
  stored: StoredPilotAi,
): Promise<number> {
  const old = await kv.get<Pointer>(pilotAiKey(pilotId), 'json');
  const version = `${stored.builtAt.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const value = JSON.stringify(stored);
  await kv.put(blobKey(pilotId, version), value);
  const pointer: Pointer = { version, ...(old ? { previous: old.version } : {}) };
  await kv.put(pilotAiKey(pilotId), JSON.stringify(pointer));
  if (old?.previous) await kv.delete(blobKey(pilotId, old.previous));
  return value.length;
}

const parsedByPilot = new Map<string, { version: string; value: unknown }>();

/**
 * Reads the current version and turns it into `T` with `build`, once per version per isolate.
 * `build(null)` is used when nothing was ever trained for the pilot.
 */
export async function readStoredPilotAi<T>(
  kv: KVNamespace,
  pilotId: string,
  build: (stored: StoredPilotAi | null) => T,
): Promise<T> {
  const pointer = await kv.get<Pointer>(pilotAiKey(pilotId), 'json');
  const version = pointer?.version ?? '';
  const cached = parsedByPilot.get(pilotId);
  if (cached && cached.version === version) return cached.value as T;
  const stored = pointer
    ? await kv.get<StoredPilotAi>(blobKey(pilotId, pointer.version), 'json')
    : null;
  if (pointer && !stored) {
    // KV is eventually consistent: the pointer can arrive before its blob. Keep what we had.
    return cached ? (cached.value as T) : build(null);
  }
  const value = build(stored);
  parsedByPilot.set(pilotId, { version, value });
  return value;
}

/**
 * The current stored value itself, bypassing this isolate's parsed copy: a rebuild reads the
 * previous Vectorize manifest from it, and erasing a pilot the ids to delete.
 */
export async function readLatestStoredPilotAi(
  kv: KVNamespace,
  pilotId: string,
): Promise<StoredPilotAi | null> {
  const pointer = await kv.get<Pointer>(pilotAiKey(pilotId), 'json');
  if (!pointer) return null;
  return kv.get<StoredPilotAi>(blobKey(pilotId, pointer.version), 'json');
}

/** Deletes a pilot's stored AI (pointer and both kept versions): the pilot was deleted. */
export async function deleteStoredPilotAi(kv: KVNamespace, pilotId: string): Promise<void> {
  const pointer = await kv.get<Pointer>(pilotAiKey(pilotId), 'json');
  await kv.delete(pilotAiKey(pilotId));
  for (const version of [pointer?.version, pointer?.previous])
    if (version) await kv.delete(blobKey(pilotId, version));
  parsedByPilot.delete(pilotId);
}
