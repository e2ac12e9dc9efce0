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
  rememberPointer(pilotId, pointer, Date.now());
  if (old?.previous) await kv.delete(blobKey(pilotId, old.previous));
  return value.length;
}

const parsedByPilot = new Map<string, { version: string; value: unknown }>();

/**
 * The pointer each pilot had when this isolate last read it, reused for POINTER_TTL_MS: a new
 * conversation's first question read it from KV (a KV read per conversation, in the visitor's
 * first turn); now the conversations an isolate starts within that window share one read. A
 * save in this isolate writes through; one elsewhere shows here at most POINTER_TTL_MS after KV
 * has it, as a published snapshot does (SNAPSHOT_TTL_MS), and within the AI_TTL_MS a
 * conversation keeps its loaded AI anyway.
 */
export const POINTER_TTL_MS = 2_000;
/** Pilots whose pointer an isolate holds at most (the oldest read is dropped first). */
const MAX_CACHED_POINTERS = 1_000;
const pointers = new Map<string, { pointer: Pointer | null; at: number }>();

function rememberPointer(pilotId: string, pointer: Pointer | null, at: number): void {
  pointers.delete(pilotId);
  pointers.set(pilotId, { pointer, at });
  for (const oldest of pointers.keys()) {
    if (pointers.size <= MAX_CACHED_POINTERS) break;
    pointers.delete(oldest);
  }
}

async function readPointer(kv: KVNamespace, pilotId: string): Promise<Pointer | null> {
  const now = Date.now();
  const held = pointers.get(pilotId);
  if (held && now - held.at < POINTER_TTL_MS) return held.pointer;
  const pointer = await kv.get<Pointer>(pilotAiKey(pilotId), 'json');
  rememberPointer(pilotId, pointer, now);
  return pointer;
}

/**
 * Reads the current version and turns it into `T` with `build`, once per version per isolate.
 * `build(null)` is used when nothing was ever trained for the pilot.
 */
export async function readStoredPilotAi<T>(
  kv: KVNamespace,
  pilotId: string,
  build: (stored: StoredPilotAi | null) => T,
): Promise<T> {
  const pointer = await readPointer(kv, pilotId);
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
  pointers.delete(pilotId);
}
